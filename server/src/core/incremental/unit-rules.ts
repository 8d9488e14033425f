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

/**
 * A unit: the top-level statements tops[topFrom, topTo) of the document's script, which are the
 * statements statements[from, to) of its model with what is nested in them (indexes, not copies:
 * the units are found again at each analysis, and most are not run).
 */
interface UnitGroup {
  topFrom: number;
  topTo: number;
  from: number;
  to: number;
}

interface KeptGroup {
  tops: SqlStatement[];
  /** Each top-level statement's distance from the first one's start. */
  offsets: number[];
  /** The kind and isolation of the transaction of each of its statements. */
  transactions: Array<string | undefined>;
  /** Per rule (its slot, see UnitRuleResults.slotOf): its findings, offsets relative to the group's start, and the schema if it read it. */
  rules: Array<KeptFindings | undefined>;
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
  private readonly units: DocumentUnits;
  /** Each scope's groups, built when its first rule runs. */
  private readonly groups: Partial<Record<UnitScope, UnitGroup[]>> = {};
  /** False once a rule turned out not to be local to its units: the rest run on the whole document. */
  valid = true;

  /** `owner`: what lives as long as the document's caches (its DocumentCache). */
  constructor(
    owner: object,
    sql: SqlModel,
    private readonly schema: SchemaModel,
    private readonly settings: string,
    private readonly locale: string,
  ) {
    let results = RESULTS.get(owner);
    if (!results) RESULTS.set(owner, (results = { statement: new UnitRuleResults(), transaction: new UnitRuleResults() }));
    this.results = results;
    this.units = new DocumentUnits(sql);
  }

  /**
   * The rule's findings on the whole document, in the order a run over the whole document reports
   * them. Undefined when a finding lies outside the unit it was found on (the rule does not read one
   * unit at a time after all): nothing is kept, and the rule must run on the whole document.
   */
  findings(scope: UnitScope, ruleId: string, runOn: RunOnUnit): Finding[] | undefined {
    const groups = this.groupsOf(scope);
    const results = this.results[scope];
    const units = this.units;
    const all: Finding[] = [];
    const slot = results.slotOf(ruleId);
    let keptReadSchema = false;
    for (let index = 0; index < groups.length; index++) {
      const group = groups[index];
      const kept = results.kept(index, slot, this.schema);
      if (kept) {
        if (kept.schema) keptReadSchema = true;
        if (kept.findings.length) {
          const start = units.tops[group.topFrom].start;
          for (const finding of kept.findings) all.push(moved(finding, start));
        }
        continue;
      }
      const { findings, readSchema, askedInForce } = runOn(groups.length === 1 ? units.sql : units.modelOf(group));
      const range = units.rangeOf(group);
      if (!findings.every((finding) => within(finding, range))) {
        this.invalidate();
        return undefined;
      }
      if (!askedInForce) {
        results.record(
          index,
          group,
          units,
          slot,
          findings.map((finding) => moved(finding, -range.start)),
          readSchema ? this.schema : undefined,
        );
      }
      all.push(...findings);
    }
    // Kept findings that read the schema depend on it still: whoever watches reads of the schema (the
    // language server, to analyse the document again when the workspace schema changes) is told, once.
    if (keptReadSchema) Reflect.get(this.schema, 'constructor');
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
      groups = this.groups[scope] = this.units.groups(scope);
      this.results[scope].begin(groups, this.units, this.settings, this.locale);
    }
    return groups;
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
  begin(groups: readonly UnitGroup[], units: DocumentUnits, settings: string, locale: string): void {
    const previous = this.context;
    const same = !!previous && previous.settings === settings && previous.locale === locale;
    this.context = { settings, locale };
    if (!same) this.byStatement.clear();
    const entries: Array<KeptGroup | undefined> = (this.entries = new Array<KeptGroup | undefined>(groups.length));
    for (let index = 0; index < groups.length; index++) {
      const group = groups[index];
      const entry = this.byStatement.get(units.tops[group.topFrom]);
      entries[index] = entry && sameTops(entry, units, group) && sameTransactions(entry.transactions, units.statements, group) ? entry : undefined;
    }
    // Units edited away leave entries behind: dropped once they outnumber the live ones.
    if (this.byStatement.size > 2 * groups.length + 64) {
      this.byStatement = new Map();
      groups.forEach((group, index) => entries[index] && this.byStatement.set(units.tops[group.topFrom], entries[index]));
    }
  }

