// Retries in TypeScript code, and how they pace themselves. A retry is a loop whose try block leaves
// the loop on success while its catch lets the loop go round again, or a function that calls itself
// again from its catch block (or, after a wait, with an attempt count going up or down). Only the
// same failing operation tried again is a retry. Not retries: loops that do not leave on success (a
// worker polling every second, catching and logging errors; pagination, which moves on to the next
// page), scanners walking a buffer or a list, functions that also schedule themselves on success (a
// poller), readiness polls (`waitForServer` up to a deadline), and a new attempt with a new value
// after a collision (regenerate a code or slug when the unique key is taken, and insert again).

import type * as TS from 'typescript';
import { kindSet, ts } from '../languages/typescript/project';
import { childAt, dottedName, functionName, isFunctionLike, isLoop } from '../languages/typescript/ts-file';
import type { RuleContext } from '../core/rule';
import { declarationOf, findDeclaration, unwrap } from './typescript/ts-declarations';

export interface Retry {
  kind: 'loop' | 'recursion';
  /** The loop, or the function that calls itself. */
  node: TS.IterationStatement | TS.FunctionLikeDeclaration;
  /** The block that leads to the next attempt: the catch block, or the block holding the self-call. */
  region: TS.Block;
  /** For recursion: the call that retries. */
  retryCall?: TS.CallExpression;
  /** The function's name, for recursion. */
  name?: string;
  /** The wait before the next attempt: the call that sleeps and its delay expression. */
  wait?: { call: TS.CallExpression; delay: TS.Expression | undefined };
  /** How the waits go; 'unknown' when a helper whose pacing cannot be read (this.backoff(attempt)) waits. */
  pace: Pace;
  /** No attempt limit, deadline or abort check. */
  unbounded: boolean;
  /** A variable counting attempts upwards, when there is one (for the backoff fix). */
  counter?: string;
  /** The function the retry is in is async: an `await` can be added. */
  async: boolean;
}

export type Pace = 'none' | 'constant' | 'constantJitter' | 'noJitter' | 'backoffWithJitter' | 'unknown';

/**
 * Sleep calls whose argument is the delay (the second one for setTimeout with a callback): names
 * (setting `sleepFunctions`) of plain functions or of a module's, or dotted names written in full.
 */
