// Findings of statement-scope rules kept per top-level statement between the analyses of one .sql
// document, so that a keystroke re-runs those rules only on the statements it changed.
//
// A rule declares `reads: 'statement'` when what it reports about a top-level statement (with the
// statements nested in it: function bodies, cron commands) depends only on that statement's text, the
// kind and isolation of the transaction each of those statements runs in, the schema model, the
// settings and the locale — never on other statements, their order or absolute positions (no line
// numbers in messages). Every other rule reads the whole document and runs in full on each analysis.
//
// A top-level statement is recognised as unchanged by identity: the SQL model cache (SqlModelCache)
// hands back the same statement objects, moved to their new offsets, when a statement's text is found
// again. Its kept findings are moved by the same distance. Anything else that a kept finding could
// depend on is checked before it is reused: the schema model (the same object while the workspace's
// facts are the same), the settings and locale, and the transaction signature of the statement.

import type { Finding } from '../lint';
import type { SqlModel } from '../languages/sql/sql-file';
import type { SqlStatement } from '../languages/sql/statement';
import type { SchemaModel } from '../schema/model';

/** One top-level statement with the statements nested in it, in model order. */
export interface StatementGroup {
  top: SqlStatement;
  statements: SqlStatement[];
}

interface KeptGroup {
  /** The kind and isolation of the transaction of each of its statements, when recorded. */
  transactions: Array<string | undefined>;
  /** Per rule id, the findings, with offsets relative to the group's start when recorded. */
  findings?: Map<string, Finding[]>;
  /** A finding reached outside the group: it is analysed again next time. */
  unkept?: boolean;
}

/** What the statement-scope rules found per top-level statement in a document's last analysis. */
export class StatementRuleResults {
  private kept = new Map<SqlStatement, KeptGroup>();
  private context: { schema: SchemaModel; settings: string; locale: string } | undefined;

  /**
   * Starts an analysis: returns the groups whose kept findings cannot be reused (all of them when the
   * schema, settings or locale differ from the previous analysis).
   */
  begin(groups: StatementGroup[], schema: SchemaModel, settings: string, locale: string): Set<StatementGroup> {
    const previous = this.context;
    const same = !!previous && previous.schema === schema && previous.settings === settings && previous.locale === locale;
    this.context = { schema, settings, locale };
    const kept = same ? this.kept : new Map<SqlStatement, KeptGroup>();
    this.kept = new Map();
    const dirty = new Set<StatementGroup>();
    for (const group of groups) {
      const entry = kept.get(group.top);
      if (entry && !entry.unkept && sameTransactions(entry.transactions, group.statements)) this.kept.set(group.top, entry);
      else dirty.add(group);
    }
    return dirty;
  }

  /** The kept findings of a rule on a clean group, moved to the group's current offsets. */
  reuse(group: StatementGroup, ruleId: string): readonly Finding[] {
    const found = this.kept.get(group.top)?.findings?.get(ruleId);
    if (!found) return NONE;
    const start = group.top.start;
    return found.map((finding) => moved(finding, start));
  }

  /**
   * Records what a rule found on one dirty group. A group with a finding that reaches outside its
   * statements (a fix that edits the text after it) is not kept: it is analysed again next time.
   */
  record(group: StatementGroup, range: { start: number; end: number }, ruleId: string, findings: readonly Finding[]): void {
    let entry = this.kept.get(group.top);
    if (!entry) {
      entry = { transactions: transactionsOf(group.statements) };
      this.kept.set(group.top, entry);
    }
    if (entry.unkept) return;
    if (!findings.every((finding) => within(finding, range))) {
      entry.unkept = true;
      entry.findings = undefined;
      return;
    }
    if (!findings.length) return;
    entry.findings ??= new Map();
    entry.findings.set(ruleId, findings.map((finding) => moved(finding, -range.start)));
  }

