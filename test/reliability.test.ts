// The language server under load and on odd input: bursts of edits are coalesced, cancelled requests
// are answered as cancelled, 200 open documents, a 10,000-file workspace indexed without holding up
// the open file (with progress), files above the size limit, edits that name the version they were
// computed for, --fix that never overwrites a file changed meanwhile, and framing errors on stdio
// that end the server (so that the client restarts it) rather than leave it deaf.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import type { CodeAction } from 'vscode-languageserver-protocol';
import { checkLoaded, loadFile } from '../server/src/cli/check';
import { defaultSettings } from '../server/src/config';
import { FramingGuard } from '../server/src/framing-guard';
import { RULES } from '../server/src/rules';
import { WorkspaceSchema } from '../server/src/schema/workspace';
import { ready } from './helpers/lint';
import { TestClient, uriOf } from './helpers/lsp-client';

const clients: TestClient[] = [];
const folders: string[] = [];
before(() => ready);
after(() => {
  for (const client of clients) if (client.process.exitCode === null) client.process.kill();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const created = mkdtempSync(path.join(tmpdir(), 'armadilha-load-'));
  folders.push(created);
  return created;
}

async function session(workspace?: string, settings?: Record<string, unknown>): Promise<TestClient> {
  const client = new TestClient({ workspace, settings });
  clients.push(client);
  await client.initialize();
  return client;
}

const TRAP = "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n";

describe('language server under load', () => {
  it('coalesces a burst of edits: only the newest version is published, correctly', async () => {
    const client = await session(folder());
    const uri = uriOf('/tmp/burst.sql');
    await client.open(uri, TRAP);
    const before = client.published.length;
    const versions: Array<Promise<unknown>> = [];
    // Only the last one is awaited: the versions in between are expected never to be published.
    for (let index = 0; index < 50; index++) versions.push(client.typeAt(uri, 0, '\n'));
    await versions[49];
    const burst = client.published.slice(before).filter((params) => params.uri === uri);
    assert.ok(burst.length < 50, `published ${burst.length} times for 50 edits`);
    const newest = burst[burst.length - 1];
    assert.equal(newest.version, client.version(uri));
    assert.equal(newest.diagnostics[0].range.start.line, 50);
  });

  it('answers a cancelled request with RequestCancelled and keeps serving', async () => {
    const client = await session(folder());
    const uri = uriOf('/tmp/cancel.sql');
    await client.open(uri, TRAP);
    // The request and its cancellation go out in one write, so the server always sees the cancellation
    // before it answers (through the client library the two writes race the server's reply).
    const frame = (message: object) => {
      const body = JSON.stringify({ jsonrpc: '2.0', ...message });
      return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    let output = Buffer.alloc(0);
    const answer = new Promise<{ error?: { code: number } }>((resolve) => {
      const listen = (chunk: Buffer) => {
        output = Buffer.concat([output, chunk]);
        for (;;) {
          const header = /^Content-Length: (\d+)\r\n\r\n/.exec(output.toString('latin1', 0, 64));
          if (!header || output.length < header[0].length + Number(header[1])) return;
          const message = JSON.parse(output.toString('utf8', header[0].length, header[0].length + Number(header[1])));
          output = output.subarray(header[0].length + Number(header[1]));
          if (message.id !== 'cancel-probe') continue;
          client.process.stdout!.off('data', listen);
          return resolve(message);
        }
      };
      client.process.stdout!.on('data', listen);
    });
    const params = { textDocument: { uri }, position: { line: 0, character: 35 } };
    client.process.stdin!.write(frame({ id: 'cancel-probe', method: 'textDocument/hover', params }) + frame({ method: '$/cancelRequest', params: { id: 'cancel-probe' } }));
    assert.equal((await answer).error?.code, -32800);
    const answered = await client.connection.sendRequest('textDocument/hover', params);
    assert.ok(answered);
  });

  it('serves 200 open documents', async () => {
    const client = await session(folder());
    const opened = await Promise.all(Array.from({ length: 200 }, (_, index) => client.open(uriOf(`/tmp/many-${index}.sql`), `-- ${index}\n${TRAP}`)));
    assert.ok(opened.every((diagnostics) => diagnostics.length === 1 && diagnostics[0].code === 'no-clock-timestamp-expiry'));
    const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uriOf('/tmp/many-199.sql') }, position: { line: 1, character: 35 } });
    assert.ok(hover);
    // The first document's statement cache was dropped long ago (only recent ones keep theirs): an
    // edit there is analysed from scratch, correctly, and the next one through its new cache.
    const first = uriOf('/tmp/many-0.sql');
    const edited = await client.typeAt(first, 0, '\n');
    assert.deepEqual(edited.map((diagnostic) => [diagnostic.code, diagnostic.range.start.line]), [['no-clock-timestamp-expiry', 2]]);
    const again = await client.change(first, `${client.text(first)}select 1;\n${TRAP}`);
    assert.deepEqual(again.map((diagnostic) => diagnostic.range.start.line), [2, 4]);
  });

  it('indexes a 10,000-file workspace in slices, with progress, without holding up the open file', async () => {
    const workspace = folder();
    for (let index = 0; index < Number(process.env.DIRS ?? 100); index++) {
      const directory = path.join(workspace, 'migrations', String(index));
      mkdirSync(directory, { recursive: true });
      for (let file = 0; file < 100; file++) writeFileSync(path.join(directory, `${file}.sql`), `create table t_${index}_${file} (id bigint primary key, note text);\n`);
    }
    writeFileSync(path.join(workspace, 'migrations', 'payments.sql'), 'create table public.payments (provider_id text primary key, amount bigint);\n');
    const client = await session(workspace);
    const uri = uriOf(path.join(workspace, 'webhook.sql'));
    const firstDiagnostics = client.open(uri, "insert into public.payments (provider_id, amount) values ('pi', 1);\n").then(() => performance.now());
    const withSchema = client.nextDiagnostics(uri, (params) => params.diagnostics.some((each) => (each.data as { fixes: unknown[] }).fixes.length > 0));
    const first = await firstDiagnostics;
    await withSchema;
    assert.ok(client.progress.some((event) => event.kind === 'begin'), 'progress began');
    const end = client.progress.find((event) => event.kind === 'end');
    assert.ok(end, 'progress ended');
    assert.ok(first < end!.time, 'the open file was analysed before indexing finished');
  });

  it('skips files above the size limit with one information diagnostic', async () => {
    const client = await session(folder(), { maxFileSizeMb: 0.001 });
    const diagnostics = await client.open(uriOf('/tmp/large.sql'), TRAP.repeat(20));
    assert.deepEqual(diagnostics.map((each) => [each.code, each.severity]), [['skipped-file', 3]]);
  });

  it('names the document version in every edit, so an editor refuses it after a change', async () => {
    const client = await session(folder());
    const uri = uriOf('/tmp/versions.sql');
    const [diagnostic] = await client.open(uri, TRAP);
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    const [fixAll] = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [], only: ['source.fixAll.armadilha'] } });
    for (const action of [actions[0], fixAll]) assert.equal((action.edit!.documentChanges![0] as { textDocument: { version: number } }).textDocument.version, 1);
    await client.typeAt(uri, 0, ' ');
    assert.throws(() => client.applyEdit(actions[0].edit!), /stale edit/);
  });
});