export const SLEEP_FUNCTIONS = [
  'sleep',
  'delay',
  'wait',
  'pause',
  'snooze',
  'timeout',
  'setTimeout',
  'sleepMs',
  'delayMs',
  'waitMs',
  'Bun.sleep',
  'scheduler.wait',
];
const LOGGING = /^(console|logger|log)(\.|$)|(^|\.)(log|debug|info|warn|warning|error|trace|fatal|captureException|captureMessage)$/i;
/** Helpers that wait for an amount they compute: their pacing cannot be read here. */
const OPAQUE_WAITS = /backoff|delay|sleep|wait|jitter|retryafter|cooldown/i;
const RANDOM = /random|jitter/i;
/** Errors that say a unique key is taken: the next attempt uses a new value, it does not retry a failure. */
const UNIQUE_COLLISION = /unique|duplicate|already.?exists|23505|P2002|ER_DUP_ENTRY|collision/i;
/** Functions that wait for something to become ready, up to a deadline. */
/** Calls that make a fresh identifier or code for the next attempt. */
const NEW_VALUE = /nanoid|uuid|random|generate|slug|suffix|unique/i;
const READINESS = /^(wait|poll)|until|ready|readiness|healthy|health.?check|is.?up$|started/i;
const PURE_MATH = new Set(['min', 'max', 'pow', 'floor', 'ceil', 'round', 'trunc', 'abs']);
const COMPARISONS = kindSet(() => [
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);
const UPDATES = kindSet(() => [
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken,
]);

/**
 * Every retry of the document. No walk of the whole file: loops are reached from the `catch`
 * keywords of the text, self-calls from the calls the model already lists.
 */
export function findRetries(context: RuleContext): Retry[] {
  const model = context.typescript;
  if (!model) return [];
  const found: Retry[] = [];
  const loops = new Set<TS.Node>();
  for (const match of context.text.matchAll(/\bcatch\b/g)) {
    context.spend();
    const clause = nodeAt(model.node, match.index);
    const loop = ts.isCatchClause(clause) ? enclosingLoop(clause.parent) : undefined;
    if (!loop || loops.has(loop)) continue;
    loops.add(loop);
    const retry = loopRetry(context, loop);
    if (retry) found.push(retry);
  }
  const named = new Set<string>();
  for (const scope of model.functions) {
    const name = isFunctionLike(scope.node) ? functionName(scope.node) : undefined;
    if (name) named.add(name);
  }
  const retried = new Set<TS.Node>();
  for (const scope of model.functions) {
    for (const site of scope.calls) {
      context.spend();
      if (!named.has(site.method) || !ts.isCallExpression(site.node) || !calls(site.node, site.method)) continue;
      const fn = enclosingFunctionNamed(site.node, site.method);
      if (!fn || retried.has(fn)) continue;
      const retry = recursiveRetry(context, fn, site.method, site.node);
      if (retry) {
        retried.add(fn);
        found.push(retry);
      }
    }
  }
  return found;
}

/** The deepest node whose range holds an offset. */
function nodeAt(root: TS.Node, offset: number): TS.Node {
  let node = root;
  for (let next = childAt(node, offset); next; next = childAt(node, offset)) node = next;
  return node;
}

/** The nearest loop around a statement, in the same function. */
function enclosingLoop(node: TS.Node): TS.ForStatement | TS.WhileStatement | TS.DoStatement | undefined {
  for (let current = node.parent; current && !isFunctionLike(current); current = current.parent) {
    if (ts.isForStatement(current) || ts.isWhileStatement(current) || ts.isDoStatement(current)) return current;
    if (ts.isForOfStatement(current) || ts.isForInStatement(current)) return undefined;
  }
  return undefined;
}

function enclosingFunctionNamed(node: TS.Node, name: string): TS.FunctionLikeDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) if (isFunctionLike(current) && functionName(current) === name) return current;
  return undefined;
}

function loopRetry(context: RuleContext, loop: TS.ForStatement | TS.WhileStatement | TS.DoStatement): Retry | undefined {
  const condition = ts.isForStatement(loop) ? loop.condition : loop.expression;
  const sizes = sizedCollections(condition);
  const tries = directTries(loop.statement);
  const updated = updatedNames(loop);
  const conditionNames = namesIn(condition);
  const deadline = hasDeadline(loop);
  // waitForServer(): polls until a service answers, up to a deadline.
  if (deadline && READINESS.test(enclosingFunctionName(loop) ?? '')) return undefined;
  for (const statement of tries) {
    const handler = statement.catchClause;
    if (!handler || (endsWithExit(handler.block, loop) && !continuesLoop(handler.block, loop))) continue;
    if (!leavesOnSuccess(statement.tryBlock, loop, conditionNames)) continue;
    if (retriesCollision(handler.block) || changesInput(handler.block, statement.tryBlock)) continue;
    const waits = waitsIn(context, loop.statement, statement.tryBlock);
    // for (let i = 0; i < items.length; i++), while (pos < bytes.length): walks a collection or a
    // buffer; unless the collection is the table of delays the retry waits (sleep(DELAYS[attempt])).
    const delayNames = namesIn(waits.wait?.delay);
    if (sizes.length && !sizes.some((name) => delayNames.has(name))) return undefined;
    const pace = waits.opaque ? 'unknown' : paceOf(waits.wait?.delay, waits.wait !== undefined, updated, loop);
    // Two attempts at most: one wait, so there is nothing to grow; a random one is all it needs.
    if (pace === 'constantJitter' && maxAttempts(loop) <= 2) return undefined;
    return {
      kind: 'loop',
      node: loop,
      region: handler.block,
      wait: waits.wait,
      pace,
      unbounded: isConstantTrue(loop) && !deadline && !hasBound(loop.statement, updated),
      counter: counterOf(loop, updated),
      async: isAsyncContext(loop),
    };
  }
  return undefined;
}

