// Read-modify-write in application code: a query (SQL in a template, or a library call such as
// prisma.account.findUnique) reads a row into a variable, and a later write of the same function sets
// a column of that row to a value computed from the variable (`acc.balance - cost`,
// `${row.points - cost}`), with no row lock, version check or atomic update in between. The
// evidence is in the code: the written value names the read's result and the column. Rows are the
// same when both queries pin the same key to the same code (`where: { id: userId }` in both).

import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import type { EmbeddedSql } from '../languages/typescript/embedded-sql';
import type { DbOperation } from '../languages/typescript/operations/operation';
import type { AstNode } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import type { RuleContext } from '../core/rule';
import { matchesAny } from '../core/names';
import { blocksWriters, lockingSelects } from './sql/row-locks';
import { equalities, scopeOf } from './sql/row-scope';
import { embeddedOfStatement } from './typescript/ts-effects';

export interface AppReadModifyWrite {
  read: SqlStatement;
  write: SqlStatement;
  table: string;
  column: string;
  /** The code of the written value (`acc.balance - cost`) and, when it is `read.column ± amount`, that split. */
  value: TS.Expression;
  /** The bind parameter the UPDATE writes it with (its node in the SQL tree). */
  parameter: AstNode | undefined;
  atomic?: { operator: '+' | '-'; amount: TS.Expression };
  /** The read and the write run in one transaction (a callback, BEGIN … COMMIT). */
  inTransaction: boolean;
  writeEntry: EmbeddedSql;
  readEntry: EmbeddedSql;
}

interface AppRead {
  statement: SqlStatement;
  entry: EmbeddedSql;
  table: string;
  names: string[];
  /** Column → the code its WHERE pins it to. */
  keys: Map<string, string>;
}

export function appReadModifyWrites(context: RuleContext, versionColumns: string[]): AppReadModifyWrite[] {
  const model = context.typescript;
  if (!model) return [];
  const found: AppReadModifyWrite[] = [];
  for (const script of context.sql.scripts) {
    const reads: AppRead[] = [];
    for (const statement of script) {
      const unit = statement.transaction;
      // SERIALIZABLE and REPEATABLE READ abort the second writer instead (a retry is the remedy).
      if (unit?.isolation === 'serializable' || unit?.isolation === 'repeatable read') continue;
      const entry = embeddedOfStatement(statement, context.embedded);
      if (!entry || entry.synthetic) continue;
      if (statement.kind === 'SelectStmt') {
        const read = plainRead(context, statement, entry, model.node);
        if (read) reads.push(read);
        else if (lockingSelects(statement).length) lockTables(reads, statement);
        continue;
      }
      const update = statement.bodyOf('UpdateStmt');
      if (!update) continue;
      const table = String(update.relation?.relname ?? '');
      const keys = keysOf(context, statement, update.whereClause, entry, model.node);
      if ([...keys.keys()].some((column) => matchesAny(column, versionColumns))) continue;
      for (const item of update.targetList ?? []) {
        const column: string | undefined = item.ResTarget?.name;
        const parameter = item.ResTarget?.val?.ParamRef?.number;
        if (!column || typeof parameter !== 'number') continue;
        if (keys.has(column)) continue; // a compare-and-set on the column itself
        if (entry.operation && mayCompareAndSet(entry.operation, column, versionColumns, model.node)) continue;
        const value = entry.boundValues[parameter - 1];
        if (!value) continue;
        const read = reads.find((candidate) => candidate.table === table && sameRows(candidate.keys, keys) && readsColumnOf(value, candidate.names, column));
        if (!read) continue;
        found.push({
          read: read.statement,
          write: statement,
          table,
          column,
          value,
          parameter: item.ResTarget?.val,
          atomic: atomicForm(value, read.names, column),
          inTransaction: statement.transaction?.kind === 'explicit' && read.statement.transaction === statement.transaction,
          writeEntry: entry,
          readEntry: read.entry,
        });
        reads.splice(reads.indexOf(read), 1);
      }
    }
  }
  return found;
}

function plainRead(context: RuleContext, statement: SqlStatement, entry: EmbeddedSql, source: TS.SourceFile): AppRead | undefined {
  const select = statement.bodyOf('SelectStmt');
  const from = select?.fromClause ?? [];
  if (from.length !== 1 || !from[0].RangeVar || !entry.resultNames.length) return undefined;
  const clauses = (select?.lockingClause ?? []).map((clause) => clause.LockingClause).filter((clause) => clause !== undefined);
  if (clauses.length && blocksWriters(clauses)) return undefined;
  return {
    statement,
    entry,
    table: String(from[0].RangeVar.relname),
    names: entry.resultNames,
    keys: keysOf(context, statement, select?.whereClause, entry, source),
  };
}

