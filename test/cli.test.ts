// The bundled CLI (dist/cli.js) run as a process: formats, exit codes, --fix, stdin, .gitignore,
// globs, rules/explain, and SARIF validated against the SARIF 2.1.0 schema. Also what it must never
// do: pass while files go unread, hang on a FIFO, or harm a file with --fix (read-only, links, hard
// links, owner and mode, encodings, line endings, a file edited meanwhile).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  chownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';
import { checkLoaded, readInput } from '../server/src/cli/check';
import { expandGlob } from '../server/src/cli/glob';
import { defaultSettings, mergeSettings, parseConfigText } from '../server/src/core/config';
import { lint } from '../server/src/core/lint';
import { RULES } from '../server/src/rules';
import { WorkspaceSchema } from '../server/src/schema/workspace';
import { ready } from './helpers/lint';
import { TestClient, uriOf } from './helpers/lsp-client';

const CLI = path.resolve('dist/cli.js');
const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-cli-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

function run(args: string[], cwd: string, input?: string | Buffer, options: { uid?: number } = {}) {
  const result = spawnSync(process.execPath, [options.uid !== undefined && asRoot ? cliForEveryone() : CLI, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', LANG: 'C' },
    ...unprivileged(options.uid),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Standard output as bytes (for encodings). */
function runBytes(args: string[], cwd: string, input: Buffer): Buffer {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, input, env: { ...process.env, NO_COLOR: '1', LANG: 'C' } }).stdout;
}

// Permissions mean nothing to root: tests of unreadable files run the CLI as "nobody" then.
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
function unprivileged(uid: number | undefined) {
  return uid !== undefined && asRoot ? { uid, gid: uid } : {};
}

/**
 * The CLI where "nobody" can run it: a checkout may sit in a folder only root can enter (mktemp -d
 * makes it 0700), so the built CLI is copied once into a folder everyone can read.
 */
let everyoneCli: string | undefined;
function cliForEveryone(): string {
  if (!everyoneCli) {
    const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-cli-dist-'));
    folders.push(folder);
    chmodSync(folder, 0o755);
    cpSync(path.dirname(CLI), path.join(folder, 'dist'), { recursive: true });
    everyoneCli = path.join(folder, 'dist', path.basename(CLI));
  }
  return everyoneCli;
}

const MIGRATION = "-- sessões\nupdate sessões set expires_at = clock_timestamp() + interval '1 hour' where nome = 'Zoë';\n";

describe('armadilha check', () => {
  it('prints findings as JSON following the version 1 contract, with 1-based UTF-16 columns', () => {
    const folder = project({ 'supabase/migrations/001.sql': MIGRATION });
    const { code, stdout } = run(['check', 'supabase/migrations', '--format', 'json'], folder);
    assert.equal(code, 1);
    const column = MIGRATION.split('\n')[1].indexOf('clock_timestamp') + 1;
    assert.deepEqual(JSON.parse(stdout), {
      version: 1,
      findings: [
        {
          file: 'supabase/migrations/001.sql',
          rule: 'no-clock-timestamp-expiry',
          severity: 'warning',
          line: 2,
          column,
          endLine: 2,
          endColumn: column + 'clock_timestamp()'.length,
          message:
            'clock_timestamp() reads the wall clock, which NTP can move backwards or forwards, and its value decides an expiry here (expires_at). Use now() (the transaction start time) so expiry stays consistent.',
          fix: { title: 'Replace clock_timestamp() with now()', safe: true, edits: [{ line: 2, column, endLine: 2, endColumn: column + 17, text: 'now()' }] },
        },
      ],
      summary: { sql: { files: 1, statements: 1 }, typescript: { files: 0, embeddedQueries: 0 }, skipped: { files: 0, byReason: {} } },
    });
  });

  it('prints text in Portuguese with --locale pt-BR, and analyses the current folder by default, honouring .gitignore', () => {
    const folder = project({ 'a.sql': MIGRATION, 'ignored/b.sql': MIGRATION, '.gitignore': 'ignored/\n', 'node_modules/c.sql': MIGRATION });
    const { code, stdout } = run(['check', '--locale', 'pt-BR'], folder);
    assert.equal(code, 1);
    assert.match(stdout, /^a\.sql:2:\d+: aviso clock_timestamp\(\) lê o relógio de parede/m);
    assert.doesNotMatch(stdout, /ignored|node_modules/);
    assert.match(stdout, /1 problema\(s\) em 1 arquivo\(s\)/);
  });

  it('expands globs and reads files given explicitly', () => {
    const folder = project({ 'm/1.sql': MIGRATION, 'm/2.sql': 'select 1;', 'other.sql': MIGRATION });
    const { stdout } = run(['check', 'm/*.sql', '--format', 'json'], folder);
    assert.deepEqual(
      JSON.parse(stdout).findings.map((finding: { file: string }) => finding.file),
      ['m/1.sql'],
    );
  });

  it('expands *, ?, **, [classes] and {alternatives}, leaving out dot-files, node_modules and .git', () => {
    const folder = project({
      'db/m/001_a.sql': '',
      'db/m/002_b.sql': '',
      'db/m/x/003.sql': '',
      'db/.hidden.sql': '',
      'db/node_modules/n.sql': '',
      'src/a.ts': '',
      'src/b.tsx': '',
    });
    const expand = (pattern: string) => expandGlob(pattern, folder).matches.map((file) => path.relative(folder, file));
    assert.deepEqual(expand('db/m/*.sql'), ['db/m/001_a.sql', 'db/m/002_b.sql']);
    assert.deepEqual(expand('db/**/*.sql'), ['db/m/001_a.sql', 'db/m/002_b.sql', 'db/m/x/003.sql']);
    assert.deepEqual(expand('**/00[2-3]*.sql'), ['db/m/002_b.sql', 'db/m/x/003.sql']);
    assert.deepEqual(expand('db/m/00?_[!a]*'), ['db/m/002_b.sql']);
    assert.deepEqual(expand('src/*.{ts,tsx}'), ['src/a.ts', 'src/b.tsx']);
    assert.deepEqual(expand('db/.*.sql'), ['db/.hidden.sql']);
  });

  it('exits 0, 1 or 2 by --fail-on, usage and configuration errors', () => {
    const folder = project({ 'a.sql': MIGRATION, 'broken.sql': 'selec 1;' });
    assert.equal(run(['check', 'a.sql'], folder).code, 1);
    assert.equal(run(['check', 'a.sql', '--fail-on', 'error'], folder).code, 0);
    // A statement PostgreSQL rejects is reported as not analysed, at warning.
    assert.equal(run(['check', 'broken.sql'], folder).code, 1);
    assert.equal(run(['check', 'broken.sql', '--fail-on', 'error'], folder).code, 0);
    assert.equal(run(['check', '--fail-on', 'none'], folder).code, 0);
    assert.equal(run(['check', 'missing.sql'], folder).code, 2);
    assert.equal(run(['check', '--bogus'], folder).code, 2);
    assert.equal(run(['check', '--format', 'xml'], folder).code, 2);
    writeFileSync(path.join(folder, 'armadilha.config.json'), '{"rules": {"no-such-rule": "off"}}');
    const invalid = run(['check', 'a.sql'], folder);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /Unknown rule "no-such-rule"/);
    writeFileSync(path.join(folder, 'armadilha.config.json'), '{"rules": {"no-clock-timestamp-expiry": "off"}}');
    assert.equal(run(['check', 'a.sql'], folder).code, 0);
  });

  it('--fix applies safe fixes in place and reports what remains', () => {
    const folder = project({ 'a.sql': MIGRATION + 'selec 1;\n', 'clean.sql': 'select 1;\n' });
    const { code, stdout, stderr } = run(['check', '--fix', '--format', 'json'], folder);
    assert.equal(readFileSync(path.join(folder, 'a.sql'), 'utf8'), MIGRATION.replace('clock_timestamp()', 'now()') + 'selec 1;\n');
    assert.equal(readFileSync(path.join(folder, 'clean.sql'), 'utf8'), 'select 1;\n');
    assert.deepEqual(
      JSON.parse(stdout).findings.map((finding: { rule: string }) => finding.rule),
      ['syntax-error'],
    );
    assert.match(stderr, /Applied 1 fix\(es\) in 1 file\(s\)/);
    assert.equal(code, 1);
  });

  it('reads UTF-16 files with a byte-order mark, and --fix writes them back in the same encoding', () => {
    const folder = project({});
    const file = path.join(folder, 'utf16.sql');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MIGRATION, 'utf16le')]));
    assert.equal(run(['check', 'utf16.sql', '--format', 'json'], folder).code, 1);
    run(['check', 'utf16.sql', '--fix'], folder);
    const bytes = readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe]);
    assert.equal(bytes.subarray(2).toString('utf16le'), MIGRATION.replace('clock_timestamp()', 'now()'));
  });

  it('reads standard input, and with --fix writes the fixed text to standard output', () => {
    const folder = project({});
    const report = run(['check', '--stdin', '--stdin-filename', 'migrations/x.sql', '--format', 'json'], folder, MIGRATION);
    assert.equal(JSON.parse(report.stdout).findings[0].file, 'migrations/x.sql');
    const fixed = run(['check', '--stdin', '--fix'], folder, MIGRATION);
    assert.equal(fixed.stdout, MIGRATION.replace('clock_timestamp()', 'now()'));
    assert.equal(fixed.code, 0);
  });

  it('analyses a file that is not UTF-8 as Latin-1, says so, and --fix writes the same encoding back', () => {
    // Issue 12, row 4: the file used to be skipped with an information finding, and CI passed.
    const folder = project({ 'b.sql': MIGRATION });
    const latin1 = Buffer.from("update t set x = clock_timestamp() + interval '1h'; -- caf\xe9\n", 'latin1');
    writeFileSync(path.join(folder, 'a.sql'), latin1);
    const { code, stdout, stderr } = run(['check', '--format', 'json'], folder);
    assert.equal(code, 1);
    assert.deepEqual(
      JSON.parse(stdout).findings.map((finding: { file: string; rule: string }) => `${finding.file} ${finding.rule}`),
      ['a.sql no-clock-timestamp-expiry', 'b.sql no-clock-timestamp-expiry'],
    );
    assert.match(stderr, /a\.sql: not valid UTF-8; read as Latin-1/);
    run(['check', '--fix', 'a.sql'], folder);
    assert.deepEqual(readFileSync(path.join(folder, 'a.sql')), Buffer.from("update t set x = now() + interval '1h'; -- caf\xe9\n", 'latin1'));
  });

  it('writes SARIF 2.1.0 that validates against the schema', () => {
    const folder = project({ 'a.sql': MIGRATION + 'selec 1;\n' });
    const { stdout } = run(['check', '--format', 'sarif'], folder);
    const log: any = JSON.parse(stdout);
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    // The SARIF schema is JSON Schema draft 04.
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    const valid = validate(structuredClone(log));
    assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 3)));
    assert.equal(log.version, '2.1.0');
    const results = log.runs[0].results;
    assert.deepEqual(
      results.map((result: { ruleId: string; level: string }) => [result.ruleId, result.level]),
      [
        ['no-clock-timestamp-expiry', 'warning'],
        ['syntax-error', 'warning'],
      ],
    );
    assert.equal(results[0].locations[0].physicalLocation.region.startLine, 2);
    assert.equal(results[0].fixes[0].artifactChanges[0].replacements[0].insertedContent.text, 'now()');
    assert.equal(log.runs[0].tool.driver.rules[results[0].ruleIndex].id, 'no-clock-timestamp-expiry');
  });
});

