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