function recursiveRetry(context: RuleContext, fn: TS.FunctionLikeDeclaration, name: string, retryCall: TS.CallExpression): Retry | undefined {
  if (!fn.body) return undefined;
  // From the catch block of a try of this function, or else from the nearest block holding the call.
  let region: TS.Block | undefined;
  let fromCatch = false;
  for (let current: TS.Node = retryCall.parent; current !== fn; current = current.parent) {
    if (ts.isCatchClause(current)) {
      region = current.block;
      fromCatch = true;
      break;
    }
    if (!region && ts.isBlock(current)) region = current;
  }
  if (!region) return undefined;
  // A function that also calls itself on its normal path is a poller: its failure pace is its pace.
  if (fromCatch && callsItselfOutsideCatch(fn, name)) return undefined;
  if (fromCatch && (retriesCollision(region) || changesArgumentInput(fn, retryCall))) return undefined;
  const waits = waitsIn(context, region, undefined);
  // Outside a catch, only a self-call that waits and counts attempts is a retry (a tree walk counts
  // depth but does not wait). An immediate self-call from a catch that counts nothing usually leans on
  // the operation's own pacing (a client that retries with delays inside, as redlock's extend does).
  const counts = countsAttempts(fn, retryCall);
  if (fromCatch ? !counts && !waits.wait : !counts || !waits.wait) return undefined;
  const parameters = new Set(fn.parameters.flatMap((parameter) => (ts.isIdentifier(parameter.name) ? [parameter.name.text] : [])));
  const updated = new Set([...parameters, ...updatedNames(fn.body)]);
  const pace = waits.opaque ? 'unknown' : paceOf(waits.wait?.delay, waits.wait !== undefined, updated, fn);
  return {
    kind: 'recursion',
    node: fn,
    region,
    retryCall,
    name,
    wait: waits.wait,
    pace,
    unbounded: !hasBound(fn.body, updated),
    counter: increasedArgument(fn, retryCall),
    async: !!fn.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword),
  };
}

