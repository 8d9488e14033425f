// Findings of statement- and transaction-scope rules kept per unit between the analyses of one .sql
// document, so that a keystroke re-runs those rules only on the units it changed.
//
// A unit is a run of top-level statements with the statements nested in them (function bodies, cron
// commands). For a rule that declares `reads: 'statement'` each top-level statement is a unit; for
// `reads: 'transaction'`, an explicit transaction (BEGIN … COMMIT/ROLLBACK, as languages/sql/
// transactions.ts delimits it: an unterminated one runs to the end of the script) is one unit, and
// every top-level statement outside one is a unit of its own. What such a rule reports about a unit
// depends only on the unit's statements, the kind and isolation of the transaction each of them runs
// in, the schema model, the settings and the locale (see Rule.reads in core/rule.ts). Every other rule
// reads the whole document and runs in full on each analysis.
//
// Such a rule runs once per unit, so that what it found and whether it looked at the schema are known
// per unit. A unit is recognised as unchanged by identity: the SQL model cache (SqlModelCache) hands
// back the same statement objects, moved to their new offsets, when a statement's text is found
// again. A kept entry is reused only for the same sequence of the same top-level statement objects at
// the same distances from the unit's start (an edit between two statements of a transaction moves the
// later ones); its findings are moved by the distance the unit moved. Whatever else a kept finding
// could depend on is checked before it is reused: the settings and locale (any change: nothing is
// reused), the transaction kind and isolation of each of its statements (a session default set
// earlier in the script, a COMMIT typed or deleted), and, when the rule looked at the schema for that
// unit, the schema model (the same object while the workspace's facts are the same; typing a table
// name changes it at each keystroke, and then only the units whose findings read the schema are
// analysed again). A run that asked whether another rule is in force (context.inForce: suppression
// comments anywhere in the document) is not kept: that unit is analysed again each time.

import type { Finding } from '../lint';
import type { SqlModel } from '../../languages/sql/sql-file';
import type { SqlStatement } from '../../languages/sql/statement';
import type { Routine } from '../../languages/sql/plpgsql-model';
import type { TransactionUnit } from '../../languages/sql/transactions';
import type { SchemaModel } from '../../schema/model';

/** The scopes whose findings are kept per unit (Rule.reads other than 'document'). */
export type UnitScope = 'statement' | 'transaction';

/** What a rule does on one unit's model: its findings, whether it read the schema, whether it asked inForce. */
export type RunOnUnit = (model: SqlModel) => { findings: Finding[]; readSchema: boolean; askedInForce: boolean };

/** Top-level statements with the statements nested in them, in model order, and what the model says of them. */
interface UnitGroup {
  tops: SqlStatement[];
  statements: SqlStatement[];
  /** The document's routines and transaction units whose statements (or header) lie in the group, in model order. */
  routines: Routine[];
  transactions: TransactionUnit[];
}

interface KeptGroup {
  tops: SqlStatement[];
  /** Each top-level statement's distance from the first one's start. */
  offsets: number[];
  /** The kind and isolation of the transaction of each of its statements. */
  transactions: Array<string | undefined>;
  /** Per rule id: its findings, offsets relative to the group's start, and the schema if it read it. */
  rules: Map<string, KeptFindings>;
}

interface KeptFindings {
  findings: readonly Finding[];
  schema: SchemaModel | undefined;
}

/** Per document (its DocumentCache) and scope: what the last analysis kept. */
const RESULTS = new WeakMap<object, Record<UnitScope, UnitRuleResults>>();

/** One analysis of a document: the unit-scope rules' findings, run where needed, kept elsewhere. */
export class UnitRuleRun {
  private readonly results: Record<UnitScope, UnitRuleResults>;
  /** Each scope's groups, built when its first rule runs. */
  private readonly groups: Partial<Record<UnitScope, UnitGroup[]>> = {};
  /** False once a rule turned out not to be local to its units: the rest run on the whole document. */
  valid = true;

