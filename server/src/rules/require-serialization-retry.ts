import { sqlDialectOf } from '../languages/typescript/sql-dialect';
import type * as TS from 'typescript';
import { isolationOf, type IsolationLevel } from '../languages/sql/transactions';
import { ts } from '../languages/typescript/project';
import { dottedName, isFunctionLike, type TsModel } from '../languages/typescript/ts-file';
import { defineRule, type RuleContext } from '../core/rule';
import { functionName, isLoop } from '../languages/typescript/ts-file';
import { isTestCode } from '../languages/typescript/test-code';
import { unwrap } from './typescript/ts-declarations';
import { embeddedOfStatement, nodeRange, objectProperty } from './typescript/ts-effects';

/** What a retry around a transaction checks: SQLSTATE 40001 by code, name or helper, Prisma's P2034. */
const RETRY_CHECK = /40001|serialization_failure|serializ\w*[_ ]?(failure|error|conflict|anomal)|could not serialize|P2034|retr[iy]able|transient/i;
/** A function or wrapper whose name says it retries: withRetry(), retryTransaction(), runWithRetries(). */
const RETRY_NAME = /retr(y|ies|ying|iable)/i;
/** Option names that carry an isolation level: knex, Prisma, drizzle, Sequelize (isolationLevel), pg-promise (tiLevel). */
const LEVEL_OPTIONS = ['isolationLevel', 'tiLevel'];
/** Calls whose first argument is the level: kysely setIsolationLevel, TypeORM startTransaction/transaction. */
const LEVEL_ARGUMENT_METHODS = new Set(['setIsolationLevel', 'startTransaction', 'beginTransaction', 'transaction']);

interface Target {
  /** The TypeScript node that opens the transaction (a call, or the literal of an unattached template). */
  node: TS.Node;
  range: { start: number; end: number };
  level: IsolationLevel;
  call: string;
}