/** Try statements of a loop body, not inside nested functions or loops. */
function directTries(body: TS.Node): TS.TryStatement[] {
  const found: TS.TryStatement[] = [];
  const visit = (node: TS.Node): void => {
    if (isFunctionLike(node) || isLoop(node)) return;
    if (ts.isTryStatement(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/** The block ends with throw/return/break out of the loop (or process.exit): the error is not retried. */
function endsWithExit(block: TS.Block | undefined, loop: TS.Node): boolean {
  const last = block?.statements[block.statements.length - 1];
  if (!last) return false;
  if (ts.isThrowStatement(last) || ts.isReturnStatement(last)) return true;
  if (ts.isBreakStatement(last)) return breakTarget(last) === loop;
  if (ts.isExpressionStatement(last) && ts.isCallExpression(last.expression)) return dottedName(last.expression.expression) === 'process.exit';
  return false;
}

/**
 * The try block ends by leaving the loop: its last statement returns or breaks (or is an `if` that
 * does), or sets what the loop condition tests (`done = true` in `while (!done)`). A loop whose try
 * block goes on to the next iteration after doing its work (a consumer taking the next message) is
 * not a retry, even when it can break somewhere in the middle.
 */
function leavesOnSuccess(block: TS.Block, loop: TS.Node, conditionNames: Set<string>): boolean {
  const last = block.statements[block.statements.length - 1];
  if (!last) return false;
  if (ts.isReturnStatement(last)) return true;
  if (ts.isBreakStatement(last)) return breakTarget(last) === loop;
  // Ends by throwing: the success path is an earlier return (`if (response.ok) return …`).
  if (ts.isThrowStatement(last)) return exitsLoop(block, loop);
  // A try block that moves an input of its call on (cursor = page.next; offset += limit) walks
  // pages, even when it stops at the last one: it does not retry.
  if (advancesInput(block)) return false;
  if (ts.isIfStatement(last)) return exitsLoop(last.thenStatement, loop);
  return [...updatedNames(last)].some((name) => conditionNames.has(name));
}

/**
 * A name the block updates is also an argument of a call in it: the next round calls with a new
 * value. Loops inside the block (a `for` over the results) move their own counters, not the retry's.
 */
function advancesInput(block: TS.Block): boolean {
  const updated = new Set<string>();
  const collect = (node: TS.Node): void => {
    if (isFunctionLike(node) || isLoop(node)) return;
    if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
    ) {
      const name = dottedName(node.operand);
      if (name) updated.add(name);
    } else if (ts.isBinaryExpression(node) && UPDATES.has(node.operatorToken.kind)) {
      const name = dottedName(node.left);
      if (name) updated.add(name);
    }
    ts.forEachChild(node, collect);
  };
  collect(block);
  if (!updated.size) return false;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || isFunctionLike(node) || isLoop(node)) return;
    if (ts.isCallExpression(node) && node.arguments.some((argument) => [...namesIn(argument)].some((name) => updated.has(name)))) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(block);
  return found;
}

/**
 * The failure path goes on only for a unique-key collision: a condition of the catch block names
 * one (`err instanceof UniqueConstraintError`, `code === '23505'`, `isDuplicate`) and either exits
 * unless it holds, or goes round again when it holds.
 */
function retriesCollision(block: TS.Block): boolean {
  for (const statement of block.statements) {
    if (!ts.isIfStatement(statement) || !UNIQUE_COLLISION.test(statement.expression.getText())) continue;
    const negated = negatesCollision(statement.expression);
    const exits =
      endsWithExit(ts.isBlock(statement.thenStatement) ? statement.thenStatement : undefined, statement) ||
      ts.isThrowStatement(statement.thenStatement) ||
      ts.isReturnStatement(statement.thenStatement);
    if (negated ? exits : !exits) return true;
  }
  return false;
}

/** The collision test is under a `!` or a `!==`: the branch runs when the error is something else. */
function negatesCollision(condition: TS.Expression): boolean {
  let negated = false;
  const visit = (node: TS.Node): void => {
    if (negated) return;
    const text = () => node.getText();
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken && UNIQUE_COLLISION.test(text())) negated = true;
    else if (
      ts.isBinaryExpression(node) &&
      (node.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken || node.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken) &&
      UNIQUE_COLLISION.test(text())
    )
      negated = true;
    else ts.forEachChild(node, visit);
  };
  visit(condition);
  return negated;
}

/**
 * The catch block gives a name the try block reads a new, generated value (`code = `${code}${nanoid(2)}``,
 * `slug = generateSlug()`): the next attempt is a different operation, not the failed one again.
 * Counters, a kept error (`lastError = error`) and a new connection (`client = await connect()`, a
 * reconnect that is still a retry) do not count.
 */
function changesInput(handler: TS.Block, tryBlock: TS.Block): boolean {
  const read = namesIn(tryBlock);
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || isFunctionLike(node)) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && read.has(dottedName(node.left) ?? '') && isNewValue(node.right))
      found = true;
    else ts.forEachChild(node, visit);
  };
  visit(handler);
  return found;
}

/** The self-call passes a new, generated value where the function had one: create(`${slug}-${suffix()}`). */
function changesArgumentInput(fn: TS.FunctionLikeDeclaration, call: TS.CallExpression): boolean {
  return call.arguments.some((argument, index) => {
    const parameter = fn.parameters[index]?.name;
    const value = unwrap(argument);
    return !!parameter && ts.isIdentifier(parameter) && !!value && !(ts.isIdentifier(value) && value.text === parameter.text) && isNewValue(value);
  });
}

