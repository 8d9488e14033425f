// The editor experience through the real language server (dist/server.js) and a real LSP client:
// configuration problems shown four ways, the log, pull and workspace diagnostics, the Analyse
// Workspace request, run onSave, the time budget, short hovers in one language, and coexistence with
// other PostgreSQL extensions. No sleeps: every wait is for a message from the server.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { DocumentDiagnosticReport, Hover, InitializeResult, WorkspaceDiagnosticReport } from 'vscode-languageserver-protocol';
import { TestClient, uriOf, type ClientOptions } from './helpers/lsp-client';
import { AnalyseWorkspaceRequest, PeersNotification, RulesRequest, StatisticsRequest } from '../shared/protocol';

const clients: TestClient[] = [];
const folders: string[] = [];
after(async () => {
  for (const client of clients) if (client.process.exitCode === null) client.process.kill();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function workspace(files: Record<string, string> = {}): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-editor-'));
  folders.push(folder);
  mkdirSync(path.join(folder, '.git'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

async function start(options: ClientOptions = {}): Promise<{ session: TestClient; initialized: InitializeResult }> {
  const session = new TestClient(options);
  clients.push(session);
  const initialized = new Promise<InitializeResult>((resolve) => {
    const original = session.connection.sendRequest.bind(session.connection);
    (session.connection as unknown as { sendRequest: typeof original }).sendRequest = ((method: string, ...rest: unknown[]) => {
      const answer = (original as (method: string, ...rest: unknown[]) => Promise<unknown>)(method, ...rest);
      if (method === 'initialize') void answer.then((result) => resolve(result as InitializeResult));
      return answer;
    }) as typeof original;
  });
  await session.initialize();
  return { session, initialized: await initialized };
}

const EXPIRY = "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n";
const PAYMENT = "insert into payments (provider_id, amount) values ('pi_1', 100);\n";
const log = (session: TestClient) => session.logs.map((line) => line.message).join('\n');

function hover(session: TestClient, uri: string, offset: number): Promise<Hover | null> {
  const text = session.text(uri);
  const before = text.slice(0, offset);
  const position = { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
  return session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
}

describe('configuration problems', () => {
  it('a broken armadilha.config.json: diagnostic, one notification per change with "Open configuration", status warning, log line — before any file is opened', async () => {
    const folder = workspace({ 'armadilha.config.json': '{ "rules": { "no-clock-timestamp-expiri": "off" } }\n' });
    const config = path.join(folder, 'armadilha.config.json');
    const { session } = await start({ workspace: folder, answerMessage: (params) => params.actions?.[0] ?? null });
    const [diagnostic] = await session.nextDiagnostics(uriOf(config), (params) => params.diagnostics.length > 0);
    assert.equal(diagnostic.code, 'config-error');
    assert.match(String(diagnostic.message), /Unknown rule "no-clock-timestamp-expiri"/);
    assert.equal(diagnostic.range.start.character, '{ "rules": { '.length);
    await session.until(() => session.messages.length === 1 && session.shownDocumentParams.length === 1);
    assert.deepEqual(session.messages[0].actions, ['Open configuration']);
    assert.match(session.messages[0].message, /armadilha\.config\.json has a problem: Unknown rule/);
    // "Open configuration" opens the file at the problem.
    assert.equal(session.shownDocumentParams[0].uri, uriOf(config));
    assert.deepEqual(session.shownDocumentParams[0].selection?.start, diagnostic.range.start);
    await session.until(() => session.statuses.at(-1)?.level === 'warning');
    assert.match(session.statuses.at(-1)!.reasons.join(' '), /1 problem\(s\) in the configuration/);
    assert.match(log(session), /Configuration .*armadilha\.config\.json: 1 problem\(s\): Unknown rule "no-clock-timestamp-expiri"/);

    // Fixed on disk: the diagnostic goes, the status is fine again, no new notification.
    writeFileSync(config, '{ "rules": { "no-clock-timestamp-expiry": "off" } }\n');
    const cleared = session.nextDiagnostics(uriOf(config), (params) => params.diagnostics.length === 0);
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(config), type: 2 }] });
    await cleared;
    await session.until(() => session.statuses.at(-1)?.level === 'ok');
    // Broken again (invalid JSON): a second notification; the same broken text saved again: none.
    writeFileSync(config, '{ "rules": { "no-clock-timestamp-expiry": "off" }\n');
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(config), type: 2 }] });
    await session.until(() => session.messages.length === 2);
    assert.match(session.messages[1].message, /not valid JSON/);
    const opened = session.open(uriOf(path.join(folder, 'a.sql')), EXPIRY);
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(config), type: 2 }] });
    // The defaults stay in force: the rule the broken file turned off fires.
    assert.deepEqual(
      (await opened).map((each) => each.code),
      ['no-clock-timestamp-expiry'],
    );
    await session.connection.sendRequest(StatisticsRequest);
    assert.equal(session.messages.length, 2);
  });

  it('validates armadilha.config.json as it is typed in the editor, and applies it when saved', async () => {
    const folder = workspace({ 'armadilha.config.json': '{}\n' });
    const config = path.join(folder, 'armadilha.config.json');
    const { session } = await start({ workspace: folder });
    const uri = uriOf(path.join(folder, 'a.sql'));
    await session.open(uri, EXPIRY);
    const typed = '{ "rules": { "no-clock-timestamp-expiry": "of" } }\n';
    const live = session.nextDiagnostics(uriOf(config), (params) => params.diagnostics.length > 0);
    session.openOnly(uriOf(config), '{}\n', 'json');
    session.changeOnly(uriOf(config), typed);
    assert.match(String((await live)[0].message), /no-clock-timestamp-expiry: expected one of off, hint, info, warning, error/);
    assert.equal(session.messages.length, 0, 'no notification while typing');
    // Saved (fixed): read from disk at once, and the documents analysed with it.
    writeFileSync(config, '{ "rules": { "no-clock-timestamp-expiry": "error" } }\n');
    session.changeOnly(uriOf(config), '{ "rules": { "no-clock-timestamp-expiry": "error" } }\n');
    const refreshed = session.nextDiagnostics(uri, (params) => params.diagnostics[0]?.severity === 1);
    await session.connection.sendNotification('textDocument/didSave', { textDocument: { uri: uriOf(config) } });
    await refreshed;
    assert.deepEqual(session.latestFor(uriOf(config))?.diagnostics, []);
    // Never analysed as code: no hover, no code action.
    assert.equal(
      await session.connection.sendRequest('textDocument/hover', { textDocument: { uri: uriOf(config) }, position: { line: 0, character: 5 } }),
      null,
    );
  });

  it('says it in Portuguese to a pt-BR client', async () => {
    const folder = workspace({ 'armadilha.config.json': '{ "nomes": {} }' });
    const { session } = await start({ workspace: folder, locale: 'pt-br' });
    await session.until(() => session.messages.length === 1 && session.statuses.at(-1)?.level === 'warning');
    assert.match(session.messages[0].message, /tem um problema: Chave desconhecida "nomes"/);
    assert.deepEqual(session.messages[0].actions, ['Abrir a configuração']);
    assert.match(session.statuses.at(-1)!.reasons[0], /problema\(s\) na configuração/);
  });
});