export default defineRule({
  id: 'require-serialization-retry',
  severity: 'warning',
  languages: ['ts'],
  skill: {
    name: 'postgres-isolamento-concorrencia',
    section: 'REGRA #6 (SERIALIZABLE aborts: the app must retry); distributed-systems-fundamentals — Signals You Are Ignoring Distribution',
  },
  text: {
    en: {
      message:
        '{call}(…) opens a {level} transaction, but nothing here retries it when PostgreSQL aborts it with SQLSTATE 40001 (serialization_failure). At this level such aborts are part of normal operation under concurrency; run the whole transaction again in a loop that retries on 40001, with backoff.',
      summary: 'SERIALIZABLE and REPEATABLE READ transactions need a retry loop on SQLSTATE 40001.',
      rationale:
        'PostgreSQL runs SERIALIZABLE optimistically: transactions do not block each other, and when it detects that their combined effect could not have come from running them one at a time, it aborts one of them with SQLSTATE 40001. REPEATABLE READ aborts with the same code when a transaction updates, deletes or locks a row that another one changed after its snapshot was taken. These aborts are expected whenever transactions overlap; without a retry they surface as random errors under load, exactly when traffic is highest, and the work is lost.',
      remedy:
        'Wrap the whole transaction, from BEGIN to COMMIT and including the reads its decisions came from, in a retry loop: when the error code is 40001 (Prisma reports P2034), roll back and run it again from the start, with exponential backoff and jitter starting around 50 ms, for a few attempts (about 3); rethrow any other error. Keep side effects such as emails or HTTP calls out of the retried block, or make them idempotent. When one row lock is enough, READ COMMITTED with SELECT … FOR UPDATE avoids the aborts altogether.',
    },
    'pt-BR': {
      message:
        '{call}(…) abre uma transação {level}, mas nada aqui a repete quando o PostgreSQL a aborta com SQLSTATE 40001 (serialization_failure). Nesse nível, esses aborts fazem parte da operação normal sob concorrência; rode a transação inteira de novo num loop que repete em 40001, com backoff.',
      summary: 'Transações SERIALIZABLE e REPEATABLE READ precisam de um loop de retry em SQLSTATE 40001.',
      rationale:
        'O PostgreSQL executa SERIALIZABLE de forma otimista: as transações não se bloqueiam e, quando ele detecta que o efeito conjunto delas não poderia ter saído de uma execução uma de cada vez, aborta uma delas com SQLSTATE 40001. REPEATABLE READ aborta com o mesmo código quando uma transação atualiza, apaga ou trava uma linha que outra alterou depois que o snapshot foi tirado. Esses aborts são esperados sempre que transações se sobrepõem; sem retry, aparecem como erros aleatórios sob carga, justamente no pico de tráfego, e o trabalho se perde.',
      remedy:
        'Envolva a transação inteira, do BEGIN ao COMMIT e incluindo as leituras que embasaram as decisões, num loop de retry: quando o código do erro for 40001 (o Prisma informa P2034), faça rollback e rode tudo de novo desde o início, com backoff exponencial e jitter a partir de uns 50 ms, por poucas tentativas (umas 3); relance qualquer outro erro. Deixe efeitos colaterais como e-mails ou chamadas HTTP fora do bloco repetido, ou torne-os idempotentes. Quando um lock de linha basta, READ COMMITTED com SELECT … FOR UPDATE evita os aborts por completo.',
    },
  },
  examples: {
    invalid: [
      {
        language: 'ts',
        code: [
          "import { Pool } from 'pg';",
          '',
          'const pool = new Pool();',
          '',
          'export async function transfer(from: number, to: number, amount: number) {',
          '  const client = await pool.connect();',
          '  try {',
          "    await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');",
          "    await client.query('update accounts set balance = balance - $1 where id = $2', [amount, from]);",
          "    await client.query('update accounts set balance = balance + $1 where id = $2', [amount, to]);",
          "    await client.query('COMMIT');",
          '  } catch (error) {',
          "    await client.query('ROLLBACK');",
          '    throw error;',
          '  } finally {',
          '    client.release();',
          '  }',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import { Prisma, PrismaClient } from '@prisma/client';",
          '',
          'const prisma = new PrismaClient();',
          '',
          'export const book = (roomId: string, day: string) =>',
          '  prisma.$transaction(',
          '    async (tx) => {',
          '      const taken = await tx.booking.count({ where: { roomId, day } });',
          "      if (taken > 0) throw new Error('taken');",
          '      return tx.booking.create({ data: { roomId, day } });',
          '    },',
          '    { isolationLevel: Prisma.TransactionIsolationLevel.Serializable },',
          '  );',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import postgres from 'postgres';",
          '',
          'const sql = postgres();',
          '',
          "export const reserve = (sku: string) => sql.begin('isolation level repeatable read', (tx) => tx`update stock set reserved = reserved + 1 where sku = ${sku}`);",
        ].join('\n'),
      },
    ],
    valid: [
      {
        language: 'ts',
        code: [
          "import postgres from 'postgres';",
          '',
          'const sql = postgres();',
          '',
          'export async function reserve(sku: string) {',
          '  for (let attempt = 0; ; attempt++) {',
          '    try {',
          "      return await sql.begin('isolation level serializable', (tx) => tx`update stock set reserved = reserved + 1 where sku = ${sku}`);",
          '    } catch (error) {',
          "      if ((error as { code?: string }).code !== '40001' || attempt >= 2) throw error;",
          '      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));',
          '    }',
          '  }',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import knex from 'knex';",
          '',
          'const db = knex({ client: "pg" });',
          '',
          "export const report = () => db.transaction((trx) => trx('orders').count(), { isolationLevel: 'read committed' });",
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import { Pool } from 'pg';",
          '',
          'const pool = new Pool();',
          '',
          '// A read-only deferrable snapshot never fails with a serialization error.',
          'export async function snapshot() {',
          '  const client = await pool.connect();',
          "  await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE');",
          "  const { rows } = await client.query('select sum(balance) from accounts');",
          "  await client.query('COMMIT');",
          '  client.release();',
          '  return rows;',
          '}',
        ].join('\n'),
      },
    ],
  },
  check(context) {
    const model = context.typescript;
    // Every form names the level in the text; most documents never do. Tests open such transactions
    // on purpose, often to provoke the very aborts a retry would hide.
    if (!model || !/serializable|repeatable[\s_]*read/i.test(context.text) || isTestCode(context)) return;
    // An ORM's isolation option in a MySQL or SQLite project is not a PostgreSQL transaction.
    const targets = [...embeddedTargets(context), ...(sqlDialectOf(model) === 'other' ? [] : optionTargets(model))];
    if (!targets.length) return;
    const callers = new CallerIndex(model);
    for (const target of targets) {
      if (callers.retried(target.node)) continue;
      context.report({ ...target.range, data: { call: target.call, level: target.level.toUpperCase() } });
    }
  },
});