  /** `owner`: what lives as long as the document's caches (its DocumentCache). */
  constructor(
    owner: object,
    private readonly sql: SqlModel,
    private readonly schema: SchemaModel,
    private readonly settings: string,
    private readonly locale: string,
  ) {
    let results = RESULTS.get(owner);
    if (!results) RESULTS.set(owner, (results = { statement: new UnitRuleResults(), transaction: new UnitRuleResults() }));
    this.results = results;
  }

  /**
   * The rule's findings on the whole document, in the order a run over the whole document reports
   * them. Undefined when a finding lies outside the unit it was found on (the rule does not read one
   * unit at a time after all): nothing is kept, and the rule must run on the whole document.
   */
  findings(scope: UnitScope, ruleId: string, runOn: RunOnUnit): Finding[] | undefined {
    const groups = this.groupsOf(scope);
    const results = this.results[scope];
    const all: Finding[] = [];
    for (let index = 0; index < groups.length; index++) {
      const group = groups[index];
      const kept = results.kept(index, ruleId, this.schema);
      if (kept) {
        // Kept findings that read the schema depend on it still: whoever watches reads of the schema
        // (the language server, to analyse the document again when the workspace schema changes) is told.
        if (kept.schema) Reflect.get(this.schema, 'constructor');
        if (kept.findings.length) {
          const start = group.tops[0].start;
          for (const finding of kept.findings) all.push(moved(finding, start));
        }
        continue;
      }
      const { findings, readSchema, askedInForce } = runOn(this.modelOf(group, groups.length));
      const range = rangeOf(group);
      if (!findings.every((finding) => within(finding, range))) {
        this.invalidate();
        return undefined;
      }
      if (!askedInForce) {
        results.record(
          index,
          group,
          ruleId,
          findings.map((finding) => moved(finding, -range.start)),
          readSchema ? this.schema : undefined,
        );
      }
      all.push(...findings);
    }
    return all;
  }

  /** A rule failed or the time budget ran out: nothing of this analysis is reused, and the rest run in full. */
  invalidate(): void {
    this.valid = false;
    this.results.statement.invalidate();
    this.results.transaction.invalidate();
  }

  private groupsOf(scope: UnitScope): UnitGroup[] {
    let groups = this.groups[scope];
    if (!groups) {
      groups = this.groups[scope] = unitGroups(this.sql, scope);
      this.results[scope].begin(groups, this.settings, this.locale);
    }
    return groups;
  }

  /** The model of one unit: its statements, routines and transactions (the document's own model when it is the only unit). */
  private modelOf(group: UnitGroup, count: number): SqlModel {
    if (count === 1) return this.sql;
    return { statements: group.statements, scripts: [group.tops], routines: group.routines, transactions: group.transactions, syntaxErrors: [] };
  }
}

/** What the unit-scope rules of one scope found per unit in a document's last analysis. */
class UnitRuleResults {
  /** By the unit's first top-level statement. */
  private byStatement = new Map<SqlStatement, KeptGroup>();
  /** The entries of this analysis's groups, in the groups' order (undefined: nothing kept). */
  private entries: Array<KeptGroup | undefined> = [];
  private context: { settings: string; locale: string } | undefined;

  /** Starts an analysis: nothing is reused when the settings or locale differ from the previous one. */
  begin(groups: readonly UnitGroup[], settings: string, locale: string): void {
    const previous = this.context;
    const same = !!previous && previous.settings === settings && previous.locale === locale;
    this.context = { settings, locale };
    if (!same) this.byStatement.clear();
    this.entries = groups.map((group) => {
      const entry = this.byStatement.get(group.tops[0]);
      return entry && sameTops(entry, group.tops) && sameTransactions(entry.transactions, group.statements) ? entry : undefined;
    });
    // Units edited away leave entries behind: dropped once they outnumber the live ones.
    if (this.byStatement.size > 2 * groups.length + 64) {
      this.byStatement = new Map();
      groups.forEach((group, index) => this.entries[index] && this.byStatement.set(group.tops[0], this.entries[index]));
    }
  }