describe('the output channel', () => {
  it('logs the start, the workspace folder, configuration files, files skipped (once), and at verbose each analysis with its time', async () => {
    const folder = workspace({ 'armadilha.config.json': JSON.stringify({ rules: { 'no-dual-write': 'off' } }) });
    const { session } = await start({ workspace: folder, settings: { logLevel: 'verbose' } });
    const uri = uriOf(path.join(folder, 'a.sql'));
    await session.open(uri, EXPIRY);
    const mysql = uriOf(path.join(folder, 'legacy.sql'));
    await session.open(mysql, 'CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;\n');
    await session.change(mysql, 'CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;\n-- x\n');
    const text = log(session);
    assert.match(text, /^Armadilha \d+\.\d+\.\d+ started \(Node v\d+/m);
    assert.match(text, new RegExp(`Workspace folders: ${folder.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`));
    assert.match(text, /Configuration .*armadilha\.config\.json: no problems\./);
    assert.match(text, /Analysed .*a\.sql \(version 1\) in \d+ ms: 1 finding\(s\)\./);
    assert.equal(text.match(/Skipped .*legacy\.sql: Armadilha skipped this file: it is MySQL/g)?.length, 1, text);
  });

  it('does not log every analysis at the default level', async () => {
    const folder = workspace();
    const { session } = await start({ workspace: folder });
    await session.open(uriOf(path.join(folder, 'a.sql')), EXPIRY);
    assert.doesNotMatch(log(session), /Analysed /);
    assert.match(log(session), /started/);
  });
});

describe('pull diagnostics (LSP 3.17)', () => {
  it('answers textDocument/diagnostic for a client that pulls, with unchanged reports, and publishes nothing', async () => {
    const folder = workspace();
    const { session, initialized } = await start({ workspace: folder, pull: true });
    assert.deepEqual(initialized.capabilities.diagnosticProvider, { identifier: 'armadilha', interFileDependencies: true, workspaceDiagnostics: true });
    const uri = uriOf(path.join(folder, 'a.sql'));
    session.openOnly(uri, EXPIRY);
    const first = await session.connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(first.kind, 'full');
    assert.deepEqual(first.kind === 'full' && first.items.map((item) => item.code), ['no-clock-timestamp-expiry']);
    const again = await session.connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', {
      textDocument: { uri },
      previousResultId: first.resultId,
    });
    assert.deepEqual(again, { kind: 'unchanged', resultId: first.resultId });
    session.changeOnly(uri, EXPIRY + PAYMENT.replace('payments', 'ledger'));
    const changed = await session.connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', {
      textDocument: { uri },
      previousResultId: first.resultId,
    });
    assert.equal(changed.kind, 'full');
    await session.connection.sendRequest(StatisticsRequest);
    assert.deepEqual(
      session.published.filter((params) => params.uri === uri),
      [],
      'nothing pushed to a pulling client',
    );
  });

  it('answers workspace/diagnostic with every file of the workspace, closed ones from disk, and holds a repeated request until something changes', async () => {
    const folder = workspace({
      'supabase/migrations/001_schema.sql': 'create table payments (id bigint primary key, provider_id text unique, amount int);\n',
      'supabase/migrations/002_traps.sql': EXPIRY,
      'src/job.ts':
        "import postgres from 'postgres';\nconst sql = postgres();\nexport const renew = (id: number) => sql`update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = ${id}`;\n",
      'node_modules/dep/index.js': "fetch('https://example.com');\n",
      'dist/bundle.js': "fetch('https://example.com');\n",
    });
    const { session } = await start({ workspace: folder, pull: true });
    const open = uriOf(path.join(folder, 'src/job.ts'));
    session.openOnly(
      open,
      session.text === undefined
        ? ''
        : "import postgres from 'postgres';\nconst sql = postgres();\nexport const renew = (id: number) => sql`update sessions set expires_at = now() where id = ${id}`;\n",
      'typescript',
    );
    await session.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: open } });
    const report = await session.connection.sendRequest<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds: [] });
    const byFile = new Map(report.items.map((item) => [path.relative(folder, new URL(item.uri).pathname), item]));
    assert.deepEqual(
      [...byFile.keys()].sort(),
      [path.join('src', 'job.ts'), path.join('supabase', 'migrations', '001_schema.sql'), path.join('supabase', 'migrations', '002_traps.sql')],
      'node_modules and build output are left out',
    );
    const traps = byFile.get(path.join('supabase', 'migrations', '002_traps.sql'))!;
    assert.equal(traps.version, null);
    assert.deepEqual(traps.kind === 'full' && traps.items.map((item) => item.code), ['no-clock-timestamp-expiry']);
    // The open document is reported as it is in the editor (fixed there), with its version.
    const job = byFile.get(path.join('src', 'job.ts'))!;
    assert.equal(job.version, 1);
    assert.deepEqual(job.kind === 'full' && job.items, []);

    // Asked again with every result id: the answer waits for a change, then carries only what changed.
    const previousResultIds = report.items.map((item) => ({ uri: item.uri, value: item.resultId! }));
    const next = session.connection.sendRequest<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds });
    const schema = path.join(folder, 'supabase/migrations/001_schema.sql');
    writeFileSync(schema, `${EXPIRY}create table payments (id bigint primary key, provider_id text unique, amount int);\n`);
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(schema), type: 2 }] });
    const changed = (await next).items.filter((item) => item.kind === 'full');
    assert.deepEqual(
      changed.map((item) => path.basename(new URL(item.uri).pathname)),
      ['001_schema.sql'],
    );
  });
});