  // Rules by a small number, so that a kept entry holds its rules' findings in an array: looking each
  // rule up by id in every unit at every keystroke was a tenth of a keystroke on 50,000 lines.
  private readonly slots = new Map<string, number>();

  slotOf(ruleId: string): number {
    let slot = this.slots.get(ruleId);
    if (slot === undefined) this.slots.set(ruleId, (slot = this.slots.size));
    return slot;
  }

  /** A rule's kept findings on the index-th group (relative offsets), if they still hold. */
  kept(index: number, slot: number, schema: SchemaModel): KeptFindings | undefined {
    const kept = this.entries[index]?.rules[slot];
    return !kept || (kept.schema && kept.schema !== schema) ? undefined : kept;
  }

  record(index: number, group: UnitGroup, units: DocumentUnits, slot: number, findings: readonly Finding[], schema: SchemaModel | undefined): void {
    let entry = this.entries[index];
    if (!entry) {
      const tops = units.tops.slice(group.topFrom, group.topTo);
      const start = tops[0].start;
      entry = this.entries[index] = {
        tops,
        offsets: tops.map((top) => top.start - start),
        transactions: transactionsOf(units.statements, group),
        rules: [],
      };
      this.byStatement.set(tops[0], entry);
    }
    entry.rules[slot] = { findings: findings.length ? findings : NONE, schema };
  }

  invalidate(): void {
    this.byStatement.clear();
    this.entries = [];
    this.context = undefined;
  }
}

const NONE: readonly Finding[] = Object.freeze([]);

/** The same top-level statement objects, at the same distances from the first. */
function sameTops(entry: KeptGroup, units: DocumentUnits, group: UnitGroup): boolean {
  if (entry.tops.length !== group.topTo - group.topFrom) return false;
  const start = units.tops[group.topFrom].start;
  for (let index = 1; index < entry.tops.length; index++) {
    const top = units.tops[group.topFrom + index];
    if (entry.tops[index] !== top || entry.offsets[index] !== top.start - start) return false;
  }
  return true;
}

function transactionsOf(statements: readonly SqlStatement[], group: UnitGroup): Array<string | undefined> {
  const signature: Array<string | undefined> = [];
  for (let index = group.from; index < group.to; index++) signature.push(statements[index].transaction?.kind, statements[index].transaction?.isolation);
  return signature;
}

function sameTransactions(signature: Array<string | undefined>, statements: readonly SqlStatement[], group: UnitGroup): boolean {
  if (signature.length !== (group.to - group.from) * 2) return false;
  for (let index = group.from, at = 0; index < group.to; index++, at += 2) {
    const transaction = statements[index].transaction;
    if (signature[at] !== transaction?.kind || signature[at + 1] !== transaction?.isolation) return false;
  }
  return true;
}

/**
 * The units of a .sql document's model (one script): each top-level statement with what is nested in
 * it, and for 'transaction' the top-level statements of one explicit transaction together. A unit's
 * model holds its statements, and the routines and transaction units of its statements in the
 * document model's order (rules report in the order they visit them): its top-level statements'
 * transactions, then the routines' units, then the cron commands'. The model lists routines, and each
 * of the three kinds of units, in the order of their top-level statements, so a unit's are found by
 * binary search: the units an edit did not change cost nothing.
 */
