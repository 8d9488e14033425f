// pgmq calls that take messages off a queue. A routine, DO block or transaction that makes one is a
// queue consumer, and pgmq delivers at least once.

import { functionName, type NodeFields } from '../../languages/sql/ast';
import type { SqlStatement } from '../../languages/sql/statement';
import { walkStatement } from './expressions';

const PGMQ = /pgmq/i;

export const QUEUE_READS: ReadonlySet<string> = new Set(['pgmq.read', 'pgmq.pop', 'pgmq.read_with_poll']);

/** The pgmq.read / pgmq.pop / pgmq.read_with_poll calls of a statement (FuncCall nodes, unwrapped). */
export function queueReads(statement: SqlStatement): Readonly<ReturnType<typeof findQueueReads>> {
  if (!statement.matches(PGMQ)) return [];
  // Statements are reused across keystrokes: their tree is walked once.
  let calls = queueReadsByStatement.get(statement);
  if (!calls) {
    calls = findQueueReads(statement);
    queueReadsByStatement.set(statement, calls);
  }
  return calls;
}

const queueReadsByStatement = new WeakMap<SqlStatement, Readonly<ReturnType<typeof findQueueReads>>>();

function findQueueReads(statement: SqlStatement): Array<NodeFields<'FuncCall'>> {
  const calls: Array<NodeFields<'FuncCall'>> = [];
  walkStatement(statement, (visit) => {
    if (visit.type === 'FuncCall' && QUEUE_READS.has(functionName(visit.node))) calls.push(visit.node);
  });
  return calls;
}
