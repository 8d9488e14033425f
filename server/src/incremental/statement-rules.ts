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
  /** Where the group's statements start and end in the document: a kept finding lies within. */
  start: number;
  end: number;
  /** The kind and isolation of the transaction of each of its statements. */
  transactions: string;
}

interface KeptGroup {
  /** The group's start when its findings were recorded: kept findings are relative to it. */
  start: number;
  transactions: string;
  /** Per rule id, the findings, with offsets relative to `start`. */
  findings: Map<string, Finding[]>;
}

/** What the statement-scope rules found per top-level statement in a document's last analysis. */
export class StatementRuleResults {
  private kept = new Map<SqlStatement, KeptGroup>();
  private context: { schema: SchemaModel; settings: string; locale: string } | undefined;

  /**
   * Starts an analysis: returns the groups whose kept findings cannot be reused (all of them when the
   * schema, settings, locale or set of rules differ from the previous analysis).
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
      if (entry && entry.transactions === group.transactions) this.kept.set(group.top, entry);
      else dirty.add(group);
    }
    return dirty;
  }

  /** The kept findings of a rule on a clean group, moved to the group's current offsets. */
  reuse(group: StatementGroup, ruleId: string): Finding[] {
    const entry = this.kept.get(group.top)!;
    const found = entry.findings.get(ruleId);
    return found ? found.map((finding) => moved(finding, group.start)) : [];
  }

  /**
   * Records what a rule found on the dirty groups. A group with a finding that reaches outside its
   * statements (a fix that edits the text after it) is not kept: it is analysed again next time.
   */
  record(groups: readonly StatementGroup[], ruleId: string, findingsByGroup: Map<StatementGroup, Finding[]>): void {
    for (const group of groups) {
      const findings = findingsByGroup.get(group) ?? [];
      let entry = this.kept.get(group.top);
      if (!entry) {
        entry = { start: group.start, transactions: group.transactions, findings: new Map() };
        this.kept.set(group.top, entry);
      }
      if (!findings.every((finding) => within(finding, group))) {
        this.kept.delete(group.top);
        continue;
      }
      if (findings.length) entry.findings.set(ruleId, findings.map((finding) => moved(finding, -group.start)));
      else entry.findings.delete(ruleId);
    }
  }

  /** A rule failed or the time budget ran out: nothing of this analysis is reused. */
  invalidate(): void {
    this.kept.clear();
    this.context = undefined;
  }
}

/** The document's top-level statements with what is nested in them (a .sql document: one script). */
export function statementGroups(sql: SqlModel): StatementGroup[] {
  const tops = new Set(sql.scripts.flat());
  const groups: StatementGroup[] = [];
  let current: StatementGroup | undefined;
  for (const statement of sql.statements) {
    if (tops.has(statement)) {
      current = { top: statement, statements: [], start: statement.start, end: statement.end, transactions: '' };
      groups.push(current);
    }
    current?.statements.push(statement);
  }
  for (const group of groups) {
    for (const statement of group.statements) group.end = Math.max(group.end, statement.end);
    group.transactions = group.statements.map((statement) => `${statement.transaction?.kind}:${statement.transaction?.isolation}`).join(',');
  }
  return groups;
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

/** The group a finding belongs to: the one whose region holds its anchor (groups in document order). */
export function groupAt(groups: readonly StatementGroup[], offset: number): StatementGroup | undefined {
  let low = 0;
  let high = groups.length - 1;
  let found: StatementGroup | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (groups[middle].start <= offset) {
      found = groups[middle];
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

function within(finding: Finding, group: StatementGroup): boolean {
  const inside = (offset: number) => offset >= group.start && offset <= group.end;
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
    const stray: Finding[] = [];
    for (const finding of found) {
      const group = groupAt(this.groups, finding.anchor);
      if (!group || !this.dirty.has(group)) {
        stray.push(finding);
        continue;
      }
      const list = byGroup.get(group);
      if (list) list.push(finding);
      else byGroup.set(group, [finding]);
    }
    if (stray.length) {
      this.invalidate();
      return undefined;
    }
    this.results.record(this.dirtyGroups, ruleId, byGroup);
    const all: Finding[] = [];
    for (const group of this.groups) all.push(...(this.dirty.has(group) ? (byGroup.get(group) ?? []) : this.results.reuse(group, ruleId)));
    return all;
  }

  invalidate(): void {
    this.valid = false;
    this.results.invalidate();
  }
}
