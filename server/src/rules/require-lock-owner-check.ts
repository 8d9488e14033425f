import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import { isFunctionLike, type CallSite, type FunctionScope, type TsModel } from '../languages/typescript/ts-file';
import { defineRule, type FixProposal } from '../core/rule';
import { declarationsIn, isVisibleAt } from '../languages/typescript/local-variables';
import { expressionText, fileStyle, isDelete, isLockNamed, redisLocks, type RedisLock, type RedisStyle } from './typescript/redis-locks';
import { isTestCode } from '../languages/typescript/test-code';

export default defineRule({
  id: 'require-lock-owner-check',
  severity: 'warning',
  languages: ['ts'],
  fix: 'unsafe',
  skill: {
    name: 'sistemas-distribuidos',
    section: 'Locks distribuídos (release by compare-and-delete script); armadilhas-sistemas-distribuidos REGRA #2, anti-pattern 2',
  },
  sources: ['Redis documentation, "Distributed Locks with Redis" (safe release)'],
  text: {
    en: {
      message:
        "{call}({key}) releases the lock without checking that this process still owns it. If the lock expired while this process was slow or paused and another one acquired it, this deletes the other holder's lock and lets a third process in; delete the key only while it still holds this process's value, in one atomic step (a compare-and-delete script).",
      summary: 'Release a Redis lock only if it still holds your value, checked and deleted atomically.',
      rationale:
        "A Redis lock is a key with a time-to-live. The holder can outlive it: a garbage-collection pause, a slow query or a suspended VM, and the key expires while the work is still running. Another process then sets the key and holds the lock. When the first one finishes, a plain DEL removes the second one's lock, a third process acquires it, and two processes now work on the resource at once. Reading the key first and deleting it afterwards does not help: the key can expire and change hands between the two round trips.",
      remedy:
        "Store a value unique to the holder (a random UUID) when acquiring with SET NX PX, and release with a short Lua script that deletes the key only when GET returns that value: Redis runs a script without interleaving other commands, so the check and the delete cannot be separated. Redlock's release() does the same. The lock still gives no protection to the writes done while it was lost: pair it with a fencing token.",
      fixes: { compareAndDelete: 'Delete the lock only while it holds {value} (compare-and-delete script)' },
    },
    'pt-BR': {
      message:
        '{call}({key}) libera o lock sem verificar se este processo ainda é o dono. Se o lock expirou enquanto este processo estava lento ou pausado e outro o adquiriu, isto apaga o lock do outro detentor e deixa um terceiro processo entrar; apague a chave só enquanto ela ainda guarda o valor deste processo, num único passo atômico (um script compare-and-delete).',
      summary: 'Libere um lock no Redis só se ele ainda guarda o seu valor, verificando e apagando de forma atômica.',
      rationale:
        'Um lock no Redis é uma chave com tempo de vida. Quem o detém pode durar mais que ela: uma pausa de garbage collection, uma consulta lenta ou uma VM suspensa, e a chave expira com o trabalho ainda em andamento. Outro processo então grava a chave e passa a deter o lock. Quando o primeiro termina, um DEL simples remove o lock do segundo, um terceiro processo o adquire, e agora dois processos trabalham ao mesmo tempo sobre o recurso. Ler a chave antes e apagar depois não resolve: ela pode expirar e mudar de dono entre as duas idas ao servidor.',
      remedy:
        'Grave um valor exclusivo do detentor (um UUID aleatório) ao adquirir com SET NX PX e libere com um pequeno script Lua que apaga a chave só quando GET devolve esse valor: o Redis executa um script sem intercalar outros comandos, então a verificação e a remoção não podem ser separadas. O release() do Redlock faz o mesmo. O lock continua sem proteger as escritas feitas enquanto ele estava perdido: combine-o com um fencing token.',
      fixes: { compareAndDelete: 'Apagar o lock só enquanto ele guarda {value} (script compare-and-delete)' },
    },
  },
  examples: {
    invalid: [
      {
        language: 'ts',
        code: [
          "import { createClient } from 'redis';",
          '',
          'const redis = createClient();',
          '',
          'export async function rebuildReport(id: string) {',
          '  const key = `lock:report:${id}`;',
          '  const owner = crypto.randomUUID();',
          '  if (!(await redis.set(key, owner, { NX: true, PX: 30_000 }))) return;',
          '  try {',
          '    await buildReport(id);',
          '  } finally {',
          '    await redis.del(key);',
          '  }',
          '}',
          '',
          'declare function buildReport(id: string): Promise<void>;',
        ].join('\n'),
        fixed: [
          "import { createClient } from 'redis';",
          '',
          'const redis = createClient();',
          '',
          'export async function rebuildReport(id: string) {',
          '  const key = `lock:report:${id}`;',
          '  const owner = crypto.randomUUID();',
          '  if (!(await redis.set(key, owner, { NX: true, PX: 30_000 }))) return;',
          '  try {',
          '    await buildReport(id);',
          '  } finally {',
          '    await redis.eval(\'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end\', { keys: [key], arguments: [owner] });',
          '  }',
          '}',
          '',
          'declare function buildReport(id: string): Promise<void>;',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'import Redis from "ioredis";',
          '',
          'const redis = new Redis();',
          '',
          'export async function withLock(key: string, token: string, work: () => Promise<void>) {',
          '  if ((await redis.set(key, token, "PX", 10000, "NX")) !== "OK") return false;',
          '  await work();',
          '  await redis.del(key);',
          '  return true;',
          '}',
        ].join('\n'),
        fixed: [
          'import Redis from "ioredis";',
          '',
          'const redis = new Redis();',
          '',
          'export async function withLock(key: string, token: string, work: () => Promise<void>) {',
          '  if ((await redis.set(key, token, "PX", 10000, "NX")) !== "OK") return false;',
          '  await work();',
          "  await redis.eval(\"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end\", 1, key, token);",
          '  return true;',
          '}',
        ].join('\n'),
      },
    ],
    valid: [
      {
        language: 'ts',
        code: [
          "import { createClient } from 'redis';",
          'const redis = createClient();',
          'const RELEASE = \'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end\';',
          'export async function release(key: string, owner: string) {',
          '  return redis.eval(RELEASE, { keys: [key], arguments: [owner] });',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import Redlock from 'redlock';",
          "import Redis from 'ioredis';",
          'const redlock = new Redlock([new Redis()]);',
          'export async function run(work: () => Promise<void>) {',
          "  const lock = await redlock.acquire(['lock:run'], 5000);",
          '  try {',
          '    await work();',
          '  } finally {',
          '    await lock.release();',
          '  }',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import { createClient } from 'redis';",
          'const redis = createClient();',
          'export async function invalidate(userId: string) {',
          '  await redis.del(`user:${userId}:profile`);',
          '}',
        ].join('\n'),
      },
    ],
  },
  check(context) {
    const model = context.typescript;
    if (!model || !model.functions.some((scope) => scope.calls.some(isDelete)) || isTestCode(context)) return;
    const locks = redisLocks(context).filter((lock) => lock.kind === 'nx' && lock.key);
    for (const scope of model.functions) {
      // WATCH … MULTI … DEL … EXEC: the transaction aborts when the key changed (an owner check).
      if (!scope.calls.some(isDelete) || scope.calls.some((call) => /^watch$/i.test(call.method))) continue;
      for (const call of scope.calls) {
        if (!isDelete(call) || (call.kind !== undefined && call.kind !== 'redis')) continue;
        const keys = (call.node as TS.CallExpression).arguments;
        const lock = keys.length === 1 ? lockOfKey(model, locks, scope, call, keys[0]) : undefined;
        const key = lock ? keys[0] : keys.find((each) => isLockNamed(each) && looksLikeRedis(call));
        if (!key) continue;
        context.report({
          start: call.node.getStart(model.node),
          end: call.node.getEnd(),
          data: { call: call.callee, key: shorten(key.getText(model.node)) },
          fixes: lock ? compareAndDelete(model, lock, call, key) : [],
        });
      }
    }
  },
});

