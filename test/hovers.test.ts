// Keyword hovers through the real language server (dist/server.js): phrases of several words and
// dotted names, in both languages, and the ambiguous words that must stay silent on their own.
// Every rule is off, so that no finding's hover hides the keyword's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hover } from 'vscode-languageserver-protocol';
import { RULES } from '../server/src/rules';
import { TestClient, uriOf } from './helpers/lsp-client';

const TEXT = [
  'begin isolation level read uncommitted;',
  'set transaction isolation level read committed;',
  'set session characteristics as transaction isolation level repeatable read;',
  "alter database app set default_transaction_isolation = 'serializable';",
  "select id from jobs where status = 'queued' order by id limit 1 for update skip locked;",
  'select id from contas where id = 1 for no key update nowait;',
  'select id from contas where id = 2 for share;',
  'listen pedidos;',
  "notify pedidos, 'mudou';",
  "select pg_notify('pedidos', 'mudou');",
  'refresh materialized view concurrently public.resumo;',
  "prepare transaction 'tx-1';",
  "commit prepared 'tx-1';",
  "select pgmq.send('pedidos', '{}'), pgmq.delete('pedidos', 1), pgmq.archive('pedidos', 2);",
  "select * from pgmq.read('pedidos', 30, 1);",
  "select * from pgmq.pop('pedidos');",
  'create table reservas (sala text, período tstzrange, exclude using gist (sala with =, período with &&));',
  'create function f() returns void language plpgsql as $$ declare r record; begin for r in select * from t for update loop null; end loop; end $$;',
  'create table ações (id int, share int, notify boolean, read text);',
  'select share, read from ações for key share;',
  'create policy só_dono on ações for update using (true);',
  'create index concurrently ações_id on ações (id);',
  'delete from ações where id = 1;',
  'insert into ações (id) values (1) on conflict (id) do nothing;',
].join('\n');

/** Offset of the `|` in `needle` once the needle (without the bar) is found in TEXT. */
function at(needle: string): number {
  const bare = needle.replace('|', '');
  const found = TEXT.indexOf(bare);
  assert.ok(found >= 0, `not in the text: ${bare}`);
  return found + needle.indexOf('|');
}

// [where, title, English fragment, Portuguese fragment]
const SHOWN: Array<[string, string, RegExp, RegExp]> = [
  ['|read uncommitted', 'READ UNCOMMITTED', /runs the transaction as READ COMMITTED/, /roda a transação como READ COMMITTED/],
  ['read un|committed', 'READ UNCOMMITTED', /no dirty reads/, /não há dirty read/],
  ['read com|mitted', 'READ COMMITTED', /The default level/, /O nível padrão/],
  ['rep|eatable read', 'REPEATABLE READ', /Snapshot isolation/, /Snapshot isolation/],
  ['repeatable r|ead', 'REPEATABLE READ', /write skew/, /write skew/],
  ["'seri|alizable'", 'SERIALIZABLE', /SQLSTATE `40001`/, /SQLSTATE `40001`/],
  ['limit 1 f|or update', 'SELECT … FOR UPDATE / FOR NO KEY UPDATE', /fixed order/, /mesma ordem/],
  ['for update sk|ip locked', 'SKIP LOCKED', /claim different rows/, /linhas diferentes/],
  ['skip lo|cked', 'SKIP LOCKED', /incomplete view/, /visão incompleta/],
  ['for no k|ey update', 'SELECT … FOR UPDATE / FOR NO KEY UPDATE', /foreign-key checks/, /foreign key/],
  ['no|wait', 'NOWAIT', /55P03/, /55P03/],
  ['id = 2 for sh|are', 'SELECT … FOR SHARE / FOR KEY SHARE', /shared row lock/, /lock compartilhado/],
  ['for key sh|are', 'SELECT … FOR SHARE / FOR KEY SHARE', /foreign-key checks take/, /foreign key usam/],
  ['lis|ten pedidos', 'LISTEN / NOTIFY / pg_notify()', /no replay/, /não há replay/],
  ['not|ify pedidos', 'LISTEN / NOTIFY / pg_notify()', /Nothing is stored/, /Nada fica guardado/],
  ['pg_no|tify(', 'LISTEN / NOTIFY / pg_notify()', /append-only events table/, /append-only/],
  ['refresh mat|erialized', 'REFRESH MATERIALIZED VIEW [CONCURRENTLY]', /exclusive lock/, /lock exclusivo/],
  ['view concur|rently public', 'REFRESH MATERIALIZED VIEW [CONCURRENTLY]', /unique index/, /índice único/],
  ['pre|pare transaction', 'PREPARE TRANSACTION / COMMIT PREPARED / ROLLBACK PREPARED', /survives restarts/, /sobrevive a reinícios/],
  ['prepare trans|action', 'PREPARE TRANSACTION / COMMIT PREPARED / ROLLBACK PREPARED', /saga/, /saga/],
  ['commit prep|ared', 'PREPARE TRANSACTION / COMMIT PREPARED / ROLLBACK PREPARED', /pg_prepared_xacts/, /pg_prepared_xacts/],
  ['pgmq.se|nd(', 'pgmq.send()', /transactional outbox/, /outbox transacional/],
  ['pgmq.de|lete(', 'pgmq.delete() / pgmq.archive()', /redelivery/, /reentrega/],
  ['pgmq.arch|ive(', 'pgmq.delete() / pgmq.archive()', /pgmq\.a_<queue>/, /pgmq\.a_<fila>/],
  ['pg|mq.read(', 'pgmq.read()', /visibility timeout/, /visibility timeout/],
  ['pgmq.re|ad(', 'pgmq.read()', /at-least-once/, /pelo menos uma vez/],
  ['pgmq.p|op(', 'pgmq.pop()', /at-most-once/, /no máximo uma vez/],
  ['exc|lude using', 'EXCLUDE USING gist', /overlapping bookings/, /reservas sobrepostas/],
  ['using gi|st', 'EXCLUDE USING gist', /btree_gist/, /btree_gist/],
  ['from t for up|date loop', 'SELECT … FOR UPDATE / FOR NO KEY UPDATE', /Locks the rows/, /Trava as linhas/],
  ['o|n conflict', 'INSERT … ON CONFLICT', /idempotent/, /idempotente/],
];

