// The language server under load and on odd input: bursts of edits are coalesced, cancelled requests
// are answered as cancelled, an edit storm over 300 open documents (20 hot, whose caches opening the
// 300 pushed out), a 10,000-file workspace indexed without holding up the open file (with progress),
// files above the size limit, edits that name the version they were computed for, --fix that never
// overwrites a file changed meanwhile, and framing errors on stdio that end the server (so that the
// client restarts it) rather than leave it deaf.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { checkLoaded, loadFile } from '../server/src/cli/check';
import { defaultSettings } from '../server/src/core/config';
import { FramingGuard } from '../server/src/lsp/framing-guard';
import { RULES } from '../server/src/rules';
import { WorkspaceSchema } from '../server/src/schema/workspace';
import { ready } from './helpers/lint';
import { positionOf, TestClient, uriOf } from './helpers/lsp-client';
import { StatisticsRequest, type ServerStatistics } from '../shared/protocol';

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

interface StormFile {
  path: string;
  text: string;
  languageId: string;
  /** What is hovered: the start of a finding, found in the text as it is. */
  hover: string;
  /** Hot documents: where characters are typed. */
  hot?: number;
}

/**
 * 150 migrations and 150 TypeScript files, on disk and opened as they are. Migration i creates
 * payments_i and inserts into payments_(i-1); TypeScript file i inserts into payments_i, so that
 * renaming a table in one document changes the fixes offered in two others. Ten of each are hot.
 */
function stormWorkspace(root: string): StormFile[] {
  mkdirSync(path.join(root, 'migrations'));
  mkdirSync(path.join(root, 'src'));
  const files: StormFile[] = [];
  const isHot = (index: number) => index % 15 === 5;
  for (let index = 0; index < 150; index++) {
    const table = `create table payments_${index}`;
    const text = `${table} (id bigint generated always as identity primary key, provider_id text not null unique, amount bigint);\n${TRAP}insert into payments_${Math.max(0, index - 1)} (provider_id, amount) values ('pi', 1);\n`;
    files.push({
      path: path.join(root, 'migrations', `${String(index).padStart(4, '0')}_payments.sql`),
      text,
      languageId: 'sql',
      hover: 'clock_timestamp',
      hot: isHot(index) ? table.length : undefined,
    });
  }
  for (let index = 0; index < 150; index++) {
    const text = `import postgres from 'postgres';\nconst sql = postgres();\nexport async function record(id: string) {\n  await sql\`insert into payments_${index} (provider_id, amount) values (\${id}, 1)\`;\n  return fetch('https://example.com/${index}');\n}\n`;
    files.push({
      path: path.join(root, 'src', `record-${index}.ts`),
      text,
      languageId: 'typescript',
      hover: 'fetch(',
      hot: isHot(index) ? text.indexOf(`/${index}'`) + 1 : undefined,
    });
  }
  for (const file of files) writeFileSync(file.path, file.text);
  return files;
}

function statistics(client: TestClient): Promise<ServerStatistics> {
  return client.connection.sendRequest(StatisticsRequest);
}

/** Resolves once indexing ended and the server has nothing to analyse (checked twice, a moment apart). */
async function idle(client: TestClient): Promise<void> {
  let quietChecks = 0;
  while (quietChecks < 2) {
    const state = await statistics(client);
    const indexing = client.progress.some((event) => event.kind === 'begin') && !client.progress.some((event) => event.kind === 'end');
    quietChecks = !state.busy && state.queued === 0 && !indexing ? quietChecks + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function hoverAt(client: TestClient, uri: string, word: string): Promise<unknown> {
  return client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionIn(client.text(uri), word) });
}

function positionIn(text: string, word: string) {
  return positionOf(text, text.indexOf(word) + 2);
}

/** Diagnostics without the document version their data names (two servers count versions differently). */
function comparable(diagnostics: Diagnostic[]): unknown[] {
  return diagnostics.map((diagnostic) => ({ ...diagnostic, data: { ...(diagnostic.data as object), version: undefined } }));
}

