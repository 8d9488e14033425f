// What the messages of the SQL lock, notify and insert rules say about the code they flag: each names
// what is really there (the payload field, the lock, the reason), so a reader can check it. Fix
// safety per case is here too, where the examples (one safety per rule) cannot show it.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
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
    assert.deepEqual(inRoute.map((finding) => finding.message.match(/INSERT into (\S+)/)?.[1]), ['public.deliveries']);
    assert.match(inRoute[0].message, /webhook handler POST/);
    assert.deepEqual(findingsOf('require-on-conflict', code, { language: 'typescript', fileName: 'lib/deliveries.ts' }), []);
  });
});
