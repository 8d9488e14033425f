// Real repositories as users point Armadilha at them (../shared/wild, each folder its own workspace,
// through the CLI only): no syntax error on a statement PostgreSQL accepts once client placeholders
// are substituted, nothing reported in a file skipped as another dialect or a template, every finding
// inside its file, and something analysed in every folder. The language-server corpus test keeps to
// ../shared/corpus.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { parseSync } from 'libpg-query';
import { defaultSettings } from '../server/src/core/config';
import { languageOfPath, lint } from '../server/src/core/lint';
import { DiskProject } from '../server/src/project/disk-project';
import { RULES } from '../server/src/rules';
import { ready } from './helpers/lint';

const WILD = path.resolve('..', 'shared', 'wild');
before(() => ready);

interface JsonFinding {
  file: string;
  rule: string;
  severity: string;
  line: number;
  column: number;
  endLine: number;
  message: string;
}

// Placeholders written the way each client writes them, replaced by a bind parameter: this test's
// own substitution, so that it does not trust the analyser's.
function withParameters(statement: string): string {
  return statement
    .replace(/(?<![:\w]):(?:'[^']*'|"[^"]*"|[A-Za-z_]\w*)/g, '$1')
    .replace(/(?<![?\w])\?(?![?|&])/g, '$1')
    .replace(/@[A-Za-z_]\w*/g, '$1')
    .replace(/\$\d+(?=\s*\.)/g, 'schema_name');
}

const folders = existsSync(WILD)
  ? readdirSync(WILD)
      .filter((name) => existsSync(path.join(WILD, name)) && !name.includes('.'))
      .sort()
  : [];

describe('wild repositories', { skip: folders.length ? false : `no repositories at ${WILD}` }, () => {
  for (const folder of folders) {
    it(`${folder}: judged as PostgreSQL only where it is PostgreSQL`, () => {
      const root = path.join(WILD, folder);
      const result = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'check', '.', '--format', 'json', '--fail-on', 'none'], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      assert.equal(result.status, 0, result.stderr);
      const output = JSON.parse(result.stdout) as { findings: JsonFinding[]; summary: { sql: { files: number }; typescript: { files: number } } };
      assert.ok(output.summary.sql.files + output.summary.typescript.files > 0, 'something was analysed');
      const foreign = new Set(
        output.findings.filter((finding) => finding.rule === 'skipped-file' && /not PostgreSQL/.test(finding.message)).map((finding) => finding.file),
      );
      const project = new DiskProject();
      for (const finding of output.findings) {
        const file = path.join(root, finding.file);
        const text = readFileSync(file, 'utf8');
        const lines = text.split('\n');
        assert.ok(finding.line >= 1 && finding.endLine <= lines.length, `${finding.file}:${finding.line} out of bounds`);
        if (foreign.has(finding.file)) assert.equal(finding.rule, 'skipped-file', `${finding.file}: a file skipped as another dialect has no other finding`);
        if (finding.rule !== 'syntax-error') continue;
        // The statement the finding is about, from a second, in-process look at the file.
        const language = languageOfPath(file)!;
        const again = lint({ text, language, fileName: file, settings: defaultSettings(RULES), locale: 'en', project }).findings;
        const offset = lines.slice(0, finding.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + finding.column - 1;
        const same = again.find((candidate) => candidate.ruleId === 'syntax-error' && candidate.start === offset);
        assert.ok(same?.statement, `${finding.file}:${finding.line}: the syntax error has its statement`);
        const statement = text.slice(same.statement.start, same.statement.end);
        assert.throws(
          () => parseSync(withParameters(statement)),
          `${finding.file}:${finding.line}: a syntax error on a statement PostgreSQL accepts:\n${statement}`,
        );
      }
      // These repositories are released software whose PostgreSQL runs in production (their migrations
      // and queries were read for this): every syntax error reported here would be a false finding,
      // such as MySQL sent through a PlanetScale client or an i18n macro taken for SQL.
      const syntaxErrors = output.findings.filter((finding) => finding.rule === 'syntax-error');
      assert.deepEqual(
        syntaxErrors.map((finding) => `${finding.file}:${finding.line} ${finding.message}`),
        [],
      );
    });
  }
});
