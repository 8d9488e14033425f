// Method chains as libraries are used: `supabase.from('t').insert(row).select()`,
// `db.insert(t).values(row).onConflictDoNothing()`, `prisma.payment.create({ data })`. A chain is read
// from its outermost call (the one the code awaits) down to its root object.

import type * as TS from 'typescript';
import { ts } from '../project';
import type { ColumnWrite } from './operation';

export interface Link {
  name: string;
  /** The identifier naming the method. */
  nameNode: TS.Node;
  args: readonly TS.Expression[];
  call: TS.CallExpression;
}

export interface Chain {
  /** What the first call is made on: `supabase`, `prisma.payment`, `this.db`. */
  root: TS.Expression;
  /** Calls from the first to the outermost. */
  links: Link[];
  outermost: TS.CallExpression;
}

/** True for the outermost call of a chain (no `.method(…)` is called on its result). */
export function isOutermostCall(node: TS.Node): node is TS.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  let parent = node.parent;
  while (parent && (ts.isNonNullExpression(parent) || ts.isParenthesizedExpression(parent))) parent = parent.parent;
  return !(parent && ts.isPropertyAccessExpression(parent) && parent.parent && ts.isCallExpression(parent.parent) && parent.parent.expression === parent);
}

export function readChain(outermost: TS.CallExpression): Chain | undefined {
  const links: Link[] = [];
  let current: TS.Expression = outermost;
  for (;;) {
    current = unwrapExpression(current);
    if (!ts.isCallExpression(current) || !ts.isPropertyAccessExpression(current.expression)) break;
    const access = current.expression;
    links.unshift({ name: access.name.text, nameNode: access.name, args: current.arguments, call: current });
    current = access.expression;
  }
  return links.length ? { root: unwrapExpression(current), links, outermost } : undefined;
}

export function unwrapExpression(expression: TS.Expression): TS.Expression {
  let current = expression;
  while (
    ts.isNonNullExpression(current) ||
    ts.isParenthesizedExpression(current) ||
    ts.isAwaitExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current)
  )
    current = current.expression;
  return current;
}

/** A string literal's text ('payments', `payments`), else undefined. */
export function stringValue(expression: TS.Expression | undefined): string | undefined {
  if (!expression) return undefined;
  const value = unwrapExpression(expression);
  return ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) ? value.text : undefined;
}

/** The properties of an object literal by name (spreads and computed names are left out). */
export function objectProperties(
  expression: TS.Expression | undefined,
): Array<{ name: string; node: TS.ObjectLiteralElementLike; value: TS.Expression }> | undefined {
  if (!expression) return undefined;
  const object = unwrapExpression(expression);
  if (!ts.isObjectLiteralExpression(object)) return undefined;
  const properties: Array<{ name: string; node: TS.ObjectLiteralElementLike; value: TS.Expression }> = [];
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)))
      properties.push({ name: property.name.text, node: property, value: property.initializer });
    else if (ts.isShorthandPropertyAssignment(property)) properties.push({ name: property.name.text, node: property, value: property.name });
  }
  return properties;
}

export function property(expression: TS.Expression | undefined, name: string): TS.Expression | undefined {
  return objectProperties(expression)?.find((entry) => entry.name === name)?.value;
}

/** True when an object literal has a spread (`{ ...row }`): its columns are not all known. */
export function hasSpread(expression: TS.Expression | undefined): boolean {
  const object = expression && unwrapExpression(expression);
  return !!object && ts.isObjectLiteralExpression(object) && object.properties.some((entry) => ts.isSpreadAssignment(entry));
}

/**
 * The columns a written row sets (`{ a: 1, b }`, or the first row of an array), each as `column(name)`;
 * a row that is not a literal, or has a spread, is opaque: its columns are not all known.
 */
export function readValues(
  argument: TS.Expression | undefined,
  writes: ColumnWrite[],
  opaque: TS.Expression[],
  column: (name: string) => string = (name) => name,
): void {
  if (!argument) return;
  let value = unwrapExpression(argument);
  if (ts.isArrayLiteralExpression(value) && value.elements.length) value = unwrapExpression(value.elements[0]);
  const properties = ts.isObjectLiteralExpression(value) && !hasSpread(value) ? objectProperties(value) : undefined;
  if (!properties) {
    opaque.push(argument);
    return;
  }
  for (const entry of properties) writes.push({ column: column(entry.name), value: entry.value, node: entry.node });
}

/** The variable names a call's result is bound to: `const acc = await …`, `const [row] = …`, `const { data } = …`. */
export function resultNames(call: TS.Node): string[] {
  let node: TS.Node = call;
  while (
    node.parent &&
    (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent) || ts.isNonNullExpression(node.parent) || ts.isAsExpression(node.parent))
  )
    node = node.parent;
  const parent = node.parent;
  if (!parent || !ts.isVariableDeclaration(parent) || parent.initializer !== node) return [];
  return bindingNames(parent.name);
}

function bindingNames(name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(element.name)));
}