describe('CI never passes while files go unread', () => {
  it('exits 2 on an unreadable file or folder, naming it', () => {
    const folder = project({ 'a.sql': 'select 1;\n', 'locked/b.sql': MIGRATION, 'open/c.sql': 'select 1;\n' });
    chmodSync(folder, 0o755);
    chmodSync(path.join(folder, 'a.sql'), 0o000);
    chmodSync(path.join(folder, 'locked'), 0o000);
    const file = run(['check', 'a.sql'], folder, undefined, { uid: NOBODY });
    assert.equal(file.code, 2);
    assert.match(file.stderr, /a\.sql: cannot be read \(permission denied\)/);
    const walk = run(['check', '.'], folder, undefined, { uid: NOBODY });
    assert.equal(walk.code, 2);
    assert.match(walk.stderr, /locked: cannot be read/);
    chmodSync(path.join(folder, 'locked'), 0o755);
  });

  it('exits 2 when a glob, a folder or a path matches nothing', () => {
    const folder = project({ 'm/1.sql': MIGRATION, 'docs/readme.md': '# no code' });
    const glob = run(['check', 'migrations/*.sql'], folder);
    assert.equal(glob.code, 2);
    assert.match(glob.stderr, /migrations\/\*\.sql: matches no SQL, TypeScript or JavaScript file/);
    assert.equal(run(['check', 'docs'], folder).code, 2);
    assert.equal(run(['check', 'm/*.sql', 'docs/*.sql'], folder).code, 2, 'one pattern matching nothing is enough');
    const text = run(['check', 'docs/readme.md'], folder);
    assert.equal(text.code, 2);
    assert.match(text.stderr, /not a SQL, TypeScript or JavaScript file/);
  });

  it('gives a file that could not be analysed a warning, so --fail-on warning fails', () => {
    const deep = `create function f() returns void language plpgsql as $$\n${'begin\n'.repeat(20_000)}${'end;\n'.repeat(20_000)}$$;\n`;
    const folder = project({ 'deep.sql': deep, 'big.sql': `${MIGRATION}${'-- padding\n'.repeat(300_000)}`, 'clean.sql': 'select 1;\n' });
    writeFileSync(path.join(folder, 'nul.sql'), Buffer.from('select 1;\u0000\u0001\n'));
    const { code, stdout } = run(['check', '--format', 'json'], folder);
    assert.equal(code, 1);
    const findings = JSON.parse(stdout).findings.map(
      (finding: { file: string; rule: string; severity: string }) => `${finding.file} ${finding.rule} ${finding.severity}`,
    );
    assert.deepEqual(findings, ['big.sql skipped-file warning', 'deep.sql skipped-file warning', 'nul.sql skipped-file warning']);
    // The level stays configurable, as for every rule.
    writeFileSync(path.join(folder, 'armadilha.config.json'), '{"rules": {"skipped-file": "info"}}');
    assert.equal(run(['check'], folder).code, 0);
  });

  it('reads only regular files: a FIFO or a link to /dev/zero, named or matched by a glob, is reported at once', () => {
    const folder = project({ 'a.sql': 'select 1;\n' });
    execFileSync('mkfifo', [path.join(folder, 'fifo.sql')]);
    symlinkSync('/dev/zero', path.join(folder, 'zero.sql'));
    for (const args of [['fifo.sql'], ['zero.sql'], ['*.sql']]) {
      const started = Date.now();
      const { code, stderr } = run(['check', ...args], folder);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /not a regular file/);
      assert.ok(Date.now() - started < 30_000, 'did not wait on the FIFO');
    }
  });
});