/**
 * The SET NX that took the lock a delete releases: the same key written the same way, before the
 * delete in the same function or in a function around it (a release closure), or anywhere in the file
 * when the key is not a local variable (this.key, a literal, a template) — on the same client.
 */
function lockOfKey(model: TsModel, locks: RedisLock[], scope: FunctionScope, call: CallSite, key: TS.Expression): RedisLock | undefined {
  const text = expressionText(model, key);
  const start = call.node.getStart(model.node);
  const receiver = receiverText(model, call);
  const candidates = locks.filter(
    (lock) => expressionText(model, lock.key!) === text && (call.kind === 'redis' || receiverText(model, lock.call) === receiver),
  );
  return (
    candidates.filter((lock) => encloses(lock.scope, scope) && lock.call.node.getEnd() <= start).pop() ??
    (ts.isIdentifier(key) ? undefined : candidates.find((lock) => lock.scope !== scope))
  );
}

/** The function `outer` is `inner` or contains it (a file's top level contains only itself). */
function encloses(outer: FunctionScope, inner: FunctionScope): boolean {
  if (outer === inner) return true;
  if (ts.isSourceFile(outer.node)) return false;
  for (let node = inner.node.parent; node; node = node.parent) if (node === outer.node) return true;
  return false;
}

function receiverText(model: TsModel, call: CallSite): string {
  const callee = (call.node as TS.CallExpression).expression;
  return ts.isPropertyAccessExpression(callee) ? expressionText(model, callee.expression) : '';
}