/** A value built for the next attempt: a string built from parts, or the result of an id, code or slug generator (also through a variable). */
function isNewValue(expression: TS.Expression, depth = 0): boolean {
  const value = unwrap(expression);
  if (!value) return false;
  if (ts.isIdentifier(value)) {
    const declaration = depth < 2 ? declarationOf(value) : undefined;
    return !!declaration?.initializer && isNewValue(declaration.initializer, depth + 1);
  }
  if (ts.isTemplateExpression(value)) return true;
  if (
    ts.isBinaryExpression(value) &&
    value.operatorToken.kind === ts.SyntaxKind.PlusToken &&
    (ts.isStringLiteralLike(value.left) || ts.isStringLiteralLike(value.right) || ts.isTemplateExpression(value.left) || ts.isTemplateExpression(value.right))
  )
    return true;
  let generated = false;
  const visit = (node: TS.Node): void => {
    if (generated || isFunctionLike(node)) return;
    if (ts.isCallExpression(node) && NEW_VALUE.test(dottedName(node.expression) ?? '')) generated = true;
    else ts.forEachChild(node, visit);
  };
  visit(value);
  return generated;
}

/** A call of the function to itself that is not inside a catch clause (nor a nested function). */
function callsItselfOutsideCatch(fn: TS.FunctionLikeDeclaration, name: string): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || ts.isCatchClause(node)) return;
    if (ts.isCallExpression(node) && calls(node, name)) found = true;
    else ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** The loop stops at a deadline: its condition or body compares with Date.now()/performance.now(), or checks an abort signal. */
function hasDeadline(loop: TS.Node): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || isFunctionLike(node)) return;
    if (
      ts.isBinaryExpression(node) &&
      COMPARISONS.has(node.operatorToken.kind) &&
      [...namesIn(node)].some((name) => /^(Date\.now|performance\.now)$/.test(name))
    )
      found = true;
    else ts.forEachChild(node, visit);
  };
  visit(loop);
  return found;
}

/** `items` and `bytes` in a loop condition `i < items.length`, `pos < bytes.byteLength`. */
function sizedCollections(condition: TS.Expression | undefined): string[] {
  const found: string[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isPropertyAccessExpression(node) && /^(length|byteLength|size)$/.test(node.name.text)) found.push(dottedName(node.expression) ?? '');
    else ts.forEachChild(node, visit);
  };
  if (condition) visit(condition);
  return found;
}

/** At most how many attempts a `for (let i = 0; i < N; i++)` loop makes (Infinity when it cannot tell). */
function maxAttempts(loop: TS.ForStatement | TS.WhileStatement | TS.DoStatement): number {
  if (!ts.isForStatement(loop) || !loop.condition || !ts.isBinaryExpression(loop.condition)) return Infinity;
  const { left, operatorToken, right } = loop.condition;
  const declarations = loop.initializer && ts.isVariableDeclarationList(loop.initializer) ? loop.initializer.declarations : [];
  const start = declarations.find(
    (declaration) => ts.isIdentifier(declaration.name) && ts.isIdentifier(left) && declaration.name.text === left.text,
  )?.initializer;
  if (!start || !ts.isNumericLiteral(start) || !ts.isNumericLiteral(right)) return Infinity;
  const limit = Number(right.text) - Number(start.text);
  if (operatorToken.kind === ts.SyntaxKind.LessThanToken) return limit;
  if (operatorToken.kind === ts.SyntaxKind.LessThanEqualsToken) return limit + 1;
  return Infinity;
}

function enclosingFunctionName(node: TS.Node): string | undefined {
  const fn = enclosingFunction(node);
  return fn && functionName(fn);
}

/** A return, or a break of this loop, inside a statement (not in nested functions). */
function exitsLoop(block: TS.Statement, loop: TS.Node): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) || (ts.isBreakStatement(node) && breakTarget(node) === loop)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(block);
  return found;
}