describe('--fix never harms a file', () => {
  const FIXED = MIGRATION.replace('clock_timestamp()', 'now()');

  it('leaves a read-only file as it is, with a message', () => {
    const folder = project({ 'ro.sql': MIGRATION });
    chmodSync(path.join(folder, 'ro.sql'), 0o444);
    const { stderr } = run(['check', '--fix', 'ro.sql'], folder);
    assert.equal(readFileSync(path.join(folder, 'ro.sql'), 'utf8'), MIGRATION);
    assert.equal(statSync(path.join(folder, 'ro.sql')).mode & 0o777, 0o444);
    assert.match(stderr, /ro\.sql: fixes not written: the file is read-only/);
  });

  it('writes the real file through a link inside the workspace, and refuses a link leading outside', () => {
    const folder = project({ 'db/real.sql': MIGRATION });
    const outside = project({ 'elsewhere.sql': MIGRATION });
    symlinkSync('db/real.sql', path.join(folder, 'link.sql'));
    symlinkSync(path.join(outside, 'elsewhere.sql'), path.join(folder, 'away.sql'));
    const { stderr } = run(['check', '--fix', 'link.sql', 'away.sql'], folder);
    assert.ok(lstatSync(path.join(folder, 'link.sql')).isSymbolicLink(), 'the link stays a link');
    assert.equal(readFileSync(path.join(folder, 'db/real.sql'), 'utf8'), FIXED);
    assert.equal(readFileSync(path.join(outside, 'elsewhere.sql'), 'utf8'), MIGRATION);
    assert.match(stderr, /away\.sql: fixes not written: it is a link to a file outside the workspace/);
  });

  it('keeps hard links, owner and mode', () => {
    const folder = project({ 'a.sql': MIGRATION, 'owned.sql': MIGRATION });
    linkSync(path.join(folder, 'a.sql'), path.join(folder, 'b.sql'));
    chmodSync(path.join(folder, 'owned.sql'), 0o640);
    if (asRoot) chownSync(path.join(folder, 'owned.sql'), 1234, 5678);
    const before = statSync(path.join(folder, 'owned.sql'));
    run(['check', '--fix', 'a.sql', 'owned.sql'], folder);
    assert.equal(readFileSync(path.join(folder, 'b.sql'), 'utf8'), FIXED, 'the other name sees the fix');
    assert.equal(statSync(path.join(folder, 'a.sql')).ino, statSync(path.join(folder, 'b.sql')).ino);
    const after = statSync(path.join(folder, 'owned.sql'));
    assert.equal(readFileSync(path.join(folder, 'owned.sql'), 'utf8'), FIXED);
    assert.deepEqual([after.mode, after.uid, after.gid], [before.mode, before.uid, before.gid]);
    assert.deepEqual(readdirSync(folder).sort(), ['a.sql', 'b.sql', 'owned.sql'], 'no temporary file left');
  });

  it('keeps a byte-order mark and CRLF line endings, also where a fix adds a line', () => {
    const crlf = "export async function save(url: string) {\r\n  await fetch(url, {\r\n    method: 'POST'\r\n  });\r\n}\r\n";
    const folder = project({});
    writeFileSync(path.join(folder, 'save.ts'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf)]));
    writeFileSync(path.join(folder, 'm.sql'), Buffer.from(`\ufeff${MIGRATION.replace(/\n/g, '\r\n')}`));
    run(['check', '--fix', 'save.ts', 'm.sql'], folder);
    const ts = readFileSync(path.join(folder, 'save.ts'));
    assert.deepEqual([...ts.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const fixed = ts.subarray(3).toString('utf8');
    assert.match(fixed, /AbortSignal\.timeout/, 'the fix was applied');
    assert.doesNotMatch(fixed, /[^\r]\n|\r(?!\n)/, 'every line ends with CRLF');
    assert.equal(readFileSync(path.join(folder, 'm.sql'), 'utf8'), `\ufeff${FIXED.replace(/\n/g, '\r\n')}`);
  });

  it('does not write a file edited while it was analysed', async () => {
    await ready;
    const folder = project({ 'a.sql': MIGRATION });
    const file = path.join(folder, 'a.sql');
    const outcome = readInput({ absolute: file, display: 'a.sql', explicit: true }, defaultSettings(RULES), 'en', folder);
    assert.ok('loaded' in outcome);
    writeFileSync(file, `-- edited meanwhile\n${MIGRATION}`);
    const result = checkLoaded(outcome.loaded, new WorkspaceSchema(), defaultSettings(RULES), 'en', true, undefined, { cwd: folder });
    assert.equal(result.applied, 0);
    assert.match(result.note ?? '', /changed on disk/);
    assert.equal(readFileSync(file, 'utf8'), `-- edited meanwhile\n${MIGRATION}`);
  });
});

