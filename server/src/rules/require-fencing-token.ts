import { functionBaseName, relationName, walk } from '../languages/sql/ast';
import { parseSql } from '../languages/sql/parser';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type Edit, type FixProposal, type RuleContext } from '../core/rule';
import { sequenceArgument } from '../schema/facts';
import { comparesToken, fencingInsertions, tokenColumn, writeFields } from './require-fencing-token.sql';
import { fencedByTransaction, heldScopes } from './require-fencing-token.scopes';
import { checkTypeScriptLocks, embeddedFencingFix } from './require-fencing-token.typescript';
import { quoteIdentifier } from './sql/identifiers';
import { baseName, matchesAny } from '../core/names';
import { keywordCase, SqlEdits } from './sql/sql-edits';

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
        en: 'Column names (globs with *) that hold a fencing token; a write that compares one of them with < or > counts as fenced. Sequences and variables named like them are the tokens a fix may use.',
        'pt-BR':
          'Nomes de colunas (globs com *) que guardam um fencing token; uma escrita que compara uma delas com < ou > conta como protegida. Sequences e variáveis com nomes assim são os tokens que uma correção pode usar.',
      },
    },
    {
      key: 'leaseColumns',
      default: ['*locked_until*', '*lease_expires*', '*lease_until*', 'vt'],
      description: {
        en: 'Column names (globs with *) of a lease with an expiry on a row; a later write to the same row, in another transaction, that checks neither a token nor the owner is reported.',
        'pt-BR':
          'Nomes de colunas (globs com *) de um lease com validade numa linha; uma escrita posterior na mesma linha, em outra transação, que não confere nem um token nem o dono é reportada.',
      },
    },
    {
      key: 'leaseOwnerColumns',
      default: ['*locked_by*', '*owner*', '*worker*', '*claimed_by*', '*lease_id*', '*lock_id*', '*lock_token*', '*lease_token*'],
      description: {
        en: 'Column names (globs with *) that say who holds a lease; a write whose WHERE compares one with = only lands while its holder still owns the row, and is not reported.',
        'pt-BR':
          'Nomes de colunas (globs com *) que dizem quem tem o lease; uma escrita cujo WHERE compara uma delas com = só entra enquanto quem a faz ainda é dono da linha, e não é reportada.',
      },
    },
    {
      key: 'fencedStorageWrites',
      default: ['*.putObject', 'PutObjectCommand', '*.storage.from.upload', '*.storage.from.update', '*.bucket.file.save'],
      description: {
        en: 'Calls (globs with *) that overwrite an object in shared storage; under a Redis lock they must carry a fencing token or be conditional (IfMatch).',
        'pt-BR':
          'Chamadas (globs com *) que sobrescrevem um objeto num armazenamento compartilhado; sob um lock no Redis precisam levar um fencing token ou ser condicionais (IfMatch).',
      },
    },
  ],
  text: {
    en: {
      message: '{write} runs under {held} but does not check a fencing token. {risk}; {advice}.',
      summary: 'Writes that rely on a lock or lease that can be lost meanwhile must carry a fencing token that storage checks.',
      rationale:
        'A lock that expires or belongs to another connection only says who held it a moment ago. A holder can stall after acquiring it (a long garbage-collection pause, a suspended VM, an Edge Function hitting its timeout) while a Redis lock or a lease row expires and a second holder starts working; a session-level advisory lock is lost with its connection, and the writes that rely on it from later transactions may go out on other pooled connections. When the first holder resumes it still believes it holds the lock, and without a check in storage its late write overwrites the newer one: two leaders, corrupted data. A write in the same transaction as pg_advisory_xact_lock or SELECT … FOR UPDATE is not affected: the lock ends with that transaction, so a holder that lost it cannot commit.',
      remedy:
        'Take a strictly increasing token when the lock or lease is taken (nextval of a sequence, in the same transaction), store the last token each row accepted, and make every write conditional on it: set last_token = <token> … where … and last_token <= <token> (equal: the same holder writing again). A write with an older token then matches no row, and the caller learns it was fenced off (0 rows updated). A lease can also be checked at write time by its owner (where locked_by = <me>). A Redis lock (SET NX, Redlock) hands out no token of its own: take one from a sequence or a Redis INCR counter after acquiring it and pass it with every write (in SQL embedded in code, as a bind parameter). The fix uses only a real token: currval of a token sequence advanced when the lock or lease was taken, or a token variable of the code; when the migrations show no token column on the table, it also adds one (ALTER TABLE … ADD COLUMN IF NOT EXISTS last_token bigint NOT NULL DEFAULT 0) and is not applied automatically.',
      fixes: { addFencing: 'Add the fencing check on {column} with {token}', addFencingColumn: 'Add a {column} column and the fencing check with {token}' },
      variants: {
        sqlWrite: '{verb} of {table}',
        callWrite: '{call}',
        lockCall: '{lock}()',
        lease: 'the lease in {lease} that an earlier transaction set or checked',
        expires: 'If this process pauses (GC, VM suspend, timeout) until the lock expires and another one takes it, this stale write still lands',
        leaseExpires: 'If this process pauses (GC, VM suspend, timeout) until the lease expires and another one claims the row, this stale write still lands',
        session:
          'That lock belongs to one database session and this write runs in a later transaction: through a pool or a transaction-mode pooler it can go out on another connection, and if the holding session is lost, another process takes the lock while this write still lands',
        where: 'compare a monotonic token in the WHERE clause',
        pass: 'pass a monotonic token with the write and have storage reject tokens older than the last one it accepted',
      },
    },
    'pt-BR': {
      message: '{write} roda sob {held} mas não confere um fencing token. {risk}; {advice}.',
      summary:
        'Escritas que dependem de um lock ou lease que pode ser perdido no meio do caminho precisam levar um fencing token conferido pelo armazenamento.',
      rationale:
        'Um lock que expira ou que pertence a outra conexão só diz quem o tinha há um instante. Quem o adquiriu pode travar logo depois (uma pausa longa de garbage collection, uma VM suspensa, uma Edge Function estourando o timeout) enquanto um lock no Redis ou um lease numa linha expira e um segundo detentor começa a trabalhar; um advisory lock de sessão se perde junto com a conexão, e as escritas que dependem dele em transações posteriores podem sair por outras conexões do pool. Quando o primeiro volta, ainda acredita ter o lock e, sem uma verificação no armazenamento, sua escrita atrasada sobrescreve a mais nova: dois líderes, dados corrompidos. Uma escrita na mesma transação de um pg_advisory_xact_lock ou de um SELECT … FOR UPDATE não é afetada: o lock termina com essa transação, e quem o perdeu não consegue fazer commit.',
      remedy:
        'Obtenha um token estritamente crescente ao pegar o lock ou o lease (nextval de uma sequence, na mesma transação), guarde em cada linha o último token aceito e torne toda escrita condicional a ele: set last_token = <token> … where … and last_token <= <token> (igual: o mesmo detentor escrevendo de novo). Uma escrita com token antigo então não encontra linha, e quem chamou descobre que foi cercado (0 linhas atualizadas). Um lease também pode ser conferido na escrita pelo dono (where locked_by = <eu>). Um lock no Redis (SET NX, Redlock) não fornece token: obtenha um de uma sequence ou de um contador INCR do Redis depois de adquiri-lo e envie-o em toda escrita (no SQL embutido no código, como parâmetro de bind). A correção só usa um token de verdade: o currval de uma sequence de tokens avançada quando o lock ou o lease foi pego, ou uma variável de token do código; quando as migrations não mostram coluna de token na tabela, ela também cria uma (ALTER TABLE … ADD COLUMN IF NOT EXISTS last_token bigint NOT NULL DEFAULT 0) e não é aplicada automaticamente.',
      fixes: {
        addFencing: 'Adicionar a verificação de fencing em {column} com {token}',
        addFencingColumn: 'Adicionar a coluna {column} e a verificação de fencing com {token}',
      },
      variants: {
        sqlWrite: '{verb} em {table}',
        callWrite: '{call}',
        lockCall: '{lock}()',
        lease: 'o lease em {lease} que uma transação anterior definiu ou conferiu',
        expires: 'Se este processo pausar (GC, VM suspensa, timeout) até o lock expirar e outro pegá-lo, esta escrita atrasada ainda entra',
        leaseExpires: 'Se este processo pausar (GC, VM suspensa, timeout) até o lease expirar e outro pegar a linha, esta escrita atrasada ainda entra',
        session:
          'Esse lock pertence a uma sessão do banco e esta escrita roda numa transação posterior: por um pool ou um pooler em modo transação ela pode sair por outra conexão, e se a sessão que o tem cair, outro processo pega o lock enquanto esta escrita ainda entra',
        where: 'compare um token monotônico no WHERE',
        pass: 'envie um token monotônico junto com a escrita e faça o armazenamento recusar tokens mais antigos que o último aceito',
      },
    },
  },
  examples: {
    invalid: [
      {
        code: [
          "select pg_advisory_lock(hashtext('resource:42')), nextval('fencing_tokens_seq') as token;",
          "update public.locked_resource set value = 'new' where id = 42;",
          "select pg_advisory_unlock(hashtext('resource:42'));",
        ].join('\n'),
        fixed: [
          "select pg_advisory_lock(hashtext('resource:42')), nextval('fencing_tokens_seq') as token;",
          "update public.locked_resource set value = 'new', last_token = currval('fencing_tokens_seq') where id = 42 and last_token <= currval('fencing_tokens_seq');",
          "select pg_advisory_unlock(hashtext('resource:42'));",
        ].join('\n'),
        schema: [
          'create sequence fencing_tokens_seq;',
          'create table public.locked_resource (id bigint primary key, last_token bigint not null default 0, value text);',
          'insert into public.locked_resource (id) values (42);',
        ].join('\n'),
      },
      {
        code: [
          "update public.jobs set locked_until = now() + interval '5 minutes' where id = 7 and (locked_until is null or locked_until < now()) returning nextval('fencing_tokens_seq') as token;",
          '-- … the job runs here, outside any transaction …',
          "update public.jobs set status = 'done' where id = 7;",
        ].join('\n'),
        fixed: [
          "update public.jobs set locked_until = now() + interval '5 minutes' where id = 7 and (locked_until is null or locked_until < now()) returning nextval('fencing_tokens_seq') as token;",
          '-- … the job runs here, outside any transaction …',
          "update public.jobs set status = 'done', last_token = currval('fencing_tokens_seq') where id = 7 and last_token <= currval('fencing_tokens_seq');",
        ].join('\n'),
        schema: [
          'create sequence fencing_tokens_seq;',
          'create table public.jobs (id bigint primary key, status text, locked_until timestamptz, last_token bigint not null default 0);',
          'insert into public.jobs (id) values (7);',
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
          '  const { rows: [{ token }] } = await pool.query("select nextval(\'fencing_tokens_seq\') as token");',
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
          '  const { rows: [{ token }] } = await pool.query("select nextval(\'fencing_tokens_seq\') as token");',
          "  await pool.query('update public.locked_resource set value = $1, last_token = $3 where id = $2 and last_token <= $3', [price, productId, token]);",
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
          '    await sql`update public.leaders set node = ${node}, last_token = ${fencingToken} where region = ${region} and last_token <= ${fencingToken}`;',
          '  });',
          '}',
        ].join('\n'),
        language: 'ts',
        schema: 'create table public.leaders (region text primary key, node text, last_token bigint not null default 0);',
      },
    ],
    valid: [
      [
        'create function public.add_child(p_queue text, p_parent text) returns void language plpgsql as $$',
        'begin',
        "  perform pg_advisory_xact_lock(hashtext(p_queue || ':' || p_parent));",
        '  update public.job set pending = pending + 1 where queue = p_queue and id = p_parent;',
        'end $$;',
      ].join('\n'),
      ['begin;', 'select * from public.accounts where id = 1 for update;', 'update public.accounts set balance = balance - 10 where id = 1;', 'commit;'].join(
        '\n',
      ),
      ['begin;', "select pg_advisory_lock(hashtext('resource:42'));", "update public.locked_resource set value = 'new' where id = 42;", 'commit;'].join('\n'),
      [
        "select pg_advisory_lock(hashtext('resource:42'));",
        "update public.locked_resource set value = 'new', last_token = 17 where id = 42 and last_token < 17;",
      ].join('\n'),
      [
        "update public.jobs set locked_until = now() + interval '5 minutes', locked_by = 'worker-1' where id = 7 and locked_until < now();",
        "update public.jobs set status = 'done' where id = 7 and locked_by = 'worker-1';",
      ].join('\n'),
      'select pg_advisory_lock_shared(1);\nupdate public.counters set n = n + 1 where id = 1;',
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
          '  const { rows: [{ token }] } = await pool.query("select nextval(\'fencing_tokens_seq\') as token");',
          "  await pool.query('update public.locked_resource set value = $1, last_token = $3 where id = $2 and last_token <= $3', [price, productId, token]);",
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
    const fencingColumns = context.names('fencingColumns');
    for (const scope of heldScopes(context)) {
      for (const write of scope.writes) {
        if (reported.has(write) || comparesToken(writeFields(write)?.whereClause, fencingColumns) || fencedByTransaction(write)) continue;
        reported.add(write);
        const held = scope.held;
        context.report({
          start: write.start,
          end: write.rangeOf(writeFields(write)?.relation).end,
          anchor: write.start,
          data: {
            verb: write.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE',
            table: relationName(writeFields(write)?.relation),
            lock: held.kind === 'lock' ? held.function : '',
            lease: held.kind === 'lease' ? `${held.table}.${held.column}` : '',
          },
          variants: {
            write: 'sqlWrite',
            held: held.kind === 'lock' ? 'lockCall' : 'lease',
            risk: held.kind === 'lock' ? 'session' : 'leaseExpires',
            advice: 'where',
          },
          fixes: fencingFix(context, write, scope.anchor),
        });
      }
    }
    // TypeScript: writes under a Redis lock (SET NX, redlock).
    if (context.typescript) checkTypeScriptLocks(context, reported);
  },
});

