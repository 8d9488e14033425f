// Adopting Armadilha in CI, through the bundled CLI on fixtures in temporary git repositories: the
// baseline (and how the editor shows what it records), --changed and --staged, the result cache and
// what invalidates it, worker threads, and the GitHub, GitLab and SARIF formats checked against their
// specifications.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { readRun, writeRun } from '../server/src/cli/replay';
import { commitRepository, git, writeFiles as write } from './helpers/git-repository';
import { TestClient, uriOf } from './helpers/lsp-client';

const CLI = path.resolve('dist/cli.js');
const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A git repository with these files committed on branch main. */
function repository(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-ci-'));
  folders.push(folder);
  return commitRepository(folder, files);
}

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', LANG: 'C' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonFinding {
  file: string;
  rule: string;
  line: number;
  message: string;
  fix?: { title: string };
}

function findings(stdout: string): JsonFinding[] {
  return (JSON.parse(stdout) as { findings: JsonFinding[] }).findings;
}

const EXPIRY = "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n";
const PAYMENTS = 'create table public.payments (id bigint primary key, stripe_payment_id text unique, amount int);\n';
const PAYMENTS_NO_KEY = 'create table public.payments (id bigint primary key, stripe_payment_id text, amount int);\n';
const PAYMENT_INSERT = "insert into public.payments (stripe_payment_id, amount) values ('pi_123', 4200);\n";

