// no-fixed-failure-timeout, TypeScript side: code that declares a node dead (or fails over) when its
// last heartbeat is older than a fixed constant:
//   if (Date.now() - node.lastHeartbeat > 30_000) { markDead(node); failover(); }
//   worker.status = now - worker.lastSeen > TIMEOUT_MS ? 'dead' : 'alive';
// A threshold with anything observed in it (3 * p99, Math.max(3 * p99, FLOOR), a config value) is
// derived, not fixed, and stays silent; so do heartbeat checks that only decide to send the next beat.

import type * as TS from 'typescript';
import { kindSet, ts } from '../languages/typescript/project';
import { dottedName, isFunctionLike, type TsModel } from '../languages/typescript/ts-file';
import { unwrapExpression as unwrap } from '../languages/typescript/operations/chain';
import type { RuleContext } from '../core/rule';
import { declarationsIn, type Declared } from '../languages/typescript/local-variables';
import { matchesAny } from '../core/names';
import { isTestCode } from '../languages/typescript/test-code';

const ORDERING = kindSet(() => [
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);
const ARITHMETIC = kindSet(() => [ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken]);
/** Words of a failover besides the dead states of the setting `deadStates`. */
const FAILOVER_WORDS = ['failover', 'evict', 'promote', 'takeover', 'elect', 'reassign', 'requeue', 'reclaim', 'offline'];
/** Calls that drop a member from a collection: a node removed from the cluster's list. */
const REMOVALS = /^(delete|remove\w*|splice|evict\w*|drop\w*)$/;
/** Names of "the current time" variables. */
const NOW_NAME = /^(now|current(time)?)(ms|millis)?$/i;
/** Conversions a time goes through before it is compared: x.getTime(), Number(x), new Date(x), Math.floor(x / 1000). */
const CONVERSIONS = new Set(['getTime', 'valueOf', 'Number', 'Date', 'Date.parse', 'Math.floor', 'Math.round', 'Math.ceil', 'Math.abs']);

interface AgeCheck {
  /** The heartbeat read: node.lastSeen. */
  heartbeat: TS.Expression;
  /** The constant it is compared with: 30_000, TIMEOUT_MS. */
  limit: TS.Node;
}

export function checkTypeScriptFailureTimeouts(context: RuleContext): void {
  const model = context.typescript;
  const heartbeatColumns = context.names('heartbeatColumns');
  if (!model || !mentionsHeartbeat(model.text, heartbeatColumns) || isTestCode(context)) return;
  const isHeartbeat = (name: string) => matchesAny(snakeCase(name), heartbeatColumns);
  // One walk: the numeric constants of the file, and the comparisons that read a heartbeat.
  const constants = new Set<string>();
  const candidates: TS.BinaryExpression[] = [];
  const visit = (node: TS.Node): void => {
    if (
      (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.parent.flags & ts.NodeFlags.Const) ||
      (ts.isPropertyDeclaration(node) && ts.isIdentifier(node.name))
    ) {
      if (node.initializer && isNumericConstant(node.initializer, constants)) constants.add(node.name.getText(model.node));
    } else if (ts.isBinaryExpression(node) && ORDERING.has(node.operatorToken.kind)) {
      candidates.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(model.node);

  const words = [...context.names('deadStates'), ...FAILOVER_WORDS].map((word) => word.toLowerCase());
  const nodeNames = context.names('nodeTables');
  const scopes = new Map<TS.Node, Declared[]>();
  const declared = (scope: TS.Node) => scopes.get(scope) ?? scopes.set(scope, declarationsIn(scope)).get(scope)!;
  for (const comparison of candidates) {
    const check = fixedAgeCheck(model, comparison, constants, isHeartbeat, declared);
    if (!check || !declaresFailure(model, comparison, words, nodeNames)) continue;
    context.report({
      start: comparison.getStart(model.node),
      end: comparison.getEnd(),
      data: { column: flat(check.heartbeat.getText(model.node)), limit: flat(check.limit.getText(model.node)) },
    });
  }
}

/**
 * The comparison is "heartbeat age vs constant": its leaves are one heartbeat read, the current time
 * and numeric constants only (through arithmetic and date conversions, and local variables holding
 * an age). The limit is the constant side, or the first constant.
 */
function fixedAgeCheck(
  model: TsModel,
  comparison: TS.BinaryExpression,
  constants: Set<string>,
  isHeartbeat: (name: string) => boolean,
  declared: (scope: TS.Node) => Declared[],
): AgeCheck | undefined {
  const scope = model.scopeOf(comparison).node;
  let heartbeat: TS.Expression | undefined;
  let now = false;
  let fixed = true;
  const constantLeaves: TS.Node[] = [];
  const leaf = (node: TS.Expression, depth: number): void => {
    const value = unwrap(node);
    if (ts.isBinaryExpression(value) && ARITHMETIC.has(value.operatorToken.kind)) {
      leaf(value.left, depth);
      leaf(value.right, depth);
    } else if (isNow(value)) now = true;
    else if (isNumericConstant(value, constants)) constantLeaves.push(value);
    else if (isConversion(value)) {
      const converted =
        ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && !value.arguments.length
          ? value.expression.expression
          : (value as TS.CallExpression | TS.NewExpression).arguments![0];
      leaf(converted, depth);
    } else if ((ts.isIdentifier(value) || ts.isPropertyAccessExpression(value)) && isHeartbeat(ts.isIdentifier(value) ? value.text : value.name.text)) {
      if (heartbeat) fixed = false;
      heartbeat = value;
    } else if (ts.isIdentifier(value) && depth < 2) {
      // const silentFor = Date.now() - node.lastSeen; if (silentFor > TIMEOUT) …
      const initializer = declared(scope).find((each) => each.name === value.text)?.initializer;
      if (initializer) leaf(initializer, depth + 1);
      else fixed = false;
    } else fixed = false;
  };
  leaf(comparison.left, 0);
  const leftConstants = constantLeaves.length;
  leaf(comparison.right, 0);
  if (!fixed || !now || !heartbeat || !constantLeaves.length) return undefined;
  // The side made only of constants is the limit (30 * 1000); else the first constant (the 30 of x / 1000 > 30).
  const rightOnly = leftConstants === 0 && isNumericConstant(unwrap(comparison.right), constants);
  const leftOnly = leftConstants === constantLeaves.length && isNumericConstant(unwrap(comparison.left), constants);
  const limit = rightOnly ? comparison.right : leftOnly ? comparison.left : constantLeaves[constantLeaves.length - 1];
  return { heartbeat, limit };
}

/** Date.now(), new Date(), performance.now(), clock.now(), or a variable called now. */
function isNow(value: TS.Expression): boolean {
  if (ts.isCallExpression(value)) return !value.arguments.length && /(^|\.)now$/.test(dottedName(value.expression) ?? '');
  if (ts.isNewExpression(value)) return dottedName(value.expression) === 'Date' && !value.arguments?.length;
  return ts.isIdentifier(value) && NOW_NAME.test(value.text);
}

function isConversion(value: TS.Expression): boolean {
  if (!ts.isCallExpression(value) && !ts.isNewExpression(value)) return false;
  const name = dottedName(value.expression) ?? '';
  const method = name.slice(name.lastIndexOf('.') + 1);
  if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && !value.arguments.length)
    return method === 'getTime' || method === 'valueOf';
  return CONVERSIONS.has(name) && value.arguments?.length === 1;
}

/** 30_000, 30 * 1000, -1, TIMEOUT_MS (a numeric const of the file, or a SCREAMING_CASE name), this.timeoutMs when declared = 30_000. */
function isNumericConstant(value: TS.Expression, constants: Set<string>): boolean {
  const expression = unwrap(value);
  if (ts.isNumericLiteral(expression)) return true;
  if (ts.isPrefixUnaryExpression(expression)) return isNumericConstant(expression.operand, constants);
  if (ts.isBinaryExpression(expression) && ARITHMETIC.has(expression.operatorToken.kind))
    return isNumericConstant(expression.left, constants) && isNumericConstant(expression.right, constants);
  if (ts.isIdentifier(expression)) return constants.has(expression.text) || /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{2,}[0-9]*$/.test(expression.text);
  if (ts.isPropertyAccessExpression(expression)) {
    const name = expression.name.text;
    return constants.has(name) || /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(name);
  }
  return false;
}

/**
 * The comparison decides that a node failed: the branch it guards (if/?:), the statement it is part
 * of (a filter whose result is marked dead), the variable it is stored in, or the function it is
 * returned from (isDead) names a dead state or a failover, or removes a member of a node list.
 */
function declaresFailure(model: TsModel, comparison: TS.BinaryExpression, words: string[], nodeNames: string[]): boolean {
  let inner: TS.Node = comparison;
  for (let current: TS.Node | undefined = comparison.parent; current; inner = current, current = current.parent) {
    if (ts.isIfStatement(current))
      return inner === current.expression && mentionsFailure(model, [current.thenStatement, current.elseStatement], comparison, words, nodeNames);
    if (ts.isConditionalExpression(current) && inner === current.condition)
      return mentionsFailure(model, [current.whenTrue, current.whenFalse], comparison, words, nodeNames);
    if (ts.isVariableDeclaration(current)) return namesFailure(current.name.getText(model.node), words);
    if (ts.isExpressionStatement(current)) return mentionsFailure(model, [current], comparison, words, nodeNames);
    if (ts.isReturnStatement(current)) {
      while (current && !isFunctionLike(current)) current = current.parent;
      if (!current) return false;
    }
    if (isFunctionLike(current)) {
      // A callback (nodes.filter(n => …)) belongs to the statement that calls it; a function, to its name (isDead).
      if (ts.isCallExpression(current.parent)) continue;
      const name = functionName(current);
      return !!name && namesFailure(name.getText(model.node), [...words, 'alive']);
    }
    if (ts.isBlock(current) || ts.isSourceFile(current) || ts.isIterationStatement(current, false)) return false;
  }
  return false;
}

function functionName(fn: TS.FunctionLikeDeclaration): TS.Node | undefined {
  if (fn.name) return fn.name;
  const parent = fn.parent;
  return ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) ? parent.name : undefined;
}

function mentionsFailure(model: TsModel, regions: Array<TS.Node | undefined>, comparison: TS.Node, words: string[], nodeNames: string[]): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || node === comparison) return;
    if ((ts.isIdentifier(node) || ts.isStringLiteralLike(node)) && namesFailure(node.text, words)) found = true;
    else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && REMOVALS.test(node.expression.name.text)) {
      found = matchesAny(node.expression.expression.getText(model.node), nodeNames);
    }
    ts.forEachChild(node, visit);
  };
  for (const region of regions) if (region) visit(region);
  return found;
}

