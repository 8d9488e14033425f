// Fencing predicates on SQL writes, shared by the SQL side of require-fencing-token and its
// TypeScript side (SQL embedded in code): whether a write already compares a token, which column
// holds the token, and where `<column> = <token>` and `and <column> < <token>` go in the statement.

import { columnName, walk, type AstNode, type NodeFields } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import type { SchemaModel } from '../schema/model';
import { matchesAny } from '../core/names';
import { keywordCase } from './sql/sql-edits';

const ORDERING = new Set(['<', '<=', '>', '>=']);
const INTEGER_TYPES = /(int2|int4|int8|smallint|integer|bigint|serial|bigserial|numeric)$/;

/** The fields of a write the rule fences: an UPDATE or a DELETE (undefined for other statements). */
export function writeFields(write: SqlStatement): NodeFields<'UpdateStmt'> | NodeFields<'DeleteStmt'> | undefined {
  return write.bodyOf('UpdateStmt', 'DeleteStmt');
}

/** True when the WHERE clause orders a token-like column against something (last_token < $1). */
export function comparesToken(whereClause: AstNode | undefined, fencingColumns: string[]): boolean {
  let found = false;
  walk(whereClause, (visit) => {
    if (found || visit.type !== 'A_Expr' || !ORDERING.has(visit.node.name?.[0]?.String?.sval ?? '')) return;
    for (const side of [visit.node.lexpr, visit.node.rexpr]) {
      const name = side?.ColumnRef ? columnName(side.ColumnRef) : undefined;
      if (name && matchesAny(name, fencingColumns)) found = true;
    }
  });
  return found;
}

/** The table's token column from the schema model (confirmed), else last_token, which the fix must then add. */
export function tokenColumn(schema: SchemaModel, table: string): { column: string; confirmed: boolean } {
  const info = schema.table(table);
  if (info) {
    for (const preferred of ['last_token', 'fencing_token']) {
      if (info.columns.has(preferred)) return { column: preferred, confirmed: true };
    }
    for (const column of info.columns.values()) {
      if (column.name.endsWith('_token') && INTEGER_TYPES.test(column.type)) return { column: column.name, confirmed: true };
    }
  }
  return { column: 'last_token', confirmed: false };
}

/** Text inserted at an offset of the statement's source text. */
export interface Insertion {
  offset: number;
  text: string;
}

/**
 * Where the fencing predicate goes in an UPDATE or DELETE, in insertion order: `, <column> = <token>`
 * at the end of the SET list, `and <column> < <token>` at the end of the WHERE clause (wrapping an OR
 * in parentheses), or a new WHERE. Undefined when the statement cannot take it (WHERE CURRENT OF, no
 * SET, the SET already assigns the column).
 */
export function fencingInsertions(write: SqlStatement, column: string, token: string): Insertion[] | undefined {
  const insertions: Insertion[] = [];
  const tokens = write.tokens();
  const keyword = (index: number) => (index >= 0 ? index : Number.MAX_SAFE_INTEGER);
  const lastTokenBefore = (index: number) => (index < tokens.length ? tokens[index - 1].end : write.sourceEnd);
  const returning = keyword(write.topLevelKeyword('returning'));
  const where = write.topLevelKeyword('where');
  if (where >= 0 && write.word(where + 1) === 'current') return undefined;

  if (write.kind === 'UpdateStmt') {
    const set = write.topLevelKeyword('set');
    const assignsColumn = (write.bodyOf('UpdateStmt')?.targetList ?? []).some((target) => target.ResTarget?.name === column);
    if (set < 0 || assignsColumn) return undefined;
    const setEnd = Math.min(keyword(write.topLevelKeyword('from', set)), keyword(where), returning);
    insertions.push({ offset: lastTokenBefore(setEnd), text: `, ${column} = ${token}` });
  }
  const and = keywordCase(write, 'and');
  if (where >= 0) {
    const whereEnd = lastTokenBefore(returning);
    // "a or b and last_token < t" would bind to b only: wrap an OR in parentheses first.
    if (writeFields(write)?.whereClause?.BoolExpr?.boolop === 'OR_EXPR') {
      insertions.push({ offset: tokens[where + 1].start, text: '(' });
      insertions.push({ offset: whereEnd, text: `) ${and} ${column} <= ${token}` });
    } else insertions.push({ offset: whereEnd, text: ` ${and} ${column} <= ${token}` });
  } else {
    insertions.push({ offset: lastTokenBefore(returning), text: ` ${keywordCase(write, 'where')} ${column} <= ${token}` });
  }
  return insertions;
}