describe('baseline', () => {
  it('--update-baseline records every finding; check then passes, also after a line is inserted above a finding, and fails only on a new one', () => {
    const folder = repository({
      'db/001_sessions.sql': `create table sessions (id bigint primary key, expires_at timestamptz);\n${EXPIRY}`,
      'db/002_payments.sql': PAYMENTS + PAYMENT_INSERT,
    });
    const first = run(['check', '--format', 'json'], folder);
    assert.equal(first.code, 1, 'the first run is red');
    assert.deepEqual(
      findings(first.stdout).map((each) => each.rule),
      ['no-clock-timestamp-expiry', 'require-on-conflict'],
    );

    const update = run(['check', '--update-baseline'], folder);
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stderr, /Wrote armadilha-baseline\.json: 2 finding\(s\) in 2 file\(s\)/);
    const baseline = JSON.parse(readFileSync(path.join(folder, 'armadilha-baseline.json'), 'utf8'));
    assert.equal(baseline.version, 1);
    assert.deepEqual(Object.keys(baseline.findings), ['db/001_sessions.sql', 'db/002_payments.sql']);
    assert.deepEqual(Object.keys(baseline.findings['db/001_sessions.sql']), ['no-clock-timestamp-expiry']);
    assert.deepEqual(Object.values(baseline.findings['db/001_sessions.sql']['no-clock-timestamp-expiry']), [1]);

    const green = run(['check', '--format', 'json'], folder);
    assert.equal(green.code, 0, green.stderr);
    assert.deepEqual(findings(green.stdout), []);
    assert.deepEqual(JSON.parse(green.stdout).summary.baseline, { file: 'armadilha-baseline.json', recorded: 2, stale: 0 });
    assert.match(green.stderr, /2 finding\(s\) recorded in armadilha-baseline\.json not shown/);

    // Lines move: a comment and a blank line inserted above the finding, the statement re-indented.
    write(folder, {
      'db/001_sessions.sql': `-- sessions\n\ncreate table sessions (id bigint primary key, expires_at timestamptz);\n  ${EXPIRY.replace(' set ', '   set ')}`,
    });
    const moved = run(['check', '--format', 'json'], folder);
    assert.equal(moved.code, 0, moved.stdout);

    // The same code once more is a new finding: counts are kept per fingerprint.
    write(folder, {
      'db/003_again.sql': EXPIRY,
      'db/001_sessions.sql': `-- sessions\ncreate table sessions (id bigint primary key, expires_at timestamptz);\n${EXPIRY}${EXPIRY}`,
    });
    const fresh = run(['check', '--format', 'json'], folder);
    assert.equal(fresh.code, 1);
    assert.deepEqual(
      findings(fresh.stdout).map((each) => [each.file, each.line]),
      [
        ['db/001_sessions.sql', 4],
        ['db/003_again.sql', 1],
      ],
    );
    assert.equal(run(['check', '--no-baseline', '--format', 'json'], folder).stdout.match(/"rule"/g)?.length, 4);
  });

  it('reports recorded findings that no longer occur, and --prune-baseline drops them without recording new ones', () => {
    const folder = repository({ 'a.sql': EXPIRY + EXPIRY.replace('id = 1', 'id = 2'), 'gone.sql': EXPIRY });
    assert.equal(run(['check', '--update-baseline'], folder).code, 0);
    write(folder, { 'a.sql': EXPIRY + EXPIRY.replace('id = 1', 'id = 3') });
    rmSync(path.join(folder, 'gone.sql'));
    const check = run(['check', '--format', 'json'], folder);
    assert.equal(check.code, 1, 'the changed statement is a new finding');
    assert.match(check.stderr, /2 finding\(s\) recorded in armadilha-baseline\.json no longer occur: run armadilha check --prune-baseline/);
    const prune = run(['check', '--prune-baseline'], folder);
    assert.equal(prune.code, 1, 'pruning records nothing new');
    const baseline = JSON.parse(readFileSync(path.join(folder, 'armadilha-baseline.json'), 'utf8'));
    assert.deepEqual(Object.keys(baseline.findings), ['a.sql']);
    assert.deepEqual(Object.values(baseline.findings['a.sql']['no-clock-timestamp-expiry']), [1]);
    assert.doesNotMatch(run(['check'], folder).stderr, /no longer occur/);
  });

  it("a run on part of the repository keeps the other files' entries; an unreadable baseline or an incomplete run does not pass", () => {
    const folder = repository({ 'a/x.sql': EXPIRY, 'b/y.sql': EXPIRY });
    assert.equal(run(['check', '--update-baseline'], folder).code, 0);
    write(folder, { 'a/x.sql': `${EXPIRY}select 1;\n` });
    assert.equal(run(['check', 'a', '--update-baseline'], folder).code, 0);
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(path.join(folder, 'armadilha-baseline.json'), 'utf8')).findings), ['a/x.sql', 'b/y.sql']);

    const before = readFileSync(path.join(folder, 'armadilha-baseline.json'), 'utf8');
    const incomplete = run(['check', '.', 'missing.sql', '--update-baseline'], folder);
    assert.equal(incomplete.code, 2);
    assert.match(incomplete.stderr, /was not written/);
    assert.equal(readFileSync(path.join(folder, 'armadilha-baseline.json'), 'utf8'), before);

    writeFileSync(path.join(folder, 'armadilha-baseline.json'), '{"version": 2}');
    const broken = run(['check'], folder);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /armadilha-baseline\.json: cannot be read as a baseline/);
    assert.equal(run(['check', '--baseline', 'other-baseline.json', '--update-baseline'], folder).code, 0);
    assert.equal(run(['check', '--baseline', 'other-baseline.json'], folder).code, 0);
  });

  it('the editor shows recorded findings as hints, new ones at their level, and none with baselineLevel off', async () => {
    const folder = repository({ 'db/a.sql': EXPIRY });
    assert.equal(run(['check', '--update-baseline'], folder).code, 0);
    const text = `-- moved down\n${EXPIRY}${EXPIRY.replace('id = 1', 'id = 9')}`;
    for (const [settings, expected] of [
      [
        {},
        [
          [2, 4],
          [3, 2],
        ],
      ],
      [{ baselineLevel: 'off' }, [[3, 2]]],
    ] as const) {
      const client = new TestClient({ workspace: folder, settings });
      try {
        await client.initialize();
        const diagnostics = await client.open(uriOf(path.join(folder, 'db/a.sql')), text);
        assert.deepEqual(
          diagnostics.map((diagnostic) => [diagnostic.range.start.line + 1, diagnostic.severity]),
          expected,
          'line 2 is recorded (hint = 4), line 3 is new (warning = 2)',
        );
      } finally {
        client.process.kill();
      }
    }
  });
});

