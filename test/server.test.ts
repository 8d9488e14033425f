// The bundled language server driven over stdio by a real LSP client library.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { CodeAction, Hover } from 'vscode-languageserver-protocol';
import { TestClient, uriOf } from './helpers/lsp-client';
import { RuleDocumentationRequest } from '../shared/protocol';

const clients: TestClient[] = [];
const folders: string[] = [];
after(async () => {
  for (const client of clients) if (client.process.exitCode === null) client.process.kill();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function workspace(files: Record<string, string> = {}): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-server-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text);
  return folder;
}

async function client(options: ConstructorParameters<typeof TestClient>[0] = {}): Promise<TestClient> {
  const created = new TestClient(options);
  clients.push(created);
  await created.initialize();
  return created;
}

// Accented text before the call: the diagnostic must land on the exact UTF-16 columns.
const EXPIRY = "-- sessão: expiração em 1 hora\nupdate public.sessões set expires_at = clock_timestamp() + interval '1 hour' where nome = 'João';\n";

function codeActions(session: TestClient, uri: string, range: unknown, diagnostics: unknown[], only?: string[]): Promise<CodeAction[]> {
  return session.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, only } });
}

function hover(session: TestClient, uri: string, offset: number): Promise<Hover | null> {
  // Positions are UTF-16 columns: JavaScript string offsets.
  const text = session.text(uri);
  const before = text.slice(0, offset);
  const position = { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
  return session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
}

describe('language server', () => {
  it('publishes a diagnostic at exact UTF-16 positions, with code, source and documentation link', async () => {
    const folder = workspace();
    const session = await client({ workspace: folder });
    const uri = uriOf(path.join(folder, 'a.sql'));
    const diagnostics = await session.open(uri, EXPIRY);
    assert.equal(diagnostics.length, 1);
    const [diagnostic] = diagnostics;
    assert.equal(diagnostic.code, 'no-clock-timestamp-expiry');
    assert.equal(diagnostic.source, 'armadilha');
    assert.match(diagnostic.codeDescription!.href, /docs\/rules\/no-clock-timestamp-expiry\.md$/);
    const line = EXPIRY.split('\n')[1];
    assert.deepEqual(diagnostic.range, {
      start: { line: 1, character: line.indexOf('clock_timestamp') },
      end: { line: 1, character: line.indexOf(' + interval') },
    });
  });

  it('applies the preferred quick fix and the diagnostic goes away', async () => {
    const folder = workspace();
    const session = await client({ workspace: folder });
    const uri = uriOf(path.join(folder, 'a.sql'));
    const [diagnostic] = await session.open(uri, EXPIRY);
    const actions = await codeActions(session, uri, diagnostic.range, [diagnostic]);
    const titles = actions.map((action) => action.title);
    assert.deepEqual(titles, [
      'Replace clock_timestamp() with now()',
      'Disable no-clock-timestamp-expiry for this statement',
      'Disable no-clock-timestamp-expiry for this file',
      'Show documentation for no-clock-timestamp-expiry',
    ]);
    assert.equal(actions[0].isPreferred, true);
    const after = await session.applyEdit(actions[0].edit!);
    assert.deepEqual(after, []);
    assert.match(session.text(uri), /set expires_at = now\(\) \+ interval '1 hour' where nome = 'João'/);
  });

  it('fix-all applies every safe fix at once, and "fix all of this rule" offers the rule-wide fix', async () => {
    const folder = workspace();
    const session = await client({ workspace: folder });
    const uri = uriOf(path.join(folder, 'b.sql'));
    const text = [
      "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;",
      'delete from leases where lease_until < statement_timestamp();',
      "insert into events (kind, occurred_at) values ('x', clock_timestamp());",
      'selec 1;',
    ].join('\n');
    const diagnostics = await session.open(uri, text);
    assert.deepEqual(
      diagnostics.map((each) => each.code),
      ['no-clock-timestamp-expiry', 'no-clock-timestamp-expiry', 'no-clock-timestamp-persisted', 'syntax-error'],
    );
    const perRule = await codeActions(session, uri, diagnostics[0].range, [diagnostics[0]]);
    assert.ok(perRule.some((action) => action.title === 'Fix all no-clock-timestamp-expiry problems in this file'));
    const [fixAll] = await codeActions(session, uri, diagnostics[0].range, [], ['source.fixAll.armadilha']);
    assert.equal(fixAll.kind, 'source.fixAll.armadilha');
    const remaining = await session.applyEdit(fixAll.edit!);
    assert.deepEqual(
      remaining.map((each) => each.code),
      ['syntax-error'],
    );
    assert.doesNotMatch(session.text(uri), /clock_timestamp|statement_timestamp/);
  });

  it('reports one syntax error and still analyses the rest of the file', async () => {
    const folder = workspace();
    const session = await client({ workspace: folder });
    const uri = uriOf(path.join(folder, 'c.sql'));
    const diagnostics = await session.open(uri, `create table t (id int);\nselect from where;\n${EXPIRY}`);
    assert.deepEqual(
      diagnostics.map((each) => [each.code, each.range.start.line]),
      [
        ['syntax-error', 1],
        ['no-clock-timestamp-expiry', 3],
      ],
    );
  });

  it('hovers a finding in English, and in Portuguese for a pt-BR client', async () => {
    const folder = workspace();
    const uri = uriOf(path.join(folder, 'a.sql'));
    const english = await client({ workspace: folder, locale: 'en' });
    await english.open(uri, EXPIRY);
    const at = EXPIRY.indexOf('clock_timestamp') + 3;
    const englishHover = await hover(english, uri, at);
    assert.match(JSON.stringify(englishHover), /Armadilha · no-clock-timestamp-expiry/u);
    assert.match(JSON.stringify(englishHover), /What to do/);
    const portuguese = await client({ workspace: folder, locale: 'pt-br' });
    await portuguese.open(uri, EXPIRY);
    const portugueseHover = await hover(portuguese, uri, at);
    assert.match(JSON.stringify(portugueseHover), /O que fazer/);
    assert.match(JSON.stringify(portugueseHover), /relógio de parede/);
  });

  it('follows the armadilha.locale setting over the client language, and refreshes on a settings change', async () => {
    const folder = workspace();
    const uri = uriOf(path.join(folder, 'a.sql'));
    const session = await client({ workspace: folder, locale: 'en', settings: { locale: 'pt-BR' } });
    const [diagnostic] = await session.open(uri, EXPIRY);
    assert.match(String(diagnostic.message), /relógio de parede/);
    session.settings = { locale: 'en', rules: { 'no-clock-timestamp-expiry': 'error' } };
    const refreshed = session.nextDiagnostics(uri);
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const [after] = await refreshed;
    assert.match(String(after.message), /reads the wall clock/);
    assert.equal(after.severity, 1);
  });

  it('hovers SQL keywords: clock functions, advisory locks, nextval and ON CONFLICT, also inside a function body', async () => {
    const folder = workspace();
    const session = await client({ workspace: folder, locale: 'pt-br' });
    const uri = uriOf(path.join(folder, 'k.sql'));
    const text = [
      "select now(), pg_advisory_xact_lock(hashtext('x')), nextval('s');",
      'insert into t (id) values (1) on conflict (id) do nothing;',
      'create function f() returns void language plpgsql as $$ begin perform clock_timestamp(); end $$;',
    ].join('\n');
    await session.open(uri, text);
    const expectations: Array<[string, RegExp]> = [
      ['now', /início da transação/],
      ['pg_advisory_xact_lock', /liberado sozinho no commit/],
      ['nextval', /estritamente crescente/],
      ['on conflict', /idempotente/],
      ['clock_timestamp', /relógio de parede real/],
    ];
    for (const [word, expected] of expectations) {
      const result = await hover(session, uri, text.indexOf(word) + 1);
      assert.match(JSON.stringify(result), expected, word);
    }
    assert.equal(await hover(session, uri, text.indexOf('hashtext') + 1), null);
  });

  it('honours suppression comments, reports unknown and unused ones, and writes them from code actions', async () => {
    const folder = workspace();
    const session = await client({ workspace: folder });
    const uri = uriOf(path.join(folder, 's.sql'));
    const suppressed = [
      '-- armadilha-ignore no-clock-timestamp-expiry -- migração antiga',
      'update sessions set expires_at = clock_timestamp() where id = 1;',
      '/* armadilha-ignore no-such-rule, require-on-conflict -- nada */',
      'select 1;',
    ].join('\n');
    const diagnostics = await session.open(uri, suppressed);
    assert.deepEqual(
      diagnostics.map((each) => [each.code, each.severity]),
      [
        ['invalid-suppression', 4],
        ['unused-suppression', 4],
      ],
    );

    const [expiry] = await session.change(uri, 'select 1;\n  update sessions set expires_at = clock_timestamp() where id = 1;\n');
    const actions = await codeActions(session, uri, expiry.range, [expiry]);
    const disableLine = actions.find((action) => action.title === 'Disable no-clock-timestamp-expiry for this statement')!;
    assert.deepEqual(await session.applyEdit(disableLine.edit!), []);
    assert.equal(
      session.text(uri),
      'select 1;\n  -- armadilha-ignore no-clock-timestamp-expiry -- reason\n  update sessions set expires_at = clock_timestamp() where id = 1;\n',
    );

    // A second rule on the same statement is appended to the existing comment, not stacked.
    const withComment = '-- armadilha-ignore no-clock-timestamp-expiry -- reason\ninsert into audit (at, expires_at) values (clock_timestamp(), now());\n';
    const persisted = (await session.change(uri, withComment)).find((each) => each.code === 'no-clock-timestamp-persisted')!;
    const append = (await codeActions(session, uri, persisted.range, [persisted])).find(
      (action) => action.title === 'Disable no-clock-timestamp-persisted for this statement',
    )!;
    await session.applyEdit(append.edit!);
    assert.match(session.text(uri), /^-- armadilha-ignore no-clock-timestamp-expiry, no-clock-timestamp-persisted -- reason\n/);

    const [again] = await session.change(uri, 'update sessions set expires_at = clock_timestamp() where id = 1;\n');
    const disableFile = (await codeActions(session, uri, again.range, [again])).find(
      (action) => action.title === 'Disable no-clock-timestamp-expiry for this file',
    )!;
    assert.deepEqual(await session.applyEdit(disableFile.edit!), []);
    assert.match(session.text(uri), /^-- armadilha-ignore-file no-clock-timestamp-expiry -- reason\n/);
  });

  it('reads the unique key for ON CONFLICT from another migration, and follows changes to it', async () => {
    const folder = workspace({
      '20240101000000_payments.sql':
        'create table public.payments (id uuid primary key default gen_random_uuid(), provider_id text not null, amount bigint);\ncreate unique index payments_provider_key on public.payments (provider_id);\n',
    });
    const session = await client({ workspace: folder });
    const uri = uriOf(path.join(folder, '20240102000000_webhook.sql'));
    const text = "insert into public.payments (provider_id, amount) values ('pi_1', 100);\n";
    const [diagnostic] = await session.open(uri, text, 'sql', (params) =>
      params.diagnostics.some((each) => each.code === 'require-on-conflict' && (each.data as { fixes: unknown[] }).fixes.length > 0),
    );
    const [fix] = await codeActions(session, uri, diagnostic.range, [diagnostic]);
    assert.equal(fix.title, 'Add ON CONFLICT (provider_id) DO NOTHING');

    // The key changes on disk: the server hears about it and offers the new key.
    const migration = path.join(folder, '20240101000000_payments.sql');
    writeFileSync(migration, 'create table public.payments (provider_id text, amount bigint, primary key (provider_id, amount));\n');
    const refreshed = session.nextDiagnostics(uri, (params) => params.version === 1);
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(migration), type: 2 }] });
    const [again] = await refreshed;
    const [newFix] = await codeActions(session, uri, again.range, [again]);
    assert.equal(newFix.title, 'Add ON CONFLICT (provider_id, amount) DO NOTHING');
  });

  it('reads armadilha.config.json, refreshes when it changes, and reports a broken one on the file', async () => {
    const folder = workspace({ 'armadilha.config.json': JSON.stringify({ rules: { 'no-clock-timestamp-expiry': 'off' } }) });
    const session = await client({ workspace: folder });
    const uri = uriOf(path.join(folder, 'a.sql'));
    assert.deepEqual(await session.open(uri, EXPIRY), []);

    const config = path.join(folder, 'armadilha.config.json');
    writeFileSync(config, '{ "rules": { "no-clock-timestamp-expiry": "error" ');
    const configDiagnostics = session.nextDiagnostics(uriOf(config), (params) => params.diagnostics.length > 0);
    const refreshed = session.nextDiagnostics(uri, (params) => params.diagnostics.length > 0);
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(config), type: 2 }] });
    const [broken] = await configDiagnostics;
    assert.equal(broken.code, 'config-error');
    assert.match(String(broken.message), /not valid JSON.*defaults stay in force/);
    // Defaults are back in force: the rule (off in the broken file) fires again with its default severity.
    const [diagnostic] = await refreshed;
    assert.equal(diagnostic.code, 'no-clock-timestamp-expiry');
    assert.equal(diagnostic.severity, 2);
  });

  it('does not read the configuration file in an untrusted workspace', async () => {
    const folder = workspace({ 'armadilha.config.json': JSON.stringify({ rules: { 'no-clock-timestamp-expiry': 'off' } }) });
    const session = new TestClient({ workspace: folder });
    clients.push(session);
    await session.connection.sendRequest('initialize', {
      processId: null,
      rootUri: uriOf(folder),
      capabilities: {},
      initializationOptions: { trusted: false },
    });
    await session.connection.sendNotification('initialized', {});
    const diagnostics = await session.open(uriOf(path.join(folder, 'a.sql')), EXPIRY);
    assert.deepEqual(
      diagnostics.map((each) => each.code),
      ['no-clock-timestamp-expiry'],
    );
  });

  it('runs "show documentation" through window/showDocument and answers the documentation request', async () => {
    const session = await client({ locale: 'pt-br' });
    await session.connection.sendRequest('workspace/executeCommand', { command: 'armadilha.server.showRuleDocumentation', arguments: ['require-on-conflict'] });
    assert.deepEqual(session.shownDocuments, ['https://github.com/armadilha-dev/armadilha/blob/main/docs/rules/pt-BR/require-on-conflict.md']);
    const page = await session.connection.sendRequest(RuleDocumentationRequest, { ruleId: 'require-on-conflict' });
    assert.match(page.markdown ?? '', /^# require-on-conflict/);
    assert.match(page.markdown ?? '', /Por que isso falha/);
    const unknown = await session.connection.sendRequest(RuleDocumentationRequest, { ruleId: 'no-such-rule' });
    assert.equal(unknown.markdown, null);
  });

  it('runs as `armadilha lsp --stdio` for any editor: initialize → diagnostics → code action → hover → shutdown/exit', async () => {
    const folder = workspace();
    const session = new TestClient({ workspace: folder, command: [process.execPath, path.resolve('dist/cli.js'), 'lsp', '--stdio'] });
    clients.push(session);
    await session.initialize();
    const uri = uriOf(path.join(folder, 'a.sql'));
    const [diagnostic] = await session.open(uri, EXPIRY);
    assert.equal(diagnostic.code, 'no-clock-timestamp-expiry');
    const [fix] = await codeActions(session, uri, diagnostic.range, [diagnostic]);
    assert.equal(fix.title, 'Replace clock_timestamp() with now()');
    assert.match(JSON.stringify(await hover(session, uri, EXPIRY.indexOf('clock_timestamp') + 1)), /no-clock-timestamp-expiry/);
    assert.equal(await session.shutdown(), 0);
    const orphan = new TestClient({ command: [process.execPath, path.resolve('dist/cli.js'), 'lsp', '--stdio'] });
    clients.push(orphan);
    await orphan.initialize();
    const exited = new Promise<number | null>((resolve) => orphan.process.once('exit', resolve));
    orphan.process.stdin!.end();
    assert.equal(typeof (await exited), 'number');
  });

  it('shuts down and exits with code 0, and exits when its input closes', async () => {
    const session = await client();
    assert.equal(await session.shutdown(), 0);
    const orphan = await client();
    const exited = new Promise<number | null>((resolve) => orphan.process.once('exit', resolve));
    orphan.process.stdin!.end();
    assert.equal(typeof (await exited), 'number');
  });
});