/**
 * The fencing predicate with a real token. In TypeScript the token is a variable of the code, passed
 * as a new bind parameter, on a table whose token column the migrations show. In SQL it is
 * currval('<sequence>') of a token sequence advanced in the transaction that took the lock or lease;
 * when the migrations show no token column, the fix also adds one, and is unsafe.
 */
function fencingFix(context: RuleContext, write: SqlStatement, anchor: SqlStatement): Array<FixProposal<'addFencing' | 'addFencingColumn'>> {
  if (write.origin === 'embedded') {
    const embedded = embeddedFencingFix(context, write);
    return embedded ? [embedded] : [];
  }
  const token = tokenAtAcquisition(context, write, anchor);
  if (!token) return [];
  const table = relationName(writeFields(write)?.relation);
  const { column, confirmed } = tokenColumn(context.schema, table);
  const insertions = fencingInsertions(write, column, token);
  if (!insertions) return [];
  const edits = new SqlEdits(write);
  for (const insertion of insertions) edits.insert(insertion.offset, insertion.text);
  if (!edits.parses()) return [];
  if (confirmed) return [{ key: 'addFencing', data: { column, token }, edits: edits.toDocumentEdits(), safe: true }];
  // No token column known: add it before the transaction that writes (IF NOT EXISTS: a table the
  // workspace does not define may have it already).
  const addColumn = addColumnStatement(write, column);
  if (!addColumn) return [];
  return [{ key: 'addFencingColumn', data: { column, token }, edits: [addColumn, ...edits.toDocumentEdits()], safe: false }];
}

