// Questions several SQL rules ask about expressions: which operator a comparison uses, which columns
// an expression mentions, the terms of an AND chain, whether two expressions are the same, whether an
// expression reads the clock or is a plain constant.

import { functionBaseName, visitLocation, walk, type AstNode, type Visit } from '../../languages/sql/ast';
import type { SqlStatement } from '../../languages/sql/statement';

export const ORDERINGS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);

const CLOCK_FUNCTIONS = new Set(['now', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp', 'timeofday']);
const CONSTANT_FUNCTIONS = new Set(['make_interval', 'interval']);
const CLOCK_VALUES = new Set(['SVFOP_CURRENT_TIMESTAMP', 'SVFOP_CURRENT_TIMESTAMP_N', 'SVFOP_LOCALTIMESTAMP', 'SVFOP_LOCALTIMESTAMP_N', 'SVFOP_CURRENT_DATE']);

/** The operator of a plain binary A_Expr (`<`, `=`, `-`; `!=` arrives as `<>`), else undefined. */
export function operatorOf(expression: AstNode | undefined): string | undefined {
  const node = expression?.A_Expr;
  return node?.kind === 'AEXPR_OP' ? node.name?.[node.name.length - 1]?.String?.sval : undefined;
}

/** The terms of a top-level AND chain (the condition itself when it is not one). */
export function conjuncts(condition: AstNode | undefined): AstNode[] {
  if (!condition) return [];
  const bool = condition.BoolExpr;
  if (bool?.boolop === 'AND_EXPR') return (bool.args ?? []).flatMap(conjuncts);
  return [condition];
}

/** Fields of every column reference in an expression, as parsed (`new.id` → ['new', 'id']; `t.*` ends with '*'). */
export function columnRefs(expression: unknown): string[][] {
  const found: string[][] = [];
  walk(expression, (visit) => {
    if (visit.type === 'ColumnRef') found.push((visit.node.fields ?? []).map((field) => (field.A_Star ? '*' : String(field.String?.sval ?? ''))));
  });
  return found;
}

/** True when two expressions are the same tree, positions aside. */
export function sameExpression(left: unknown, right: unknown): boolean {
  return JSON.stringify(left, dropLocations) === JSON.stringify(right, dropLocations);
}

function dropLocations(key: string, value: unknown): unknown {
  return key === 'location' ? undefined : value;
}

/** True for now(), current_timestamp and the other readings of the current time. */
export function isClockReading(expression: AstNode | undefined): boolean {
  if (expression?.FuncCall) return CLOCK_FUNCTIONS.has(functionBaseName(expression.FuncCall));
  return CLOCK_VALUES.has(expression?.SQLValueFunction?.op ?? '');
}

/**
 * True when the expression is computed from literals only: no column, parameter, variable, subquery
 * or function other than the casts, arithmetic and interval builders a literal duration is written
 * with (interval '30 seconds', 30 * interval '1 second', make_interval(secs => 30)).
 */
export function isConstant(expression: unknown): boolean {
  let constant = true;
  walk(expression, (visit) => {
    if (!constant) return false;
    if (visit.type === 'FuncCall' && !CONSTANT_FUNCTIONS.has(functionBaseName(visit.node))) constant = false;
    else if (visit.type === 'ColumnRef' || visit.type === 'ParamRef' || visit.type === 'SubLink' || visit.type === 'SQLValueFunction') constant = false;
    return constant;
  });
  return constant;
}

/** A constant string (also through a cast: 'x'::text), else undefined. */
export function stringConstant(expression: AstNode | undefined): string | undefined {
  const inner = expression?.TypeCast ? expression.TypeCast.arg : expression;
  return inner?.A_Const?.sval?.sval;
}

/**
 * Walks the statement's own tree. A CREATE FUNCTION … BEGIN ATOMIC carries its body statements in its
 * tree, and those are statements of the model in their own right: they are not walked twice.
 */
export function walkStatement(statement: SqlStatement, visitor: (visit: Visit) => boolean | void): void {
  if (statement.kind === 'CreateFunctionStmt') return;
  walk(statement.node, visitor);
}

/** Document range of an expression: from its leftmost token to the end of its rightmost one. */
export function expressionRange(statement: SqlStatement, expression: unknown): { start: number; end: number } {
  const range = expressionSourceRange(statement, expression);
  return { start: statement.source.toDocument(range.start), end: statement.source.toDocument(range.end) };
}

/** The expression as written, unescaped when the statement sits in a string literal (a cron command). */
export function expressionText(statement: SqlStatement, expression: unknown): string {
  const range = expressionSourceRange(statement, expression);
  return statement.source.text.slice(range.start, range.end);
}

function expressionSourceRange(statement: SqlStatement, expression: unknown): { start: number; end: number } {
  let start = Number.MAX_SAFE_INTEGER;
  let end = -1;
  const extend = (location: unknown) => {
    if (typeof location !== 'number' || location < 0) return;
    const range = statement.sourceRangeOf({ location });
    start = Math.min(start, range.start);
    end = Math.max(end, range.end);
  };
  walk(expression, (visit) => {
    extend(visitLocation(visit));
    // The type of a cast ('30s'::interval) is an unwrapped node the walk does not visit.
    extend((visit.node as { typeName?: { location?: number } }).typeName?.location);
  });
  return end < 0 ? { start: statement.sourceStart, end: statement.sourceEnd } : { start, end };
}
