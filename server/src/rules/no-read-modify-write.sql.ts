// Read-modify-write: a statement reads a column without a row lock, and a later statement of the same
// transaction writes a value computed from that read back to the same row, with no version check.
// The analysis runs over any ordered list of statements that share one transaction (a BEGIN … COMMIT
// block, a PL/pgSQL body, and later the queries of one TypeScript function), so every front end can
// reuse it. Values are followed through PL/pgSQL variables: SELECT … INTO targets, FOR r IN SELECT
// loop records, and assignments (`v := v + 1` keeps the taint).

import { functionBaseName, walk, type AstNode, type NodeFields } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import type { SchemaModel } from '../schema/model';
import { callIn } from './sql/locks';
import { matchesAny } from '../core/names';
import { blocksWriters, lockingSelects } from './sql/row-locks';
import { columnFields, equalities, pinDifferentRows, scopeOf, shareEquality, tableOfColumn, type Equality, type Scope, type TableRef } from './sql/row-scope';

export interface Read {
  statement: SqlStatement;
  /** The SelectStmt that reads: the statement itself, or the subquery of a PL/pgSQL assignment. */
  select: NodeFields<'SelectStmt'>;
  scope: Scope;
}

export interface ReadModifyWrite {
  read: Read;
  /** The table read, from the read's FROM clause. */
  table: TableRef;
  write: SqlStatement;
  column: string;
}

export interface ReadModifyWriteOptions {
  /**
   * Values come back from an application (plain SQL transactions, queries of an application function):
   * an UPDATE that sets a column read earlier to a constant or a parameter writes the read value back.
   */
  appComputedValues: boolean;
  /** Column names (globs) that act as a version for compare-and-set (version, updated_at, xmin). */
  versionColumns: string[];
}

/** Rows locked earlier in the transaction: the table and the equalities that pinned them (none: any row). */
interface RowLock {
  table: string;
  rows: Equality[];
}

/** Where a value came from: a column of a table read by a read. `*` stands for every column of a record. */
interface Source {
  read: Read;
  table: TableRef;
  column: string;
  /** Field name in a record variable (the output name), or `*`. */
  field: string;
}

const ADVISORY_LOCKS = new Set(['pg_advisory_xact_lock', 'pg_advisory_lock', 'pg_try_advisory_xact_lock', 'pg_try_advisory_lock']);
const AGGREGATES = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'array_agg',
  'string_agg',
  'json_agg',
  'jsonb_agg',
  'json_object_agg',
  'jsonb_object_agg',
  'bool_and',
  'bool_or',
  'every',
  'bit_and',
  'bit_or',
  'xmlagg',
]);
// LOCK TABLE modes from SHARE up conflict with the ROW EXCLUSIVE lock every UPDATE takes.
const SHARE_LOCK_MODE = 5;

const ADVISORY = /advisory/i;

export function readModifyWrites(statements: readonly SqlStatement[], schema: SchemaModel, options: ReadModifyWriteOptions): ReadModifyWrite[] {
  const found: ReadModifyWrite[] = [];
  const reported = new Set<Read>();
  const taint = new Map<string, Source[]>();
  const appReads: Source[] = [];
  const locks: RowLock[] = [];
  let advisory = false;

  for (const statement of statements) {
    if (statement.matches(ADVISORY) && callIn(statement, ADVISORY_LOCKS)) advisory = true;
    const lock = statement.bodyOf('LockStmt');
    if (lock && (lock.mode ?? 0) >= SHARE_LOCK_MODE) {
      for (const relation of lock.relations ?? []) locks.push({ table: tableKey(schema, relation.RangeVar), rows: [] });
    }
    for (const { select, clauses } of lockingSelects(statement)) {
      if (!blocksWriters(clauses)) continue;
      const scope = scopeOf(statement, select.fromClause, schema);
      for (const table of scope.tables) locks.push({ table: key(table), rows: rowsOf(select.whereClause, scope, table) });
    }
    const isGuarded = (source: Source) =>
      advisory ||
      locks.some(
        (lock) => lock.table === key(source.table) && !pinDifferentRows(lock.rows, rowsOf(source.read.select.whereClause, source.read.scope, source.table)),
      );

    if (statement.kind === 'UpdateStmt') {
      for (const result of checkUpdate(statement, schema, options, taint, appReads)) {
        if (reported.has(result.read)) continue;
        reported.add(result.read);
        found.push(result);
      }
    }
    const write = statement.bodyOf('UpdateStmt', 'DeleteStmt');
    if (write) {
      const scope = scopeOf(statement, statement.bodyOf('UpdateStmt')?.fromClause, schema, write.relation);
      if (scope.tables[0]) locks.push({ table: key(scope.tables[0]), rows: rowsOf(write.whereClause, scope, scope.tables[0]) });
    }

    const targets = statement.plpgsql?.targets ?? [];
    if (statement.kind === 'SelectStmt' && targets.length) {
      for (const [target, sources] of assignedSources(statement, schema, taint, isGuarded)) {
        if (sources.length) taint.set(target, sources);
        else taint.delete(target);
      }
    } else if (targets.length) {
      for (const target of targets) taint.delete(target); // UPDATE … RETURNING … INTO: read under the row lock
    } else if (options.appComputedValues && statement.kind === 'SelectStmt' && !statement.plpgsql) {
      const read = plainRead(statement, statement.bodyOf('SelectStmt'), schema);
      if (read) appReads.push(...explicitColumns(read).filter((source) => !isGuarded(source)));
    }
  }
  return found;
}