/** True when a name has a word starting with one of `words`: markDead, failover(), 'suspected_dead', isNodeDown. */
function namesFailure(name: string, words: string[]): boolean {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return parts.some((part) => part && words.some((word) => part.startsWith(word)));
}

const mentionPatterns = new Map<string, RegExp>();

/** Whether the text mentions a heartbeat name at all (last_seen or lastSeen for the glob last_seen*): a cheap test before the walk. */
function mentionsHeartbeat(text: string, heartbeatColumns: string[]): boolean {
  const key = heartbeatColumns.join('\u0000');
  let pattern = mentionPatterns.get(key);
  if (!pattern) {
    const parts = heartbeatColumns.flatMap((glob) => glob.split('*')).filter((part) => part.replace(/_/g, '').length > 0);
    const alternatives = parts.map((part) =>
      part
        .split('_')
        .filter(Boolean)
        .map((word) => word.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('_?'),
    );
    pattern = new RegExp(alternatives.join('|') || '$^', 'i');
    mentionPatterns.set(key, pattern);
  }
  return pattern.test(text);
}

/** lastHeartbeatAt → last_heartbeat_at, for the snake_case globs of the setting heartbeatColumns. */
function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function flat(text: string): string {
  const single = text.replace(/\s+/g, ' ');
  return single.length > 60 ? `${single.slice(0, 57)}…` : single;
}