// A locking read or write of a table after a plain read covers the rows it pins: they are guarded.
function lockTables(reads: AppRead[], statement: SqlStatement): void {
  const table = String(statement.bodyOf('SelectStmt')?.fromClause?.[0]?.RangeVar?.relname ?? '');
  for (let index = reads.length - 1; index >= 0; index--) if (reads[index].table === table) reads.splice(index, 1);
}

/** WHERE equalities of a statement, each column mapped to the code of its value ($n → that parameter's code). */
function keysOf(context: RuleContext, statement: SqlStatement, where: AstNode | undefined, entry: EmbeddedSql, source: TS.SourceFile): Map<string, string> {
  const keys = new Map<string, string>();
  // A SELECT (its FROM) or an UPDATE (its target and FROM).
  const update = statement.bodyOf('UpdateStmt');
  const scope = scopeOf(statement, (update ?? statement.bodyOf('SelectStmt'))?.fromClause ?? [], context.schema, update?.relation);
  for (const equality of equalities(where, scope)) {
    const parameter = equality.value?.ParamRef?.number;
    const code =
      typeof parameter === 'number'
        ? entry.boundValues[parameter - 1]?.getText(source)
        : equality.value?.A_Const
          ? JSON.stringify(equality.value.A_Const)
          : undefined;
    if (code !== undefined) keys.set(equality.column, code.replace(/\s+/g, ''));
  }
  return keys;
}

/**
 * A library call's condition its reader could not read (`.whereRaw('version = ?', [v])`, a callback, a
 * sql fragment, Prisma's AND) may be the compare-and-set: when its column or its code names a version
 * column or the written column, or nothing about it is known, the write is not judged.
 */
function mayCompareAndSet(operation: DbOperation, column: string, versionColumns: string[], source: TS.SourceFile): boolean {
  return operation.where.some((condition) => {
    if (condition.operator !== 'other') return false;
    const names = condition.column ? [condition.column] : condition.value?.getText(source).match(/[A-Za-z_][A-Za-z0-9_]*/g);
    if (!names) return true;
    return names.some(
      (name) =>
        columnName(name) === columnName(column) || matchesAny(name, versionColumns) || matchesAny(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2'), versionColumns),
    );
  });
}

function sameRows(read: Map<string, string>, write: Map<string, string>): boolean {
  let shared = 0;
  for (const [column, code] of write) {
    const other = read.get(column);
    if (other === undefined) continue;
    if (other !== code) return false;
    shared++;
  }
  return shared > 0;
}

/** The value reads `name.column` (`acc.balance`, `row!.points`, `rows[0].points`) of a read's result. */
function readsColumnOf(value: TS.Expression, names: string[], column: string): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(node) && columnName(node.name.text) === columnName(column) && names.includes(rootName(node.expression))) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(value);
  return found;
}

/** `acc.balance - cost` → { '-', cost }; `cost + acc.balance` → { '+', cost }; otherwise undefined. */
function atomicForm(value: TS.Expression, names: string[], column: string): AppReadModifyWrite['atomic'] {
  let expression = value;
  while (ts.isParenthesizedExpression(expression)) expression = expression.expression;
  if (!ts.isBinaryExpression(expression)) return undefined;
  const operator =
    expression.operatorToken.kind === ts.SyntaxKind.PlusToken ? '+' : expression.operatorToken.kind === ts.SyntaxKind.MinusToken ? '-' : undefined;
  if (!operator) return undefined;
  const isRead = (side: TS.Expression) => {
    let inner = side;
    while (ts.isParenthesizedExpression(inner) || ts.isNonNullExpression(inner)) inner = inner.expression;
    return ts.isPropertyAccessExpression(inner) && columnName(inner.name.text) === columnName(column) && names.includes(rootName(inner.expression));
  };
  const mentionsRead = (side: TS.Expression) => {
    let found = false;
    const visit = (node: TS.Node): void => {
      if (ts.isIdentifier(node) && names.includes(node.text)) found = true;
      else ts.forEachChild(node, visit);
    };
    visit(side);
    return found;
  };
  if (isRead(expression.left) && !mentionsRead(expression.right)) return { operator, amount: expression.right };
  if (operator === '+' && isRead(expression.right) && !mentionsRead(expression.left)) return { operator, amount: expression.left };
  return undefined;
}

function rootName(expression: TS.Expression): string {
  let current = expression;
  for (;;) {
    if (ts.isNonNullExpression(current) || ts.isParenthesizedExpression(current)) current = current.expression;
    else if (ts.isElementAccessExpression(current) || ts.isPropertyAccessExpression(current)) current = current.expression;
    else break;
  }
  return ts.isIdentifier(current) ? current.text : '';
}

// Prisma fields are camelCase where columns may be snake_case; compare without case or underscores.
function columnName(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}