/** BEGIN / START TRANSACTION / SET TRANSACTION … ISOLATION LEVEL SERIALIZABLE | REPEATABLE READ in embedded SQL, once per transaction. */
function embeddedTargets(context: RuleContext): Target[] {
  const targets: Target[] = [];
  const seen = new Set<unknown>();
  for (const statement of context.sql.statements) {
    if (statement.origin !== 'embedded' || seen.has(statement.transaction)) continue;
    const level = isolationOf(statement);
    if (!isRetryLevel(level) || abortFree(statement.text, level)) continue;
    const entry = embeddedOfStatement(statement, context.embedded);
    // BEGIN written for a transaction callback: its isolation option is found by optionTargets.
    if (!entry || entry.synthetic) continue;
    seen.add(statement.transaction);
    const call = entry.call;
    const callee = call ? dottedName(ts.isTaggedTemplateExpression(call) ? call.tag : call.expression) : undefined;
    targets.push({ node: (call ?? entry.literal)!, range: { start: statement.start, end: statement.end }, level, call: callee ?? 'query' });
  }
  return targets;
}

/** Levels given to a client: sql.begin('isolation level serializable', …), { isolationLevel: 'serializable' }, setIsolationLevel('serializable'). */
function optionTargets(model: TsModel): Target[] {
  const targets: Target[] = [];
  for (const scope of model.functions) {
    for (const site of scope.calls) {
      const node = site.node;
      if (ts.isTaggedTemplateExpression(node)) continue;
      const args = node.arguments ?? [];
      const first = unwrap(args[0]);
      // postgres.js: sql.begin('isolation level serializable read write', fn)
      if (site.method === 'begin' && first && ts.isStringLiteralLike(first)) {
        const level = levelInText(first.text);
        if (level && !abortFree(first.text, level)) targets.push({ node, range: nodeRange(model, first), level, call: site.callee });
        continue;
      }
      if (LEVEL_ARGUMENT_METHODS.has(site.method) && first) {
        const level = levelOf(first);
        if (level) {
          targets.push({ node, range: nodeRange(model, first), level, call: site.callee });
          continue;
        }
      }
      for (const argument of args) {
        const options = unwrap(argument);
        if (!options || !ts.isObjectLiteralExpression(options)) continue;
        for (const name of LEVEL_OPTIONS) {
          const value = objectProperty(options, name);
          const level = value && levelOf(value);
          if (!level || (level === 'repeatable read' && isTrue(objectProperty(options, 'readOnly')))) continue;
          targets.push({ node, range: nodeRange(model, value.parent), level, call: site.callee });
        }
      }
    }
  }
  return targets;
}

function isRetryLevel(level: IsolationLevel | undefined): level is 'serializable' | 'repeatable read' {
  return level === 'serializable' || level === 'repeatable read';
}

// A read-only REPEATABLE READ transaction writes nothing, so it has no update conflicts; a
// SERIALIZABLE READ ONLY DEFERRABLE one waits for a safe snapshot and is never aborted.
function abortFree(text: string, level: IsolationLevel): boolean {
  const readOnly = /\bread\s+only\b/i.test(text);
  return level === 'repeatable read' ? readOnly : readOnly && /\bdeferrable\b/i.test(text.replace(/\bnot\s+deferrable\b/gi, ''));
}

function levelInText(text: string): IsolationLevel | undefined {
  const match = /isolation\s+level\s+(serializable|repeatable\s+read)/i.exec(text);
  return match ? (match[1].toLowerCase().replace(/\s+/g, ' ') as IsolationLevel) : undefined;
}

