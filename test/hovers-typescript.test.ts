// Hovers in TypeScript documents, through the bundled language server: SQL keywords inside embedded
// SQL, the notes on AbortSignal.timeout, Redis NX/PX/EX and idempotency keys in both languages, the
// rule documentation on a TypeScript rule's squiggle, places where nothing must show, and the same
// answers from the syntax tree the last analysis left as from a new parse.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { typescriptHover } from '../server/src/hover/hover';
import { parseTypeScript } from '../server/src/languages/typescript/project';
import { TestClient, uriOf } from './helpers/lsp-client';

// Accented comments and strings before the hovered words: positions are UTF-16 columns.
const EDGE = [
  "import postgres from 'npm:postgres@3';",
  "import { createClient } from 'npm:redis@4';",
  "import Redis from 'npm:ioredis@5';",
  "import Stripe from 'npm:stripe@14';",
  '',
  "const sql = postgres(Deno.env.get('DATABASE_URL')!);",
  'const redis = createClient();',
  'const ioredis = new Redis();',
  "const stripe = new Stripe(Deno.env.get('STRIPE_KEY')!);",
  '',
  '// Pedido pago: grava uma vez só, avisa o parceiro e trava o recurso (ação única).',
  'Deno.serve(async (req) => {',
  '  const { pedidoId, valor } = await req.json();',
  '  await sql`insert into pagamentos (pedido_id, valor) values (${pedidoId}, ${valor}) on conflict do nothing`;',
  "  await fetch('https://parceiro.exemplo.com.br/avisos', { method: 'POST', signal: AbortSignal.timeout(5000) });",
  "  await redis.set(`trava:${pedidoId}`, 'dono', { NX: true, PX: 30000 });",
  "  await ioredis.set(`trava:${pedidoId}`, 'dono', 'NX', 'EX', 30);",
  '  await stripe.paymentIntents.create({ amount: valor, currency: "brl" }, { idempotencyKey: `pedido:${pedidoId}` });',
  "  await fetch('https://relatórios.exemplo.com.br/ping');",
  "  const opções = { timeout: 1000, modo: 'NX' };",
  "  return new Response(JSON.stringify({ ok: true, opções }), { headers: { 'Idempotency-Key': pedidoId } });",
  '});',
].join('\n');

const clients: TestClient[] = [];
let folder = '';
before(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'armadilha-hovers-'));
});
after(() => {
  for (const client of clients) if (client.process.exitCode === null) client.process.kill();
  rmSync(folder, { recursive: true, force: true });
});

async function session(locale: string): Promise<{ client: TestClient; uri: string; diagnostics: Diagnostic[] }> {
  const client = new TestClient({ workspace: folder, locale });
  clients.push(client);
  await client.initialize();
  const uri = uriOf(path.join(folder, 'pagamento.ts'));
  const diagnostics = await client.open(uri, EDGE, 'typescript');
  return { client, uri, diagnostics };
}

/** The hover text at the `nth` occurrence of `needle` (plus `shift` characters), or null. */
async function hoverAt(client: TestClient, uri: string, needle: string, shift = 1, nth = 0): Promise<string | null> {
  let offset = -1;
  for (let index = 0; index <= nth; index++) offset = EDGE.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `${needle} is in the document`);
  const before = EDGE.slice(0, offset + shift);
  const position = { line: before.split('\n').length - 1, character: before.length - (before.lastIndexOf('\n') + 1) };
  const result: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  if (!result) return null;
  const contents = result.contents as { kind: string; value: string };
  assert.equal(contents.kind, 'markdown');
  return contents.value;
}

