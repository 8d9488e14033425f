// The bundled CLI (dist/cli.js) run as a process: formats, exit codes, --fix, stdin, .gitignore,
// globs, rules/explain, and SARIF validated against the SARIF 2.1.0 schema.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';

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

function run(args: string[], cwd: string, input?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LANG: 'C' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
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
          message: "clock_timestamp() reads the wall clock, which NTP can move backwards or forwards, and its value decides an expiry here (expires_at). Use now() (the transaction start time) so expiry stays consistent.",
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
    assert.deepEqual(JSON.parse(stdout).findings.map((finding: { file: string }) => finding.file), ['m/1.sql']);
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
    assert.deepEqual(JSON.parse(stdout).findings.map((finding: { rule: string }) => finding.rule), ['syntax-error']);
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

  it('reports a file that is not UTF-8 once and goes on', () => {
    const folder = project({ 'b.sql': MIGRATION });
    writeFileSync(path.join(folder, 'a.sql'), Buffer.from([0x73, 0x65, 0x6c, 0xe9, 0xff, 0x3b]));
    const { stdout } = run(['check', '--format', 'json'], folder);
    assert.deepEqual(JSON.parse(stdout).findings.map((finding: { file: string; rule: string }) => `${finding.file} ${finding.rule}`), ['a.sql skipped-file', 'b.sql no-clock-timestamp-expiry']);
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
    assert.deepEqual(results.map((result: { ruleId: string; level: string }) => [result.ruleId, result.level]), [['no-clock-timestamp-expiry', 'warning'], ['syntax-error', 'warning']]);
    assert.equal(results[0].locations[0].physicalLocation.region.startLine, 2);
    assert.equal(results[0].fixes[0].artifactChanges[0].replacements[0].insertedContent.text, 'now()');
    assert.equal(log.runs[0].tool.driver.rules[results[0].ruleIndex].id, 'no-clock-timestamp-expiry');
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