/** 'serializable', 'REPEATABLE READ', 'RepeatableRead', Prisma.TransactionIsolationLevel.Serializable, ISOLATION_LEVELS.SERIALIZABLE. */
function levelOf(expression: TS.Expression): 'serializable' | 'repeatable read' | undefined {
  const value = unwrap(expression);
  const text = value && ts.isStringLiteralLike(value) ? value.text : value && ts.isPropertyAccessExpression(value) ? value.name.text : undefined;
  const normalized = text?.toLowerCase().replace(/[\s_-]+/g, '');
  if (normalized === 'serializable') return 'serializable';
  if (normalized === 'repeatableread') return 'repeatable read';
  return undefined;
}

function isTrue(expression: TS.Expression | undefined): boolean {
  return expression?.kind === ts.SyntaxKind.TrueKeyword;
}

/**
 * Whether a node runs inside a retry that checks for serialization failures: a loop around it whose
 * code mentions 40001 (or a helper named like it), a wrapper call named like a retry (withRetry(() => …),
 * possibly imported), a function of this file that loops and checks 40001 and gets it as a callback,
 * or, through the function containing it, any caller in this file that is retried in one of these ways.
 */
class CallerIndex {
  private readonly functionsByName = new Map<string, TS.FunctionLikeDeclaration[]>();
  private readonly callsByName = new Map<string, TS.Node[]>();
  private readonly memo = new Map<TS.Node, boolean>();

  constructor(model: TsModel) {
    for (const scope of model.functions) {
      if (isFunctionLike(scope.node)) {
        const name = functionName(scope.node);
        if (name) this.functionsByName.set(name, [...(this.functionsByName.get(name) ?? []), scope.node]);
      }
      for (const site of scope.calls) {
        this.add(site.method, site.node);
        // withRetry(transfer), pool.run(transfer): a function handed over by name.
        for (const argument of ts.isTaggedTemplateExpression(site.node) ? [] : (site.node.arguments ?? [])) {
          if (ts.isIdentifier(argument)) this.add(argument.text, argument);
          else if (ts.isPropertyAccessExpression(argument) && argument.expression.kind === ts.SyntaxKind.ThisKeyword) this.add(argument.name.text, argument);
        }
      }
    }
  }

  retried(node: TS.Node, depth = 0): boolean {
    const known = this.memo.get(node);
    if (known !== undefined) return known;
    this.memo.set(node, false); // cycles (recursion) count as not retried until proven otherwise
    const result = this.search(node, depth);
    this.memo.set(node, result);
    return result;
  }

  private search(node: TS.Node, depth: number): boolean {
    for (let current: TS.Node = node; current.parent; current = current.parent) {
      const parent = current.parent;
      if (isLoop(parent) && RETRY_CHECK.test(parent.getText())) return true;
      if (ts.isCallExpression(parent) && parent.arguments.includes(current as TS.Expression) && this.isRetryWrapper(parent)) return true;
      if (isFunctionLike(current)) {
        const name = functionName(current);
        if (!name) continue;
        if (RETRY_CHECK.test(current.getText()) && this.callsItself(current, name)) return true;
        if (depth < 4 && (this.callsByName.get(name) ?? []).some((caller) => !isInside(caller, current) && this.retried(caller, depth + 1))) return true;
      }
    }
    return false;
  }

  /** withRetry(() => …) (possibly imported), or a function of this file that loops and checks 40001. */
  private isRetryWrapper(call: TS.CallExpression): boolean {
    const callee = dottedName(call.expression) ?? '';
    const method = callee.slice(callee.lastIndexOf('.') + 1);
    if (RETRY_NAME.test(method)) return true;
    return (this.functionsByName.get(method) ?? []).some((fn) => RETRY_CHECK.test(fn.getText()) && (hasLoop(fn) || this.callsItself(fn, method)));
  }

  private callsItself(fn: TS.FunctionLikeDeclaration, name: string): boolean {
    return (this.callsByName.get(name) ?? []).some((caller) => isInside(caller, fn));
  }

  private add(name: string, node: TS.Node): void {
    this.callsByName.set(name, [...(this.callsByName.get(name) ?? []), node]);
  }
}

function hasLoop(fn: TS.Node): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (isLoop(node)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

function isInside(node: TS.Node, container: TS.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}