describe('--fix and files changed meanwhile', () => {
  it('does not overwrite a file whose content changed after it was read, and leaves no temporary file', () => {
    const directory = folder();
    const file = path.join(directory, 'a.sql');
    writeFileSync(file, TRAP);
    const entry = loadFile({ absolute: file, display: 'a.sql' })!;
    writeFileSync(file, `-- edited by someone else\n${TRAP}`);
    const result = checkLoaded(entry, new WorkspaceSchema(), defaultSettings(RULES), 'en', true);
    assert.equal(result.applied, 0);
    assert.equal(readFileSync(file, 'utf8'), `-- edited by someone else\n${TRAP}`);
    assert.deepEqual(readdirSync(directory), ['a.sql']);
  });
});

describe('framing errors on stdio', () => {
  const frame = (message: object, length?: number) => {
    const body = JSON.stringify({ jsonrpc: '2.0', ...message });
    return `Content-Length: ${length ?? Buffer.byteLength(body)}\r\n\r\n${body}`;
  };
  const initialize = frame({ id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  const hover = frame({ id: 2, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///tmp/x.sql' }, position: { line: 0, character: 0 } } });

  /** Spawns the real server, writes the bytes once it answered initialize, and resolves with how it ended. */
  function exitAfter(command: string[], bytes: string): Promise<{ code: number | null; stderr: string }> {
    const server = spawn(process.execPath, command, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let sent = false;
    server.stderr!.on('data', (chunk) => (stderr += chunk));
    server.stdout!.on('data', (chunk) => {
      stdout += chunk;
      if (!sent && stdout.includes('"id":1')) {
        sent = true;
        server.stdin!.write(bytes);
      }
    });
    server.stdin!.write(initialize);
    return new Promise((resolve) => server.once('exit', (code) => resolve({ code, stderr })));
  }

  it('exits with a non-zero code on a header block without Content-Length', async () => {
    const ended = await exitAfter([path.resolve('dist/server.js'), '--stdio'], `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'shutdown' })}`);
    assert.equal(ended.code, 1);
    assert.match(ended.stderr, /without Content-Length/);
  });

  it('exits on a Content-Length that is not a number (armadilha lsp --stdio)', async () => {
    const ended = await exitAfter([path.resolve('dist/cli.js'), 'lsp', '--stdio'], `Content-Length: twelve\r\n\r\n{}`);
    assert.equal(ended.code, 1);
    assert.match(ended.stderr, /not a number/);
  });

  it('exits when a Content-Length shorter than the body makes the next message unreadable', async () => {
    const ended = await exitAfter([path.resolve('dist/server.js'), '--stdio'], frame({ method: 'initialized', params: {} }, 10) + hover);
    assert.equal(ended.code, 1);
  });

  it('follows valid framing split at every byte, and reports a body left unfinished', async () => {
    const problems: string[] = [];
    const guard = new FramingGuard((reason) => problems.push(reason), 50);
    const bytes = Buffer.from(initialize + frame({ method: 'x', params: { text: 'ação 😀' } }) + hover);
    for (let index = 0; index < bytes.length; index++) guard.push(bytes.subarray(index, index + 1));
    guard.push(bytes);
    assert.deepEqual(problems, []);
    // A Content-Length larger than the body: the message never ends, and nothing more arrives.
    const stalled = new Promise<string>((resolve) => {
      const waiting = new FramingGuard(resolve, 50);
      waiting.push(Buffer.from(frame({ id: 3, method: 'shutdown' }, 500)));
    });
    assert.match(await stalled, /half a message/);
    guard.dispose();
  });

  it('reports header blocks the library cannot read', () => {
    const reasons = (text: string) => {
      const problems: string[] = [];
      new FramingGuard((reason) => problems.push(reason)).push(Buffer.from(text));
      return problems;
    };
    assert.match(reasons('Content-Length 12\r\n\r\n{}')[0], /without a colon/);
    assert.match(reasons('Content-Length: 2\r\n\r\n{}garbage\r\n\r\n')[0], /without a colon/);
    assert.match(reasons('Content-Length: 5\r\n\r\nhello')[0], /JSON/);
    assert.match(reasons(`X-Junk: ${'a'.repeat(9000)}`)[0], /longer than/);
  });
});
