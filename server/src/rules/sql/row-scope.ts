// Which rows a statement touches: the tables of its FROM clause (or UPDATE target), the column
// equalities of its WHERE and join conditions, and whether those pin each table to one row by a key.
// Column references are resolved the way PostgreSQL would, as far as the schema model allows:
// `a.col` by alias, a bare name by the only table that can have it; PL/pgSQL variables are not columns.

import { functionName, walk, type AstNode, type NodeFields, type Visit } from '../../languages/sql/ast';
import type { SqlStatement } from '../../languages/sql/statement';
import type { SchemaModel, TableInfo } from '../../schema/model';

export interface TableRef {
  /** Relation name as written: "public.accounts" or "accounts". */
  name: string;
  /** The name column references use for it: the alias, else the relation name. */
  reference: string;
  alias: string | undefined;
  info: TableInfo | undefined;
  /** The RangeVar node, for its position. */
  rangeVar: NodeFields<'RangeVar'>;
}

export interface Scope {
  tables: TableRef[];
  /** ON conditions of the joins. */
  joinConditions: AstNode[];
  /** True when some join is an outer join. */
  outerJoin: boolean;
  /** PL/pgSQL variables and parameters visible to the statement (never columns). */
  variables: ReadonlySet<string>;
}

export interface Equality {
  table: TableRef | undefined;
  column: string;
  /** The other side of `column = value` (a wrapped node). */
  value: AstNode | undefined;
}

export interface KeyCandidates {
  keys: string[][];
  /** True when the table is unknown to the schema model (or has no key there) and `id` is assumed. */
  assumed: boolean;
}

/** The tables of a FROM clause; `extra` (an UPDATE's target) comes first. CTE references are not tables. */
export function scopeOf(statement: SqlStatement, fromClause: AstNode[] | undefined, schema: SchemaModel, extra?: NodeFields<'RangeVar'>): Scope {
  const ctes = cteNames(statement);
  const scope: Scope = { tables: [], joinConditions: [], outerJoin: false, variables: new Set(statement.routine?.variables.keys() ?? []) };
  const add = (item: AstNode | undefined) => {
    if (item?.RangeVar) {
      const rangeVar = item.RangeVar;
      if (!rangeVar.schemaname && ctes.has(rangeVar.relname ?? '')) return;
      const name = rangeVar.schemaname ? `${rangeVar.schemaname}.${rangeVar.relname}` : String(rangeVar.relname);
      const alias = rangeVar.alias?.aliasname;
      scope.tables.push({ name, reference: alias ?? String(rangeVar.relname), alias, info: schema.table(name), rangeVar });
    } else if (item?.JoinExpr) {
      const join = item.JoinExpr;
      if (join.jointype !== 'JOIN_INNER') scope.outerJoin = true;
      add(join.larg);
      add(join.rarg);
      if (join.quals) scope.joinConditions.push(join.quals);
    }
  };
  if (extra) add({ RangeVar: extra });
  for (const item of fromClause ?? []) add(item);
  return scope;
}

// Statements are reused across keystrokes: their tree is walked once for its CTE names.
const cteNamesByStatement = new WeakMap<SqlStatement, ReadonlySet<string>>();

function cteNames(statement: SqlStatement): ReadonlySet<string> {
  let names = cteNamesByStatement.get(statement);
  if (!names) {
    names = findCteNames(statement);
    cteNamesByStatement.set(statement, names);
  }
  return names;
}

function findCteNames(statement: SqlStatement): Set<string> {
  const names = new Set<string>();
  walk(statement.body, (visit) => {
    if (visit.type === 'CommonTableExpr' && visit.node.ctename) names.add(String(visit.node.ctename));
  });
  return names;
}

/** Field names of a ColumnRef; undefined for `*` references. */
export function columnFields(columnRef: NodeFields<'ColumnRef'> | undefined): string[] | undefined {
  const fields = columnRef?.fields ?? [];
  if (!fields.length || fields.some((field) => !field.String)) return undefined;
  return fields.map((field) => String(field.String?.sval));
}

/** The table a column reference belongs to; undefined for variables, outer columns and ambiguous names. */
export function tableOfColumn(scope: Scope, columnRef: NodeFields<'ColumnRef'> | undefined): TableRef | undefined {
  const fields = columnFields(columnRef);
  if (!fields) return undefined;
  const column = fields[fields.length - 1];
  if (fields.length >= 2) {
    const qualifier = fields[fields.length - 2];
    return scope.tables.find((table) => table.reference === qualifier);
  }
  if (scope.variables.has(column)) return undefined;
  const known = scope.tables.filter((table) => table.info?.columns.has(column));
  if (known.length === 1) return known[0];
  const unknown = scope.tables.filter((table) => !table.info);
  return known.length === 0 && unknown.length === 1 && scope.tables.length === 1 ? unknown[0] : undefined;
}

/**
 * Query-parameter spellings that PostgreSQL parses as something else before a client substitutes them:
 * sqlc's `sqlc.arg(id)`/`sqlc.narg(id)` (a function call on what looks like a column) and `@id`
 * (sqlc, Npgsql, Dapper: the prefix operator @ applied to a column name). They stand for one value
 * given by the caller, never for a column of the row. sqlc.slice(ids) expands to a list: not one value.
 */
