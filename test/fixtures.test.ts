// Edge cases per rule, one file each under test/fixtures/<rule-id>/. The first line states the
// expectation, for the folder's rule and any rule it names:
//   -- expect: none                                  the folder's rule stays silent
//   -- expect: require-on-conflict@4, no-clock-timestamp-persisted*2
//        id@L: one finding of id starting on line L (1-based); id*N: N findings; id: one finding
// (`// expect:` in TypeScript files). Rules not named are not checked.
// Optional: "-- run: postgres" on the second line runs the file (and its fixed form) on PGlite.
// Optional: <name>.fixed.<ext> is the text after applying the first fix of every expected finding.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyEdits, mergeFixes } from '../server/src/core/fixes';
import { languageOfPath } from '../server/src/core/lint';
import { ruleById } from '../server/src/rules';
import { DiskProject } from '../server/src/project/disk-project';
import { lintText, ready, sqlParses, typescriptParses } from './helpers/lint';
import { closeDatabase, runsOnPostgres } from './helpers/postgres';

before(() => ready);
after(() => closeDatabase());

const ROOT = 'test/fixtures';

interface Expectation {
  ruleId: string;
  count: number;
  line?: number | undefined;
}

function parseExpectations(firstLine: string, folderRule: string): Expectation[] {
  const match = /^(?:--|\/\/)\s*expect:\s*(.*)$/.exec(firstLine.trim());
  if (!match) throw new Error(`first line must be an expectation, got: ${firstLine}`);
  if (match[1].trim() === 'none') return [{ ruleId: folderRule, count: 0 }];
  const expectations: Expectation[] = match[1].split(',').map((entry) => {
    const [, ruleId, line, count] = /^\s*([a-z0-9-]+)(?:@(\d+))?(?:\*(\d+))?\s*$/.exec(entry) ?? [];
    if (!ruleId || !ruleById(ruleId)) throw new Error(`unknown rule in expectation: ${entry}`);
    return { ruleId, line: line ? Number(line) : undefined, count: count ? Number(count) : 1 };
  });
  if (!expectations.some((expectation) => expectation.ruleId === folderRule)) expectations.push({ ruleId: folderRule, count: 0 });
  return expectations;
}

// The fixtures are a project: test/fixtures/schema.prisma is their Prisma schema, the repository's
// package.json their dependencies.
const project = new DiskProject();
// test/fixtures/*.sql: the workspace's migrations, seen by every fixture.
const workspaceSql = readdirSync(ROOT)
  .filter((name) => name.endsWith('.sql'))
  .map((name) => readFileSync(path.join(ROOT, name), 'utf8'))
  .join('\n');

for (const folder of existsSync(ROOT)
  ? readdirSync(ROOT)
      .filter((name) => !name.includes('.'))
      .sort()
  : []) {
  describe(folder, () => {
    it('is a rule id', () => assert.ok(ruleById(folder), `no rule ${folder}`));
    for (const name of readdirSync(path.join(ROOT, folder)).sort()) {
      if (name.includes('.fixed.')) continue;
      const file = path.join(ROOT, folder, name);
      const language = languageOfPath(file);
      if (!language) continue;
      it(name, async () => {
        const text = readFileSync(file, 'utf8');
        const [firstLine, secondLine] = text.split('\n');
        const expectations = parseExpectations(firstLine, folder);
        const findings = lintText(text, { language, fileName: path.resolve(file), project, schema: workspaceSql || undefined });
        const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
        for (const ruleId of new Set(expectations.map((expectation) => expectation.ruleId))) {
          const mine = findings.filter((finding) => finding.ruleId === ruleId);
          const expected = expectations.filter((expectation) => expectation.ruleId === ruleId);
          const describeFindings = () => JSON.stringify(mine.map((finding) => `${lineOf(finding.start)}: ${finding.message}`));
          assert.equal(
            mine.length,
            expected.reduce((sum, expectation) => sum + expectation.count, 0),
            `${ruleId}: ${describeFindings()}`,
          );
          for (const expectation of expected.filter((each) => each.line !== undefined)) {
            assert.ok(
              mine.some((finding) => lineOf(finding.start) === expectation.line),
              `${ruleId} expected on line ${expectation.line}: ${describeFindings()}`,
            );
          }
        }
        const fixedFile = file.replace(/(\.[^.]+)$/, '.fixed$1');
        const runOnPostgres = /^--\s*run:\s*postgres/.test(secondLine ?? '');
        if (runOnPostgres) assert.equal(await runsOnPostgres(text), undefined, 'the fixture runs on PostgreSQL');
        if (!existsSync(fixedFile)) return;
        const expectedRules = new Set(expectations.filter((expectation) => expectation.count > 0).map((expectation) => expectation.ruleId));
        const fixes = findings.filter((finding) => expectedRules.has(finding.ruleId) && finding.fixes.length).map((finding) => finding.fixes[0]);
        const fixed = applyEdits(text, mergeFixes(fixes));
        assert.equal(fixed, readFileSync(fixedFile, 'utf8'));
        if (language === 'sql') assert.ok(sqlParses(fixed), 'the fixed file parses');
        else {
          assert.ok(typescriptParses(fixed, name), 'the fixed file has no TypeScript syntax errors');
          assert.deepEqual(
            lintText(fixed, { language }).filter((finding) => finding.ruleId === 'syntax-error'),
            [],
            'its embedded SQL still parses',
          );
        }
        if (runOnPostgres) assert.equal(await runsOnPostgres(fixed), undefined, 'the fixed file runs on PostgreSQL');
      });
    }
  });
}
