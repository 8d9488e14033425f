// One configuration resolution for the editor and the CLI (core/config-resolver.ts): the nearest
// armadilha.config.json per file, `extends`, per-pattern severities, validation; and a monorepo
// linted through the language server and through the CLI gives the same findings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { defaultSettings, mergeSettings, parseConfigText, ruleMatches, validateSettings } from '../server/src/core/config';
import { ConfigResolver } from '../server/src/core/config-resolver';
import { RULES } from '../server/src/rules';
import { findingLine, type JsonFinding } from '../client/src/task-lines';
import { TestClient, uriOf } from './helpers/lsp-client';

const folders: string[] = [];
const clients: TestClient[] = [];
after(() => {
  for (const client of clients) if (client.process.exitCode === null) client.process.kill();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A folder with these files (paths with slashes create folders). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'armadilha-config-'));
  folders.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

describe('configuration resolution', () => {
  it('takes the nearest armadilha.config.json above each file, and stops at the repository root', () => {
    const root = tree({
      'armadilha.config.json': json({ rules: { 'require-on-conflict': 'off' } }),
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
      'repo/packages/a/armadilha.config.json': json({ rules: { 'require-on-conflict': 'error' } }),
      'repo/packages/a/src/q.sql': '',
      'repo/packages/b/src/q.sql': '',
    });
    const resolver = new ConfigResolver(RULES);
    const a = resolver.configFor(path.join(root, 'repo/packages/a/src/q.sql'));
    assert.equal(a?.file, path.join(root, 'repo/packages/a/armadilha.config.json'));
    assert.equal(a?.base, path.join(root, 'repo/packages/a'));
    assert.deepEqual(a?.settings.rules, { 'require-on-conflict': 'error' });
    // Package b has none of its own, and the file above the repository is not the repository's.
    assert.equal(resolver.configFor(path.join(root, 'repo/packages/b/src/q.sql')), undefined);
  });

  it('applies what a file extends first, its own settings on top, from a path or a package', () => {
    const root = tree({
      '.git/HEAD': '',
      'armadilha.base.json': json({ rules: { 'require-on-conflict': 'info', 'no-dual-write': 'off' }, names: { idempotentTables: ['ledger'] } }),
      'node_modules/@acme/armadilha-config/armadilha.config.json': json({ rules: { 'no-two-phase-commit': 'error' } }),
      'node_modules/@acme/armadilha-config/package.json': json({ name: '@acme/armadilha-config', version: '1.0.0' }),
      'app/armadilha.config.json': json({ extends: ['../armadilha.base.json', '@acme/armadilha-config'], rules: { 'no-dual-write': 'warning' } }),
    });
    const resolver = new ConfigResolver(RULES);
    const config = resolver.configFor(path.join(root, 'app/x.sql'))!;
    assert.deepEqual(config.settings.rules, { 'require-on-conflict': 'info', 'no-dual-write': 'warning', 'no-two-phase-commit': 'error' });
    assert.deepEqual(config.settings.names, { idempotentTables: ['ledger'] });
    assert.deepEqual(
      config.files.map((file) => path.relative(root, file.file)),
      [path.join('app', 'armadilha.config.json'), 'armadilha.base.json', path.join('node_modules', '@acme', 'armadilha-config', 'armadilha.config.json')],
    );
    assert.deepEqual(
      config.files.flatMap((file) => file.problems),
      [],
    );
  });

  it('reports an extends that is missing or leads back, on the entry, and applies the rest', () => {
    const root = tree({
      '.git/HEAD': '',
      'armadilha.config.json': '{\n  "extends": ["./nowhere.json", "./other.json"],\n  "rules": { "no-dual-write": "off" }\n}\n',
      'other.json': json({ extends: './armadilha.config.json', rules: { 'require-on-conflict': 'hint' } }),
    });
    const resolver = new ConfigResolver(RULES);
    const config = resolver.configFor(path.join(root, 'x.sql'))!;
    const problems = resolver.loaded().flatMap((file) =>
      file.problems.map((problem) => ({
        file: path.basename(file.file),
        key: problem.key,
        path: problem.data.path,
        text: file.text.slice(problem.start, problem.end),
      })),
    );
    assert.deepEqual(
      problems.sort((left, right) => left.file.localeCompare(right.file)),
      [
        { file: 'armadilha.config.json', key: 'configExtendsMissing', path: './nowhere.json', text: '"./nowhere.json"' },
        // The entry that closes the cycle is left out: other.json was read through this one.
        { file: 'armadilha.config.json', key: 'configExtendsCycle', path: './other.json', text: '"./other.json"' },
      ],
    );
    assert.deepEqual(config.settings.rules, { 'no-dual-write': 'off' });
  });

  it('per-pattern severities: the last matching pattern wins, a rule named in rules wins over patterns, ! negates', () => {
    const { settings, problems } = parseConfigText(
      json({
        rules: {
          customizations: [
            { rule: 'require-*', severity: 'info' },
            { rule: '!no-*', severity: 'hint' },
            { rule: 'require-lock-order', severity: 'off' },
            { rule: 'nope-*', severity: 'error' },
          ],
          'require-on-conflict': 'error',
        },
      }),
      RULES,
    );
    assert.equal(settings.rules!['require-on-conflict'], 'error');
    assert.equal(settings.rules!['require-lock-order'], 'off');
    assert.equal(settings.rules!['require-fencing-token'], 'hint', '!no-* comes after require-* and matches it too');
    assert.equal(settings.rules!['no-dual-write'], undefined);
    assert.deepEqual(
      problems.map((problem) => [problem.key, problem.data.key]),
      [['configRulePatternUnmatched', 'nope-*']],
    );
    assert.ok(ruleMatches('require-*', 'require-on-conflict') && !ruleMatches('require-*', 'no-dual-write') && ruleMatches('!require-*', 'no-dual-write'));
    // The editor's setting is armadilha.ruleCustomizations (armadilha.rules.customizations in settings.json works too).
    assert.equal(validateSettings({ ruleCustomizations: [{ rule: 'require-*', severity: 'hint' }] }, RULES).settings.rules!['require-on-conflict'], 'hint');
    assert.equal(
      validateSettings({ rules: { 'require-lock-order': 'off' }, ruleCustomizations: [{ rule: 'require-*', severity: 'hint' }] }, RULES).settings.rules![
        'require-on-conflict'
      ],
      'hint',
    );
    assert.equal(
      validateSettings({ rules: { customizations: [{ rule: 'require-*', severity: 'hint' }] } }, RULES).settings.rules!['require-on-conflict'],
      'hint',
    );
    assert.deepEqual(
      parseConfigText(json({ ruleCustomizations: [] }), RULES).problems.map((problem) => problem.key),
      ['configUnknownKey'],
    );
    // A later layer's pattern wins over an earlier layer's named rule: the file wins over the editor.
    const editor = validateSettings({ rules: { 'require-on-conflict': 'error' } }, RULES).settings;
    const file = parseConfigText(json({ rules: { customizations: [{ rule: 'require-*', severity: 'info' }] } }), RULES).settings;
    assert.equal(mergeSettings(mergeSettings(defaultSettings(RULES), editor), file).rules['require-on-conflict'], 'info');
  });

  it('keeps editor-only settings (run, timeBudget) out of armadilha.config.json, and validates them in the editor', () => {
    const file = parseConfigText(json({ run: 'onSave', timeBudget: { onValidation: { warn: 10, error: 20 } } }), RULES);
    assert.deepEqual(
      file.problems.map((problem) => [problem.key, problem.data.key]),
      [
        ['configUnknownKey', 'run'],
        ['configUnknownKey', 'timeBudget'],
      ],
    );
    const editor = validateSettings(
      { run: 'onSave', timeBudget: { onValidation: { warn: 10, error: 20 } }, trace: { server: 'off' }, logLevel: 'verbose' },
      RULES,
    );
    assert.deepEqual(editor.problems, []);
    assert.equal(editor.settings.run, 'onSave');
    assert.deepEqual(editor.settings.timeBudget, { warn: 10, error: 20 });
    assert.deepEqual(
      validateSettings({ run: 'sometimes' }, RULES).problems.map((problem) => problem.data.key),
      ['run'],
    );
    assert.equal(defaultSettings(RULES).run, 'onType');
  });
});

