// The analysis core: lint(text, language, settings) → findings. A pure function of its input; the
// language server and the CLI are thin adapters over it. No LSP imports here.

import { BudgetExceeded, DEFAULT_BUDGET_MS, withBudget, WorkBudget } from './budget';
import type { Settings } from './config';
import { docsUrl } from './docs';
import { generatedCode } from './generated-code';
import type { DocumentCache } from './document-cache';
import { buildSqlModel, type SqlModel } from '../languages/sql/sql-file';
import { findEmbeddedSql, type EmbeddedSql } from '../languages/typescript/embedded-sql';
import { TsModel } from '../languages/typescript/ts-file';
import { MappedText } from './text/mapped-text';
import { isTestModel } from '../languages/typescript/test-code';
import { coreText, format, type CoreTextKey, type Locale } from './locale';
import { boundedReport, type Edit, type Report, type Rule, type RuleContext, type RuleLanguage, type Severity } from './rule';
import { RULES, ruleById } from '../rules';
import { schemaFacts, type SchemaFact } from '../schema/facts';
import { SchemaModel } from '../schema/model';
import { entityFact, type DeclaredEntity } from '../schema/entities';
import { directiveComments } from './suppression-edits';
import { findDirectives, suppresses, type Directive } from './suppressions';
import type * as TS from 'typescript';
import type { ForeignSqlKind } from '../languages/sql/dialect';
import { detectForeignSqlOf } from './incremental/foreign-sql';
import { migrationDownStart } from '../languages/sql/split';
import type { SqlDialectSetting } from './config';
import type { ProjectContext } from '../project/context';
import { LineIndex } from './text/positions';
import { guardFindings } from './text/ranges';
import { generatedReason, skippedFileFinding } from './skips';
import { UnitRuleRun, type RunOnUnit, type UnitScope } from './incremental/unit-rules';

export type DocumentLanguage = 'sql' | 'typescript' | 'javascript';