  /** A rule failed or the time budget ran out: nothing of this analysis is reused. */
  invalidate(): void {
    this.kept.clear();
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
export function statementGroups(sql: SqlModel): StatementGroup[] {
  const tops = new Set(sql.scripts.flat());
  const groups: StatementGroup[] = [];
  let current: StatementGroup | undefined;
  for (const statement of sql.statements) {
    if (tops.has(statement)) {
      current = { top: statement, statements: [] };
      groups.push(current);
    }
    current?.statements.push(statement);
  }
  return groups;
}

/** Where a group's statements lie in the document: a kept finding lies within. */
function rangeOf(group: StatementGroup): { start: number; end: number } {
  let end = group.top.end;
  for (const statement of group.statements) end = Math.max(end, statement.end);
  return { start: group.top.start, end };
}

/** The model restricted to some groups, for rules that read one statement at a time. */
export function partialModel(sql: SqlModel, groups: readonly StatementGroup[]): SqlModel {
  const statements = groups.flatMap((group) => group.statements);
  const members = new Set(statements);
  return {
    statements,
    scripts: [groups.map((group) => group.top)],
    routines: sql.routines.filter((routine) => members.has(routine.header)),
    transactions: sql.transactions.filter((unit) => unit.statements.some((statement) => members.has(statement))),
    syntaxErrors: [],
  };
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

const RESULTS = new WeakMap<object, StatementRuleResults>();

/**
 * One analysis's use of the kept results: the groups, the model of the dirty ones, and the findings
 * per rule assembled in document order, as a run over the whole document reports them.
 */
export class StatementRuleRun {
  readonly groups: StatementGroup[];
  private readonly dirty: Set<StatementGroup>;
  private readonly dirtyGroups: StatementGroup[];
  private readonly dirtyRanges: Array<{ start: number; end: number }>;
  /** The model the statement-scope rules run on: the dirty groups only (the whole model on a first analysis). */
  readonly model: SqlModel;

  /** `owner`: what lives as long as the document's caches (its DocumentCache). */
  constructor(owner: object, sql: SqlModel, schema: SchemaModel, settings: string, locale: string) {
    let results = RESULTS.get(owner);
    if (!results) RESULTS.set(owner, (results = new StatementRuleResults()));
    this.results = results;
    this.groups = statementGroups(sql);
    this.dirty = results.begin(this.groups, schema, settings, locale);
    this.dirtyGroups = this.groups.filter((group) => this.dirty.has(group));
    this.dirtyRanges = this.dirtyGroups.map(rangeOf);
    this.model = this.dirtyGroups.length === this.groups.length ? sql : partialModel(sql, this.dirtyGroups);
  }

  private readonly results: StatementRuleResults;

  /** False once something made the kept results unusable in this analysis: the rest run on the whole document. */
  valid = true;

  /** True when the rules need not run at all (no statement changed). */
  get clean(): boolean {
    return this.dirtyGroups.length === 0;
  }

  /**
   * The rule's findings on the whole document: those just found on the dirty groups, the kept ones
   * elsewhere. Undefined when a finding lies outside every changed statement (the rule does not read
   * one statement at a time after all): nothing is kept, and the rule must run on the whole document.
   */
  finish(ruleId: string, found: Finding[]): Finding[] | undefined {
    const byGroup = new Map<StatementGroup, Finding[]>();
    for (const finding of found) {
      const group = this.dirtyAt(finding.anchor);
      if (!group) {
        this.invalidate();
        return undefined;
      }
      const list = byGroup.get(group);
      if (list) list.push(finding);
      else byGroup.set(group, [finding]);
    }
    for (let index = 0; index < this.dirtyGroups.length; index++) {
      const group = this.dirtyGroups[index];
      this.results.record(group, this.dirtyRanges[index], ruleId, byGroup.get(group) ?? NONE);
    }
    const all: Finding[] = [];
    for (const group of this.groups) all.push(...(this.dirty.has(group) ? (byGroup.get(group) ?? NONE) : this.results.reuse(group, ruleId)));
    return all;
  }

  /** The dirty group whose statements hold an offset (ranges in document order). */
  private dirtyAt(offset: number): StatementGroup | undefined {
    let low = 0;
    let high = this.dirtyRanges.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const range = this.dirtyRanges[middle];
      if (offset < range.start) high = middle - 1;
      else if (offset > range.end) low = middle + 1;
      else return this.dirtyGroups[middle];
    }
    return undefined;
  }

  invalidate(): void {
    this.valid = false;
    this.results.invalidate();
  }
}