// Words that are keywords only inside a phrase, and phrases in another meaning.
const SILENT = [
  'begin f|or r in',
  'id int, sh|are int',
  'share int, not|ify boolean',
  'boolean, re|ad text',
  'select sh|are, read',
  'select share, re|ad from',
  'on ações for up|date using',
  'create index concur|rently',
  'set trans|action isolation',
  '|delete from ações',
  'isolation le|vel read committed',
];

const folders: string[] = [];
const clients: TestClient[] = [];
after(() => {
  for (const client of clients) if (client.process.exitCode === null) client.process.kill();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function session(locale: string): Promise<{ client: TestClient; uri: string }> {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-hovers-'));
  folders.push(folder);
  const rules = Object.fromEntries(RULES.map((rule) => [rule.id, 'off']));
  const client = new TestClient({ workspace: folder, locale, settings: { rules } });
  clients.push(client);
  await client.initialize();
  const uri = uriOf(path.join(folder, 'hovers.sql'));
  await client.open(uri, TEXT);
  return { client, uri };
}

function hover(client: TestClient, uri: string, offset: number): Promise<Hover | null> {
  const before = TEXT.slice(0, offset);
  const position = { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
  return client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
}

function markdown(result: Hover | null): string {
  return result ? (result.contents as { value: string }).value : '';
}

describe('keyword hovers', () => {
  let english: { client: TestClient; uri: string };
  let portuguese: { client: TestClient; uri: string };
  before(async () => {
    [english, portuguese] = await Promise.all([session('en'), session('pt-br')]);
  });

  it('show phrases, dotted names and single keywords in English', async () => {
    for (const [where, title, text] of SHOWN) {
      const shown = markdown(await hover(english.client, english.uri, at(where)));
      assert.ok(shown.startsWith(`**${title}**`), `${where}: ${shown.slice(0, 80)}`);
      assert.match(shown, text, where);
      assert.doesNotMatch(shown, /Source:|Skill|REGRA|REQ [A-Z]/, `${where}: no internal labels`);
    }
  });

  it('show the same entries in Portuguese', async () => {
    for (const [where, title, , text] of SHOWN) {
      const shown = markdown(await hover(portuguese.client, portuguese.uri, at(where)));
      assert.ok(shown.startsWith(`**${title}**`), `${where}: ${shown.slice(0, 80)}`);
      assert.match(shown, text, where);
      assert.doesNotMatch(shown, /Fonte:|Skill|REGRA|REQ [A-Z]/, `${where}: no internal labels`);
    }
  });

  it('stay silent on ambiguous words outside their phrase', async () => {
    for (const where of SILENT) assert.equal(await hover(english.client, english.uri, at(where)), null, where);
  });
});