// ── Reads ────────────────────────────────────────────────────────────────────────────────────────

/** A SELECT that reads rows of tables without blocking writers, one row at a time (no aggregates). */
function plainRead(statement: SqlStatement, select: NodeFields<'SelectStmt'> | undefined, schema: SchemaModel): Read | undefined {
  if (!select?.fromClause?.length || (select.op !== undefined && select.op !== 'SETOP_NONE')) return undefined;
  if (select.groupClause?.length || select.distinctClause || select.havingClause) return undefined;
  const clauses = (select.lockingClause ?? []).map((clause) => clause.LockingClause).filter((clause) => clause !== undefined);
  if (clauses.length && blocksWriters(clauses)) return undefined;
  if (aggregates(select.targetList)) return undefined;
  const scope = scopeOf(statement, select.fromClause, schema);
  return scope.tables.length ? { statement, select, scope } : undefined;
}

function aggregates(targetList: AstNode[] | undefined): boolean {
  let found = false;
  walk(targetList, (visit) => {
    if (visit.type === 'SubLink') return false;
    if (visit.type === 'FuncCall' && (visit.node.over || AGGREGATES.has(functionBaseName(visit.node)))) found = true;
    return undefined;
  });
  return found;
}

/** Columns a read's target item reads directly (`*` and `t.*` read every column). */
function itemSources(read: Read, item: AstNode | undefined): Source[] {
  const sources: Source[] = [];
  const field = item?.ResTarget?.name;
  walk(item?.ResTarget?.val, (visit) => {
    if (visit.type === 'SubLink') return false;
    if (visit.type !== 'ColumnRef') return undefined;
    const fields = visit.node.fields ?? [];
    if (fields[fields.length - 1]?.A_Star) {
      const qualifier = fields.length > 1 ? fields[fields.length - 2]?.String?.sval : undefined;
      for (const table of read.scope.tables) if (!qualifier || table.reference === qualifier) sources.push({ read, table, column: '*', field: '*' });
      return undefined;
    }
    const table = tableOfColumn(read.scope, visit.node);
    const names = columnFields(visit.node);
    if (table && names) sources.push({ read, table, column: names[names.length - 1], field: field ?? names[names.length - 1] });
    return undefined;
  });
  return sources;
}

/** Plain-SQL reads: the columns the select list names (a `select *` is not a read of one value). */
function explicitColumns(read: Read): Source[] {
  return (read.select.targetList ?? []).flatMap((item) => itemSources(read, item)).filter((source) => source.column !== '*');
}

/** For each INTO / assignment target of a PL/pgSQL statement, where its new value comes from. */
function assignedSources(
  statement: SqlStatement,
  schema: SchemaModel,
  taint: Map<string, Source[]>,
  isGuarded: (source: Source) => boolean,
): Map<string, Source[]> {
  const targets = statement.plpgsql!.targets;
  // A PL/pgSQL SELECT … INTO or assignment: a SelectStmt.
  const select = statement.bodyOf('SelectStmt');
  const items = select?.targetList ?? [];
  const read = plainRead(statement, select, schema);
  const direct = (item: AstNode | undefined): Source[] => {
    const sources = read ? itemSources(read, item) : [];
    // v := (select balance from accounts where id = p): the subquery is the read.
    walk(item?.ResTarget?.val, (visit) => {
      if (visit.type !== 'SubLink' || visit.node.subLinkType !== 'EXPR_SUBLINK') return undefined;
      const inner = plainRead(statement, visit.node.subselect?.SelectStmt, schema);
      if (inner) sources.push(...itemSources(inner, inner.select.targetList?.[0]));
      return false;
    });
    return [...sources.filter((source) => !isGuarded(source)), ...sourcesOf(item?.ResTarget?.val, taint)];
  };
  const assigned = new Map<string, Source[]>();
  if (targets.length === items.length) targets.forEach((target, index) => assigned.set(target, direct(items[index])));
  else if (targets.length === 1) assigned.set(targets[0], items.flatMap(direct));
  return assigned;
}