class DocumentUnits {
  readonly tops: SqlStatement[];
  readonly statements: SqlStatement[];
  /** Where the routines' units start in sql.transactions, and the cron commands' units after them. */
  private readonly routineUnits: number;
  private readonly scheduledUnits: number;

  constructor(readonly sql: SqlModel) {
    this.tops = sql.scripts.length === 1 ? sql.scripts[0] : sql.scripts.flat();
    this.statements = sql.statements;
    const transactions = sql.transactions;
    let low = 0;
    let high = transactions.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (transactions[middle].kind === 'explicit' || transactions[middle].kind === 'autocommit') low = middle + 1;
      else high = middle;
    }
    this.routineUnits = low;
    this.scheduledUnits = low + sql.routines.length;
  }

  groups(scope: UnitScope): UnitGroup[] {
    const { tops, statements } = this;
    const groups: UnitGroup[] = [];
    let current: UnitGroup | undefined;
    let next = 0;
    for (let index = 0; index < statements.length && next < tops.length; index++) {
      const statement = statements[index];
      if (statement !== tops[next]) continue;
      const transaction = statement.transaction;
      if (current && scope === 'transaction' && transaction?.kind === 'explicit' && tops[current.topFrom].transaction === transaction) {
        current.topTo = next + 1;
      } else {
        if (current) current.to = index;
        current = { topFrom: next, topTo: next + 1, from: index, to: statements.length };
        groups.push(current);
      }
      next++;
    }
    return groups;
  }

  modelOf(group: UnitGroup): SqlModel {
    const { sql, tops } = this;
    const first = tops[group.topFrom].start;
    const last = tops[group.topTo - 1].start;
    const inGroup = (statement: SqlStatement | undefined) => {
      const start = statement ? topOf(statement).start : -1;
      return start >= first && start <= last;
    };
    const after = (statement: SqlStatement | undefined) => !!statement && topOf(statement).start >= first;
    const routines: Routine[] = [];
    const transactions: TransactionUnit[] = [];
    for (let index = group.topFrom; index < group.topTo; index++) {
      const unit = tops[index].transaction;
      if (unit && transactions[transactions.length - 1] !== unit) transactions.push(unit);
    }
    const routineFrom = firstIndex(sql.routines, 0, sql.routines.length, (routine) => after(routine.header));
    for (let index = routineFrom; index < sql.routines.length && inGroup(sql.routines[index].header); index++) {
      routines.push(sql.routines[index]);
      transactions.push(sql.transactions[this.routineUnits + index]);
    }
    const unitStatement = (unit: TransactionUnit) => unit.statements[0];
    const scheduledFrom = firstIndex(sql.transactions, this.scheduledUnits, sql.transactions.length, (unit) => after(unitStatement(unit)));
    for (let index = scheduledFrom; index < sql.transactions.length && inGroup(unitStatement(sql.transactions[index])); index++) {
      transactions.push(sql.transactions[index]);
    }
    return {
      statements: this.statements.slice(group.from, group.to),
      scripts: [tops.slice(group.topFrom, group.topTo)],
      routines,
      transactions,
      syntaxErrors: [],
    };
  }

  /** Where a group's statements lie in the document: a kept finding lies within. */
  rangeOf(group: UnitGroup): { start: number; end: number } {
    let end = this.tops[group.topTo - 1].end;
    for (let index = group.from; index < group.to; index++) end = Math.max(end, this.statements[index].end);
    return { start: this.tops[group.topFrom].start, end };
  }
}

/** The first index in [from, to) whose item passes `test`, for a test that fails then passes along the list. */
function firstIndex<T>(items: readonly T[], from: number, to: number, test: (item: T) => boolean): number {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (test(items[middle])) high = middle;
    else low = middle + 1;
  }
  return low;
}

function topOf(statement: SqlStatement): SqlStatement {
  let top = statement;
  while (top.container) top = top.container;
  return top;
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