export interface Fix {
  title: string;
  safe: boolean;
  /** Edits in document offsets (UTF-16), non-overlapping. */
  edits: Edit[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** Document offsets (UTF-16). */
  start: number;
  end: number;
  message: string;
  fixes: Fix[];
  /** Offset of the start of the statement the finding belongs to (suppression comments go before its line). */
  anchor: number;
  docsUrl: string;
  /** For a syntax error: the statement that was not analysed (the editor holds it back while the user types in it). */
  statement?: { start: number; end: number };
}

export interface LintInput {
  text: string;
  language: DocumentLanguage;
  /** File name or path; decides .tsx/.jsx parsing. */
  fileName?: string;
  /** The workspace folder holding the file: vendored and build-output folders are judged relative to it. */
  workspaceFolder?: string;
  settings: Settings;
  locale: Locale;
  /**
   * The workspace schema, given this document's own schema facts (so that an edited migration is seen
   * as it is now). Defaults to a model of the document alone.
   */
  schema?: (documentFacts: SchemaFact[]) => SchemaModel;
  /**
   * Keeps the statements of the previous analysis of the same document, so that an edit re-parses
   * only what changed (the language server keeps one per open document). Results are identical with
   * and without it.
   */
  cache?: DocumentCache;
  /**
   * With `cache`: the document is being edited (the language server), so rule results are kept
   * between its analyses and an edit re-runs the statement- and transaction-scope rules only on the
   * statements and transactions it changed (incremental/). Results are identical either way; a one-off analysis (the CLI) saves the
   * bookkeeping.
   */
  edited?: boolean;
  /**
   * For a .sql document, what the configuration says it is (setting sql.dialect): 'postgres' turns
   * dialect detection off, 'skip' skips the file. Default: detected.
   */
  sqlDialect?: SqlDialectSetting;
  /** The project around a TypeScript/JavaScript document: its dependencies' SQL dialect, its modules' clients. */
  project?: ProjectContext;
  /** Time the rules may take on this document, in milliseconds (default 5 s); past it, the analysis stops. */
  budgetMs?: number;
}

export interface LintResult {
  findings: Finding[];
  /** What this document says about the schema, for the workspace model. */
  facts: SchemaFact[];
  /** Rules that threw; they are skipped, the rest of the analysis stands. */
  ruleErrors: Array<{ ruleId: string; error: unknown }>;
  coverage: Coverage;
}

/** What was analysed in a document, for the CLI's coverage line. */
export interface Coverage {
  /** Top-level SQL statements analysed (of a .sql file, or embedded in code). */
  statements: number;
  /** SQL literals of a TypeScript/JavaScript document that were analysed. */
  embeddedQueries: number;
  /** Why the document was not analysed, when it was not. */
  skipped?: SkipReason;
}

/**
 * Why a file was skipped: another SQL dialect or a template (it is not PostgreSQL at all: reported at
 * information), the configuration, or a limit that kept a PostgreSQL or TypeScript file from being analysed.
 */
export type SkipReason = ForeignSqlKind | 'configured' | 'generated' | 'too-large' | 'binary' | 'error';

/** Skips that are not about PostgreSQL or TypeScript code going unanalysed. */
const NOT_OUR_LANGUAGE = new Set<SkipReason>(['mysql', 'clickhouse', 'sqlite', 'tsql', 'go-template', 'jinja', 'template', 'configured', 'generated']);

const EXTENSIONS: Record<string, DocumentLanguage> = {
  '.sql': 'sql',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
};

export function languageOfPath(path: string): DocumentLanguage | undefined {
  const match = /\.[^./\\]+$/.exec(path.toLowerCase());
  if (!match || path.toLowerCase().endsWith('.d.ts')) return undefined;
  return EXTENSIONS[match[0]];
}

export function languageOfId(languageId: string): DocumentLanguage | undefined {
  if (languageId === 'sql' || languageId === 'pgsql' || languageId === 'postgres') return 'sql';
  if (languageId === 'typescript' || languageId === 'typescriptreact') return 'typescript';
  if (languageId === 'javascript' || languageId === 'javascriptreact') return 'javascript';
  return undefined;
}

const NO_FACTS: SchemaFact[] = [];

/** The facts, with a table for each entity the document's library calls use (once per table). */
function withEntityFacts(facts: SchemaFact[], embedded: readonly EmbeddedSql[]): SchemaFact[] {
  const entities = new Map<string, DeclaredEntity>();
  for (const entry of embedded) if (entry.operation?.entity) entities.set(entry.operation.entity.table, entry.operation.entity);
  return entities.size ? [...facts, ...[...entities.values()].map(entityFact)] : facts;
}

// One empty list for every missing name setting: compiled pattern lists are cached by list identity.
const NO_NAMES: readonly string[] = Object.freeze([]);

export function lint(input: LintInput): LintResult {
  const { text, settings, locale } = input;
  if (!settings.enable) return { findings: [], facts: [], ruleErrors: [], coverage: { statements: 0, embeddedQueries: 0 } };
  try {
    return analyse(input);
  } catch (error) {
    // The parsers recurse: input nested thousands of levels deep can exhaust the stack. Such a file
    // gets one skipped-file warning; the editor and the rest of a CLI run go on.
    const detail = tooDeep(error) ? coreText(locale, 'fileTooDeep') : String((error as Error)?.message ?? error);
    const finding = skippedFileFinding(coreText(locale, 'fileNotAnalysed', { detail }), 'unanalysable', text, locale, settings);
    return {
      findings: finding ? [finding] : [],
      facts: [],
      ruleErrors: [{ ruleId: 'skipped-file', error }],
      coverage: { statements: 0, embeddedQueries: 0, skipped: 'error' },
    };
  }
}

// A stack overflow, or a nesting limit of our own (thrown as a RangeError); not every RangeError ("Invalid code point").
function tooDeep(error: unknown): boolean {
  return error instanceof RangeError && /call stack|nested more than/i.test(error.message);
}

function parseTypeScriptDocument(input: LintInput): TsModel {
  const fileName = input.fileName ?? (input.language === 'javascript' ? 'document.js' : 'document.ts');
  const cache = input.cache;
  if (!cache) return TsModel.parse(input.text, fileName, undefined, input.project);
  // Taken before the parse: if it throws, a half-updated tree is not offered to the next version.
  const previous = cache.typescript;
  cache.typescript = undefined;
  const model = TsModel.parse(input.text, fileName, previous, input.project);
  cache.typescript = model.node;
  return model;
}

function analyse(input: LintInput): LintResult {
  const { text, settings, locale } = input;
  const result: LintResult = { findings: [], facts: [], ruleErrors: [], coverage: { statements: 0, embeddedQueries: 0 } };
  const skipped = skipReason(input);
  if (skipped) {
    const finding = skippedFileFinding(
      skipped.message,
      NOT_OUR_LANGUAGE.has(skipped.reason) ? 'excluded' : 'unanalysable',
      text,
      locale,
      settings,
      skipped.offset,
    );
    if (finding) result.findings.push(finding);
    result.coverage.skipped = skipped.reason;
    return result;
  }
  const ruleLanguage: RuleLanguage = input.language === 'sql' ? 'sql' : 'ts';
  const document = MappedText.document(text);
  const typescript = input.language === 'sql' ? undefined : parseTypeScriptDocument(input);
  const embedded = typescript ? findEmbeddedSql(typescript, document) : [];
  // Tests send invalid SQL on purpose (to test error handling): their syntax errors are not reported.
  const testCode = typescript ? isTestModel(typescript) : false;
  const sql: SqlModel = typescript
    ? buildSqlModel(
        embedded.map((entry) => ({
          text: entry.text,
          origin: 'embedded',
          psql: false,
          placeholders: true,
          plain: entry.certainty === 'plain',
          // Plain strings are not known to run, let alone one after the other.
          group: entry.certainty === 'plain' ? undefined : groupOf(typescript, entry),
          reportSyntaxErrors: entry.certainty === 'certain' && entry.interpolationCount === 0 && !testCode,
        })),
      )
    : buildSqlModel([{ text: document, origin: 'file', psql: true }], input.cache?.sql);
  result.coverage.statements = sql.scripts.reduce((sum, script) => sum + script.length, 0);
  result.coverage.embeddedQueries = typescript ? new Set(sql.scripts.flat().map((statement) => statement.text)).size : 0;
  result.facts = typescript ? [] : schemaFacts(upStatements(sql, text));
  const workspace = input.schema ? input.schema(result.facts) : SchemaModel.fromFacts([result.facts]);
  // Code that uses Prisma also knows the tables its schema.prisma declares; Drizzle code, the pgTable
  // objects it writes to; code that uses Sequelize models or TypeORM entities, their declarations.
  const prismaFacts = typescript && input.project ? (input.project.prismaSchema(typescript.fileName)?.facts ?? NO_FACTS) : NO_FACTS;
  const codeFacts = declaredByOperations(embedded);
  const declared = typescript ? withEntityFacts(codeFacts.length ? [...prismaFacts, ...codeFacts] : prismaFacts, embedded) : NO_FACTS;
  // Nothing declared: the workspace model is not touched (the server notes which analyses read it).
  const schema = declared.length ? workspace.withDeclaredTables(declared) : workspace;

  const raw: Finding[] = [];
  for (const problem of sql.syntaxErrors) {
    const finding = builtInFinding('syntax-error', { detail: problem.message }, problem.start, problem.end, locale, settings);
    finding.statement = { start: problem.statementStart, end: problem.statementEnd };
    raw.push(finding);
  }

  const memo = new Map<string, unknown>();
  // A deferred-to rule is in force at a place unless its level is off or a suppression comment applies there.
  let suppressionsHere: { directives: Directive[]; lines: LineIndex } | undefined;
  const inForce = (deferring: Rule, ruleId: string, place: { start: number; anchor?: number }): boolean => {
    if (!deferring.defers?.includes(ruleId)) throw new Error(`${deferring.id} reads ${ruleId} without declaring it in defers`);
    const other = ruleById(ruleId);
    if (!other || levelOf(other, settings) === 'off') return false;
    if (!text.includes('armadilha-ignore')) return true;
    if (!suppressionsHere) {
      const lines = new LineIndex(text);
      const { comments, leadingEnd } = directiveComments(text, input.language, typescript?.node);
      suppressionsHere = { directives: findDirectives(text, comments, lines, leadingEnd), lines };
    }
    const { directives, lines } = suppressionsHere;
    const anchor = typescript ? typescript.statementStartAt(place.start) : (place.anchor ?? place.start);
    return !suppresses(directives, ruleId, new Set([lines.positionAt(anchor).line, lines.positionAt(place.start).line]));
  };
  const budget = new WorkBudget(input.budgetMs ?? DEFAULT_BUDGET_MS);
  // In an edited .sql document, rules that read one statement or one transaction at a time run on the
  // changed statements and transactions only.
  const unitRun = !typescript && input.cache && input.edited ? new UnitRuleRun(input.cache, sql, schema, JSON.stringify(settings), locale) : undefined;
  let schemaRead = false;
  let askedInForce = false;
  const watchedSchema = unitRun ? whenRead(schema, () => (schemaRead = true)) : schema;
  for (const rule of RULES) {
    // SQL rules also run on the SQL embedded in TypeScript; TypeScript rules only on TypeScript.
    const applies = rule.languages.includes('sql') || rule.languages.includes(ruleLanguage);
    if (!rule.check || !applies || levelOf(rule, settings) === 'off') continue;
    const scope: UnitScope | undefined = rule.reads === 'statement' || rule.reads === 'transaction' ? rule.reads : undefined;
    const run = (model: SqlModel, runMemo: Map<string, unknown>, sink: Finding[], ruleSchema = schema) => {
      const context: RuleContext = {
        text,
        sql: model,
        typescript,
        embedded,
        schema: ruleSchema,
        settings,
        names: (key) => settings.names[key] ?? (NO_NAMES as string[]),
        number: (key) => (key === 'defaultTimeoutMs' ? settings.defaultTimeoutMs : Number((settings as unknown as Record<string, unknown>)[key] ?? 0)),
        level: (key) => settings.levels?.[key] ?? levelOf(rule, settings),
        inForce: (ruleId, place) => {
          askedInForce = true;
          return inForce(rule, ruleId, place);
        },
        memo: <T>(key: string, compute: () => T): T => {
          if (!runMemo.has(key)) runMemo.set(key, compute());
          return runMemo.get(key) as T;
        },
        report: (report) => sink.push(toFinding(rule, boundedReport(report, text.length), locale, settings)),
        spend: (units) => budget.spend(units),
      };
      budget.check();
      withBudget(budget, () => rule.check!(context));
    };
    const runOnUnit: RunOnUnit = (model) => {
      const findings: Finding[] = [];
      schemaRead = false;
      askedInForce = false;
      run(model, new Map(), findings, watchedSchema);
      return { findings, readSchema: schemaRead, askedInForce };
    };
    try {
      if (!unitRun || !scope || !runIncrementally(unitRun, scope, rule.id, runOnUnit, raw)) run(sql, memo, raw);
    } catch (error) {
      unitRun?.invalidate();
      if (!(error instanceof BudgetExceeded)) {
        result.ruleErrors.push({ ruleId: rule.id, error });
        continue;
      }
      // Too costly: the rules that did not run are named, what the others found stands.
      const reason = coreText(locale, 'fileTooCostly', { seconds: (error.elapsedMs / 1000).toFixed(1), rule: rule.id });
      const finding = skippedFileFinding(reason, 'unanalysable', text, locale, settings);
      if (finding) raw.push(finding);
      break;
    }
  }
  // In TypeScript, suppression comments go before the TypeScript statement, never inside a template.
  if (typescript) for (const finding of raw) finding.anchor = typescript.statementStartAt(finding.start);
  const guarded = guardFindings(text, applySuppressions(text, input.language, dedupe(raw), locale, settings, typescript?.node));
  result.findings = guarded.findings;
  result.ruleErrors.push(...guarded.problems);
  result.findings.sort((left, right) => left.start - right.start || left.end - right.end || left.ruleId.localeCompare(right.ruleId));
  return result;
}

// The path judged for vendored folders: relative to the workspace folder when known.
function workspaceRelative(input: LintInput): string {
  const file = input.fileName ?? '';
  const folder = input.workspaceFolder?.replace(/[\\/]+$/, '');
  if (folder && (file.startsWith(`${folder}/`) || file.startsWith(`${folder}\\`))) return file.slice(folder.length + 1);
  return file;
}

export function levelOf(rule: Rule, settings: Settings): Severity | 'off' {
  return settings.rules[rule.id] ?? rule.severity;
}

function toFinding(rule: Rule, report: Report, locale: Locale, settings: Settings): Finding {
  const text = rule.text[locale];
  const data: Record<string, string | number> = { ...(report.data ?? {}) };
  for (const [placeholder, variant] of Object.entries(report.variants ?? {})) data[placeholder] = format(text.variants?.[variant] ?? variant, data);
  return {
    ruleId: rule.id,
    severity: report.severity ?? (levelOf(rule, settings) as Severity),
    start: report.start,
    end: Math.max(report.start, report.end),
    message: format(text.message, data),
    fixes: (report.fixes ?? []).map((proposal) => ({
      title: format(text.fixes?.[proposal.key] ?? proposal.key, { ...data, ...(proposal.data ?? {}) }),
      safe: proposal.safe ?? rule.fix === 'safe',
      edits: proposal.edits,
    })),
    anchor: report.anchor ?? report.start,
    docsUrl: docsUrl(rule.id, locale),
  };
}

function builtInFinding(ruleId: string, data: Record<string, string>, start: number, end: number, locale: Locale, settings: Settings): Finding {
  return toFinding(ruleById(ruleId)!, { start, end, data }, locale, settings);
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.ruleId}:${finding.start}:${finding.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function applySuppressions(text: string, language: DocumentLanguage, findings: Finding[], locale: Locale, settings: Settings, tree?: TS.SourceFile): Finding[] {
  // Built-in findings (syntax errors) of a rule set to off are dropped here too.
  if (!text.includes('armadilha-ignore')) return findings.filter((finding) => levelOf(ruleById(finding.ruleId)!, settings) !== 'off');
  const lines = new LineIndex(text);
  const { comments, leadingEnd } = directiveComments(text, language, tree);
  const directives = findDirectives(text, comments, lines, leadingEnd);
  const used = new Set<string>();
  const suppressedBy = (finding: Finding): boolean =>
    suppresses(directives, finding.ruleId, new Set([lines.positionAt(finding.anchor).line, lines.positionAt(finding.start).line]), (directive) =>
      used.add(`${directive.start}:${finding.ruleId}`),
    );
  const kept = findings.filter((finding) => !suppressedBy(finding));
  for (const directive of directives) {
    for (const id of directive.ids) {
      const rule = ruleById(id.id);
      if (!rule) {
        kept.push(builtInFinding('invalid-suppression', { rule: id.id }, id.start, id.end, locale, settings));
      } else if (!used.has(`${directive.start}:${id.id}`) && levelOf(rule, settings) !== 'off' && !rule.builtIn) {
        kept.push(builtInFinding('unused-suppression', { rule: id.id }, id.start, id.end, locale, settings));
      }
    }
  }
  return kept.filter((finding) => levelOf(ruleById(finding.ruleId)!, settings) !== 'off');
}

interface Skip {
  reason: SkipReason;
  message: string;
  /** Where to put the finding (the marker of another dialect); default: the first line. */
  offset?: number;
}

function skipReason(input: LintInput): Skip | undefined {
  const { text, settings, locale } = input;
  const generated = settings.analyseGeneratedCode ? undefined : generatedCode(workspaceRelative(input), text, input.language);
  if (generated) return { reason: 'generated', message: generatedReason(generated, locale) };
  const limitBytes = settings.maxFileSizeMb * 1024 * 1024;
  if (text.length > limitBytes || (text.length * 3 > limitBytes && Buffer.byteLength(text, 'utf8') > limitBytes)) {
    return {
      reason: 'too-large',
      message: coreText(locale, 'fileTooLarge', { size: (Buffer.byteLength(text, 'utf8') / 1048576).toFixed(1), limit: settings.maxFileSizeMb }),
    };
  }
  if (looksBinary(text)) return { reason: 'binary', message: coreText(locale, 'fileBinary') };
  if (input.language !== 'sql' || input.sqlDialect === 'postgres') return undefined;
  if (input.sqlDialect === 'skip') return { reason: 'configured', message: coreText(locale, 'fileSkippedByConfiguration') };
  const foreign = detectForeignSqlOf(text, input.edited ? input.cache : undefined);
  if (!foreign) return undefined;
  const line = new LineIndex(text).positionAt(foreign.offset).line + 1;
  return {
    reason: foreign.kind,
    message: coreText(locale, 'fileForeignSql', {
      dialect: coreText(locale, `dialect_${foreign.kind.replace('-', '_')}` as CoreTextKey),
      marker: foreign.marker,
      line,
    }),
    offset: foreign.offset,
  };
}

/**
 * NUL characters, or many control or U+FFFD replacement characters (what bytes that are not UTF-8
 * decode to). A few replacement characters are a Latin-1 file read as UTF-8: it is still analysed.
 */
export function looksBinary(text: string): boolean {
  const sample = text.length > 65536 ? text.slice(0, 65536) : text;
  if (sample.includes('\u0000')) return true;
  // eslint-disable-next-line no-control-regex -- control characters are what marks a binary file
  const odd = sample.match(/[\uFFFD\u0001-\u0008\u000E-\u001A\u001C-\u001F]/g)?.length ?? 0;
  return odd > 0 && odd >= Math.max(1, sample.length / 10);
}

/**
 * Runs a statement- or transaction-scope rule on the changed units and adds its findings on the whole
 * document to `raw`. False when that cannot stand for a run on the whole document (the rule failed, or
 * reported outside the unit it ran on): nothing is kept and the caller runs it on the whole document.
 */
function runIncrementally(incremental: UnitRuleRun, scope: UnitScope, ruleId: string, runOnUnit: RunOnUnit, raw: Finding[]): boolean {
  if (!incremental.valid) return false;
  let all: Finding[] | undefined;
  try {
    all = incremental.findings(scope, ruleId, runOnUnit);
  } catch (error) {
    incremental.invalidate();
    if (error instanceof BudgetExceeded) throw error;
    return false;
  }
  if (all) raw.push(...all);
  return !!all;
}

/**
 * The schema model, noting whether a rule reads it (a unit's kept findings that did not read it
 * stand when the schema changes).
 */
function whenRead(model: SchemaModel, read: () => void): SchemaModel {
  return new Proxy(model, {
    get(target, property, receiver) {
      read();
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/** Statements before the rollback half of a migration (goose Down, dbmate migrate:down): they build the schema. */
function upStatements(sql: SqlModel, text: string): SqlModel['statements'] {
  const downStart = migrationDownStart(text);
  return downStart === undefined ? sql.statements : sql.statements.filter((statement) => statement.start < downStart);
}

/** Queries of one function run in order on one connection: they form one script. */
function groupOf(typescript: TsModel, entry: EmbeddedSql): number {
  // BEGIN/COMMIT of a transaction callback belong with the callback's own queries.
  const node = entry.transactionOf?.body ?? entry.call ?? entry.literal;
  return node ? typescript.indexOfScope(typescript.scopeOf(node)) : -1;
}

/** The tables library calls declare in code (Drizzle's pgTable objects), once per table. */
function declaredByOperations(embedded: readonly EmbeddedSql[]): SchemaFact[] {
  const byTable = new Map<string, SchemaFact>();
  for (const entry of embedded) {
    const fact = entry.operation?.declaredTable;
    if (fact && fact.op === 'createTable' && !byTable.has(fact.table)) byTable.set(fact.table, fact);
  }
  return [...byTable.values()];
}
