// The tables a SELECT reads, one entry per table of each (sub)query, with what the read depends on:
// the columns of its predicate, whether it locks the rows it reads, and how its result is used.

import { columnName, functionBaseName, relationName, walk, type AstNode, type NodeFields, type Visit } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';

export type ReadUse = 'aggregate' | 'exists' | 'condition' | 'fetch';

export interface TableRead {
  statement: SqlStatement;
  /** The RangeVar. */
  relation: NodeFields<'RangeVar'>;
  /** As written: "public.doctors" or "doctors". */
  table: string;
  /** Columns of this table the query depends on: WHERE, HAVING, join conditions, selected and aggregated columns. */
  columns: Set<string>;
  /** Columns of this table compared with `=` in the AND-ed terms of the WHERE clause. */
  equalities: Set<string>;
  /** The query locks the rows it reads: FOR UPDATE, FOR NO KEY UPDATE or FOR SHARE. */
  locked: boolean;
  /**
   * How the result can decide what happens next: an aggregate or an EXISTS read by the application, a
   * PL/pgSQL condition, or a PL/pgSQL fetch into variables (and FOUND). Undefined for other reads.
   */
  use: ReadUse | undefined;
}

const AGGREGATES = new Set(['count', 'sum', 'min', 'max', 'avg', 'bool_and', 'bool_or', 'every', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg']);
// FOR KEY SHARE only blocks deletes and key changes, so it does not materialise a conflict on other columns.
const ROW_LOCKS = new Set(['LCS_FORUPDATE', 'LCS_FORNOKEYUPDATE', 'LCS_FORSHARE']);
const FETCHES = new Set(['sql', 'assign', 'perform', 'declare']);

/** Every table read by a SELECT statement (top level and subqueries). */
export function tableReads(statement: SqlStatement): TableRead[] {
  if (statement.kind !== 'SelectStmt') return [];
  const reads: TableRead[] = [];
  const visitSelect = (select: NodeFields<'SelectStmt'>, parent: Visit | undefined) => {
    // UNION / INTERSECT / EXCEPT branches are plain fields, not wrapped nodes: the walk does not report them.
    for (const branch of [select.larg, select.rarg]) if (branch) visitSelect(branch, parent);
    reads.push(...readsOf(statement, select, useOf(statement, select, parent)));
  };
  walk(statement.node, (visit) => {
    if (visit.type === 'SelectStmt') visitSelect(visit.node, visit.parent);
  });
  return reads;
}

// In PL/pgSQL a query's result reaches the code only through a condition (IF EXISTS …) or through the
// variables and FOUND it sets (fetch); elsewhere (a script, a client's queries) a count or an EXISTS
// is read by the application.
function useOf(statement: SqlStatement, select: NodeFields<'SelectStmt'>, parent: Visit | undefined): ReadUse | undefined {
  const kind = statement.plpgsql?.kind;
  if (kind === 'condition') return 'condition';
  if (kind) return FETCHES.has(kind) ? 'fetch' : undefined;
  if (parent?.type === 'SubLink' && parent.node.subLinkType === 'EXISTS_SUBLINK') return 'exists';
  return hasAggregate(select) ? 'aggregate' : undefined;
}

function hasAggregate(select: NodeFields<'SelectStmt'>): boolean {
  let found = false;
  for (const part of [select.targetList, select.havingClause]) {
    walkQuery(part, (visit) => {
      if (visit.type === 'FuncCall' && !visit.node.over && AGGREGATES.has(functionBaseName(visit.node))) found = true;
    });
  }
  return found;
}

function readsOf(statement: SqlStatement, select: NodeFields<'SelectStmt'>, use: ReadUse | undefined): TableRead[] {
  const relations: Array<NodeFields<'RangeVar'>> = [];
  const references: Array<{ qualifier: string | undefined; column: string }> = [];
  // Set operations' branches are reads of their own; lockingClause names tables, it does not read them.
  walkQuery({ ...select, larg: undefined, rarg: undefined, lockingClause: undefined }, (visit) => {
    if (visit.type === 'RangeVar') relations.push(visit.node);
    else if (visit.type === 'ColumnRef') references.push(reference(visit.node));
  });
  if (!relations.length) return [];
  const equalities = equalityColumns(select.whereClause);
  return relations.map((relation) => {
    const names = new Set([relation.alias?.aliasname ?? relation.relname]);
    const belongs = (qualifier: string | undefined) => qualifier === undefined || names.has(qualifier);
    return {
      statement,
      relation,
      table: relationName(relation),
      columns: new Set(references.filter((ref) => ref.column && belongs(ref.qualifier)).map((ref) => ref.column)),
      equalities: new Set(equalities.filter((ref) => belongs(ref.qualifier)).map((ref) => ref.column)),
      locked: (select.lockingClause ?? []).some((clause) => locksRelation(clause.LockingClause, names)),
      use,
    };
  });
}

function locksRelation(clause: NodeFields<'LockingClause'> | undefined, names: ReadonlySet<string | undefined>): boolean {
  if (!clause || !ROW_LOCKS.has(clause.strength ?? '')) return false;
  const locked = clause.lockedRels ?? [];
  // lockedRels holds wrapped RangeVars (an unwrapped fallback read here before the trees were typed never matched).
  return locked.length === 0 || locked.some((rangeVar) => names.has(rangeVar.RangeVar?.relname));
}

// `a = 1 AND t.b = $1`: the columns on either side of an `=` in the top-level AND chain.
function equalityColumns(where: AstNode | undefined): Array<{ qualifier: string | undefined; column: string }> {
  const found: Array<{ qualifier: string | undefined; column: string }> = [];
  const visit = (node: AstNode | undefined) => {
    if (node?.BoolExpr?.boolop === 'AND_EXPR') {
      (node.BoolExpr.args ?? []).forEach(visit);
      return;
    }
    const expression = node?.A_Expr;
    if (expression?.kind !== 'AEXPR_OP' || expression.name?.[0]?.String?.sval !== '=') return;
    for (const side of [expression.lexpr, expression.rexpr]) if (side?.ColumnRef) found.push(reference(side.ColumnRef));
  };
  visit(where);
  return found;
}

function reference(columnRef: NodeFields<'ColumnRef'>): { qualifier: string | undefined; column: string } {
  const fields = columnRef.fields ?? [];
  return { qualifier: fields.length > 1 ? fields[fields.length - 2]?.String?.sval : undefined, column: columnName(columnRef) ?? '' };
}

// Walks one query level: subqueries are separate reads, visited on their own.
function walkQuery(root: unknown, visitor: (visit: Visit) => void): void {
  walk(root, (visit) => {
    if (visit.type === 'SubLink' || visit.type === 'RangeSubselect' || visit.type === 'SelectStmt') return false;
    visitor(visit);
    return true;
  });
}