/** A `continue` of this loop inside a block (the catch retries explicitly, and throws otherwise). */
function continuesLoop(block: TS.Block, loop: TS.Node): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || isFunctionLike(node)) return;
    if (ts.isContinueStatement(node) && breakTarget(node) === loop) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(block);
  return found;
}

function breakTarget(statement: TS.BreakStatement | TS.ContinueStatement): TS.Node | undefined {
  for (let current = statement.parent; current; current = current.parent) {
    if (isFunctionLike(current)) return undefined;
    if (statement.label) {
      if (ts.isLabeledStatement(current) && current.label.text === statement.label.text) return current.statement;
    } else if (isLoop(current) || (ts.isSwitchStatement(current) && ts.isBreakStatement(statement))) return current;
  }
  return undefined;
}

/**
 * The wait on the failure path: the first sleep call in `region` outside `skip` (the try block,
 * whose waits belong to the success path). Promise executors and timer callbacks are looked into
 * (`await new Promise((r) => setTimeout(r, ms))`). Without one, `opaque` says that something else
 * may pace the retry: a helper named like a wait (this.policy.wait(n), computeBackoff()), or another
 * awaited call that is not logging (its duration is unknown).
 */
function waitsIn(context: RuleContext, region: TS.Node, skip: TS.Node | undefined): { wait?: Retry['wait']; opaque: boolean } {
  let wait: Retry['wait'];
  let opaque = false;
  const visit = (node: TS.Node): void => {
    if (wait || node === skip) return;
    if (ts.isCallExpression(node)) {
      const callee = dottedName(node.expression) ?? '';
      const method = callee.slice(callee.lastIndexOf('.') + 1);
      if (isSleep(context, callee)) {
        const [first, second] = node.arguments;
        const takesCallback =
          first && (ts.isArrowFunction(first) || ts.isFunctionExpression(first) || (ts.isIdentifier(first) && method === 'setTimeout' && second !== undefined));
        wait = { call: node, delay: takesCallback ? second : first };
        return;
      }
      if (OPAQUE_WAITS.test(method) || (ts.isAwaitExpression(node.parent) && !LOGGING.test(callee))) opaque = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(region);
  return { wait, opaque: !wait && opaque };
}

/** sleep(ms), this.delay(ms), utils.sleep(ms) from an import, setTimeout, Bun.sleep, scheduler.wait. */
function isSleep(context: RuleContext, callee: string): boolean {
  const lower = callee.toLowerCase();
  const parts = lower.split('.');
  const method = parts[parts.length - 1];
  const plain = parts.length === 1 || (parts.length === 2 && context.typescript!.imports.has(callee.split('.')[0]));
  return context.names('sleepFunctions').some((name) => {
    const wanted = name.toLowerCase();
    return wanted.includes('.') ? wanted === lower || lower.endsWith(`.${wanted}`) : plain && wanted === method;
  });
}

/**
 * How the delay behaves across attempts: it grows when it depends on something the retry updates
 * (the attempt counter, a `delay *= 2`), it is random when Math.random (or a jitter/random helper)
 * is in it. A call to anything else makes it unknown.
 */
function paceOf(delay: TS.Expression | undefined, hasWait: boolean, updated: Set<string>, scope: TS.Node): Pace {
  if (!hasWait) return 'none';
  if (!delay) return 'constant';
  const traits = { grows: false, random: false, unknown: false };
  const seen = new Set<TS.Node>();
  const visit = (node: TS.Node): void => {
    if (traits.unknown || seen.has(node)) return;
    seen.add(node);
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
      const name = dottedName(node) ?? '';
      if (updated.has(name)) traits.grows = true;
      else if (ts.isIdentifier(node)) {
        // A variable computed on every attempt: follow it to its initializer.
        const declaration = declarationOf(node);
        if (declaration?.initializer && declaration.pos >= scope.pos && declaration.end <= scope.end) visit(declaration.initializer);
        if (declaration && updated.has(node.text)) traits.grows = true;
      }
      return;
    }
    if (ts.isCallExpression(node)) {
      const callee = dottedName(node.expression) ?? '';
      if (RANDOM.test(callee)) {
        // jitter(base * 2 ** attempt): random, and growing with what it is given.
        traits.random = true;
        node.arguments.forEach(visit);
      } else if (callee.startsWith('Math.') && PURE_MATH.has(callee.slice(5))) node.arguments.forEach(visit);
      else {
        // computeDelay(attempt): a helper of this file, read through its body.
        const helper = helperTraits(node);
        if (!helper) traits.unknown = true;
        else {
          if (helper.random) traits.random = true;
          if (helper.unknown && !helper.random) traits.unknown = true;
          // It grows when what it is given grows.
          node.arguments.forEach(visit);
        }
      }
      return;
    }
    if (isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(delay);
  if (traits.unknown) return 'unknown';
  if (traits.grows) return traits.random ? 'backoffWithJitter' : 'noJitter';
  return traits.random ? 'constantJitter' : 'constant';
}

/**
 * What a delay helper of the same file does: whether its body draws a random number, and whether it
 * calls anything else (whose effect cannot be read). Functions declared with `function`, arrow
 * functions in a `const`, and methods of the enclosing class (`this.backoffDelay(attempt)`).
 */
function helperTraits(call: TS.CallExpression): { random: boolean; unknown: boolean } | undefined {
  const body = helperBody(call);
  if (!body) return undefined;
  const traits = { random: false, unknown: false };
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = dottedName(node.expression) ?? '';
      if (RANDOM.test(callee)) traits.random = true;
      else if (!(callee.startsWith('Math.') && PURE_MATH.has(callee.slice(5)))) traits.unknown = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return traits;
}

function helperBody(call: TS.CallExpression): TS.Node | undefined {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) {
    const declaration = findDeclaration(call, callee.text)?.node;
    if (declaration && ts.isFunctionDeclaration(declaration)) return declaration.body;
    if (declaration && ts.isVariableDeclaration(declaration)) {
      const value = unwrap(declaration.initializer);
      return value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) ? value.body : undefined;
    }
    return undefined;
  }
  if (!ts.isPropertyAccessExpression(callee) || callee.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  let owner: TS.Node | undefined = call.parent;
  while (owner && !ts.isClassLike(owner)) owner = owner.parent;
  for (const member of owner && ts.isClassLike(owner) ? owner.members : []) {
    if (!member.name || propertyName(member.name) !== callee.name.text) continue;
    if (ts.isMethodDeclaration(member)) return member.body;
    if (ts.isPropertyDeclaration(member)) {
      const value = unwrap(member.initializer);
      return value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) ? value.body : undefined;
    }
  }
  return undefined;
}

function propertyName(name: TS.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** Names (and dotted property paths) that a loop or function body assigns or increments. */
function updatedNames(node: TS.Node): Set<string> {
  const names = new Set<string>();
  const visit = (child: TS.Node): void => {
    if (ts.isPrefixUnaryExpression(child) || ts.isPostfixUnaryExpression(child)) {
      if (child.operator === ts.SyntaxKind.PlusPlusToken || child.operator === ts.SyntaxKind.MinusMinusToken) {
        const name = dottedName(child.operand);
        if (name) names.add(name);
      }
    } else if (ts.isBinaryExpression(child) && UPDATES.has(child.operatorToken.kind)) {
      const name = dottedName(child.left);
      if (name) names.add(name);
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return names;
}

function namesIn(node: TS.Node | undefined): Set<string> {
  const names = new Set<string>();
  const visit = (child: TS.Node): void => {
    if (ts.isIdentifier(child) || ts.isPropertyAccessExpression(child)) {
      const name = dottedName(child);
      if (name) names.add(name);
    }
    ts.forEachChild(child, visit);
  };
  if (node) visit(node);
  return names;
}

/** while (true), for (;;), do … while (true). */
function isConstantTrue(loop: TS.ForStatement | TS.WhileStatement | TS.DoStatement): boolean {
  const condition = ts.isForStatement(loop) ? loop.condition : loop.expression;
  if (!condition) return true;
  const value = unwrap(condition);
  return value.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(value) && value.text !== '0');
}

/**
 * A comparison with something the retry updates (`attempt >= max`, `!retriesLeft`), a decision taken
 * from it by a helper (`if (!shouldRetry(error, attempt))`), a deadline (Date.now()), or an abort check.
 */
function hasBound(body: TS.Node, updated: Set<string>): boolean {
  let found = false;
  const counts = (node: TS.Node) => [...namesIn(node)].some((name) => updated.has(name));
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(node) && COMPARISONS.has(node.operatorToken.kind)) {
      const names = namesIn(node);
      if ([...names].some((name) => updated.has(name) || /^(Date\.now|performance\.now)$/.test(name))) found = true;
    } else if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken && counts(node.operand)) found = true;
    else if (ts.isIfStatement(node) && ts.isCallExpression(unwrap(node.expression) ?? node.expression) && counts(node.expression)) found = true;
    else if (ts.isPropertyAccessExpression(node) && (node.name.text === 'aborted' || node.name.text === 'throwIfAborted')) found = true;
    if (!found) ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/** The variable counting attempts upwards: for (let attempt = 0; …; attempt++), or an `attempt++` in the body. */
function counterOf(loop: TS.ForStatement | TS.WhileStatement | TS.DoStatement, updated: Set<string>): string | undefined {
  const increments = new Set<string>();
  const visit = (node: TS.Node): void => {
    if (isFunctionLike(node)) return;
    if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      node.operator === ts.SyntaxKind.PlusPlusToken &&
      ts.isIdentifier(node.operand)
    )
      increments.add(node.operand.text);
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken &&
      ts.isIdentifier(node.left) &&
      ts.isNumericLiteral(node.right) &&
      node.right.text === '1'
    )
      increments.add(node.left.text);
    ts.forEachChild(node, visit);
  };
  visit(loop);
  const candidates = [...increments].filter((name) => updated.has(name));
  return candidates.find((name) => /attempt|retr|tr(y|ies)|count/i.test(name)) ?? candidates[0];
}

