// Findings of statement-scope rules kept per top-level statement between the analyses of one .sql
// document, so that a keystroke re-runs those rules only on the statements it changed.
//
// A rule declares `reads: 'statement'` when what it reports about a top-level statement (with the
// statements nested in it: function bodies, cron commands) depends only on that statement's text, the
// kind and isolation of the transaction each of those statements runs in, the schema model, the
// settings and the locale — never on other statements, their order or absolute positions (no line
// numbers in messages). Every other rule reads the whole document and runs in full on each analysis.
//
// Such a rule runs once per top-level statement, so that what it found and whether it looked at the
// schema are known per statement. A statement is recognised as unchanged by identity: the SQL model
// cache (SqlModelCache) hands back the same statement objects, moved to their new offsets, when a
// statement's text is found again; its kept findings are moved by the same distance. Whatever else a
// kept finding could depend on is checked before it is reused: the settings and locale (any change:
// nothing is reused), the transaction kind and isolation of each of its statements, and, when the
// rule looked at the schema for that statement, the schema model (the same object while the
// workspace's facts are the same; typing a table name changes it at each keystroke, and then only the
// statements whose findings read the schema are analysed again).

import type { Finding } from '../lint';
import type { SqlModel } from '../../languages/sql/sql-file';
import type { SqlStatement } from '../../languages/sql/statement';
import type { Routine } from '../../languages/sql/plpgsql-model';
import type { TransactionUnit } from '../../languages/sql/transactions';
import type { SchemaModel } from '../../schema/model';

/** What a statement-scope rule does on one statement's model: its findings, and whether it read the schema. */
export type RunOnStatement = (model: SqlModel) => { findings: Finding[]; readSchema: boolean };

/** One top-level statement with the statements nested in it, in model order. */
interface StatementGroup {
  top: SqlStatement;
  statements: SqlStatement[];
}

interface KeptGroup {
  /** The kind and isolation of the transaction of each of its statements, when recorded. */
  transactions: Array<string | undefined>;
  /** Per rule id: its findings, offsets relative to the group's start, and the schema if it read it. */
  rules: Map<string, KeptFindings>;
}

interface KeptFindings {
  findings: readonly Finding[];
  schema: SchemaModel | undefined;
}

const RESULTS = new WeakMap<object, StatementRuleResults>();

/** One analysis of a document: the statement-scope rules' findings, run where needed, kept elsewhere. */
export class StatementRuleRun {
  private readonly groups: StatementGroup[];
  private readonly results: StatementRuleResults;
  private readonly routines = new Map<SqlStatement, Routine[]>();
  /** False once a rule turned out not to be statement-local: the rest run on the whole document. */
  valid = true;

  /** `owner`: what lives as long as the document's caches (its DocumentCache). */
  constructor(
    owner: object,
    private readonly sql: SqlModel,
    private readonly schema: SchemaModel,
    settings: string,
    locale: string,
  ) {
    let results = RESULTS.get(owner);
    if (!results) RESULTS.set(owner, (results = new StatementRuleResults()));
    this.results = results;
    this.groups = statementGroups(sql);
    for (const routine of sql.routines) {
      const list = this.routines.get(routine.header);
      if (list) list.push(routine);
      else this.routines.set(routine.header, [routine]);
    }
    results.begin(this.groups, settings, locale);
  }

  /**
   * The rule's findings on the whole document, in the order a run over the whole document reports
   * them. Undefined when a finding lies outside the statement it was found on (the rule does not read
   * one statement at a time after all): nothing is kept, and the rule must run on the whole document.
   */
  findings(ruleId: string, runOn: RunOnStatement): Finding[] | undefined {
    const all: Finding[] = [];
    for (let index = 0; index < this.groups.length; index++) {
      const group = this.groups[index];
      const kept = this.results.kept(index, ruleId, this.schema);
      if (kept) {
        // Kept findings that read the schema depend on it still: whoever watches reads of the schema
        // (the language server, to analyse the document again when the workspace schema changes) is told.
        if (kept.schema) Reflect.get(this.schema, 'constructor');
        if (kept.findings.length) {
          const start = group.top.start;
          for (const finding of kept.findings) all.push(moved(finding, start));
        }
        continue;
      }
      const { findings, readSchema } = runOn(this.modelOf(group));
      const range = rangeOf(group);
      if (!findings.every((finding) => within(finding, range))) {
        this.invalidate();
        return undefined;
      }
      this.results.record(
        index,
        group,
        ruleId,
        findings.map((finding) => moved(finding, -range.start)),
        readSchema ? this.schema : undefined,
      );
      all.push(...findings);
    }
    return all;
  }

  invalidate(): void {
    this.valid = false;
    this.results.invalidate();
  }