describe('the whole workspace for a client that is pushed to', () => {
  it('armadilha/analyseWorkspace publishes the findings of closed files, and a closed document shows its file on disk again', async () => {
    const folder = workspace({ 'db/001.sql': EXPIRY, 'db/002.sql': 'select 1;\n', 'app/a.ts': 'export const ok = 1;\n' });
    const { session } = await start({ workspace: folder });
    const closed = uriOf(path.join(folder, 'db/001.sql'));
    const pushed = session.nextDiagnostics(closed, (params) => params.diagnostics.length === 1);
    const summary = await session.connection.sendRequest(AnalyseWorkspaceRequest);
    assert.deepEqual(summary, { files: 3, findings: 1 });
    const [diagnostic] = await pushed;
    assert.equal(diagnostic.code, 'no-clock-timestamp-expiry');
    // Opened and fixed in the editor (not saved), then closed: the file on disk still has the trap.
    await session.open(closed, EXPIRY);
    assert.deepEqual(await session.change(closed, 'select 1;\n'), []);
    const back = session.nextDiagnostics(closed, (params) => params.diagnostics.length === 1);
    await session.connection.sendNotification('textDocument/didClose', { textDocument: { uri: closed } });
    assert.equal((await back)[0].code, 'no-clock-timestamp-expiry');
    assert.match(log(session), /Workspace analysis: 3 file\(s\) in \d+ ms, 1 finding\(s\)\./);
    // A closed file changed on disk (a checkout): its findings follow.
    const other = path.join(folder, 'db/002.sql');
    writeFileSync(other, EXPIRY);
    const updated = session.nextDiagnostics(uriOf(other), (params) => params.diagnostics.length === 1);
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(other), type: 2 }] });
    assert.equal((await updated)[0].code, 'no-clock-timestamp-expiry');
  });
});

