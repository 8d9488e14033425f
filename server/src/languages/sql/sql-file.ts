// Builds the model the SQL rules run on: every statement of a script (and of the scripts nested in
// it), the routines, the transactions and the syntax problems.

import { MappedText } from '../../core/text/mapped-text';
import { expandNested, type NestedResult } from './nested';
import type { ParseOutcome, ParsedStatement } from './parser';
import { parseWithPlaceholders } from './placeholders';
import type { Routine } from './plpgsql-model';
import { resplitStatements, splitStatements, type CarriedSpans, type StatementSpan } from './split';
import { SqlStatement, statementsOf, type StatementOrigin } from './statement';
import { syntaxProblem, type SyntaxProblem } from './syntax';
import { buildTransactions, type TransactionUnit } from './transactions';

export interface SqlModel {
  /** Every statement, top-level and nested, in document order of their containers. */
  statements: SqlStatement[];
  /** Top-level statements of each script, in order. */
  scripts: SqlStatement[][];
  routines: Routine[];
  transactions: TransactionUnit[];
  syntaxErrors: SyntaxProblem[];
}

export interface ScriptSource {
  text: MappedText;
  origin: StatementOrigin;
  /** psql meta-commands and variables are recognised in .sql files only. */
  psql: boolean;
  /**
   * Sources with the same group run one after the other on one connection (the queries of one
   * TypeScript function): they form one script for transactions. Default: each source alone.
   */
  group?: number;
  /** Report statements the parser rejects (off for SQL with substitutions it cannot see). Default: on. */
  reportSyntaxErrors?: boolean;
  /** $1-style placeholders may stand for identifiers too: retry a failing statement with _1. */
  placeholders?: boolean;
  /**
   * Text found in a plain string or template, not known to be SQL: kept only when it parses as the
   * kind of statement code sends (never a syntax error), and always alone (no transaction with others).
   */
  plain?: boolean;
}

/**
 * What one top-level statement contributes: itself, the statements nested in it (bodies, cron
 * commands), its routines and syntax problems. It depends on the statement's text only, so it is
 * reused when the same text is found again after an edit elsewhere (see SqlModelCache).
 */
interface Unit {
  /** The statement's text, its key in SqlModelCache (its own copy, see MappedText.slice). */
  key: string;
  source: MappedText;
  top: SqlStatement[];
  /** Each top-level statement followed by the statements nested in it. */
  ordered: SqlStatement[];
  nested: NestedResult;
}

/**
 * Units of the previous analysis of one document: by position for the statements the resplit carried
 * over (before and after the edit, same text), by text for those around the edit. On a keystroke only
 * the edited statement is parsed and expanded again; the others are moved to their new offsets. The
 * result is the same as without the cache.
 */
export class SqlModelCache {
  /** Units of the previous analysis, by their span's index in the previous split (undefined: the statement failed). */
  private previousUnits: Array<Unit | undefined> = [];
  private currentUnits: Array<Unit | undefined> = [];
  /** Units of the statements the edit touched, by text: a statement may come back (an undo, a move). */
  private previousByText: Map<string, Unit[]> | undefined;
  private lastSplit: { text: string; psql: boolean; spans: StatementSpan[] } | undefined;
  /** The split previousUnits are aligned with (an analysis stopped before finish() leaves them on an older one). */
  private unitsSplit: { spans: StatementSpan[] } | undefined;
  private readonly carried: CarriedSpans = { head: 0, tail: 0 };

  /** reuseUnits false: the split is remembered, statements are not (nothing is taken or kept). */
  constructor(private readonly reuseUnits = true) {}

  /** The statements of the document, re-splitting only around what changed since the last call. */
  split(text: string, psql: boolean): StatementSpan[] {
    const last = this.lastSplit;
    // Called more than once per version (foreign-dialect detection, the model): the same text, the same split.
    if (last && last.psql === psql && last.text === text) return last.spans;
    const carried = this.carried;
    carried.head = carried.tail = 0;
    const spans = last && last.psql === psql ? resplitStatements(last, text, { psql }, carried) : splitStatements(text, { psql });
    if (!last || last !== this.unitsSplit) carried.head = carried.tail = 0;
    this.currentUnits = [];
    this.previousByText = undefined;
    this.lastSplit = { text, psql, spans };
    return spans;
  }

  /** The unit of the statement at `index` of the last split when it was carried over from the previous one. */
  carriedUnit(index: number): Unit | undefined {
    if (!this.reuseUnits) return undefined;
    // The same version analysed again (a schema or settings change): every statement is carried.
    if (this.unitsSplit === this.lastSplit) return this.previousUnits[index];
    const { head, tail } = this.carried;
    if (index < head) return this.previousUnits[index];
    const count = this.lastSplit?.spans.length ?? 0;
    if (index >= count - tail) return this.previousUnits[index - count + this.previousUnits.length];
    return undefined;
  }