/** The parameter a recursive retry passes on increased by a number: f(x, attempt + 1). */
function increasedArgument(fn: TS.FunctionLikeDeclaration, call: TS.CallExpression): string | undefined {
  return changedArgument(fn, call, [ts.SyntaxKind.PlusToken]);
}

/** The recursive call passes a parameter on changed by a number: f(attempt + 1), f(retries - 1). */
function countsAttempts(fn: TS.FunctionLikeDeclaration, call: TS.CallExpression): boolean {
  return changedArgument(fn, call, [ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken]) !== undefined;
}

function changedArgument(fn: TS.FunctionLikeDeclaration, call: TS.CallExpression, operators: TS.SyntaxKind[]): string | undefined {
  for (const [index, argument] of call.arguments.entries()) {
    const value = unwrap(argument);
    const parameter = fn.parameters[index]?.name;
    if (!value || !parameter || !ts.isIdentifier(parameter) || !ts.isBinaryExpression(value)) continue;
    if (operators.includes(value.operatorToken.kind) && ts.isIdentifier(value.left) && value.left.text === parameter.text && ts.isNumericLiteral(value.right))
      return parameter.text;
  }
  return undefined;
}

function calls(call: TS.CallExpression, name: string): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text === name;
  return ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword && callee.name.text === name;
}

function enclosingFunction(node: TS.Node): TS.FunctionLikeDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) if (isFunctionLike(current)) return current;
  return undefined;
}

/** The loop runs in an async function (top-level await is not allowed everywhere: CommonJS, scripts). */
function isAsyncContext(node: TS.Node): boolean {
  return !!enclosingFunction(node)?.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword);
}
