// The language server on TypeScript documents: SQL embedded in code gets diagnostics at the exact
// UTF-16 characters of the .ts file, fixes edit the .ts file correctly (never a ${…}), and the
// "disable" actions write a TypeScript comment before the TypeScript statement.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { CodeAction } from 'vscode-languageserver-protocol';
import { TestClient, uriOf } from './helpers/lsp-client';

const clients: TestClient[] = [];
const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-ts-'));
after(() => {
  for (const client of clients) if (client.process.exitCode === null) client.process.kill();
  rmSync(folder, { recursive: true, force: true });
});

const SOURCE = [
  "import postgres from 'npm:postgres@3';",
  'const sql = postgres();',
  'export async function renew(userId: string) {',
  "  const nota = 'ação 😀';",
  "  await sql`update sessions set nota = ${nota}, expires_at = clock_timestamp() + interval '1 hour' where user_id = ${userId}`;",
  '}',
  '',
].join('\n');

async function session(): Promise<TestClient> {
  const client = new TestClient({ workspace: folder });
  clients.push(client);
  await client.initialize();
  return client;
}

describe('language server on TypeScript', () => {
  it('places embedded SQL diagnostics on the exact characters and fixes them without touching ${…}', async () => {
    const client = await session();
    const uri = uriOf(path.join(folder, 'renew.ts'));
    const [diagnostic] = await client.open(uri, SOURCE, 'typescript');
    const line = SOURCE.split('\n')[4];
    assert.equal(diagnostic.code, 'no-clock-timestamp-expiry');
    assert.deepEqual(diagnostic.range, {
      start: { line: 4, character: line.indexOf('clock_timestamp') },
      end: { line: 4, character: line.indexOf(' + interval') },
    });
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    assert.deepEqual(await client.applyEdit(actions[0].edit!), []);
    assert.equal(client.text(uri), SOURCE.replace('clock_timestamp()', 'now()'));
  });

  it('writes the suppression comment before the TypeScript statement, as a // comment', async () => {
    const client = await session();
    const uri = uriOf(path.join(folder, 'suppress.ts'));
    const [diagnostic] = await client.open(uri, SOURCE, 'typescript');
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    const disable = actions.find((action) => action.title === 'Disable no-clock-timestamp-expiry for this statement')!;
    assert.deepEqual(await client.applyEdit(disable.edit!), []);
    assert.equal(client.text(uri).split('\n')[4], '  // armadilha-ignore no-clock-timestamp-expiry -- reason');
  });

  it('analyses JavaScript and TSX documents too', async () => {
    const client = await session();
    const javascript =
      'const { Pool } = require(\'pg\');\nconst pool = new Pool();\nmodule.exports = () => pool.query("delete from leases where lease_until < clock_timestamp()");\n';
    const [jsDiagnostic] = await client.open(uriOf(path.join(folder, 'a.js')), javascript, 'javascript');
    assert.equal(jsDiagnostic.code, 'no-clock-timestamp-expiry');
    const tsx =
      'export const View = () => <div>{String(sql`select 1`)}</div>;\nconst sql = (..._: unknown[]) => 1;\nexport const q = /* sql */ `delete from leases where lease_until < clock_timestamp()`;\n';
    const [tsxDiagnostic] = await client.open(uriOf(path.join(folder, 'b.tsx')), tsx, 'typescriptreact');
    assert.equal(tsxDiagnostic.code, 'no-clock-timestamp-expiry');
    assert.equal(tsxDiagnostic.range.start.line, 2);
  });
});