describe('--changed and --staged', () => {
  it('--changed <ref> analyses the files changed since the branch left the ref, with the schema of every migration: the same findings a full run gives them', () => {
    const folder = repository({
      'db/001_payments.sql': PAYMENTS,
      'db/002_old.sql': EXPIRY,
      'src/old.ts': "export const f = () => fetch('https://example.com');\n",
    });
    git(folder, 'checkout', '-q', '-b', 'feature');
    write(folder, { 'db/003_insert.sql': PAYMENT_INSERT });
    git(folder, 'add', '-A');
    git(folder, 'commit', '-q', '-m', 'insert');
    // main moves on: its own changes are not the branch's.
    git(folder, 'checkout', '-q', 'main');
    write(folder, { 'db/005_main.sql': EXPIRY });
    git(folder, 'add', '-A');
    git(folder, 'commit', '-q', '-m', 'main moves');
    git(folder, 'checkout', '-q', 'feature');
    write(folder, { 'db/004_untracked.sql': EXPIRY });

    const full = run(['check', '--format', 'json', '--no-baseline'], folder);
    const changed = run(['check', '--changed', 'main', '--format', 'json', '--verbose'], folder);
    assert.equal(changed.code, 1, changed.stderr);
    const changedFiles = ['db/003_insert.sql', 'db/004_untracked.sql'];
    assert.deepEqual(
      findings(changed.stdout),
      findings(full.stdout).filter((finding) => changedFiles.includes(finding.file)),
    );
    assert.deepEqual([...new Set(findings(changed.stdout).map((finding) => finding.file))], changedFiles);
    assert.deepEqual(JSON.parse(changed.stdout).summary.sql, { files: 2, statements: 2 });
    // The insert's fix names the key only because the schema came from 001, which did not change.
    assert.equal(findings(changed.stdout)[0].fix?.title, 'Add ON CONFLICT (stripe_payment_id) DO NOTHING');
    assert.equal(findings(run(['check', 'db/003_insert.sql', '--format', 'json'], folder).stdout)[0].fix, undefined);
    // --changed=<ref> and a path after it.
    assert.deepEqual(findings(run(['check', '--changed=main', 'db', '--format', 'json'], folder).stdout), findings(changed.stdout));
  });

  it('--changed without a ref takes what is not committed; --staged what is staged; nothing to analyse passes; outside git it is an error', () => {
    const folder = repository({ 'a.sql': 'select 1;\n', 'b.sql': 'select 2;\n' });
    const nothing = run(['check', '--changed'], folder);
    assert.equal(nothing.code, 0);
    assert.match(nothing.stderr, /No changed SQL, TypeScript or JavaScript file to analyse \(--changed\)/);
    write(folder, { 'a.sql': EXPIRY, 'b.sql': EXPIRY });
    git(folder, 'add', 'b.sql');
    assert.deepEqual(
      findings(run(['check', '--changed', '--format', 'json'], folder).stdout).map((each) => each.file),
      ['a.sql', 'b.sql'],
    );
    assert.deepEqual(
      findings(run(['check', '--staged', '--format', 'json'], folder).stdout).map((each) => each.file),
      ['b.sql'],
    );
    const outside = mkdtempSync(path.join(tmpdir(), 'armadilha-nogit-'));
    folders.push(outside);
    write(outside, { 'a.sql': EXPIRY });
    const error = run(['check', '--staged'], outside);
    assert.equal(error.code, 2);
    assert.match(error.stderr, /--staged: not a git repository/);
    const badRef = run(['check', '--changed=no-such-branch'], folder);
    assert.equal(badRef.code, 2);
    assert.match(badRef.stderr, /no-such-branch is not a commit/);
  });
});