  /** A rule's kept findings on the index-th group (relative offsets), if they still hold. */
  kept(index: number, ruleId: string, schema: SchemaModel): KeptFindings | undefined {
    const kept = this.entries[index]?.rules.get(ruleId);
    return !kept || (kept.schema && kept.schema !== schema) ? undefined : kept;
  }

  record(index: number, group: UnitGroup, ruleId: string, findings: readonly Finding[], schema: SchemaModel | undefined): void {
    let entry = this.entries[index];
    if (!entry) {
      const start = group.tops[0].start;
      entry = this.entries[index] = {
        tops: group.tops,
        offsets: group.tops.map((top) => top.start - start),
        transactions: transactionsOf(group.statements),
        rules: new Map(),
      };
      this.byStatement.set(group.tops[0], entry);
    }
    entry.rules.set(ruleId, { findings: findings.length ? findings : NONE, schema });
  }

  invalidate(): void {
    this.byStatement.clear();
    this.entries = [];
    this.context = undefined;
  }
}

const NONE: readonly Finding[] = Object.freeze([]);

/** The same top-level statement objects, at the same distances from the first (a single one: always). */
function sameTops(entry: KeptGroup, tops: readonly SqlStatement[]): boolean {
  if (entry.tops.length !== tops.length) return false;
  const start = tops[0].start;
  for (let index = 1; index < tops.length; index++) {
    if (entry.tops[index] !== tops[index] || entry.offsets[index] !== tops[index].start - start) return false;
  }
  return true;
}

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

/**
 * The document's units for a scope (a .sql document: one script): each top-level statement with what
 * is nested in it, and for 'transaction' the top-level statements of one explicit transaction together.
 */
function unitGroups(sql: SqlModel, scope: UnitScope): UnitGroup[] {
  // Model order: each top-level statement, then the statements nested in it.
  const tops = sql.scripts.length === 1 ? sql.scripts[0] : sql.scripts.flat();
  const groups: UnitGroup[] = [];
  const groupOfTop = new Map<SqlStatement, UnitGroup>();
  let current: UnitGroup | undefined;
  let next = 0;
  for (const statement of sql.statements) {
    if (statement === tops[next]) {
      next++;
      const transaction = statement.transaction;
      const joins = scope === 'transaction' && current && transaction?.kind === 'explicit' && current.tops[0].transaction === transaction;
      if (!joins || !current) {
        current = { tops: [], statements: [], routines: [], transactions: [] };
        groups.push(current);
      }
      current.tops.push(statement);
      groupOfTop.set(statement, current);
    }
    current?.statements.push(statement);
  }
  // Routines go with the group of their header, transaction units with each group that holds one of
  // their statements (a routine's with its header's when its body is empty), in the model's order:
  // rules report in the order they visit them. For 'transaction' every unit lies in one group.
  for (const routine of sql.routines) groupOfTop.get(topOf(routine.header))?.routines.push(routine);
  const place = (unit: TransactionUnit, statement: SqlStatement) => {
    const group = groupOfTop.get(topOf(statement));
    if (group && group.transactions[group.transactions.length - 1] !== unit) group.transactions.push(unit);
  };
  for (const unit of sql.transactions) {
    if (!unit.statements.length && unit.routine) place(unit, unit.routine.header);
    for (const statement of unit.statements) place(unit, statement);
  }
  return groups;
}

function topOf(statement: SqlStatement): SqlStatement {
  let top = statement;
  while (top.container) top = top.container;
  return top;
}

/** Where a group's statements lie in the document: a kept finding lies within. */
function rangeOf(group: UnitGroup): { start: number; end: number } {
  let end = group.tops[group.tops.length - 1].end;
  for (const statement of group.statements) end = Math.max(end, statement.end);
  return { start: group.tops[0].start, end };
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
