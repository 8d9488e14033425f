// Distributed locks taken in Redis from TypeScript: `SET key value NX PX …` in the call styles of
// node-redis (`{ NX: true, PX: 30000 }`, v5 `{ condition: 'NX' }`), ioredis (`'PX', 30000, 'NX'`) and
// Upstash (`{ nx: true, px: 30000 }`), `setnx`, and Redlock's acquire/using/lock; with the key and the
// owner's value, and what ends the locked region (a delete of the key, a release).

import type * as TS from 'typescript';
import { ts } from '../../languages/typescript/project';
import { moduleKind, type CallSite, type FunctionScope, type TsModel } from '../../languages/typescript/ts-file';
import type { RuleContext } from '../../core/rule';
import { objectProperty } from './ts-effects';

/** Which client API a call is written for; decides the shape of an `eval` call. */
export type RedisStyle = 'node-redis' | 'ioredis' | 'upstash';

export interface RedisLock {
  call: CallSite;
  /** The function the acquisition is written in. */
  scope: FunctionScope;
  /** Redlock's `using(resources, ttl, callback)`: the callback runs under the lock. */
  callback: FunctionScope | undefined;
  /** 'nx': SET NX / SETNX of one key; 'redlock': Redlock. */
  kind: 'nx' | 'redlock';
  key: TS.Expression | undefined;
  /** The value stored under the key: the owner's identity when it is unique per holder. */
  value: TS.Expression | undefined;
  style: RedisStyle | undefined;
}

const SETNX = new Set(['setnx', 'setNX', 'SETNX']);
const REDLOCK_METHODS = new Set(['acquire', 'using', 'lock']);
const DELETES = new Set(['del', 'unlink', 'DEL', 'UNLINK']);
const SCRIPTS = new Set(['eval', 'evalsha', 'evalSha', 'EVAL', 'EVALSHA']);
/** Keys of SET NX that mark work as done or limit a rate rather than lock a resource (a word start: not "generate"). */
const MARKER_KEYS = /(^|[^a-z])(idempot|dedup|processed|seen|nonce|once|rate|throttl|cache|session)/i;
/** A key that says it is a lock: lock:…, …:lock, …:locks:…, mutex:…, leader:…, lease:…. */
const LOCK_KEY = /(^|[^a-z])(locks?|mutex|leader|lease)([^a-z]|$)/i;

/** The Redis locks taken in a document, computed once per lint run. */
export function redisLocks(context: RuleContext): RedisLock[] {
  return context.memo('redisLocks', () => {
    const model = context.typescript;
    if (!model || !/nx|redlock/i.test(model.text)) return [];
    const locks: RedisLock[] = [];
    for (const scope of model.functions) {
      for (const call of scope.calls) {
        const lock = lockOf(model, scope, call);
        if (lock) locks.push(lock);
      }
    }
    return locks;
  });
}

function lockOf(model: TsModel, scope: FunctionScope, call: CallSite): RedisLock | undefined {
  const node = call.node;
  if (!ts.isCallExpression(node)) return undefined;
  const args = node.arguments;
  if (REDLOCK_METHODS.has(call.method) && (call.kind === 'redlock' || /redlock/i.test(call.callee.split('.').slice(-2)[0] ?? ''))) {
    const last = args[args.length - 1];
    const callback =
      call.method === 'using' && last && (ts.isArrowFunction(last) || ts.isFunctionExpression(last))
        ? model.functions.find((each) => each.node === last)
        : undefined;
    return { call, scope, callback, kind: 'redlock', key: args[0], value: undefined, style: undefined };
  }
  if (call.kind !== undefined && call.kind !== 'redis') return undefined;
  let style: RedisStyle | undefined;
  if ((call.method === 'set' || call.method === 'SET') && args.length >= 3) {
    style = nxOptionStyle(args.slice(2));
    if (!style) return undefined;
  } else if (SETNX.has(call.method) && args.length >= 2) {
    style = fileStyle(model) ?? (call.method === 'setNX' ? 'node-redis' : undefined);
  } else return undefined;
  if (!isLockKey(model, args[0])) return undefined;
  return { call, scope, callback: undefined, kind: 'nx', key: args[0], value: args[1], style };
}

