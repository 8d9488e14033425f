// What the messages of the SQL lock, notify and insert rules say about the code they flag: each names
// what is really there (the payload field, the lock, the reason), so a reader can check it. Fix
// safety per case is here too, where the examples (one safety per rule) cannot show it, and the
// TypeScript fencing fixes, which need a schema that fixture files cannot carry.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { applyEdits, mergeFixes } from '../server/src/core/fixes';
import { findingsOf, ready } from './helpers/lint';

before(() => ready);

describe('no-notify-event-log messages', () => {
  it('names the column selected into the payload variable, not another INTO target', () => {
    const code = [
      'create function avisar(p_fila text) returns void language plpgsql as $$',
      'declare v_filas text[]; v_pedidos bigint[];',
      'begin',
      "  select array_agg(fila), array_agg(pedido_id) into v_filas, v_pedidos from itens where situacao = 'pronto';",
      "  perform pg_notify('avisos', v_pedidos[1]::text);",
      "  perform pg_notify('avisos', v_filas[1]);",
      'end $$;',
    ].join('\n');
    const messages = findingsOf('no-notify-event-log', code).map((finding) => finding.message);
    assert.equal(messages.length, 1, JSON.stringify(messages));
    assert.match(messages[0], /payload carries pedido_id\)/);
  });

  it('names the key of a JSON literal payload', () => {
    const [finding] = findingsOf('no-notify-event-log', 'notify pedidos, \'{"pedido_id": 7}\';', { locale: 'pt-BR' });
    assert.match(finding.message, /o payload carrega pedido_id/);
  });
});

describe('require-on-conflict fixes and handlers', () => {
  const schema = 'create table public.processed_events (event_id text primary key, note text);';

  it('is safe when the key is proven and there is no RETURNING', () => {
    const [finding] = findingsOf('require-on-conflict', "insert into public.processed_events (event_id) values ('e1');", { schema });
    assert.equal(finding.fixes.length, 1);
    assert.equal(finding.fixes[0].safe, true);
  });

  it('is offered but unsafe with RETURNING: a duplicate then returns no row instead of an error', () => {
    const [finding] = findingsOf('require-on-conflict', "insert into public.processed_events (event_id) values ('e1') returning event_id;", { schema });
    assert.equal(finding.fixes.length, 1);
    assert.equal(finding.fixes[0].safe, false);
    assert.match(finding.fixes[0].title, /ON CONFLICT \(event_id\) DO NOTHING/);
  });

  it('is not offered when no unique key is known', () => {
    const [finding] = findingsOf('require-on-conflict', "insert into public.processed_events (event_id) values ('e1');");
    assert.deepEqual(finding.fixes, []);
  });

  it('recognises a route under a webhook path, for inserts that carry the delivery id', () => {
    const code = [
      "import postgres from 'postgres';",
      'const sql = postgres();',
      'export async function POST(request: Request) {',
      '  const payload = await request.json();',
      '  await sql`insert into public.deliveries (id, kind) values (${payload.id}, ${payload.type})`;',
      "  await sql`insert into public.request_log (path) values (${'/api/webhooks/github'})`;",
      '}',
    ].join('\n');
    const inRoute = findingsOf('require-on-conflict', code, { language: 'typescript', fileName: 'app/api/webhooks/github/route.ts' });
    assert.deepEqual(
      inRoute.map((finding) => finding.message.match(/INSERT into (\S+)/)?.[1]),
      ['public.deliveries'],
    );
    assert.match(inRoute[0].message, /webhook handler POST/);
    assert.deepEqual(findingsOf('require-on-conflict', code, { language: 'typescript', fileName: 'lib/deliveries.ts' }), []);
  });
});

describe('require-fencing-token messages and fixes', () => {
  it('says why a session lock does not cover a write in a later transaction', () => {
    const code = 'select pg_advisory_lock(1);\nupdate public.resources set value = 1 where id = 1;';
    const [finding] = findingsOf('require-fencing-token', code);
    assert.match(finding.message, /^UPDATE of public\.resources runs under pg_advisory_lock\(\) .* later transaction: through a pool/);
    const [portuguese] = findingsOf('require-fencing-token', code, { locale: 'pt-BR' });
    assert.match(portuguese.message, /^UPDATE em public\.resources roda sob pg_advisory_lock\(\) .* transação posterior/);
  });

  it('names the lease column for a lease row', () => {
    const code = "update public.jobs set locked_until = now() + interval '1 minute' where id = 3;\nupdate public.jobs set state = 'done' where id = 3;";
    const [finding] = findingsOf('require-fencing-token', code);
    assert.match(finding.message, /runs under the lease in public\.jobs\.locked_until that an earlier transaction set or checked/);
    assert.match(finding.message, /until the lease expires/);
  });

  it('is safe with the token column the migrations show, unsafe when it must add one', () => {
    const code = "select pg_advisory_lock(1), nextval('fencing_tokens_seq');\nupdate public.resources set value = 1 where id = 1;";
    const known = findingsOf('require-fencing-token', code, {
      schema: 'create table public.resources (id bigint primary key, value int, fencing_token bigint not null default 0);',
    });
    assert.equal(known[0].fixes[0].safe, true);
    assert.match(known[0].fixes[0].title, /fencing_token/);
    const missing = findingsOf('require-fencing-token', code, { schema: 'create table public.resources (id bigint primary key, value int);' });
    assert.equal(missing[0].fixes[0].safe, false);
    assert.match(missing[0].fixes[0].edits[0].text, /^alter table public\.resources add column if not exists last_token bigint not null default 0;\n$/);
  });

  // Code cannot add a column: in TypeScript the fix needs the token column in the migrations.
  for (const name of ['redis-pg-params.ts', 'redlock-using-postgres-js.ts', 'commonjs.js']) {
    it(`${name}: fixed with the table's token column known, no fix without it`, () => {
      const file = path.join('test/fixtures/require-fencing-token', name);
      const text = readFileSync(file, 'utf8');
      const language = name.endsWith('.js') ? 'javascript' : 'typescript';
      const schema = [
        'create table public.products (id text primary key, price numeric, note text, last_token bigint not null default 0);',
        'create table public.price_drafts (product_id text primary key, last_token bigint not null default 0);',
        'create table public.leaders (region text primary key, node text, heartbeat timestamptz, last_token bigint not null default 0);',
        'create table public.ledger_months (month text primary key, closed boolean, last_token bigint not null default 0);',
      ].join('\n');
      assert.ok(findingsOf('require-fencing-token', text, { language, fileName: name }).every((finding) => finding.fixes.length === 0));
      const findings = findingsOf('require-fencing-token', text, { language, fileName: name, schema });
      const fixed = applyEdits(text, mergeFixes(findings.filter((finding) => finding.fixes.length).map((finding) => finding.fixes[0])));
      assert.equal(fixed, readFileSync(file.replace(/(\.[^.]+)$/, '.schema.fixed$1'), 'utf8'));
    });
  }
});