/** A client whose kind is unknown, but whose name says Redis (redis, this.redisClient, kv, valkey). */
function looksLikeRedis(call: CallSite): boolean {
  return call.kind === 'redis' || /redis|valkey|upstash|^kv\.|\.kv\./i.test(call.callee);
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

/**
 * Replaces `client.del(key)` by the compare-and-delete script in the client's own `eval` form, with
 * the value the lock was set to in this function. Only when that value identifies the owner (a
 * variable or property, not a literal that every holder writes) and is still in scope.
 */
function compareAndDelete(model: TsModel, lock: RedisLock, call: CallSite, key: TS.Expression): Array<FixProposal<'compareAndDelete'>> {
  const value = lock.value;
  const style: RedisStyle | undefined = lock.style ?? fileStyle(model);
  if (!value || !style || !ownerValueVisible(model, value, call.node)) return [];
  // A function that is not the lock's (nor inside it) works only for this.owner, in a method of the same class.
  const scope = model.scopeOf(call.node);
  if (!encloses(lock.scope, scope) && !(isThisProperty(value) && lock.scope.node.parent === scope.node.parent && ts.isClassLike(scope.node.parent))) return [];
  const callee = (call.node as TS.CallExpression).expression;
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const script = releaseScript(quoteOf(model, lock));
  const keyText = key.getText(model.node);
  const valueText = value.getText(model.node);
  const args =
    style === 'ioredis'
      ? `${script}, 1, ${keyText}, ${valueText}`
      : style === 'upstash'
        ? `${script}, [${keyText}], [${valueText}]`
        : `${script}, { keys: [${keyText}], arguments: [${valueText}] }`;
  const text = `${callee.expression.getText(model.node)}.eval(${args})`;
  return [{ key: 'compareAndDelete', data: { value: valueText }, edits: [{ start: call.node.getStart(model.node), end: call.node.getEnd(), text }] }];
}

/** A string literal of the script, in the file's quotes: deletes only while the key holds ARGV[1]; Redis runs it atomically. */
function releaseScript(quote: string): string {
  const inner = quote === "'" ? '"' : "'";
  return `${quote}if redis.call(${inner}get${inner}, KEYS[1]) == ARGV[1] then return redis.call(${inner}del${inner}, KEYS[1]) else return 0 end${quote}`;
}

function isThisProperty(value: TS.Expression): boolean {
  return ts.isPropertyAccessExpression(value) && value.expression.kind === ts.SyntaxKind.ThisKeyword;
}

/** The owner's value can be written at the delete: this.x, or a variable visible there (of its function, one around it, the file). */
function ownerValueVisible(model: TsModel, value: TS.Expression, use: TS.Node): boolean {
  if (ts.isPropertyAccessExpression(value))
    return isThisProperty(value) || (ts.isIdentifier(value.expression) && ownerValueVisible(model, value.expression, use));
  if (!ts.isIdentifier(value)) return false;
  const at = use.getStart(model.node);
  for (let node: TS.Node | undefined = use; node; node = node.parent) {
    if (!isFunctionLike(node) && !ts.isSourceFile(node)) continue;
    if (declarationsIn(node).some((declared) => declared.name === value.text && isVisibleAt(model, declared, at))) return true;
  }
  return false;
}

/** The quote the file uses: that of the lock's key or value literal, else of its first import. */
function quoteOf(model: TsModel, lock: RedisLock): string {
  const call = lock.call.node as TS.CallExpression;
  const literal = [...call.arguments, ...model.node.statements.filter(ts.isImportDeclaration).map((statement) => statement.moduleSpecifier)].find((node) =>
    ts.isStringLiteral(node),
  );
  return literal && model.text[literal.getStart(model.node)] === '"' ? '"' : "'";
}