export function isParameter(visit: Visit): boolean {
  if (visit.type === 'FuncCall') return SINGLE_VALUE_PARAMETERS.has(functionName(visit.node));
  if (visit.type !== 'A_Expr') return false;
  const node = visit.node;
  return node.kind === 'AEXPR_OP' && !node.lexpr && node.name?.[0]?.String?.sval === '@' && !!columnFields(node.rexpr?.ColumnRef);
}

const SINGLE_VALUE_PARAMETERS = new Set(['sqlc.arg', 'sqlc.narg']);

/** True for `sqlc.slice(x)`, which sqlc expands to a list of values. */
function isListParameter(node: AstNode | undefined): boolean {
  return !!node?.FuncCall && functionName(node.FuncCall) === 'sqlc.slice';
}

/** The conditions joined by AND at the top of a WHERE or ON clause. */
export function conjuncts(condition: AstNode | undefined): AstNode[] {
  if (!condition) return [];
  const bool = condition.BoolExpr;
  if (bool?.boolop === 'AND_EXPR') return (bool.args ?? []).flatMap(conjuncts);
  return [condition];
}

/** `column = value` conjuncts (both directions; `IS NOT DISTINCT FROM` and `column IN (one value)` too). */
export function equalities(condition: AstNode | undefined, scope: Scope): Equality[] {
  const found: Equality[] = [];
  for (const conjunct of conjuncts(condition)) {
    const expression = conjunct.A_Expr;
    if (!expression || expression.name?.[0]?.String?.sval !== '=') continue;
    let right = expression.rexpr;
    if (expression.kind === 'AEXPR_IN') {
      const items = right?.List?.items ?? [];
      if (items.length !== 1 || isListParameter(items[0])) continue;
      right = items[0];
    } else if (expression.kind !== 'AEXPR_OP' && expression.kind !== 'AEXPR_NOT_DISTINCT') continue;
    for (const [side, value] of [
      [expression.lexpr, right],
      [right, expression.lexpr],
    ]) {
      const fields = side?.ColumnRef ? columnFields(side.ColumnRef) : undefined;
      if (fields) found.push({ table: tableOfColumn(scope, side?.ColumnRef), column: fields[fields.length - 1], value });
    }
  }
  return found;
}

/** Tables of the scope whose columns an expression reads (subqueries are their own scope). */
export function tablesReferenced(expression: AstNode | undefined, scope: Scope): Set<TableRef> {
  const tables = new Set<TableRef>();
  walk(expression, (visit) => {
    if (visit.type === 'SubLink' || isParameter(visit)) return false;
    if (visit.type === 'ColumnRef') {
      const table = tableOfColumn(scope, visit.node);
      if (table) tables.add(table);
    }
    return undefined;
  });
  return tables;
}

/** The keys that identify one row: the schema's primary and unique keys, else an assumed `id`. */
export function keyCandidates(schema: SchemaModel, table: TableRef): KeyCandidates {
  const keys = table.info ? schema.keysOf(table.info).filter((key) => key.length > 0) : [];
  return keys.length ? { keys, assumed: false } : { keys: [['id']], assumed: true };
}

/**
 * Tables pinned to at most one row: every column of one of their keys is equal to a value that only
 * reads pinned tables (a constant, a parameter, a variable, a scalar subquery, a column of a table
 * that is itself pinned: `c.id = o.customer_id` once `o.id = $1`).
 */
export function pinnedTables(scope: Scope, where: AstNode | undefined, schema: SchemaModel): Set<TableRef> {
  const found = [...equalities(where, scope), ...scope.joinConditions.flatMap((condition) => equalities(condition, scope))];
  const pinned = new Set<TableRef>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const table of scope.tables) {
      if (pinned.has(table)) continue;
      const pinnedBy = (column: string) =>
        found.some(
          (equality) =>
            equality.table === table && equality.column === column && [...tablesReferenced(equality.value, scope)].every((other) => pinned.has(other)),
        );
      if (keyCandidates(schema, table).keys.some((key) => key.every(pinnedBy))) {
        pinned.add(table);
        changed = true;
      }
    }
  }
  return pinned;
}

/** Structural identity of an expression, ignoring where it was written. */
export function fingerprint(node: unknown): string {
  return JSON.stringify(node, (key, value: unknown) => (key === 'location' ? undefined : value));
}

/** True when two row conditions pin the same column to different values (`id = p_from` / `id = p_to`). */
export function pinDifferentRows(left: Equality[], right: Equality[]): boolean {
  return left.some((one) => right.some((other) => one.column === other.column && fingerprint(one.value) !== fingerprint(other.value)));
}

/** True when two row conditions share an equality (`id = p_id` in both). */
export function shareEquality(left: Equality[], right: Equality[]): boolean {
  return left.some((one) => right.some((other) => one.column === other.column && fingerprint(one.value) === fingerprint(other.value)));
}