describe('standard input and output', () => {
  it('--stdin --fix returns the input bytes unchanged when nothing was fixed, and keeps their encoding when something was', () => {
    const folder = project({});
    const untouched = Buffer.from('-- caf\xe9\nupdate t set a=1;\n', 'latin1');
    assert.deepEqual(runBytes(['check', '--stdin', '--fix', '--stdin-filename', 'x.sql'], folder, untouched), untouched);
    const fixable = Buffer.from(`-- caf\xe9\n${MIGRATION}`, 'latin1');
    assert.deepEqual(
      runBytes(['check', '--stdin', '--fix', '--stdin-filename', 'x.sql'], folder, fixable),
      Buffer.from(`-- caf\xe9\n${MIGRATION.replace('clock_timestamp()', 'now()')}`, 'latin1'),
    );
  });

  it('rejects a --stdin-filename whose extension names no language it analyses', () => {
    const { code, stdout, stderr } = run(['check', '--stdin', '--stdin-filename', 'x.txt'], project({}), 'select 1;');
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /--stdin-filename x\.txt: the extension says which language/);
  });

  it('ends quietly, with its own exit code, when the reader of its output goes away', () => {
    const folder = project({ 'a.sql': MIGRATION.repeat(400) });
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" check a.sql --format json | head -c 10`], { cwd: folder, encoding: 'utf8' });
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^\{\n {2}"versi/);
    const status = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" check a.sql --format json | head -c 10 > /dev/null`], {
      cwd: folder,
      encoding: 'utf8',
    });
    assert.equal(status.stderr, '');
    assert.equal(status.status, 1, 'the findings still fail the run');
  });
});