describe('armadilha.run and the time budget', () => {
  it('run onSave: an edited document keeps the diagnostics of its saved version until it is saved', async () => {
    const folder = workspace();
    const { session } = await start({ workspace: folder, settings: { run: 'onSave' } });
    const uri = uriOf(path.join(folder, 'a.sql'));
    assert.deepEqual(
      (await session.open(uri, 'select 1;\n')).map((each) => each.code),
      [],
    );
    session.changeOnly(uri, `select 1;\n${EXPIRY}`);
    // A hover needs the new version's analysis; its diagnostics are still not shown.
    await hover(session, uri, 2);
    assert.equal(session.latestFor(uri)?.version, 1);
    const saved = await session.save(uri);
    assert.deepEqual(
      saved.map((each) => each.code),
      ['no-clock-timestamp-expiry'],
    );
    assert.equal(session.latestFor(uri)?.version, 2);
    // Back to onType: the next edit is shown at once.
    session.settings = { run: 'onType' };
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(await session.change(uri, 'select 2;\n'), []);
  });

  it('an edited document analysed past armadilha.timeBudget.onValidation turns the status to a warning, names the file and suggests onSave', async () => {
    const folder = workspace();
    // A budget of 0 ms: every analysis is past it, whatever the machine.
    const { session } = await start({ workspace: folder, settings: { timeBudget: { onValidation: { warn: 0, error: 60_000 } } } });
    const uri = uriOf(path.join(folder, 'slow.sql'));
    await session.open(uri, EXPIRY);
    await session.until(() => session.statuses.length > 0);
    assert.equal(session.statuses.at(-1)!.level, 'ok', 'opening a document is not judged');
    await session.change(uri, `${EXPIRY}-- edited\n`);
    await session.until(() => session.statuses.at(-1)?.level === 'warning');
    assert.match(session.statuses.at(-1)!.reasons[0], /Analysing slow\.sql took [\d.]+ ms, over the 0 ms budget .*"onSave"/);
    assert.match(log(session), /Slow analysis: .*slow\.sql took [\d.]+ ms, over the 0 ms budget .*"armadilha\.run": "onSave"/);
    // Past the error budget: an error.
    session.settings = { timeBudget: { onValidation: { warn: 0, error: 0 } } };
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await session.change(uri, `${EXPIRY}-- edited again\n`);
    await session.until(() => session.statuses.at(-1)?.level === 'error');
    // Within the budget again, or closed: fine.
    session.settings = {};
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await session.change(uri, EXPIRY);
    await session.until(() => session.statuses.at(-1)?.level === 'ok');
  });
});