/**
 * currval('<sequence>') of a token sequence (named like the fencing columns) that the transaction
 * holding the lock or lease advanced with nextval: the token handed out when it was taken. currval is
 * per session, and a script runs in one session; no other nextval of that sequence may come between.
 */
function tokenAtAcquisition(context: RuleContext, write: SqlStatement, anchor: SqlStatement): string | undefined {
  const tokenNames = context.names('fencingColumns');
  let sequence: string | undefined;
  for (const statement of anchor.transaction?.statements ?? [anchor]) {
    for (const name of nextvalSequences(statement)) if (matchesAny(baseName(name), tokenNames)) sequence = name;
  }
  if (!sequence) return undefined;
  // A later nextval of the same sequence, before the write, moves currval away from the lock's token.
  const places = scriptPlaces(context);
  const from = places.tops.get(topOf(anchor));
  const to = places.tops.get(topOf(write));
  if (!from || !to || from.script !== to.script || to.index < from.index) return undefined;
  // The nextvals of the statements after the anchor's, up to the write's, outside the anchor's
  // transaction (a top-level statement or one directly inside it), found by binary search.
  const uses = places.nextvals.get(from.script)?.get(sequence) ?? [];
  let low = 0;
  let high = uses.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (uses[middle].index <= from.index) low = middle + 1;
    else high = middle;
  }
  for (let at = low; at < uses.length && uses[at].index <= to.index; at++) {
    const use = uses[at];
    context.spend(1);
    if (use.statement !== write && use.top.transaction !== anchor.transaction) return undefined;
  }
  return `currval('${sequence.replace(/'/g, "''")}')`;
}

