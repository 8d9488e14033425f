// Advisory locks and the statements that run while they are held.

import { functionBaseName, walk } from '../../languages/sql/ast';
import type { SqlModel } from '../../languages/sql/sql-file';
import type { SqlStatement } from '../../languages/sql/statement';

const ADVISORY = /advisory/i;
const TRANSACTION_LOCKS = new Set(['pg_advisory_xact_lock', 'pg_try_advisory_xact_lock']);
const SESSION_LOCKS = new Set(['pg_advisory_lock', 'pg_try_advisory_lock']);
const UNLOCKS = new Set(['pg_advisory_unlock', 'pg_advisory_unlock_all']);

export interface LockSection {
  /** The statement that takes the lock. */
  lock: SqlStatement;
  /** The lock function, e.g. pg_advisory_xact_lock. */
  function: string;
  /** Statements that run after the lock is taken and before it is released. */
  statements: SqlStatement[];
}

/** First call to one of `names` in a statement, or undefined. */
export function callIn(statement: SqlStatement, names: ReadonlySet<string>): { name: string; node: any } | undefined {
  let found: { name: string; node: any } | undefined;
  walk(statement.body, (visit) => {
    if (found || visit.type !== 'FuncCall') return;
    const name = functionBaseName(visit.node);
    if (names.has(name)) found = { name, node: visit.node };
  });
  return found;
}

/**
 * Exclusive advisory locks and what runs under them. Transaction-level locks hold until the end of
 * their transaction (the rest of the routine, or of the BEGIN … COMMIT block); session-level locks hold
 * until pg_advisory_unlock or the end of the script. Shared locks (…_shared) serialise readers only.
 */
export function lockSections(model: SqlModel): LockSection[] {
  const sections: LockSection[] = [];
  model.statements.forEach((statement, index) => {
    if (!statement.matches(ADVISORY)) return;
    const call = callIn(statement, new Set([...TRANSACTION_LOCKS, ...SESSION_LOCKS]));
    if (!call) return;
    let following: SqlStatement[];
    if (statement.routine) {
      following = statement.routine.statements.slice(statement.routine.statements.indexOf(statement) + 1);
    } else if (TRANSACTION_LOCKS.has(call.name)) {
      const unit = statement.transaction.statements;
      following = unit.slice(unit.indexOf(statement) + 1);
    } else {
      following = sessionScope(model, index);
    }
    sections.push({ lock: statement, function: call.name, statements: following });
  });
  return sections;
}

// Statements executed later in the same session: top-level statements and DO blocks (function
// bodies run when called, not when defined), up to an unlock.
function sessionScope(model: SqlModel, lockIndex: number): SqlStatement[] {
  const scope: SqlStatement[] = [];
  for (const statement of model.statements.slice(lockIndex + 1)) {
    if (statement.origin === 'cron') continue;
    if (statement.routine && statement.routine.kind !== 'do') continue;
    if (callIn(statement, UNLOCKS)) break;
    scope.push(statement);
  }
  return scope;
}