describe('TypeScript hovers', () => {
  it('hovers SQL keywords inside a sql`…` template, in both languages', async () => {
    const english = await session('en');
    assert.match((await hoverAt(english.client, english.uri, 'on conflict', 4)) ?? '', /\*\*INSERT … ON CONFLICT\*\*[\s\S]*idempotent/);
    const portuguese = await session('pt-br');
    assert.match((await hoverAt(portuguese.client, portuguese.uri, 'on conflict', 4)) ?? '', /idempotente/);
    // A table name and a substitution inside the template show nothing.
    assert.equal(await hoverAt(english.client, english.uri, 'pagamentos', 2), null);
    assert.equal(await hoverAt(english.client, english.uri, '${pedidoId}', 3), null);
  });

  it('hovers AbortSignal.timeout, Redis NX/PX/EX and idempotency keys in English', async () => {
    const { client, uri } = await session('en');
    const expectations: Array<[string, number, number, RegExp]> = [
      ['AbortSignal.timeout', 2, 0, /\*\*AbortSignal\.timeout\(ms\)\*\*[\s\S]*aborts by itself/],
      ['AbortSignal.timeout', 14, 0, /AbortSignal\.any/],
      ['NX: true', 1, 0, /\*\*Redis SET … NX\*\*[\s\S]*exactly one wins/],
      ['PX: 30000', 1, 0, /\*\*Redis SET … PX \/ EX\*\*[\s\S]*milliseconds/],
      ["'NX'", 2, 0, /Redis SET … NX/],
      ["'EX'", 2, 0, /Redis SET … PX \/ EX/],
      ['idempotencyKey', 3, 0, /\*\*Idempotency key\*\*[\s\S]*stable identifier/],
      ["'Idempotency-Key'", 3, 0, /Idempotency key/],
    ];
    for (const [needle, shift, nth, expected] of expectations) {
      const text = await hoverAt(client, uri, needle, shift, nth);
      assert.match(text ?? '', expected, needle);
      assert.doesNotMatch(text ?? '', /Source:|Skill|REGRA|REQ [A-Z]/, needle);
    }
  });

  it('hovers the same notes in Portuguese for a pt-BR client', async () => {
    const { client, uri } = await session('pt-br');
    const expectations: Array<[string, number, RegExp]> = [
      ['AbortSignal.timeout', 14, /aborta sozinho/],
      ['NX: true', 1, /exatamente um vence/],
      ['PX: 30000', 1, /milissegundos/],
      ["'EX'", 2, /tempo de vida/],
      ['idempotencyKey', 3, /identificador estável/],
    ];
    for (const [needle, shift, expected] of expectations) {
      const text = await hoverAt(client, uri, needle, shift);
      assert.match(text ?? '', expected, needle);
      assert.doesNotMatch(text ?? '', /Fonte:|Skill|REGRA|REQ [A-Z]/, needle);
    }
  });

  it("shows the rule's documentation on a TypeScript rule's squiggle", async () => {
    const opened = await session('pt-br');
    const { client, uri } = opened;
    const diagnostics = opened.diagnostics.filter((diagnostic) => diagnostic.code === 'require-network-timeout');
    assert.equal(diagnostics.length, 1, 'the second fetch has no timeout');
    const line = EDGE.split('\n')[diagnostics[0].range.start.line];
    assert.equal(line.slice(diagnostics[0].range.start.character, diagnostics[0].range.end.character), 'fetch');
    const text = await hoverAt(client, uri, "fetch('https://relatórios", 2);
    assert.match(text ?? '', /Armadilha · require-network-timeout/);
    assert.match(text ?? '', /O que fazer/);
    // The editor shows the diagnostic's message above the hover; the hover does not repeat it.
    assert.ok(!(text ?? '').includes(String(diagnostics[0].message)));
  });

  it('answers the same from the tree the last analysis left as from a new parse, at every offset', () => {
    const tree = parseTypeScript(EDGE, 'pagamento.ts');
    for (let offset = 0; offset < EDGE.length; offset++) {
      assert.equal(
        typescriptHover(EDGE, 'file:///pagamento.ts', offset, 'en', tree),
        typescriptHover(EDGE, 'file:///pagamento.ts', offset, 'en'),
        `offset ${offset}`,
      );
    }
  });

  it('shows nothing on look-alikes: other timeouts, NX outside a SET, plain code', async () => {
    const { client, uri } = await session('en');
    assert.equal(await hoverAt(client, uri, 'timeout: 1000', 2), null);
    assert.equal(await hoverAt(client, uri, "'NX' }", 1), null);
    assert.equal(await hoverAt(client, uri, 'Deno.serve', 1), null);
    assert.equal(await hoverAt(client, uri, 'redis.set', 8), null);
  });
});