describe('code the user does not own', () => {
  const GENERATED_HEADER = '// Code generated by sqlc. DO NOT EDIT.\n';
  const TS_TRAP = "export async function call() {\n  await fetch('https://example.com/x');\n}\n";

  it('leaves out vendored folders, build output, minified and generated files, whatever .gitignore says, and says so', () => {
    const folder = project({
      '.yarn/releases/yarn-4.cjs': TS_TRAP,
      'vendor/lib/a.js': TS_TRAP,
      'packages/x/dist/index.js': TS_TRAP,
      'public/app.min.js': TS_TRAP,
      'src/generated/queries.ts': GENERATED_HEADER + TS_TRAP,
      'src/banner.ts': `/* eslint-disable */\n${TS_TRAP}`,
      'app/vendor/[id]/page.ts': TS_TRAP,
      'src/own.ts': TS_TRAP,
      '.gitignore': '!dist/\n',
    });
    const { stdout, stderr } = run(['check', '--format', 'json'], folder);
    const files = JSON.parse(stdout).findings.map((finding: { file: string }) => finding.file);
    assert.deepEqual(
      [...new Set(files)],
      ['app/vendor/[id]/page.ts', 'src/banner.ts', 'src/own.ts'],
      "a lint banner and a route named vendor are the user's code",
    );
    assert.match(stderr, /Left out 5 vendored, generated or minified file\(s\) or folder\(s\)/);
    writeFileSync(path.join(folder, 'armadilha.config.json'), '{"analyseGeneratedCode": true}');
    const all = JSON.parse(run(['check', '--format', 'json'], folder).stdout).findings.map((finding: { file: string }) => finding.file);
    assert.equal(new Set(all).size, 8);
  });

  it('named on the command line, a generated file gets one information finding saying why and how to analyse it', () => {
    const folder = project({ 'src/generated/queries.ts': GENERATED_HEADER + TS_TRAP, 'vendor/a.js': TS_TRAP });
    const { code, stdout, stderr } = run(['check', 'src/generated/queries.ts', 'vendor/a.js', '--format', 'json'], folder);
    // Nothing was analysed: said, and exit 2 (a run that analysed nothing never passes).
    assert.equal(code, 2);
    assert.match(stderr, /Nothing was analysed/);
    const findings = JSON.parse(stdout).findings;
    assert.deepEqual(
      findings.map((finding: { rule: string; severity: string }) => `${finding.rule} ${finding.severity}`),
      ['skipped-file info', 'skipped-file info'],
    );
    assert.match(findings[0].message, /its header says it is generated \("DO NOT EDIT"\).*analyseGeneratedCode/);
    assert.match(findings[1].message, /vendored code \(under vendor\/\)/);
  });

  it('in the editor, a generated file opened gets the same information, relative to its workspace folder', async () => {
    await ready;
    const settings = defaultSettings(RULES);
    const at = (fileName: string, workspaceFolder?: string, text = TS_TRAP) =>
      lint({ text, language: 'typescript', fileName, workspaceFolder, settings, locale: 'pt-BR' }).findings.map(
        (finding) => `${finding.ruleId} ${finding.severity}`,
      );
    assert.deepEqual(
      at('/home/ana/vendor/shop/src/a.ts', '/home/ana/vendor/shop'),
      ['require-network-timeout warning'],
      'a workspace inside a folder named vendor is analysed',
    );
    assert.deepEqual(at('/home/ana/shop/vendor/a.ts', '/home/ana/shop'), ['skipped-file info']);
    assert.deepEqual(at('/home/ana/shop/src/q.ts', '/home/ana/shop', GENERATED_HEADER + TS_TRAP), ['skipped-file info']);
    const on = mergeSettings(settings, { analyseGeneratedCode: true });
    assert.deepEqual(
      lint({ text: GENERATED_HEADER + TS_TRAP, language: 'typescript', fileName: '/w/q.ts', settings: on, locale: 'en' }).findings.map(
        (finding) => finding.ruleId,
      ),
      ['require-network-timeout'],
    );
    assert.deepEqual(
      parseConfigText('{"analyseGeneratedCode": "yes"}', RULES).problems.map((problem) => problem.data.key),
      ['analyseGeneratedCode'],
    );
  });

  it('the language server judges vendored folders relative to the workspace folder, and the editor setting turns analysis on', async () => {
    const workspace = project({ 'vendor/lib.ts': TS_TRAP, 'src/own.ts': TS_TRAP });
    for (const [settings, expected] of [
      [{}, ['skipped-file', 3]],
      [{ analyseGeneratedCode: true }, ['require-network-timeout', 2]],
    ] as const) {
      const client = new TestClient({ workspace, settings });
      try {
        await client.initialize();
        const vendored = await client.open(uriOf(path.join(workspace, 'vendor/lib.ts')), TS_TRAP, 'typescript');
        assert.deepEqual(
          vendored.map((diagnostic) => [diagnostic.code, diagnostic.severity]),
          [expected],
        );
        const own = await client.open(uriOf(path.join(workspace, 'src/own.ts')), TS_TRAP, 'typescript');
        assert.deepEqual(
          own.map((diagnostic) => diagnostic.code),
          ['require-network-timeout'],
        );
      } finally {
        client.process.kill();
      }
    }
  });
});

describe('armadilha rules and explain', () => {
  it('lists rules as JSON for machines', () => {
    const { code, stdout } = run(['rules', '--format', 'json'], process.cwd());
    assert.equal(code, 0);
    const rules = JSON.parse(stdout).rules;
    assert.ok(rules.some((rule: { id: string; fix: string }) => rule.id === 'require-on-conflict' && rule.fix === 'safe'));
  });

  it('explains a rule in either language, and fails on an unknown one', () => {
    const english = run(['explain', 'require-fencing-token'], process.cwd());
    assert.equal(english.code, 0);
    assert.match(english.stdout, /^# require-fencing-token/);
    assert.match(english.stdout, /Why it fails in a distributed system/);
    const portuguese = run(['explain', 'require-fencing-token', '--locale', 'pt-BR'], process.cwd());
    assert.match(portuguese.stdout, /Por que isso falha/);
    assert.equal(run(['explain', 'nope'], process.cwd()).code, 2);
  });
});