function fixCount(client: TestClient, uri: string, ruleId: string): number {
  const diagnostic = client.latestFor(uri)!.diagnostics.find((each) => each.code === ruleId);
  return (diagnostic?.data as { fixes: unknown[] } | undefined)?.fixes.length ?? -1;
}

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
    client.process.stdin!.write(
      frame({ id: 'cancel-probe', method: 'textDocument/hover', params }) + frame({ method: '$/cancelRequest', params: { id: 'cancel-probe' } }),
    );
    assert.equal((await answer).error?.code, -32800);
    const answered = await client.connection.sendRequest('textDocument/hover', params);
    assert.ok(answered);
  });

  it('serves an edit storm: 300 open documents, 20 edited in turn with requests between edits', async () => {
    const workspace = folder();
    const files = stormWorkspace(workspace);
    const client = await session(workspace);
    const uris = files.map((file) => uriOf(file.path));
    await Promise.all(files.map((file, index) => client.open(uris[index], file.text, file.languageId)));
    await idle(client);

    // Hovers on documents that did not change are served from their latest analysis.
    const before = await statistics(client);
    const quiet = await Promise.all(
      files
        .filter((file) => file.hot === undefined)
        .slice(0, 40)
        .map((file) => hoverAt(client, uriOf(file.path), file.hover)),
    );
    assert.ok(quiet.every((hover) => hover !== null));
    assert.equal((await statistics(client)).analyses, before.analyses, 'hovers on unchanged documents ran no analysis');

    // The storm: each hot document in turn gets a character (SQL ones in a table name that other
    // documents refer to, so the schema changes), then a hover and a code action, without waiting.
    const hot = files.filter((file) => file.hot !== undefined);
    const answers: Array<Promise<unknown>> = [];
    for (let round = 0; round < 10; round++) {
      for (const file of hot) {
        const uri = uriOf(file.path);
        void client.typeAt(uri, file.hot! + round, 'abcdefghij'[round]);
        answers.push(hoverAt(client, uri, file.hover));
        answers.push(
          client.connection.sendRequest('textDocument/codeAction', {
            textDocument: { uri },
            range: { start: positionIn(client.text(uri), file.hover), end: positionIn(client.text(uri), file.hover) },
            context: { diagnostics: [] },
          }),
        );
      }
    }
    const answered = await Promise.all(answers);
    assert.ok(
      answered.filter((_, index) => index % 2 === 0).every((hover) => hover !== null),
      'every hover answered, with content',
    );
    assert.ok(
      answered.filter((_, index) => index % 2 === 1).every((actions) => Array.isArray(actions)),
      'every code action request answered',
    );
    await idle(client);

    // Every document's diagnostics are those of its newest version, as a server started now gives them.
    const fresh = await session(workspace);
    await Promise.all(files.map((file, index) => fresh.open(uris[index], client.text(uris[index]), file.languageId)));
    await idle(fresh);
    for (const uri of uris) {
      assert.equal(client.latestFor(uri)?.version, client.version(uri), `newest version published for ${uri}`);
      assert.deepEqual(comparable(client.latestFor(uri)!.diagnostics), comparable(fresh.latestFor(uri)!.diagnostics), `diagnostics of ${uri}`);
    }
    // The renamed tables took the fixes of the inserts into them away (the schema change reached the TypeScript documents).
    const hotTypescript = hot.filter((file) => file.languageId === 'typescript').map((file) => uriOf(file.path));
    assert.ok(hotTypescript.every((uri) => fixCount(client, uri, 'require-on-conflict') === 0));

    // Closing 280 documents as they are saved changes no schema fact: nothing else is analysed.
    const counted = (await statistics(client)).analyses;
    const cold = files.filter((file) => file.hot === undefined).map((file) => uriOf(file.path));
    const cleared = cold.map((uri) => client.nextDiagnostics(uri, (params) => params.diagnostics.length === 0));
    for (const uri of cold) void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await Promise.all(cleared);
    await idle(client);
    assert.equal((await statistics(client)).analyses, counted, 'closing unchanged documents analysed nothing');

    // Closing the edited migrations unsaved restores their tables: the TypeScript documents open get their fixes back, each analysed once.
    for (const file of hot.filter((each) => each.languageId === 'sql'))
      void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(file.path) } });
    await idle(client);
    assert.ok((await statistics(client)).analyses - counted <= hotTypescript.length);
    assert.ok(hotTypescript.every((uri) => fixCount(client, uri, 'require-on-conflict') === 1));
  });

  it('re-checks, after a schema change, only the documents whose analysis read the schema', async () => {
    const client = await session(folder());
    const migration = uriOf('/tmp/schema-change.sql');
    await client.open(migration, 'create table public.payments (provider_id text primary key, amount bigint);\n');
    const reader = uriOf('/tmp/schema-reader.ts');
    const [insert] = await client.open(
      reader,
      "import postgres from 'postgres';\nconst sql = postgres();\nexport const record = (id: string) => sql`insert into public.payments (provider_id, amount) values (${id}, 1)`;\n",
      'typescript',
    );
    assert.equal((insert.data as { fixes: unknown[] }).fixes.length, 1);
    await client.open(uriOf('/tmp/schema-free.ts'), "export const load = () => fetch('https://example.com/a');\n", 'typescript');
    await idle(client);
    const before = (await statistics(client)).analyses;
    const withoutFix = client.nextDiagnostics(reader, (params) => (params.diagnostics[0]?.data as { fixes: unknown[] }).fixes.length === 0);
    await client.change(migration, 'create table public.payment_attempts (provider_id text primary key, amount bigint);\n');
    await withoutFix;
    await idle(client);
    assert.equal((await statistics(client)).analyses - before, 2, 'the migration and the document that reads its table; not the one that reads no schema');
  });

  it('forgets the tables of an unsaved document when it closes, and re-checks the documents open', async () => {
    const client = await session(folder());
    const untitled = 'untitled:Untitled-1';
    await client.open(untitled, 'create table public.payments (provider_id text primary key, amount bigint);\n');
    const uri = uriOf('/tmp/uses-untitled.sql');
    const [insert] = await client.open(uri, "insert into public.payments (provider_id, amount) values ('pi', 1);\n");
    assert.equal((insert.data as { fixes: unknown[] }).fixes.length, 1, 'the fix comes from the unsaved table');
    const withoutTable = client.nextDiagnostics(uri, (params) => (params.diagnostics[0]?.data as { fixes: unknown[] }).fixes.length === 0);
    void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: untitled } });
    await withoutTable;
  });

  it('indexes a 10,000-file workspace in slices, with progress, without holding up the open file', async () => {
    const workspace = folder();
    for (let index = 0; index < Number(process.env.DIRS ?? 100); index++) {
      const directory = path.join(workspace, 'migrations', String(index));
      mkdirSync(directory, { recursive: true });
      for (let file = 0; file < 100; file++)
        writeFileSync(path.join(directory, `${file}.sql`), `create table t_${index}_${file} (id bigint primary key, note text);\n`);
    }
    writeFileSync(path.join(workspace, 'migrations', 'payments.sql'), 'create table public.payments (provider_id text primary key, amount bigint);\n');
    const client = await session(workspace);
    const uri = uriOf(path.join(workspace, 'webhook.sql'));
    const firstDiagnostics = client.open(uri, "insert into public.payments (provider_id, amount) values ('pi', 1);\n").then(() => performance.now());
    const withSchema = client.nextDiagnostics(uri, (params) => params.diagnostics.some((each) => (each.data as { fixes: unknown[] }).fixes.length > 0));
    const first = await firstDiagnostics;
    await withSchema;
    assert.ok(
      client.progress.some((event) => event.kind === 'begin'),
      'progress began',
    );
    const end = client.progress.find((event) => event.kind === 'end');
    assert.ok(end, 'progress ended');
    assert.ok(first < end.time, 'the open file was analysed before indexing finished');
  });

  it('skips files above the size limit with one warning (their findings are hidden)', async () => {
    const client = await session(folder(), { maxFileSizeMb: 0.001 });
    const diagnostics = await client.open(uriOf('/tmp/large.sql'), TRAP.repeat(20));
    assert.deepEqual(
      diagnostics.map((each) => [each.code, each.severity]),
      [['skipped-file', 2]],
    );
  });

  it('names the document version in every edit, so an editor refuses it after a change', async () => {
    const client = await session(folder());
    const uri = uriOf('/tmp/versions.sql');
    const [diagnostic] = await client.open(uri, TRAP);
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    const [fixAll] = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [], only: ['source.fixAll.armadilha'] },
    });
    for (const action of [actions[0], fixAll])
      assert.equal((action.edit!.documentChanges![0] as { textDocument: { version: number } }).textDocument.version, 1);
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
    server.stderr.on('data', (chunk) => (stderr += chunk));
    server.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!sent && stdout.includes('"id":1')) {
        sent = true;
        server.stdin.write(bytes);
      }
    });
    server.stdin.write(initialize);
    return new Promise((resolve) => server.once('exit', (code) => resolve({ code, stderr })));
  }

  it('exits with a non-zero code on a header block without Content-Length', async () => {
    const ended = await exitAfter(
      [path.resolve('dist/server.js'), '--stdio'],
      `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'shutdown' })}`,
    );
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