/** The client style of SET's options when they ask for NX, else undefined. */
function nxOptionStyle(options: readonly TS.Expression[]): RedisStyle | undefined {
  for (const option of options) {
    if (ts.isStringLiteralLike(option) && option.text.toUpperCase() === 'NX') return 'ioredis';
    if (!ts.isObjectLiteralExpression(option)) continue;
    if (isTrue(objectProperty(option, 'NX'))) return 'node-redis';
    if (isTrue(objectProperty(option, 'nx'))) return 'upstash';
    const condition = objectProperty(option, 'condition');
    if (condition && ts.isStringLiteralLike(condition) && condition.text === 'NX') return 'node-redis';
  }
  return undefined;
}

function isTrue(expression: TS.Expression | undefined): boolean {
  return expression?.kind === ts.SyntaxKind.TrueKeyword;
}

/** The Redis client the file imports, when it imports exactly one. */
export function fileStyle(model: TsModel): RedisStyle | undefined {
  const styles = new Set<RedisStyle>();
  for (const binding of model.imports.values()) {
    if (moduleKind(binding.module) !== 'redis') continue;
    styles.add(/ioredis/.test(binding.module) ? 'ioredis' : /upstash/.test(binding.module) ? 'upstash' : 'node-redis');
  }
  return styles.size === 1 ? [...styles][0] : undefined;
}

/** The literal text of a key expression (string parts of templates and concatenations). */
function keyLiteralText(key: TS.Expression): string {
  if (ts.isStringLiteralLike(key)) return key.text;
  if (ts.isTemplateExpression(key)) return [key.head.text, ...key.templateSpans.map((span) => span.literal.text)].join('\u0000');
  if (ts.isBinaryExpression(key) && key.operatorToken.kind === ts.SyntaxKind.PlusToken) return `${keyLiteralText(key.left)}\u0000${keyLiteralText(key.right)}`;
  if (ts.isParenthesizedExpression(key)) return keyLiteralText(key.expression);
  return '';
}

/** True when a key expression names a lock: by its literal text (lock:…) or its variable (lockKey). */
export function isLockNamed(key: TS.Expression): boolean {
  if (LOCK_KEY.test(keyLiteralText(key))) return true;
  const name = ts.isIdentifier(key) ? key.text : ts.isPropertyAccessExpression(key) ? key.name.text : '';
  // lockKey, LOCK_KEY, this.leaseName; not blockKey or clockSkew.
  return /(^|_)(lock|mutex|lease)|Lock|Mutex|Lease|LOCK|MUTEX|LEASE/.test(name);
}

/** A NX key is a lock unless its name says it marks processed work or a rate window. */
function isLockKey(model: TsModel, key: TS.Expression): boolean {
  return isLockNamed(key) || !MARKER_KEYS.test(key.getText(model.node));
}

/** Source text of an expression with whitespace removed, to compare keys written the same way. */
export function expressionText(model: TsModel, expression: TS.Node): string {
  return expression.getText(model.node).replace(/\s+/g, '');
}

/** True when a call deletes a key (`del`/`unlink`), whatever the key. */
export function isDelete(call: CallSite): boolean {
  return DELETES.has(call.method) && ts.isCallExpression(call.node) && call.node.arguments.length > 0;
}

/** True when a call runs a Lua script (`eval`, `evalsha`). */
function isScript(call: CallSite): boolean {
  return SCRIPTS.has(call.method);
}

/**
 * The calls that run while a lock is held: the `using` callback, or the calls after the acquisition
 * in the same function up to the first release (a delete or script on the key, `release()`, `unlock()`).
 */
export function callsUnderLock(model: TsModel, lock: RedisLock): CallSite[] {
  if (lock.callback) return lock.callback.calls;
  const after = lock.call.node.getEnd();
  const key = lock.key && lock.kind === 'nx' ? expressionText(model, lock.key) : undefined;
  const held: CallSite[] = [];
  for (const call of lock.scope.calls) {
    if (call.node.getStart(model.node) < after) continue;
    if (/^(release|unlock)/i.test(call.method)) break;
    if (
      key &&
      (isDelete(call) || isScript(call)) &&
      ts.isCallExpression(call.node) &&
      call.node.arguments.some((argument) => expressionText(model, argument).includes(key))
    )
      break;
    held.push(call);
  }
  return held;
}