describe('--cache', () => {
  const TRAP = "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = $1";

  it('a warm run reads every result from the cache and gives what a cold run gives, in every format', () => {
    const folder = repository({
      'db/001.sql': PAYMENTS,
      'db/002.sql': PAYMENT_INSERT + EXPIRY,
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'src/route.ts': `import { Pool } from 'pg';\nconst pool = new Pool();\nexport async function f() {\n  await pool.query(\`${TRAP}\`);\n  await fetch('https://example.com');\n}\n`,
    });
    for (const format of ['json', 'sarif', 'text', 'github', 'gitlab']) {
      const cold = run(['check', '--format', format, '--fail-on', 'none'], folder);
      const first = run(['check', '--cache', '--format', format, '--fail-on', 'none', '--verbose'], folder);
      const warm = run(['check', '--cache', '--format', format, '--fail-on', 'none', '--verbose'], folder);
      assert.equal(first.stdout, cold.stdout, format);
      assert.equal(warm.stdout, cold.stdout, format);
      assert.match(warm.stderr, /Result cache: 3 of 3 file\(s\) reused/);
    }
  });

  it('is invalidated by a change of the file, of the configuration, of a migration the analysis read, and of the project around a TypeScript file', () => {
    const folder = repository({
      'db/001.sql': PAYMENTS_NO_KEY,
      'db/002.sql': PAYMENT_INSERT,
      'db/003.sql': EXPIRY,
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'src/lib/db.ts': "import { Pool } from 'pg';\nexport const db = new Pool();\n",
      'src/route.ts': `import { db } from './lib/db';\nexport async function f() {\n  await db.query(\`${TRAP}\`);\n}\n`,
    });
    const cached = (...extra: string[]) => {
      const result = run(['check', '--cache-location', 'cache/', '--format', 'json', '--fail-on', 'none', '--verbose', ...extra], folder);
      const fresh = run(['check', '--format', 'json', '--fail-on', 'none', ...extra], folder);
      assert.equal(result.stdout, fresh.stdout, 'a cached run gives what an analysis from scratch gives');
      return { findings: findings(result.stdout), reused: Number(/Result cache: (\d+) of/.exec(result.stderr)?.[1]) };
    };
    const first = cached();
    assert.equal(first.reused, 0);
    assert.deepEqual(
      first.findings.map((each) => [each.file, each.rule, !!each.fix]),
      [
        ['db/002.sql', 'require-on-conflict', false],
        ['db/003.sql', 'no-clock-timestamp-expiry', true],
        ['src/route.ts', 'no-clock-timestamp-expiry', true],
      ],
    );
    assert.equal(cached().reused, 5, 'a second run reuses every result');

    // A migration that adds the key: the insert that read the schema is analysed again (now with a fix).
    write(folder, { 'db/001.sql': PAYMENTS });
    const schemaChanged = cached();
    assert.equal(schemaChanged.findings[0].fix?.title, 'Add ON CONFLICT (stripe_payment_id) DO NOTHING');
    assert.ok(schemaChanged.reused >= 2 && schemaChanged.reused <= 3, `files that did not read the schema are reused (${schemaChanged.reused})`);

    // The configuration: a rule turned off.
    write(folder, { 'armadilha.config.json': '{"rules": {"no-clock-timestamp-expiry": "off"}}' });
    const configured = cached();
    assert.equal(configured.reused, 0);
    assert.deepEqual(
      configured.findings.map((each) => each.rule),
      ['require-on-conflict'],
    );
    rmSync(path.join(folder, 'armadilha.config.json'));
    assert.equal(cached().findings.length, 3);

    // The module route.ts imports now exports a MySQL connection: route.ts did not change, its result does.
    write(folder, {
      'src/lib/db.ts': "import { connect } from '@planetscale/database';\nexport const db = connect({ url: '' });\n",
      'package.json': JSON.stringify({ dependencies: { pg: '8', '@planetscale/database': '1' } }),
    });
    assert.deepEqual(
      cached().findings.map((each) => each.file),
      ['db/002.sql', 'db/003.sql'],
    );

    // The file itself; and a cache written by another build is not read.
    write(folder, { 'db/003.sql': 'select 1;\n' });
    assert.deepEqual(
      cached().findings.map((each) => each.file),
      ['db/002.sql'],
    );
    const cacheFile = path.join(folder, 'cache', '.armadilha-cache');
    const stored = JSON.parse(readFileSync(cacheFile, 'utf8'));
    writeFileSync(cacheFile, JSON.stringify({ ...stored, build: 'another build' }));
    assert.equal(cached().reused, 0);
  });

  it('--fix does not use the cache; a cache that cannot be written is said, and the run still passes', () => {
    const folder = repository({ 'a.sql': EXPIRY });
    writeFileSync(path.join(folder, 'blocked'), 'a file, not a folder');
    const result = run(['check', '--cache-location', 'blocked/cache.json', '--fail-on', 'none'], folder);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /Could not write the cache/);
    assert.equal(run(['check', '--cache', '--fix'], folder).code, 0);
    assert.equal(readFileSync(path.join(folder, 'a.sql'), 'utf8'), EXPIRY.replace('clock_timestamp()', 'now()'));
  });
});