  /** A unit of the previous analysis with this text, among those not carried over (the statements around the edit). */
  take(key: string): Unit | undefined {
    if (!this.reuseUnits) return undefined;
    // Only the units between the carried ends are indexed by text: hashing every statement's text
    // on each keystroke cost more than the rest of the model.
    if (!this.previousByText) {
      const byText = (this.previousByText = new Map<string, Unit[]>());
      const { head, tail } = this.unitsSplit === this.lastSplit ? { head: this.previousUnits.length, tail: 0 } : this.carried;
      for (let index = head; index < this.previousUnits.length - tail; index++) {
        const unit = this.previousUnits[index];
        if (!unit) continue;
        const units = byText.get(unit.key);
        if (units) units.push(unit);
        else byText.set(unit.key, [unit]);
      }
    }
    return this.previousByText.get(key)?.pop();
  }

  /** The unit of the statement at `index` of the last split (kept for the next analysis). */
  keep(index: number, unit: Unit): void {
    if (!this.reuseUnits) return;
    this.currentUnits[index] = unit;
  }

  /** Ends one analysis: units not reused are dropped. */
  finish(): void {
    this.previousUnits = this.currentUnits;
    this.previousUnits.length = this.lastSplit?.spans.length ?? 0;
    this.unitsSplit = this.lastSplit;
    this.currentUnits = [];
    this.previousByText = undefined;
  }
}

export function buildSqlModel(sources: ScriptSource[], cache?: SqlModelCache): SqlModel {
  const model: SqlModel = { statements: [], scripts: [], routines: [], transactions: [], syntaxErrors: [] };
  const scheduled: SqlStatement[][] = [];
  const groups = new Map<number, SqlStatement[]>();
  for (const source of sources) {
    const syntaxErrors = source.reportSyntaxErrors === false || source.plain ? [] : model.syntaxErrors;
    const script: SqlStatement[] = [];
    for (const unit of parseScript(source, syntaxErrors, cache)) {
      script.push(...unit.top);
      model.statements.push(...unit.ordered);
      model.routines.push(...unit.nested.routines);
      syntaxErrors.push(...unit.nested.syntaxErrors);
      scheduled.push(...unit.nested.scheduled);
    }
    if (source.group === undefined) model.scripts.push(script);
    else {
      const group = groups.get(source.group);
      if (group) group.push(...script);
      else {
        groups.set(source.group, script);
        model.scripts.push(script);
      }
    }
  }
  model.transactions = buildTransactions(model.scripts, model.routines, scheduled);
  cache?.finish();
  return model;
}

function makeUnit(source: MappedText, top: SqlStatement[]): Unit {
  const key = source.text;
  const nested: NestedResult = { statements: [], routines: [], syntaxErrors: [], scheduled: [] };
  const ordered: SqlStatement[] = [];
  for (const statement of top) {
    const before = nested.statements.length;
    expandNested(statement, nested);
    ordered.push(statement, ...nested.statements.slice(before));
  }
  // Most statements nest nothing: share one empty result (units stay in memory across keystrokes).
  const plain = !nested.statements.length && !nested.routines.length && !nested.syntaxErrors.length && !nested.scheduled.length;
  return { key, source, top, ordered, nested: plain ? NOTHING_NESTED : nested };
}

const NOTHING_NESTED: NestedResult = Object.freeze({ statements: [], routines: [], syntaxErrors: [], scheduled: [] });

/** Convenience for a whole .sql document. */
export function buildSqlFileModel(text: string): SqlModel {
  return buildSqlModel([{ text: MappedText.document(text), origin: 'file', psql: true }]);
}

