// What a SQL write can rely on while it is already lost, for require-fencing-token: a session-level
// advisory lock (pg_advisory_lock: held by one connection across transactions) or a lease row (a
// lease column such as locked_until set or checked on a row), and the UPDATE/DELETE statements that
// rely on it from a LATER transaction of the same script (a .sql file, or the queries of one
// TypeScript function). A write in the same transaction as what protects it is fenced by that
// transaction: a holder that stalls cannot commit after losing it. For the same reason a write is
// fenced when its own transaction took pg_advisory_xact_lock or SELECT … FOR UPDATE before it.

import { relationName, walk } from '../languages/sql/ast';
import type { Routine } from '../languages/sql/plpgsql-model';
import type { SqlStatement } from '../languages/sql/statement';
import type { RuleContext } from '../core/rule';
import { expressionText } from './sql/expressions';
import { callIn, SESSION_LOCKS, TRANSACTION_LOCKS, UNLOCKS } from './sql/locks';
import { baseName, matchesAnyExactly } from '../core/names';
import { lockingSelects } from './sql/row-locks';
import { equalities, scopeOf, tableOfColumn, type Equality, type TableRef } from './sql/row-scope';
import { embeddedOfStatement } from './typescript/ts-effects';

export type Held = { kind: 'lock'; function: string } | { kind: 'lease'; table: string; column: string };

export interface HeldScope {
  held: Held;
  /** The statement that takes the lock or sets or checks the lease. */
  anchor: SqlStatement;
  /** UPDATE and DELETE statements that rely on it from a later transaction. */
  writes: SqlStatement[];
}

const ADVISORY = /advisory/i;
const FOR_UPDATE = /\bfor\s+(no\s+key\s+)?update\b/i;
/** Row locks that a second writer of the row waits for (FOR SHARE lets other sharers in). */
const EXCLUSIVE_ROW_LOCKS = new Set(['LCS_FORUPDATE', 'LCS_FORNOKEYUPDATE']);
const WRITES = new Set(['UpdateStmt', 'DeleteStmt']);

/** A statement as it runs: top-level, or inside a DO block of the script (which runs as one statement). */
interface Step {
  statement: SqlStatement;
  /** The top-level statement: itself, or the DO block around it. */
  top: SqlStatement;
}

/**
 * The scopes of a context, in the order of their anchors (at one statement, a lock before a lease).
 * A write is listed only in the FIRST scope that holds it: the rule reports each write once, for the
 * first lock or lease it relies on. One pass per script: a write looks up the locks still open and
 * the leases of its own table and row, never the statements before it one by one.
 */
export function heldScopes(context: RuleContext): HeldScope[] {
  const scopes: Array<{ index: number; order: number; scope: HeldScope }> = [];
  const doBlocks = new Map<SqlStatement, Routine>();
  for (const routine of context.sql.routines) if (routine.kind === 'do') doBlocks.set(routine.header, routine);
  for (const script of context.sql.scripts) {
    const steps: Step[] = script.flatMap((top) => [{ statement: top, top }, ...(doBlocks.get(top)?.statements ?? []).map((statement) => ({ statement, top }))]);
    /** Session locks taken since the last unlock, in order. */
    let openLocks: Array<{ index: number; scope: HeldScope }> = [];
    /** Leases by table base name and pinned key (column=value), in order. */
    const leases = new Map<string, Array<{ index: number; scope: HeldScope; pinKeys: Set<string>; transaction: unknown }>>();
    steps.forEach((step, index) => {
      const statement = step.statement;
      // Work counted for the budget (and by the scaling test: the work is linear in the statements).
      context.spend(1);
      // As a later statement of the locks and leases before it: an unlock ends every open lock (before
      // the statement counts as a write), a write joins the first lock or lease that holds it.
      if (openLocks.length && statement.matches(ADVISORY) && callIn(statement, UNLOCKS)) openLocks = [];
      if (WRITES.has(statement.kind)) {
        const lock = openLocks.find((open) => {
          context.spend(1);
          return step.top.transaction !== open.scope.anchor.transaction;
        });
        const lease = leases.size ? firstLease(context, step, leases) : undefined;
        const first = lock && (!lease || lock.index <= lease.index) ? lock : lease;
        first?.scope.writes.push(statement);
      }
      // Only statements that take a lock or touch a lease look at what follows them.
      if (statement.kind !== 'SelectStmt' && statement.kind !== 'UpdateStmt') return;
      const lock = sessionLockAnchor(step);
      if (lock) {
        openLocks.push({ index, scope: lock });
        scopes.push({ index, order: 0, scope: lock });
      }
      const lease = leaseAnchor(context, step);
      if (lease) {
        const entry = { index, scope: lease.scope, pinKeys: lease.pinKeys, transaction: step.top.transaction };
        for (const key of lease.pinKeys) {
          const bucket = `${baseName(lease.scope.held.kind === 'lease' ? lease.scope.held.table : '')}\u0000${key}`;
          const list = leases.get(bucket) ?? [];
          list.push(entry);
          leases.set(bucket, list);
        }
        scopes.push({ index, order: 1, scope: lease.scope });
      }
    });
  }
  return scopes.filter((each) => each.scope.writes.length).map((each) => each.scope);
}

/**
 * True when the write's own transaction took, before it, a transaction-level advisory lock or a row
 * lock that stops writers (FOR UPDATE, FOR NO KEY UPDATE): a second holder waits for this commit.
 */