describe('--cache replays an unchanged run', () => {
  // Files written in the last two seconds are never trusted by their stat (racy), so the fixtures age first.
  const aged = () => new Promise((resolve) => setTimeout(resolve, 2100));
  const markRecord = (folder: string) => {
    const file = path.join(folder, '.armadilha-cache.run');
    const record = readRun(file);
    assert.ok(record, 'the run was recorded');
    writeRun(file, record.header, `${record.stdout.toString()}REPLAYED\n`, record.stderr);
  };

  it('prints the recorded output when nothing the run read changed, and runs again when the command, a file, a folder or the configuration changes', async () => {
    const folder = repository({ 'db/001.sql': PAYMENTS, 'db/002.sql': PAYMENT_INSERT });
    await aged();
    const first = run(['check', '--cache', '--format', 'json'], folder);
    assert.equal(first.code, 1);
    markRecord(folder);
    // A folder created beside the repository (other tools do so in /tmp all the time) changes nothing it read.
    folders.push(mkdtempSync(path.join(path.dirname(folder), 'armadilha-ci-beside-')));
    const replayed = run(['check', '--cache', '--format', 'json'], folder);
    assert.equal(replayed.stdout, `${first.stdout}REPLAYED\n`, 'the recorded output, marked: the run was replayed');
    assert.equal(replayed.code, 1);
    assert.doesNotMatch(run(['check', '--cache', '--format', 'text'], folder).stdout, /REPLAYED/, 'another command runs');
    assert.doesNotMatch(run(['check', '--cache', '--format', 'json', '--verbose'], folder).stdout, /REPLAYED/, '--verbose runs');

    write(folder, { 'armadilha.config.json': '{"rules": {"require-on-conflict": "off"}}' });
    const configured = run(['check', '--cache', '--format', 'json'], folder);
    assert.deepEqual(findings(configured.stdout), []);
    rmSync(path.join(folder, 'armadilha.config.json'));

    await aged();
    assert.equal(run(['check', '--cache', '--format', 'json'], folder).stdout, first.stdout);
    markRecord(folder);
    write(folder, { 'db/sub/003.sql': EXPIRY });
    const added = run(['check', '--cache', '--format', 'json'], folder);
    assert.doesNotMatch(added.stdout, /REPLAYED/);
    assert.deepEqual(
      findings(added.stdout).map((each) => each.file),
      ['db/002.sql', 'db/sub/003.sql'],
    );

    // An edit that keeps the file's size, seen only in its times once they are no longer recent.
    await aged();
    run(['check', '--cache', '--format', 'json'], folder);
    markRecord(folder);
    write(folder, { 'db/002.sql': PAYMENT_INSERT.replace('4200', '4300') });
    await aged();
    const edited = run(['check', '--cache', '--format', 'json'], folder);
    assert.doesNotMatch(edited.stdout, /REPLAYED/);
    assert.deepEqual(
      findings(edited.stdout).map((each) => each.file),
      ['db/002.sql', 'db/sub/003.sql'],
    );
  });

  it('is not recorded for runs that read TypeScript (their results depend on the modules they import)', async () => {
    const folder = repository({ 'db/001.sql': EXPIRY, 'src/a.ts': "export const f = () => fetch('https://example.com');\n" });
    await aged();
    assert.equal(run(['check', '--cache'], folder).code, 1);
    assert.ok(!existsSync(path.join(folder, '.armadilha-cache.run')));
    assert.equal(run(['check', 'db', '--cache'], folder).code, 1);
    assert.ok(existsSync(path.join(folder, '.armadilha-cache.run')));
  });
});