describe('hovers', () => {
  it('are short: what the rule is about, why, what to do and a link, in one language, with no internal labels', async () => {
    const folder = workspace();
    const uri = uriOf(path.join(folder, 'a.sql'));
    for (const [locale, foreign] of [
      ['en', /Por quê|O que fazer|Documentação/],
      ['pt-br', /\bWhy\b|What to do|Documentation/],
    ] as const) {
      const { session } = await start({ workspace: folder, locale });
      await session.open(uri, EXPIRY);
      const markdown = JSON.stringify(await hover(session, uri, EXPIRY.indexOf('clock_timestamp') + 2));
      assert.match(markdown, /Armadilha · no-clock-timestamp-expiry/);
      assert.doesNotMatch(markdown, foreign, locale);
      assert.doesNotMatch(markdown, /REGRA|REQ ARMADILHAS|anti-pattern|Skill|Source:|Fonte:|armadilhas-sistemas-distribuidos/, locale);
      assert.ok(markdown.length < 700, `${markdown.length} characters: ${markdown}`);
      assert.match(
        markdown,
        locale === 'en'
          ? /\[Documentation\]\(https:\/\/github\.com\/[^)]+\/docs\/rules\/no-clock-timestamp-expiry\.md\)/
          : /\[Documentação\]\(https:[^)]+\/docs\/rules\/pt-BR\/no-clock-timestamp-expiry\.md\)/,
      );
    }
  });

  it('link to the editor documentation command when the client offers one', async () => {
    const folder = workspace();
    const uri = uriOf(path.join(folder, 'a.sql'));
    const { session } = await start({ workspace: folder, initializationOptions: { documentationCommand: 'armadilha.showDocumentation' } });
    await session.open(uri, EXPIRY);
    const markdown = (await hover(session, uri, EXPIRY.indexOf('clock_timestamp') + 2))!.contents as { value: string };
    assert.match(markdown.value, /\[Documentation\]\(command:armadilha\.showDocumentation\?%5B%22no-clock-timestamp-expiry%22%5D\)/);
  });

  it('the disable actions tell the client which text is the reason to fill in', async () => {
    const folder = workspace();
    const uri = uriOf(path.join(folder, 'a.sql'));
    const { session } = await start({ workspace: folder, locale: 'pt-br' });
    const [diagnostic] = await session.open(uri, EXPIRY);
    const actions = await session.connection.sendRequest<Array<{ title: string; data?: { reasonPlaceholder?: string } }>>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    const disable = actions.filter((action) => action.title.startsWith('Desativar'));
    assert.equal(disable.length, 2);
    for (const action of disable) assert.deepEqual(action.data, { reasonPlaceholder: 'motivo' });
    const documentation = await session.connection.sendRequest(RulesRequest);
    assert.equal(documentation.rules.find((rule) => rule.id === 'require-on-conflict')?.summary.startsWith('Inserts que registram'), true);
  });
});

describe('coexistence', () => {
  it("leaves syntax errors in .sql files to Supabase's Postgres language server or squawk when the client says one is installed", async () => {
    const folder = workspace();
    const uri = uriOf(path.join(folder, 'a.sql'));
    const broken = `selec 1;\nrefresh materialized view public.totals;\n`;
    const { session } = await start({ workspace: folder, initializationOptions: { peers: ['Postgres Language Server'] } });
    const codes = (await session.open(uri, broken)).map((each) => each.code);
    assert.ok(!codes.includes('syntax-error'), codes.join());
    assert.ok(codes.includes('require-concurrent-refresh'), 'what they do not report stays');
    assert.match(log(session), /Postgres Language Server installed: it reports syntax errors in \.sql files/);
    // Uninstalled: the syntax error is Armadilha's again.
    const again = session.nextDiagnostics(uri, (params) => params.diagnostics.some((each) => each.code === 'syntax-error'));
    await session.connection.sendNotification(PeersNotification, { peers: [] });
    await again;
  });
});