interface ScriptPlaces {
  /** Each top-level statement's script (by number) and position in it. */
  tops: Map<SqlStatement, { script: number; index: number }>;
  /** Per script and sequence, the statements (top-level or directly inside one) that call nextval on it, in order. */
  nextvals: Map<number, Map<string, Array<{ index: number; statement: SqlStatement; top: SqlStatement }>>>;
}

const placesOfModels = new WeakMap<object, ScriptPlaces>();

/** Built once per analysis, when a fix first needs it: the statements between two are then looked up, not walked. */
function scriptPlaces(context: RuleContext): ScriptPlaces {
  const known = placesOfModels.get(context.sql);
  if (known) return known;
  const places: ScriptPlaces = { tops: new Map(), nextvals: new Map() };
  context.sql.scripts.forEach((script, number) => script.forEach((top, index) => places.tops.has(top) || places.tops.set(top, { script: number, index })));
  const record = (statement: SqlStatement, top: SqlStatement) => {
    const place = places.tops.get(top);
    if (!place) return;
    const sequences = places.nextvals.get(place.script) ?? new Map<string, Array<{ index: number; statement: SqlStatement; top: SqlStatement }>>();
    places.nextvals.set(place.script, sequences);
    for (const name of new Set(nextvalSequences(statement))) {
      const list = sequences.get(name) ?? [];
      list.push({ index: place.index, statement, top });
      sequences.set(name, list);
    }
  };
  for (const script of context.sql.scripts) for (const top of script) record(top, top);
  for (const statement of context.sql.statements) if (statement.container && places.tops.has(statement.container)) record(statement, statement.container);
  for (const sequences of places.nextvals.values()) for (const list of sequences.values()) list.sort((left, right) => left.index - right.index);
  placesOfModels.set(context.sql, places);
  return places;
}