describe('--jobs', () => {
  it("worker threads give the serial run's output, byte for byte and in the same order", () => {
    const files: Record<string, string> = { 'package.json': JSON.stringify({ dependencies: { pg: '8' } }), 'db/000.sql': PAYMENTS };
    for (let index = 1; index <= 12; index++) {
      files[`db/${String(index).padStart(3, '0')}.sql`] = index % 3 ? EXPIRY.replace('id = 1', `id = ${index}`) : PAYMENT_INSERT;
      files[`src/m${index}.ts`] = index % 2 ? "export const f = () => fetch('https://example.com');\n" : 'export const g = 1;\n';
    }
    const folder = repository(files);
    const serial = run(['check', '--format', 'json', '--jobs', '1', '--verbose'], folder);
    const parallel = run(['check', '--format', 'json', '--jobs', '2', '--verbose'], folder);
    assert.equal(parallel.code, serial.code);
    assert.match(parallel.stderr, /Analysed in 2 worker threads/);
    assert.doesNotMatch(serial.stderr, /worker threads/);
    assert.equal(parallel.stdout, serial.stdout);
    assert.equal(findings(serial.stdout).length, 18);
    assert.equal(run(['check', '--jobs', '0'], folder).code, 2);
  });
});

describe('CI formats', () => {
  const WORKFLOW_COMMAND = /^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:\r\n]*)(?:,[a-zA-Z]+=[^,:\r\n]*)*)::([^\r\n]*)$/;
  const unescape = (text: string) => text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

  it('--format github prints one workflow command per finding, paths from the repository root, escaped as the runner reads them', () => {
    const folder = repository({ 'svc/db/a.sql': `-- 100% sure\n${EXPIRY}`, 'svc/src/b.ts': "export const f = () =>\n  fetch('https://example.com');\n" });
    const result = run(['check', '--format', 'github'], path.join(folder, 'svc'));
    assert.equal(result.code, 1);
    const commands = result.stdout.split('\n').filter((line) => /^::(error|warning|notice) /.test(line));
    assert.equal(commands.length, 2);
    const parsed = commands.map((line) => {
      const match = WORKFLOW_COMMAND.exec(line);
      assert.ok(match, `not a workflow command: ${line}`);
      const properties = Object.fromEntries(match[2].split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), unescape(pair.slice(pair.indexOf('=') + 1))]));
      return { level: match[1], properties, message: unescape(match[3]) };
    });
    assert.deepEqual(parsed[0].properties, {
      file: 'svc/db/a.sql',
      line: '2',
      endLine: '2',
      col: '34',
      endColumn: '51',
      title: 'Armadilha: no-clock-timestamp-expiry',
    });
    assert.equal(parsed[0].level, 'warning');
    assert.match(
      parsed[0].message,
      /^clock_timestamp\(\) reads the wall clock[^\n]*\nhttps:\/\/github\.com\/armadilha-dev\/armadilha\/blob\/main\/docs\/rules\/no-clock-timestamp-expiry\.md$/,
    );
    assert.equal(parsed[1].properties.file, 'svc/src/b.ts');
    assert.equal(parsed[1].properties.line, '2');
    // Beyond GitHub's 10 annotations per step, the log still has every finding, in a collapsed group.
    const group = result.stdout.slice(result.stdout.indexOf('::group::Armadilha\n'), result.stdout.indexOf('::endgroup::'));
    assert.match(group, /^db\/a\.sql:2:34: warning clock_timestamp\(\)/m);
    assert.match(group, /^analysed 1 SQL file/m);
  });

  it('--format gitlab writes a Code Quality report with the fields GitLab requires, fingerprints unique and stable when lines move', () => {
    // https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format: an array of objects
    // with description, check_name, fingerprint (unique), severity (info, minor, major, critical or
    // blocker), location.path (relative to the repository) and location.lines.begin.
    const folder = repository({
      'armadilha.config.json': '{"rules": {"no-read-uncommitted": "error"}}',
      'db/a.sql': EXPIRY + EXPIRY,
      'db/b.sql':
        'select 1;\nselect 2;\nselect 3;\nselect 4;\nselect 5;\nselect 6;\nselect 7;\nselect 8;\nselect 9;\nselect 10;\nselect 11;\nbegin isolation level read uncommitted;\ncommit;\n',
    });
    const report = JSON.parse(run(['check', '--format', 'gitlab'], path.join(folder, 'db')).stdout) as Array<Record<string, any>>;
    assert.equal(report.length, 3);
    for (const issue of report) {
      assert.equal(typeof issue.description, 'string');
      assert.ok(issue.description.length > 0);
      assert.equal(typeof issue.check_name, 'string');
      assert.equal(typeof issue.fingerprint, 'string');
      assert.ok(['info', 'minor', 'major', 'critical', 'blocker'].includes(issue.severity), issue.severity);
      assert.equal(typeof issue.location.path, 'string');
      assert.ok(!path.isAbsolute(issue.location.path));
      assert.ok(Number.isInteger(issue.location.lines.begin) && issue.location.lines.begin >= 1);
    }
    assert.deepEqual(
      report.map((issue) => [issue.location.path, issue.location.lines.begin, issue.check_name, issue.severity]),
      [
        ['db/a.sql', 1, 'no-clock-timestamp-expiry', 'minor'],
        ['db/a.sql', 2, 'no-clock-timestamp-expiry', 'minor'],
        ['db/b.sql', 12, 'no-read-uncommitted', 'major'],
      ],
    );
    assert.equal(new Set(report.map((issue) => issue.fingerprint)).size, 3, 'GitLab shows only the first issue of a fingerprint');
    write(folder, { 'db/a.sql': `-- header\n\n${EXPIRY}${EXPIRY}` });
    const moved = JSON.parse(run(['check', '--format', 'gitlab'], folder).stdout) as Array<Record<string, any>>;
    assert.deepEqual(
      moved.map((issue) => issue.fingerprint),
      report.map((issue) => issue.fingerprint),
    );
    assert.equal(moved[0].location.lines.begin, 3);
  });

  it('SARIF results carry partialFingerprints that survive moved lines, so code scanning keeps an alert', () => {
    const folder = repository({ 'a.sql': EXPIRY + EXPIRY });
    const fingerprints = () =>
      (JSON.parse(run(['check', '--format', 'sarif'], folder).stdout).runs[0].results as Array<{ partialFingerprints: Record<string, string> }>).map(
        (result) => result.partialFingerprints['armadilha/v1'],
      );
    const before = fingerprints();
    assert.equal(before.length, 2);
    assert.match(before[0], /^[0-9a-f]{16}:1$/);
    assert.equal(before[1], before[0].replace(/:1$/, ':2'));
    write(folder, { 'a.sql': `-- moved\n${EXPIRY}\n${EXPIRY}` });
    assert.deepEqual(fingerprints(), before);
  });
});
