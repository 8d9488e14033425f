// Advisory lock calls in SQL statements.

import { functionBaseName, walk, type NodeFields } from '../../languages/sql/ast';
import type { SqlStatement } from '../../languages/sql/statement';

/** Held until the end of the transaction that takes them. */
export const TRANSACTION_LOCKS: ReadonlySet<string> = new Set(['pg_advisory_xact_lock', 'pg_try_advisory_xact_lock']);
/** Held by the session, across transactions, until unlocked or the connection ends. */
export const SESSION_LOCKS: ReadonlySet<string> = new Set(['pg_advisory_lock', 'pg_try_advisory_lock']);
export const UNLOCKS: ReadonlySet<string> = new Set(['pg_advisory_unlock', 'pg_advisory_unlock_all']);

/** First call to one of `names` in a statement, or undefined. */
export function callIn(statement: SqlStatement, names: ReadonlySet<string>): { name: string; node: NodeFields<'FuncCall'> } | undefined {
  let found: { name: string; node: NodeFields<'FuncCall'> } | undefined;
  walk(statement.body, (visit) => {
    if (found || visit.type !== 'FuncCall') return;
    const name = functionBaseName(visit.node);
    if (names.has(name)) found = { name, node: visit.node };
  });
  return found;
}