export function fencedByTransaction(write: SqlStatement): boolean {
  const statements = write.transaction?.statements ?? [];
  for (const statement of statements) {
    if (statement === write) return false;
    if (statement.matches(ADVISORY) && callIn(statement, TRANSACTION_LOCKS)) return true;
    if (
      statement.matches(FOR_UPDATE) &&
      lockingSelects(statement).some(({ clauses }) => clauses.some((clause) => EXCLUSIVE_ROW_LOCKS.has(clause.strength ?? '')))
    )
      return true;
  }
  return false;
}

// pg_advisory_lock / pg_try_advisory_lock at the top of a script: it holds the writes that follow, up
// to an unlock, in other transactions than the lock's.
function sessionLockAnchor(step: Step): HeldScope | undefined {
  const anchor = step.statement;
  if (anchor !== step.top || !anchor.matches(ADVISORY)) return undefined;
  const call = callIn(anchor, SESSION_LOCKS);
  if (!call) return undefined;
  return { held: { kind: 'lock', function: call.name }, anchor, writes: [] };
}

// A statement that sets or checks a lease column of one row (update jobs set locked_until = … where
// id = $1; select … from jobs where id = $1 and locked_until > now()): it holds the later writes to
// that same row (the same key equality) from another transaction that check neither a token nor the owner.
function leaseAnchor(context: RuleContext, step: Step): { scope: HeldScope; pinKeys: Set<string> } | undefined {
  const anchor = step.statement;
  if ((anchor.kind !== 'UpdateStmt' && anchor.kind !== 'SelectStmt') || !anchor.matches(LEASE_WORDS)) return undefined;
  const leaseColumns = context.names('leaseColumns');
  const update = anchor.bodyOf('UpdateStmt');
  const body = update ?? anchor.bodyOf('SelectStmt');
  const scope = scopeOf(anchor, body?.fromClause, context.schema, update?.relation);
  let lease: { table: TableRef; column: string } | undefined;
  if (update) {
    for (const target of update.targetList ?? []) {
      const name = String(target.ResTarget?.name ?? '');
      if (name && matchesAnyExactly(name, leaseColumns)) lease = { table: scope.tables[0], column: name };
    }
  }
  walk(body?.whereClause, (visit) => {
    if (lease || visit.type === 'SubLink') return false;
    if (visit.type !== 'ColumnRef') return undefined;
    const fields: string[] = (visit.node.fields ?? []).map((field) => String(field.String?.sval ?? ''));
    const table = tableOfColumn(scope, visit.node);
    if (table && matchesAnyExactly(fields[fields.length - 1], leaseColumns)) lease = { table, column: fields[fields.length - 1] };
    return undefined;
  });
  if (!lease) return undefined;
  const leaseTable = lease.table;
  const pins = equalities(body?.whereClause, scope).filter((equality) => equality.table === leaseTable);
  if (!pins.length) return undefined;
  const pinKeys = new Set(pins.map((equality) => `${equality.column}=${valueKey(context, anchor, equality)}`));
  return { scope: { held: { kind: 'lease', table: leaseTable.name, column: lease.column }, anchor, writes: [] }, pinKeys };
}

/** The earliest lease before the write that pins the row it writes, from another transaction, unless the write checks the owner. */
function firstLease(
  context: RuleContext,
  step: Step,
  leases: Map<string, Array<{ index: number; scope: HeldScope; pinKeys: Set<string>; transaction: unknown }>>,
): { index: number; scope: HeldScope } | undefined {
  const write = step.statement;
  const update = write.bodyOf('UpdateStmt');
  const remove = write.bodyOf('DeleteStmt');
  const body = update ?? remove;
  const table = baseName(relationName(body?.relation));
  const writeScope = scopeOf(write, update?.fromClause ?? remove?.usingClause, context.schema, body?.relation);
  const target = writeScope.tables[0];
  const found = equalities(body?.whereClause, writeScope).filter((equality) => equality.table === target);
  if (!found.length) return undefined;
  // `and locked_by = $worker`: the write lands only while this holder still owns the row.
  if (found.some((equality) => matchesAnyExactly(equality.column, context.names('leaseOwnerColumns')))) return undefined;
  let first: { index: number; scope: HeldScope } | undefined;
  for (const equality of found) {
    const list = leases.get(`${table}\u0000${equality.column}=${valueKey(context, write, equality)}`);
    const lease = list?.find((each) => {
      context.spend(1);
      return each.transaction !== step.top.transaction;
    });
    if (lease && (!first || lease.index < first.index)) first = lease;
  }
  return first;
}

const LEASE_WORDS = /lease|until|\bvt\b|visible/i;

/**
 * What a key equality compares with, as written, so that two statements can be seen to pin the same
 * row: `$1` of an embedded query becomes the TypeScript expression bound to it (two queries of one
 * function both say $1 for different values); psql variables keep their names.
 */
function valueKey(context: RuleContext, statement: SqlStatement, equality: Equality): string {
  let text = expressionText(statement, equality.value).replace(/\s+/g, '');
  if (statement.origin === 'embedded') {
    const entry = embeddedOfStatement(statement, context.embedded);
    const model = context.typescript;
    const bound = !entry || !model ? [] : entry.boundValues;
    text = text.replace(/\$(\d+)/g, (placeholder, number) => {
      const expression = bound[Number(number) - 1];
      // A value the model cannot see (a parameters array built elsewhere) matches nothing else.
      return expression && model ? `{${expression.getText(model.node).replace(/\s+/g, '')}}` : `${placeholder}@${statement.start}`;
    });
  }
  return text;
}