  /** The model of one top-level statement: it, its nested statements, routines and transactions. */
  private modelOf(group: StatementGroup): SqlModel {
    if (this.groups.length === 1) return this.sql;
    const routines = this.routines.get(group.top) ?? [];
    const transactions = new Set<TransactionUnit>();
    for (const statement of group.statements) if (statement.transaction) transactions.add(statement.transaction);
    return { statements: group.statements, scripts: [[group.top]], routines, transactions: [...transactions], syntaxErrors: [] };
  }
}

/** What the statement-scope rules found per top-level statement in a document's last analysis. */
class StatementRuleResults {
  private byStatement = new Map<SqlStatement, KeptGroup>();
  /** The entries of this analysis's groups, in the groups' order (undefined: nothing kept). */
  private entries: Array<KeptGroup | undefined> = [];
  private context: { settings: string; locale: string } | undefined;

  /** Starts an analysis: nothing is reused when the settings or locale differ from the previous one. */
  begin(groups: readonly StatementGroup[], settings: string, locale: string): void {
    const previous = this.context;
    const same = !!previous && previous.settings === settings && previous.locale === locale;
    this.context = { settings, locale };
    if (!same) this.byStatement.clear();
    this.entries = groups.map((group) => {
      const entry = this.byStatement.get(group.top);
      return entry && sameTransactions(entry.transactions, group.statements) ? entry : undefined;
    });
    // Statements edited away leave entries behind: dropped once they outnumber the live ones.
    if (this.byStatement.size > 2 * groups.length + 64) {
      this.byStatement = new Map();
      groups.forEach((group, index) => this.entries[index] && this.byStatement.set(group.top, this.entries[index]));
    }
  }

  /** A rule's kept findings on the index-th group (relative offsets), if they still hold. */
  kept(index: number, ruleId: string, schema: SchemaModel): KeptFindings | undefined {
    const kept = this.entries[index]?.rules.get(ruleId);
    return !kept || (kept.schema && kept.schema !== schema) ? undefined : kept;
  }

  record(index: number, group: StatementGroup, ruleId: string, findings: readonly Finding[], schema: SchemaModel | undefined): void {
    let entry = this.entries[index];
    if (!entry) {
      entry = this.entries[index] = { transactions: transactionsOf(group.statements), rules: new Map() };
      this.byStatement.set(group.top, entry);
    }
    entry.rules.set(ruleId, { findings: findings.length ? findings : NONE, schema });
  }

  /** A rule failed or the time budget ran out: nothing of this analysis is reused. */
  invalidate(): void {
    this.byStatement.clear();
    this.entries = [];
    this.context = undefined;
  }
}

const NONE: readonly Finding[] = Object.freeze([]);

function transactionsOf(statements: readonly SqlStatement[]): Array<string | undefined> {
  const signature: Array<string | undefined> = [];
  for (const statement of statements) signature.push(statement.transaction?.kind, statement.transaction?.isolation);
  return signature;
}

function sameTransactions(signature: Array<string | undefined>, statements: readonly SqlStatement[]): boolean {
  if (signature.length !== statements.length * 2) return false;
  for (let index = 0; index < statements.length; index++) {
    const transaction = statements[index].transaction;
    if (signature[index * 2] !== transaction?.kind || signature[index * 2 + 1] !== transaction?.isolation) return false;
  }
  return true;
}

/** The document's top-level statements with what is nested in them (a .sql document: one script). */
function statementGroups(sql: SqlModel): StatementGroup[] {
  // Model order: each top-level statement, then the statements nested in it.
  const tops = sql.scripts.length === 1 ? sql.scripts[0] : sql.scripts.flat();
  const groups: StatementGroup[] = [];
  let current: StatementGroup | undefined;
  let next = 0;
  for (const statement of sql.statements) {
    if (statement === tops[next]) {
      current = { top: statement, statements: [statement] };
      groups.push(current);
      next++;
    } else current?.statements.push(statement);
  }
  return groups;
}

/** Where a group's statements lie in the document: a kept finding lies within. */
function rangeOf(group: StatementGroup): { start: number; end: number } {
  let end = group.top.end;
  for (const statement of group.statements) end = Math.max(end, statement.end);
  return { start: group.top.start, end };
}

function within(finding: Finding, range: { start: number; end: number }): boolean {
  const inside = (offset: number) => offset >= range.start && offset <= range.end;
  return (
    inside(finding.start) &&
    inside(finding.end) &&
    inside(finding.anchor) &&
    (!finding.statement || (inside(finding.statement.start) && inside(finding.statement.end))) &&
    finding.fixes.every((fix) => fix.edits.every((edit) => inside(edit.start) && inside(edit.end)))
  );
}

function moved(finding: Finding, by: number): Finding {
  const copy: Finding = {
    ...finding,
    start: finding.start + by,
    end: finding.end + by,
    anchor: finding.anchor + by,
    fixes: finding.fixes.map((fix) => ({ ...fix, edits: fix.edits.map((edit) => ({ ...edit, start: edit.start + by, end: edit.end + by })) })),
  };
  if (finding.statement) copy.statement = { start: finding.statement.start + by, end: finding.statement.end + by };
  return copy;
}