// Statements are split first and parsed one by one (each parse is cached by its text, so an edit
// re-parses one statement). When a statement fails, the failing run is parsed again together with
// the statement after it: if that parses, the split was wrong (a construct the splitter does not
// know) and the joined parse wins; otherwise each failing statement reports its own error, and every
// other statement of the file is still analysed.
function parseScript(source: ScriptSource, syntaxErrors: SyntaxProblem[], cache: SqlModelCache | undefined): Unit[] {
  const spans = cache ? cache.split(source.text.text, source.psql) : splitStatements(source.text.text, { psql: source.psql });
  const units: Unit[] = [];
  const results: Array<{ span: StatementSpan; text: MappedText; outcome: ParseOutcome }> = [];
  for (const [index, span] of spans.entries()) {
    // The key is the statement's text: reused units come from the same document, whose sources
    // always have the same origin and options.
    const cached = cache ? (cache.carriedUnit(index) ?? cache.take(blankedText(source.text.text, span))) : undefined;
    if (cached) {
      cached.source.rebase(source.text, span.start);
      results.push({ span, text: cached.source, outcome: REUSED });
      units.push(cached);
      cache?.keep(index, cached);
      continue;
    }
    const result = parseSpan(source.text, span, !!source.placeholders);
    // Text that only happens to parse (a UI label "Show all" is a SHOW statement) is not SQL.
    if (source.plain && result.outcome.ok && !plausibleQuery(result.outcome.statements)) result.outcome = NOT_SQL;
    results.push(result);
    if (result.outcome.ok) {
      const unit = makeUnit(result.text, statementsOf(result.text, result.outcome.statements, source.origin));
      cache?.keep(index, unit);
      units.push(unit);
    } else units.push(FAILED);
  }
  // Failing statements: re-parse joined with their neighbours, or report them.
  const final: Unit[] = [];
  for (let index = 0; index < results.length; index++) {
    const result = results[index];
    if (result.outcome.ok) {
      final.push(units[index]);
      continue;
    }
    let runEnd = index;
    while (runEnd + 1 < results.length && !results[runEnd + 1].outcome.ok) runEnd++;
    const joinedEnd = Math.min(runEnd + 1, results.length - 1);
    if (joinedEnd > index) {
      const blanks = spans.slice(index, joinedEnd + 1).flatMap((span) => span.metaRanges);
      const joined = MappedText.slice(source.text, result.span.start, results[joinedEnd].span.end, blanks);
      const outcome = parseWithPlaceholders(joined.text, !!source.placeholders);
      if (outcome.ok && (!source.plain || plausibleQuery(outcome.statements))) {
        final.push(makeUnit(joined, statementsOf(joined, outcome.statements, source.origin)));
        index = joinedEnd;
        continue;
      }
    }
    for (let failing = index; failing <= runEnd; failing++) {
      const failed = results[failing];
      // Statements with psql variables cannot be checked without their values: tolerated.
      if (failed.span.usesPsqlVariables || failed.outcome.ok) continue;
      syntaxErrors.push(syntaxProblem(failed.text, failed.outcome.message, failed.outcome.cursor));
    }
    index = runEnd;
  }
  return final;
}

const REUSED: ParseOutcome = { ok: true, statements: [] };
const NOT_SQL: ParseOutcome = { ok: false, message: 'not SQL', cursor: 0 };

// Statements a program plausibly sends, as opposed to words that happen to parse (SHOW, END, RESET,
// a bare SELECT): data changes, queries that read a relation, DDL.
const PLAUSIBLE_KINDS = new Set([
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'CreateStmt',
  'AlterTableStmt',
  'IndexStmt',
  'CreateFunctionStmt',
  'CreateTrigStmt',
  'ViewStmt',
  'CreateTableAsStmt',
  'RefreshMatViewStmt',
  'DoStmt',
  'CallStmt',
  'LockStmt',
  'NotifyStmt',
  'CreateSeqStmt',
  'GrantStmt',
  'DropStmt',
  'CreateSchemaStmt',
  'CreateEnumStmt',
  'CopyStmt',
  'TruncateStmt',
  'CommentStmt',
  'CreatePolicyStmt',
  'AlterFunctionStmt',
  'RuleStmt',
  'CreateExtensionStmt',
  'CompositeTypeStmt',
  'CreateDomainStmt',
]);

function plausibleQuery(statements: ParsedStatement[]): boolean {
  return (
    statements.length > 0 &&
    statements.every((statement) => PLAUSIBLE_KINDS.has(statement.kind) || (statement.kind === 'SelectStmt' && readsRelation(statement)))
  );
}

function readsRelation(statement: ParsedStatement): boolean {
  const select = statement.node.SelectStmt;
  return !!(select?.fromClause?.length || select?.withClause || select?.intoClause || select?.op === 'SETOP_UNION' || select?.larg);
}
const FAILED: Unit = {
  key: '',
  source: MappedText.document(''),
  top: [],
  ordered: [],
  nested: { statements: [], routines: [], syntaxErrors: [], scheduled: [] },
};

function blankedText(text: string, span: StatementSpan): string {
  let slice = text.slice(span.start, span.end);
  for (const [blankStart, blankEnd] of span.metaRanges) {
    const from = Math.max(blankStart, span.start) - span.start;
    const to = Math.min(blankEnd, span.end) - span.start;
    if (to > from) slice = slice.slice(0, from) + ' '.repeat(to - from) + slice.slice(to);
  }
  return slice;
}

function parseSpan(document: MappedText, span: StatementSpan, placeholders: boolean): { span: StatementSpan; text: MappedText; outcome: ParseOutcome } {
  const text = MappedText.slice(document, span.start, span.end, span.metaRanges);
  // psql variables stand for identifiers too (`create table :schema.job`).
  return { span, text, outcome: parseWithPlaceholders(text.text, placeholders || span.usesPsqlVariables) };
}
