import { functionBaseName, relationName, walk } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type FixProposal, type RuleContext } from '../rule';
import { sequenceArgument } from '../schema/facts';
import { comparesToken, fencingInsertions, tokenColumn } from './shared/fencing';
import { checkTypeScriptLocks, embeddedFencingFix } from './shared/fencing-typescript';
import { lockSections } from './shared/locks';
import { SqlEdits } from './shared/sql-edits';

export default defineRule({
  id: 'require-fencing-token',
  severity: 'warning',
  languages: ['sql', 'ts'],
  fix: 'safe',
  skill: { name: 'armadilhas-sistemas-distribuidos', section: 'REGRA #2; REQ ARMADILHAS-02/03; anti-pattern 2' },
  sources: ['Martin Kleppmann, Designing Data-Intensive Applications, ch. 8 (fencing tokens)'],
  settings: [
    {
      key: 'fencingColumns',
      default: ['*token*', '*fencing*', '*epoch*'],
      description: {
        en: 'Column names (globs with *) that hold a fencing token; a write that compares one of them with < or > counts as fenced.',
        'pt-BR': 'Nomes de colunas (globs com *) que guardam um fencing token; uma escrita que compara uma delas com < ou > conta como protegida.',
      },
    },
    {
      key: 'fencedStorageWrites',
      default: ['*.putObject', 'PutObjectCommand', '*.storage.from.upload', '*.storage.from.update', '*.bucket.file.save'],
      description: {
        en: 'Calls (globs with *) that overwrite an object in shared storage; under a Redis lock they must carry a fencing token or be conditional (IfMatch).',
        'pt-BR': 'Chamadas (globs com *) que sobrescrevem um objeto num armazenamento compartilhado; sob um lock no Redis precisam levar um fencing token ou ser condicionais (IfMatch).',
      },
    },
  ],
  text: {
    en: {
      message: '{write} runs under {lock}() but does not check a fencing token. If this process pauses (GC, VM suspend, timeout) and another one takes the lock, this stale write still lands; {advice}.',
      summary: 'Writes protected by a distributed lock must carry a fencing token that storage checks.',
      rationale:
        'A lock only says who held it a moment ago. A holder can stall after acquiring it (a long garbage-collection pause, a suspended VM, an Edge Function hitting its timeout) while the lock expires and a second holder starts working. When the first one resumes it still believes it holds the lock, and without a check in storage its late write overwrites the newer one: two leaders, corrupted data.',
      remedy:
        'Take a strictly increasing token with the lock (nextval of a sequence), store the last token each row accepted, and make every write conditional on it: set last_token = <token> … where … and last_token < <token>. A write with an older token then matches no row, and the caller learns it was fenced off (0 rows updated). A Redis lock (SET NX, Redlock) hands out no token of its own: take one from a sequence or a Redis INCR counter after acquiring it and pass it with every write (in SQL embedded in code, as a bind parameter).',
      fixes: { addFencing: 'Add the fencing check on {column} with {token}' },
      variants: {
        sqlWrite: '{verb} of {table}',
        callWrite: '{call}',
        where: 'compare a monotonic token in the WHERE clause',
        pass: 'pass a monotonic token with the write and have storage reject tokens older than the last one it accepted',
      },
    },
    'pt-BR': {
      message: '{write} roda sob {lock}() mas não confere um fencing token. Se este processo pausar (GC, VM suspensa, timeout) e outro pegar o lock, esta escrita atrasada ainda entra; {advice}.',
      summary: 'Escritas protegidas por lock distribuído precisam levar um fencing token conferido pelo armazenamento.',
      rationale:
        'Um lock só diz quem o tinha há um instante. Quem o adquiriu pode travar logo depois (uma pausa longa de garbage collection, uma VM suspensa, uma Edge Function estourando o timeout) enquanto o lock expira e um segundo detentor começa a trabalhar. Quando o primeiro volta, ainda acredita ter o lock e, sem uma verificação no armazenamento, sua escrita atrasada sobrescreve a mais nova: dois líderes, dados corrompidos.',
      remedy:
        'Obtenha um token estritamente crescente junto com o lock (nextval de uma sequence), guarde em cada linha o último token aceito e torne toda escrita condicional a ele: set last_token = <token> … where … and last_token < <token>. Uma escrita com token antigo então não encontra linha, e quem chamou descobre que foi cercado (0 linhas atualizadas). Um lock no Redis (SET NX, Redlock) não fornece token: obtenha um de uma sequence ou de um contador INCR do Redis depois de adquiri-lo e envie-o em toda escrita (no SQL embutido no código, como parâmetro de bind).',
      fixes: { addFencing: 'Adicionar a verificação de fencing em {column} com {token}' },
      variants: {
        sqlWrite: '{verb} em {table}',
        callWrite: '{call}',
        where: 'compare um token monotônico no WHERE',
        pass: 'envie um token monotônico junto com a escrita e faça o armazenamento recusar tokens mais antigos que o último aceito',
      },
    },
  },
  examples: {
    invalid: [
      {
        code: [
          'begin;',
          "select pg_advisory_xact_lock(hashtext('resource:42'));",
          "select nextval('fencing_tokens_seq') as token;",
          "update public.locked_resource set value = 'new' where id = 42;",
          'commit;',
        ].join('\n'),
        fixed: [
          'begin;',
          "select pg_advisory_xact_lock(hashtext('resource:42'));",
          "select nextval('fencing_tokens_seq') as token;",
          "update public.locked_resource set value = 'new', last_token = currval('fencing_tokens_seq') where id = 42 and last_token < currval('fencing_tokens_seq');",
          'commit;',
        ].join('\n'),
        schema: [
          'create sequence fencing_tokens_seq;',
          'create table public.locked_resource (id bigint primary key, last_token bigint not null default 0, value text);',
          'insert into public.locked_resource (id) values (42);',
        ].join('\n'),
      },
      {
        code: [
          'create function public.take_over(p_id bigint) returns void language plpgsql as $$',
          'declare',
          '  v_token bigint;',
          'begin',
          "  perform pg_advisory_xact_lock(hashtext('leader'));",
          "  v_token := nextval('fencing_tokens_seq');",
          "  update public.locked_resource set value = 'leader' where id = p_id or value is null;",
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function public.take_over(p_id bigint) returns void language plpgsql as $$',
          'declare',
          '  v_token bigint;',
          'begin',
          "  perform pg_advisory_xact_lock(hashtext('leader'));",
          "  v_token := nextval('fencing_tokens_seq');",
          "  update public.locked_resource set value = 'leader', last_token = v_token where (id = p_id or value is null) and last_token < v_token;",
          'end $$;',
        ].join('\n'),
        schema: [
          'create sequence fencing_tokens_seq;',
          'create table public.locked_resource (id bigint primary key, last_token bigint not null default 0, value text);',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import { createClient } from 'redis';",
          "import { Pool } from 'pg';",
          '',
          'const redis = createClient();',
          'const pool = new Pool();',
          '',
          'export async function publishPrice(productId: string, price: number) {',
          '  if (!(await redis.set(`lock:price:${productId}`, crypto.randomUUID(), { NX: true, PX: 30_000 }))) return;',
          "  const { rows: [{ token }] } = await pool.query(\"select nextval('fencing_tokens_seq') as token\");",
          "  await pool.query('update public.locked_resource set value = $1 where id = $2', [price, productId]);",
          '}',
        ].join('\n'),
        fixed: [
          "import { createClient } from 'redis';",
          "import { Pool } from 'pg';",
          '',
          'const redis = createClient();',
          'const pool = new Pool();',
          '',
          'export async function publishPrice(productId: string, price: number) {',
          '  if (!(await redis.set(`lock:price:${productId}`, crypto.randomUUID(), { NX: true, PX: 30_000 }))) return;',
          "  const { rows: [{ token }] } = await pool.query(\"select nextval('fencing_tokens_seq') as token\");",
          "  await pool.query('update public.locked_resource set value = $1, last_token = $3 where id = $2 and last_token < $3', [price, productId, token]);",
          '}',
        ].join('\n'),
        schema: 'create table public.locked_resource (id text primary key, last_token bigint not null default 0, value numeric);',
      },
      {
        code: [
          "import Redlock from 'redlock';",
          "import Redis from 'ioredis';",
          "import postgres from 'postgres';",
          '',
          'const sql = postgres();',
          'const redlock = new Redlock([new Redis()]);',
          '',
          'export async function claimLeadership(region: string, node: string) {',
          '  await redlock.using([`leader:${region}`], 10_000, async () => {',
          '    const [{ fencingToken }] = await sql`select nextval(\'fencing_tokens_seq\') as "fencingToken"`;',
          '    await sql`update public.leaders set node = ${node} where region = ${region}`;',
          '  });',
          '}',
        ].join('\n'),
        fixed: [
          "import Redlock from 'redlock';",
          "import Redis from 'ioredis';",
          "import postgres from 'postgres';",
          '',
          'const sql = postgres();',
          'const redlock = new Redlock([new Redis()]);',
          '',
          'export async function claimLeadership(region: string, node: string) {',
          '  await redlock.using([`leader:${region}`], 10_000, async () => {',
          '    const [{ fencingToken }] = await sql`select nextval(\'fencing_tokens_seq\') as "fencingToken"`;',
          '    await sql`update public.leaders set node = ${node}, last_token = ${fencingToken} where region = ${region} and last_token < ${fencingToken}`;',
          '  });',
          '}',
        ].join('\n'),
        language: 'ts',
        schema: 'create table public.leaders (region text primary key, node text, last_token bigint not null default 0);',
      },
    ],
    valid: [
      [
        'begin;',
        "select pg_advisory_xact_lock(hashtext('resource:42'));",
        "update public.locked_resource set value = 'new', last_token = 17 where id = 42 and last_token < 17;",
        'commit;',
      ].join('\n'),
      [
        'begin;',
        "select pg_advisory_xact_lock(hashtext('report'));",
        'select count(*) from public.locked_resource;',
        'commit;',
      ].join('\n'),
      "select pg_advisory_lock_shared(1);\nupdate public.counters set n = n + 1 where id = 1;",
      "update public.locked_resource set value = 'x' where id = 1;",
      {
        language: 'ts',
        code: [
          "import { createClient } from 'redis';",
          "import { Pool } from 'pg';",
          'const redis = createClient();',
          'const pool = new Pool();',
          'export async function publishPrice(productId: string, price: number) {',
          '  if (!(await redis.set(`lock:price:${productId}`, crypto.randomUUID(), { NX: true, PX: 30_000 }))) return;',
          "  const { rows: [{ token }] } = await pool.query(\"select nextval('fencing_tokens_seq') as token\");",
          "  await pool.query('update public.locked_resource set value = $1, last_token = $3 where id = $2 and last_token < $3', [price, productId, token]);",
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import Redis from 'ioredis';",
          "import { Pool } from 'pg';",
          'const redis = new Redis();',
          'const pool = new Pool();',
          'export async function monthlyReport(month: string) {',
          "  if ((await redis.set(`lock:report:${month}`, crypto.randomUUID(), 'PX', 60_000, 'NX')) !== 'OK') return;",
          "  const { rows } = await pool.query('select sum(amount) from public.payments where month = $1', [month]);",
          "  await pool.query('insert into public.reports (month, total) values ($1, $2)', [month, rows[0].sum]);",
          '}',
        ].join('\n'),
      },
    ],
  },
  check(context) {
    const reported = new Set<SqlStatement>();
    for (const section of lockSections(context.sql)) {
      for (const write of section.statements) {
        if ((write.kind !== 'UpdateStmt' && write.kind !== 'DeleteStmt') || reported.has(write)) continue;
        if (comparesToken(write.body.whereClause, context.names('fencingColumns'))) continue;
        reported.add(write);
        const table = relationName(write.body.relation);
        const head = write.rangeOf(write.body.relation);
        context.report({
          start: write.start,
          end: head.end,
          anchor: write.start,
          data: { verb: write.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE', table, lock: section.function },
          variants: { write: 'sqlWrite', advice: 'where' },
          fixes: fencingFix(context, write, section.statements, section.lock),
        });
      }
    }
    // TypeScript: writes under a Redis lock (SET NX, redlock).
    if (context.typescript) checkTypeScriptLocks(context, reported);
  },
});

function fencingFix(context: RuleContext, write: SqlStatement, scope: SqlStatement[], lock: SqlStatement): FixProposal[] {
  // In TypeScript the token is a variable of the code, passed as a new bind parameter.
  const embedded = context.typescript ? embeddedFencingFix(context, write) : undefined;
  if (embedded) return [embedded];
  const token = tokenExpression(write, scope, lock);
  if (!token) return [];
  const { column, confirmed } = tokenColumn(context.schema, relationName(write.body.relation));
  const insertions = fencingInsertions(write, column, token);
  if (!insertions) return [];
  const edits = new SqlEdits(write);
  for (const insertion of insertions) edits.insert(insertion.offset, insertion.text);
  if (!edits.parses()) return [];
  return [{ key: 'addFencing', data: { column, token }, edits: edits.toDocumentEdits(), safe: confirmed }];
}

/** A PL/pgSQL variable assigned from nextval() earlier in the routine, or currval('<seq>') of a sequence advanced earlier. */
function tokenExpression(write: SqlStatement, scope: SqlStatement[], lock: SqlStatement): string | undefined {
  const candidates = write.routine
    ? write.routine.statements.slice(0, write.routine.statements.indexOf(write))
    : [lock, ...scope.slice(0, scope.indexOf(write))];
  let token: string | undefined;
  for (const statement of candidates) {
    walk(statement.body, (visit) => {
      if (visit.type !== 'FuncCall' || functionBaseName(visit.node) !== 'nextval') return;
      const target = statement.plpgsql?.targets[0];
      if (write.routine && target && !target.includes('.')) token = target;
      else if (!write.routine) {
        const sequence = sequenceArgument(visit.node);
        if (sequence) token = `currval('${sequence.replace(/'/g, "''")}')`;
      }
    });
  }
  return token;
}