function nextvalSequences(statement: SqlStatement): string[] {
  if (!/nextval/i.test(statement.text)) return [];
  const found: string[] = [];
  walk(statement.body, (visit) => {
    if (visit.type !== 'FuncCall' || functionBaseName(visit.node) !== 'nextval') return;
    const sequence = sequenceArgument(visit.node);
    if (sequence) found.push(sequence);
  });
  return found;
}

function topOf(statement: SqlStatement): SqlStatement {
  let top = statement;
  while (top.container) top = top.container;
  return top;
}

// ALTER TABLE … ADD COLUMN IF NOT EXISTS <column> bigint NOT NULL DEFAULT 0; on its own line before
// the statement that opens the write's transaction (its BEGIN, the DO block, or the write itself).
function addColumnStatement(write: SqlStatement, column: string): Edit | undefined {
  const top = topOf(write);
  if (top.origin !== 'file') return undefined;
  const unit = top.transaction;
  const first = unit?.kind === 'explicit' ? unit.statements[0] : top;
  const relation = writeFields(write)?.relation;
  const table = [relation?.schemaname, relation?.relname]
    .filter(Boolean)
    .map((part) => quoteIdentifier(String(part)))
    .join('.');
  const alter = `${keywordCase(write, 'alter table')} ${table} ${keywordCase(write, 'add column if not exists')} ${column} ${keywordCase(write, 'bigint not null default')} 0;`;
  if (!parseSql(alter).ok) return undefined;
  return { start: first.start, end: first.start, text: `${alter}\n` };
}