/** Sources of the tainted variables an expression uses (`v`, `rec.balance`). */
function sourcesOf(expression: AstNode | undefined, taint: Map<string, Source[]>): Source[] {
  const sources: Source[] = [];
  walk(expression, (visit) => {
    if (visit.type !== 'ColumnRef') return;
    const fields = columnFields(visit.node);
    if (!fields || fields.length > 2) return;
    const tainted = taint.get(fields[0]);
    if (!tainted) return;
    if (fields.length === 1) sources.push(...tainted);
    else {
      for (const source of tainted) {
        if (source.field === fields[1]) sources.push(source);
        else if (source.field === '*') sources.push({ ...source, column: fields[1], field: fields[1] });
      }
    }
  });
  return sources;
}

// ── Writes ───────────────────────────────────────────────────────────────────────────────────────

function checkUpdate(
  statement: SqlStatement,
  schema: SchemaModel,
  options: ReadModifyWriteOptions,
  taint: Map<string, Source[]>,
  appReads: Source[],
): ReadModifyWrite[] {
  const body = statement.bodyOf('UpdateStmt');
  if (!body) return [];
  const scope = scopeOf(statement, body.fromClause, schema, body.relation);
  const target = scope.tables[0];
  if (!target) return [];
  const written = rowsOf(body.whereClause, scope, target);
  const results: ReadModifyWrite[] = [];
  for (const item of body.targetList ?? []) {
    const column: string | undefined = item.ResTarget?.name;
    const value = item.ResTarget?.val;
    if (!column || !value || value.MultiAssignRef || readsColumn(value, scope, target, column)) continue;
    const candidates = sourcesOf(value, taint).filter((source) => sameTable(source.table, target) && (source.column === column || source.column === '*'));
    if (options.appComputedValues && isAppValue(value)) {
      candidates.push(...appReads.filter((source) => sameTable(source.table, target) && source.column === column).reverse());
    }
    if (written.some((equality) => equality.column === column || matchesAny(equality.column, options.versionColumns))) continue;
    const source = candidates.find((candidate) => sameRow(candidate.read, candidate.table, body, written, taint));
    if (source) results.push({ read: source.read, table: source.table, write: statement, column });
  }
  return results;
}

/** `SET balance = balance - 1` is atomic: the value is computed from the row being updated. */
function readsColumn(value: AstNode, scope: Scope, target: TableRef, column: string): boolean {
  let found = false;
  walk(value, (visit) => {
    if (visit.type !== 'ColumnRef' || tableOfColumn(scope, visit.node) !== target) return;
    const fields = columnFields(visit.node);
    if (fields && fields[fields.length - 1] === column) found = true;
  });
  return found;
}

/** A value the application supplies: a literal or a bind parameter, possibly cast. */
function isAppValue(value: AstNode | undefined): boolean {
  if (value?.TypeCast) return isAppValue(value.TypeCast.arg);
  return !!(value?.A_Const || value?.ParamRef);
}

/**
 * The UPDATE targets the row the read returned: its WHERE pins a column to the value the read got
 * from that column (`where id = r.id`), or both share an equality (`id = p_id`) and disagree on none,
 * or neither has a WHERE.
 */
function sameRow(read: Read, table: TableRef, update: NodeFields<'UpdateStmt'>, written: Equality[], taint: Map<string, Source[]>): boolean {
  if (written.some((equality) => sourcesOf(equality.value, taint).some((source) => source.read === read && source.column === equality.column))) return true;
  const readRows = rowsOf(read.select.whereClause, read.scope, table);
  if (shareEquality(readRows, written)) return !pinDifferentRows(readRows, written);
  return !read.select.whereClause && !update.whereClause;
}

/** The equalities of a condition on one table's columns. */
function rowsOf(condition: AstNode | undefined, scope: Scope, table: TableRef): Equality[] {
  return equalities(condition, scope).filter((equality) => equality.table === table);
}

// ── Tables ───────────────────────────────────────────────────────────────────────────────────────

function key(table: TableRef): string {
  return table.info?.name ?? (table.name.includes('.') ? table.name : `public.${table.name}`);
}

function tableKey(schema: SchemaModel, rangeVar: NodeFields<'RangeVar'> | undefined): string {
  const name = rangeVar?.schemaname ? `${rangeVar.schemaname}.${rangeVar.relname}` : String(rangeVar?.relname ?? '');
  return schema.table(name)?.name ?? (name.includes('.') ? name : `public.${name}`);
}

function sameTable(left: TableRef, right: TableRef): boolean {
  return key(left) === key(right);
}
