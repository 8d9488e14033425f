// The analysis of a document (TypeScript, and SQL for require-fencing-token) is linear in its size, and a document too costly to analyse
// ends in a `skipped-file` finding instead of a frozen editor. Linearity is shown by counting work
// (declaration lookups, scopes climbed, nodes visited, call sites examined: budget.ts) for generated
// files of N and 4N lines, not by timing them: a quadratic step makes the 4N file cost 16 times the
// N file, a linear one 4 times.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BudgetExceeded, spendWork, withBudget, workCounted, WorkBudget } from '../server/src/core/budget';
import { defaultSettings } from '../server/src/core/config';
import { lint } from '../server/src/core/lint';
import { RULES } from '../server/src/rules';
import { GENERATED_SHAPES as SHAPES } from './helpers/generated-sources';
import { ready } from './helpers/lint';

before(() => ready);

const settings = defaultSettings(RULES);

describe('scaling of the TypeScript analysis', () => {
  for (const [name, make] of Object.entries(SHAPES)) {
    it(`${name}: 4 times the lines cost at most about 4 times the work`, () => {
      // Nesting is bounded by the parser's recursion, so that shape uses smaller files.
      const small = name === 'nested blocks' ? 100 : 250;
      const smallWork = workOf(make(small));
      const largeWork = workOf(make(small * 4));
      assert.ok(smallWork > 0, 'the analysis counts its work');
      assert.ok(
        largeWork <= smallWork * 4.5 + 100,
        `work for ${small} repetitions: ${smallWork}; for ${small * 4}: ${largeWork} (${(largeWork / smallWork).toFixed(1)} times)`,
      );
    });
  }
});

// SQL scripts in the shapes that made require-fencing-token walk the statements after each lock or
// lease (and between a lock and each write it holds): session locks never unlocked, leases of one
// table taken again and again, token sequences advanced between them.
const SQL_SHAPES: Record<string, (count: number) => string> = {
  'session locks never unlocked': (count) =>
    repeat(count, (index) => `select pg_advisory_lock(${index});\nupdate jobs set status = 'done' where id = ${index};`),
  'leases of one table': (count) =>
    repeat(
      count,
      (index) =>
        `update jobs set locked_until = now() + interval '1 minute' where id = ${index % 7};\nupdate jobs set status = 'done' where id = ${index % 7};`,
    ),
  'token sequence between lock and writes': (count) =>
    `begin;\nselect pg_advisory_lock(1), nextval('fencing_token_seq');\ncommit;\n${repeat(count, (index) => `update jobs set status = 'done' where id = ${index};\nselect nextval('other_seq');`)}`,
};

describe('scaling of the SQL analysis', () => {
  for (const [name, make] of Object.entries(SQL_SHAPES)) {
    it(`${name}: 4 times the statements cost at most about 4 times the work`, () => {
      const smallWork = workOf(make(200), 'sql');
      const largeWork = workOf(make(800), 'sql');
      assert.ok(smallWork > 0, 'the analysis counts its work');
      assert.ok(
        largeWork <= smallWork * 4.5 + 100,
        `work for 200 repetitions: ${smallWork}; for 800: ${largeWork} (${(largeWork / smallWork).toFixed(1)} times)`,
      );
    });
  }
});

function repeat(count: number, make: (index: number) => string): string {
  return Array.from({ length: count }, (_, index) => make(index)).join('\n');
}

describe('the work budget', () => {
  it('stops the analysis of a document past its budget with a skipped-file finding, in both languages', () => {
    const text = "export const load = () => fetch('https://x.example');\n";
    for (const [locale, words] of [
      ['en', /too costly to analyse/],
      ['pt-BR', /custoso demais para analisar/],
    ] as const) {
      const result = lint({ text, language: 'typescript', fileName: 'load.ts', settings, locale, budgetMs: 0 });
      assert.deepEqual(result.ruleErrors, []);
      assert.deepEqual(
        result.findings.map((finding) => finding.ruleId),
        ['skipped-file'],
      );
      assert.match(result.findings[0].message, words);
    }
  });

  it('leaves a document within its budget alone', () => {
    const result = lint({
      text: "export const load = () => fetch('https://x.example');\n",
      language: 'typescript',
      fileName: 'load.ts',
      settings,
      locale: 'en',
    });
    assert.deepEqual(
      result.findings.map((finding) => finding.ruleId),
      ['require-network-timeout'],
    );
  });

  it('is checked from inside a rule: work counted past the deadline throws', () => {
    const budget = new WorkBudget(0);
    assert.throws(
      () =>
        withBudget(budget, () => {
          for (let unit = 0; unit < 10_000; unit++) spendWork();
        }),
      BudgetExceeded,
    );
    // Outside an analysis, work is only counted.
    const before = workCounted();
    spendWork(5);
    assert.equal(workCounted() - before, 5);
  });
});

function workOf(text: string, language: 'typescript' | 'sql' = 'typescript'): number {
  const before = workCounted();
  const result = lint({ text, language, fileName: language === 'sql' ? 'generated.sql' : 'generated.ts', settings, locale: 'en' });
  assert.ok(!result.findings.some((finding) => finding.ruleId === 'skipped-file'), 'the generated file is analysed in full');
  return workCounted() - before;
}
