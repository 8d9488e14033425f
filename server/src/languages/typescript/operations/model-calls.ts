// What the Sequelize and TypeORM readers share: options objects (`{ where, lock, transaction }`), the
// attributes set on an instance before it is saved, whether the code uses what a call returns.

import type * as TS from 'typescript';
import type { DeclaredEntity } from '../../../schema/entities';
import { kindSet, ts } from '../project';
import { stringValue, unwrapExpression } from './chain';
import type { ColumnWrite } from './operation';

/** Attribute → column of the model (an unknown attribute is its own column). */
export function columnOf(entity: DeclaredEntity): (attribute: string) => string {
  return (attribute) => entity.columns.get(attribute) ?? attribute;
}

/**
 * The attributes the code sets on an instance between its declaration and the save() that writes it:
 * `account.balance = account.balance - cost`, `account.balance -= cost`, `account.points++`, and with
 * `setValues` the library's setter (`account.set({ … })`).
 */
export function assignmentsBefore(
  instance: TS.Identifier,
  declaration: TS.Node,
  save: TS.CallExpression,
  column: (attribute: string) => string,
  setValues?: (argument: TS.Expression | undefined, writes: ColumnWrite[]) => void,
): ColumnWrite[] {
  let scope: TS.Node | undefined = save.parent;
  while (scope && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  if (!scope) return [];
  const writes: ColumnWrite[] = [];
  const start = declaration.getEnd();
  const end = save.getStart();
  const isInstance = (node: TS.Expression) => ts.isIdentifier(node) && node.text === instance.text;
  const visit = (node: TS.Node): void => {
    if (node.getEnd() <= start || node.getStart() >= end) return;
    if (node !== scope && ts.isFunctionLike(node)) return;
    if (
      ts.isBinaryExpression(node) &&
      ASSIGNMENTS.has(node.operatorToken.kind) &&
      ts.isPropertyAccessExpression(node.left) &&
      isInstance(node.left.expression)
    ) {
      writes.push({ column: column(node.left.name.text), value: node.operatorToken.kind === ts.SyntaxKind.EqualsToken ? node.right : node, node: node.left });
    } else if (
      (ts.isPostfixUnaryExpression(node) || ts.isPrefixUnaryExpression(node)) &&
      INCREMENTS.has(node.operator) &&
      ts.isPropertyAccessExpression(node.operand) &&
      isInstance(node.operand.expression)
    ) {
      writes.push({ column: column(node.operand.name.text), value: node, node: node.operand });
    } else if (
      setValues &&
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'set' &&
      isInstance(node.expression.expression)
    ) {
      setValues(node.arguments[0], writes);
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return writes;
}

const INCREMENTS = kindSet(() => [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken]);
const ASSIGNMENTS = kindSet(() => [
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
]);

export function objectOf(expression: TS.Expression | undefined): TS.ObjectLiteralExpression | undefined {
  const value = expression && unwrapExpression(expression);
  return value && ts.isObjectLiteralExpression(value) ? value : undefined;
}

export function option(options: TS.Expression | undefined, name: string): TS.Expression | undefined {
  const object = objectOf(options);
  for (const entry of object?.properties ?? []) {
    if (ts.isPropertyAssignment(entry) && propertyName(entry.name) === name) return entry.initializer;
    if (ts.isShorthandPropertyAssignment(entry) && entry.name.text === name) return entry.name;
  }
  return undefined;
}

export function propertyName(name: TS.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

export function isTrue(expression: TS.Expression | undefined): boolean {
  return !!expression && unwrapExpression(expression).kind === ts.SyntaxKind.TrueKeyword;
}

export function stringList(expression: TS.Expression | undefined): string[] | undefined {
  const value = expression && unwrapExpression(expression);
  if (!value || !ts.isArrayLiteralExpression(value)) return undefined;
  const names = value.elements.map((element) => stringValue(element));
  return names.every((name) => name !== undefined) ? names : undefined;
}

/** True when the code uses what the call returns (assigns it, returns it, passes it on). */
export function resultUsed(call: TS.Node): boolean {
  let node: TS.Node = call;
  while (node.parent && (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent))) node = node.parent;
  return !ts.isExpressionStatement(node.parent) && !ts.isVoidExpression(node.parent);
}