describe('the editor and the CLI find the same configuration', () => {
  // A monorepo: the root configuration turns a rule off and extends a shared file; package a has its
  // own (a pattern and a rule back on), package b none (the root's applies), package c skips a folder.
  const MONOREPO: Record<string, string> = {
    '.git/HEAD': 'ref: refs/heads/main\n',
    'armadilha.shared.json': json({ rules: { customizations: [{ rule: 'no-clock-*', severity: 'error' }] } }),
    'armadilha.config.json': json({ extends: './armadilha.shared.json', rules: { 'require-on-conflict': 'off' } }),
    'packages/a/armadilha.config.json': json({ rules: { customizations: [{ rule: 'require-*', severity: 'info' }] } }),
    'packages/a/migrations/001.sql':
      "create table payments (id text primary key, amount int);\ninsert into payments (id, amount) values ('p1', 1);\nupdate sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n",
    'packages/b/migrations/001.sql':
      "insert into payments (id, amount) values ('p1', 1);\nupdate sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n",
    'packages/c/armadilha.config.json': json({ sql: { dialect: { 'legacy/**': 'skip' } } }),
    'packages/c/legacy/old.sql': 'update sessions set expires_at = clock_timestamp() where id = 1;\n',
    'packages/c/src/job.ts':
      "import postgres from 'postgres';\nconst sql = postgres();\nexport async function renew(id: number) {\n  await sql`update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = ${id}`;\n}\n",
  };

  it('lints a monorepo through the language server and through the CLI with the same findings', async () => {
    const root = tree(MONOREPO);
    const files = Object.keys(MONOREPO).filter((name) => /\.(sql|ts)$/.test(name));
    const cli = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'check', '--format', 'json', '--fail-on', 'none', '--verbose'], {
      cwd: path.join(root, 'packages'),
      encoding: 'utf8',
    });
    assert.equal(cli.status, 0, cli.stderr);
    const fromCli = (JSON.parse(cli.stdout) as { findings: Array<{ file: string; rule: string; severity: string; line: number; column: number }> }).findings
      .map((finding) => `${path.posix.join('packages', finding.file)}:${finding.line}:${finding.column} ${finding.rule} ${finding.severity}`)
      .sort();

    const session = new TestClient({ workspace: root });
    clients.push(session);
    await session.initialize();
    const severity = ['', 'error', 'warning', 'info', 'hint'];
    const fromServer: string[] = [];
    for (const name of files) {
      const text = MONOREPO[name];
      const diagnostics = await session.open(uriOf(path.join(root, name)), text, name.endsWith('.ts') ? 'typescript' : 'sql');
      for (const diagnostic of diagnostics)
        fromServer.push(
          `${name}:${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} ${diagnostic.code} ${severity[diagnostic.severity!]}`,
        );
    }
    fromServer.sort();
    assert.deepEqual(fromServer, fromCli);
    // And the whole workspace at once, for a client that pulls (LSP 3.17 workspace/diagnostic).
    const puller = new TestClient({ workspace: root, pull: true });
    clients.push(puller);
    await puller.initialize();
    const report = await puller.connection.sendRequest<{
      items: Array<{ uri: string; items?: Array<{ code: string; severity: number; range: { start: { line: number; character: number } } }> }>;
    }>('workspace/diagnostic', { previousResultIds: [] });
    const fromWorkspace = report.items
      .flatMap((item) =>
        (item.items ?? []).map(
          (diagnostic) =>
            `${path.relative(root, fileURLToPath(item.uri)).split(path.sep).join('/')}:${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} ${diagnostic.code} ${severity[diagnostic.severity]}`,
        ),
      )
      .sort();
    assert.deepEqual(fromWorkspace, fromCli);
    // What the configuration decided, not only that both agree.
    assert.ok(fromCli.includes('packages/a/migrations/001.sql:2:1 require-on-conflict info'), fromCli.join('\n'));
    assert.ok(!fromCli.some((line) => line.startsWith('packages/b/') && line.includes('require-on-conflict')), 'off at the root');
    assert.ok(fromCli.includes('packages/b/migrations/001.sql:2:34 no-clock-timestamp-expiry error'), 'the shared pattern');
    assert.ok(
      fromCli.some((line) => line.startsWith('packages/c/legacy/old.sql') && line.includes('skipped-file')),
      'skipped by package c',
    );
    // The nearest file wins whole (no cascade): package c's does not extend the root's, so the pattern is not in force there.
    assert.ok(fromCli.includes('packages/c/src/job.ts:4:46 no-clock-timestamp-expiry warning'), fromCli.join('\n'));
  });

  it('the bundled server runs the same check for the VS Code task, and its lines match the $armadilha problem matcher', () => {
    const root = tree(MONOREPO);
    const run = (script: string) =>
      spawnSync(process.execPath, [path.resolve(script), 'check', '--format', 'json', '--fail-on', 'none'], { cwd: root, encoding: 'utf8' });
    const viaServer = run('dist/server.js');
    assert.equal(viaServer.status, 0, viaServer.stderr);
    assert.deepEqual(JSON.parse(viaServer.stdout), JSON.parse(run('dist/cli.js').stdout));
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    const matcher = manifest.contributes.problemMatchers.find((each: { name: string }) => each.name === 'armadilha');
    const pattern = new RegExp(matcher.pattern.regexp);
    const findings = (JSON.parse(viaServer.stdout) as { findings: JsonFinding[] }).findings;
    assert.ok(findings.length >= 4);
    for (const finding of [...findings, { ...findings[0], severity: 'hint' as const, message: 'two\nlines (with parentheses)' }]) {
      const match = pattern.exec(findingLine(finding))!;
      assert.ok(match, findingLine(finding));
      assert.deepEqual(
        [match[matcher.pattern.file], Number(match[matcher.pattern.line]), Number(match[matcher.pattern.column]), match[matcher.pattern.code]],
        [finding.file, finding.line, finding.column, finding.rule],
      );
      assert.ok(['error', 'warning', 'info'].includes(match[matcher.pattern.severity]));
    }
  });

  it('the CLI exits 2 when the configuration of any file checked is broken, naming the file', () => {
    const root = tree({ ...MONOREPO, 'packages/a/armadilha.config.json': '{ "rules": { "no-such-rule": "off" } }' });
    const run = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'check', '--fail-on', 'none'], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /packages[\\/]a[\\/]armadilha\.config\.json: Unknown rule "no-such-rule"/);
    // Checking only package b reads only the root configuration, which is fine.
    const onlyB = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'check', 'packages/b', '--fail-on', 'none'], { cwd: root, encoding: 'utf8' });
    assert.equal(onlyB.status, 0, onlyB.stderr);
  });
});
