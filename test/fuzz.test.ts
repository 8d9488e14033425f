// Odd input never breaks the analysis: random and mutated SQL and TypeScript (truncated statements,
// unbalanced dollar quotes and comments, random bytes, invalid UTF-8, a 5 MB single line, 10,000-deep
// nesting) go to lint() and to the running language server. No exception escapes, each input is
// bounded in time, findings and fix edits stay inside the text on whole characters and are never
// inverted, and the server answers the next request. Pathological inputs (flat lists of thousands of
// calls or statements, nesting thousands deep in SQL, PL/pgSQL and TypeScript, adversarial globs,
// long lines) each get a time budget measured after warm-up; fixes keep CRLF line endings.
// Time budgets are asserted only with ARMADILHA_TIMED=1 (a quiet machine, as the benchmarks run):
// under load, in CI or beside other suites, they are reported and do not fail the suite.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { expandBraces, GlobError, matchSegment } from '../server/src/cli/glob';
import { defaultSettings, mergeSettings } from '../server/src/core/config';
import { applyEdits } from '../server/src/core/fixes';
import { lint, type DocumentLanguage, type LintResult } from '../server/src/core/lint';
import { RULES } from '../server/src/rules';
import { isCharacterBoundary, RangeSlip } from '../server/src/core/text/ranges';
import { loadTypeScript } from '../server/src/languages/typescript/project';
import { ready } from './helpers/lint';
import { TestClient, uriOf } from './helpers/lsp-client';

// Timing starts after warm-up: the first TypeScript input loads the compiler, the first SQL input
// compiles the parser; neither belongs to any input's budget.
// Every rule example is analysed once, so that each rule's code is loaded and compiled.
before(async () => {
  await ready;
  loadTypeScript();
  for (const rule of RULES) {
    for (const example of rule.examples.invalid)
      lint({ text: example.code, language: example.language === 'ts' ? 'typescript' : 'sql', settings: defaultSettings(RULES), locale: 'en' });
  }
});

const settings = defaultSettings(RULES);
const SEEDS = [
  // The rule folders (test/fixtures also holds the fixtures' schema.prisma and drizzle-schema.ts).
  ...readdirSync('test/fixtures')
    .filter((folder) => !folder.includes('.'))
    .flatMap((folder) => readdirSync(path.join('test/fixtures', folder)).map((name) => path.join('test/fixtures', folder, name))),
  'examples/supabase/migrations/20240102000000_traps.sql',
]
  .filter((file) => /\.(sql|ts|js)$/.test(file))
  .slice(0, 200)
  .map((file) => ({ text: readFileSync(file, 'utf8'), language: (file.endsWith('.sql') ? 'sql' : 'typescript') as DocumentLanguage }));

const JUNK = [
  '$$',
  '$a$',
  "'",
  '"',
  '`',
  '${',
  '}',
  '/*',
  '*/',
  '--',
  ';',
  '(',
  ')',
  '\\',
  '\n',
  'ç',
  '😀',
  '\u0000',
  '\uFFFD',
  'begin',
  'end',
  'select',
  "E'",
  '::',
  ':=',
  'cron.schedule(',
  'do $$',
];

const TIMED = process.env.ARMADILHA_TIMED === '1';

/** A time budget: asserted with ARMADILHA_TIMED=1, else only reported when exceeded (a loaded machine says nothing about the code). */
function withinBudget(elapsedMs: number, budgetMs: number, what: string): void {
  if (TIMED) assert.ok(elapsedMs < budgetMs, `${what}: ${Math.round(elapsedMs)} ms, budget ${Math.round(budgetMs)} ms`);
  else if (elapsedMs >= budgetMs)
    process.stderr.write(`# over budget (not asserted without ARMADILHA_TIMED=1): ${what}: ${Math.round(elapsedMs)} ms, budget ${Math.round(budgetMs)} ms\n`);
}

/** Lints and checks the invariants; returns the time it took. */
function lintChecked(text: string, language: DocumentLanguage, options = settings): number {
  const started = performance.now();
  const result = lint({ text, language, settings: options, locale: 'pt-BR' });
  const elapsed = performance.now() - started;
  assertRanges(text, result);
  assert.deepEqual(rangeSlips(result), [], 'every rule reports whole, ordered ranges');
  return elapsed;
}

/** What reaches users: findings and fix edits inside the text, ordered, on whole characters. */
function assertRanges(text: string, result: LintResult): void {
  const whole = (offset: number) => isCharacterBoundary(text, offset);
  for (const finding of result.findings) {
    assert.ok(
      finding.start >= 0 && finding.start <= finding.end && finding.end <= text.length,
      `${finding.ruleId} at ${finding.start}-${finding.end} of ${text.length}`,
    );
    assert.ok(whole(finding.start) && whole(finding.end), `${finding.ruleId} at ${finding.start}-${finding.end} cuts a character`);
    for (const fix of finding.fixes) {
      for (const edit of fix.edits) {
        assert.ok(
          edit.start >= 0 && edit.start <= edit.end && edit.end <= text.length,
          `${finding.ruleId} fix edit ${edit.start}-${edit.end} of ${text.length}`,
        );
        assert.ok(whole(edit.start) && whole(edit.end), `${finding.ruleId} fix edit ${edit.start}-${edit.end} cuts a character`);
      }
    }
  }
}

function rangeSlips(result: LintResult): string[] {
  return result.ruleErrors.filter((failure) => failure.error instanceof RangeSlip).map((failure) => (failure.error as Error).message);
}

const mutation = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  cuts: fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 40 }), insert: fc.constantFrom(...JUNK) }), { maxLength: 6 }),
  truncate: fc.option(fc.nat()),
});

function mutate(input: { seed: number; cuts: Array<{ at: number; remove: number; insert: string }>; truncate: number | null }): {
  text: string;
  language: DocumentLanguage;
} {
  const { text: original, language } = SEEDS[input.seed];
  let text = original;
  for (const cut of input.cuts) {
    const at = cut.at % (text.length + 1);
    text = text.slice(0, at) + cut.insert + text.slice(at + cut.remove);
  }
  if (input.truncate !== null) text = text.slice(0, input.truncate % (text.length + 1));
  return { text, language };
}

describe('fuzzing lint()', () => {
  it('survives mutated SQL and TypeScript from the fixtures', () => {
    fc.assert(
      fc.property(mutation, (input) => {
        const { text, language } = mutate(input);
        withinBudget(lintChecked(text, language), 2000, 'a mutated fixture');
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('survives random text in every language', () => {
    const alphabet = fc.constantFrom(...JUNK, 'a', ' ', 'x', '1', 'update t set a = clock_timestamp() where b', 'insert into payments values (1)');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), fc.constantFrom<DocumentLanguage>('sql', 'typescript', 'javascript'), (parts, language) => {
        withinBudget(lintChecked(parts.join(''), language), 2000, 'random text');
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('survives random bytes, including invalid UTF-8 decoded with replacement characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), fc.constantFrom<DocumentLanguage>('sql', 'typescript'), (bytes, language) => {
        lintChecked(new TextDecoder('utf-8').decode(bytes), language);
        lintChecked(Buffer.from(bytes).toString('latin1'), language);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('survives 10,000-deep nesting and a 5 MB single line', () => {
    const large = mergeSettings(settings, { maxFileSizeMb: 10 });
    for (const language of ['sql', 'typescript'] as const) {
      lintChecked(`select ${'('.repeat(10_000)}1${')'.repeat(10_000)};`, language, large);
      lintChecked(`const a = ${'['.repeat(10_000)}${']'.repeat(10_000)};`, language, large);
      lintChecked(`${'('.repeat(10_000)}`, language, large);
    }
    const line = `select ${"'x', ".repeat(1_250_000)}1;`;
    assert.ok(line.length > 5_000_000);
    assert.ok(lintChecked(line, 'sql', large) < 30_000, 'the 5 MB line is analysed in bounded time');
    // With the default limit (2 MB) the same line is skipped with one finding, at once.
    const skipped = lint({ text: line, language: 'sql', settings, locale: 'en' }).findings;
    assert.deepEqual(
      skipped.map((finding) => finding.ruleId),
      ['skipped-file'],
    );
    assert.equal(
      lint({ text: `const a = ${'['.repeat(10_000)}${']'.repeat(10_000)};`, language: 'typescript', settings: large, locale: 'en' }).findings[0]?.ruleId,
      'skipped-file',
    );
  });
});

// Inputs built to hit the worst case of each stage: flat lists (work per call or statement that
// grows with the file), nesting (recursion, per-level walks), long lines. Each must be analysed
// within a budget that grows with its size and allows a shared, busy machine; a quadratic stage
// exceeds it by far at these sizes. Sizes are real-world large files (about 20-300 KB).
interface Pathological {
  name: string;
  text: string;
  language: DocumentLanguage;
  /** Why the input is expected to exceed its budget for now (node:test "todo"), and whose work it is. */
  todo?: string;
}

const lines = (count: number, line: (index: number) => string, separator = '\n') => Array.from({ length: count }, (_, index) => line(index)).join(separator);

function pathologicalInputs(): Pathological[] {
  return [
    {
      name: '3,000 fetch calls in one function body',
      language: 'typescript',
      text: lines(3000, (index) => `await fetch('https://x/${index}');`),
      todo: 'issue 12 row 2: a declaration search and a RegExp per call site (http-retry)',
    },
    { name: '20,000 flat calls', language: 'typescript', text: lines(20_000, (index) => `f${index % 50}(${index});`) },
    { name: '50,000 calls on one line', language: 'typescript', text: lines(50_000, (index) => `f(${index});`, '') },
    {
      name: '1,000 queries with embedded SQL',
      language: 'typescript',
      text: `import { Pool } from 'pg';\nconst pool = new Pool();\n${lines(1000, (index) => `await pool.query('update t set x = clock_timestamp() where id = ${index}');`)}`,
    },
    {
      name: '2,500 retry loops',
      language: 'typescript',
      text: lines(2500, (index) => `for (let a${index} = 0; a${index} < 3; a${index}++) { try { await fetch('u'); break; } catch {} }`),
      todo: 'require-retry-backoff grows quadratically with the number of loops (http-retry)',
    },
    { name: 'arrows nested 3,000 deep', language: 'typescript', text: `const a = ${'() => '.repeat(3000)}1;` },
    { name: 'blocks nested 3,000 deep', language: 'typescript', text: `function f(x) {${'if (x) {'.repeat(3000)}fetch('u');${'}'.repeat(3000)}}` },
    { name: 'arrays nested 10,000 deep', language: 'typescript', text: `const a = ${'['.repeat(10_000)}${']'.repeat(10_000)};` },
    {
      name: '20,000 flat UPDATE statements',
      language: 'sql',
      text: lines(20_000, (index) => `update t${index % 100} set x = clock_timestamp() + interval '1h' where id = ${index};`),
    },
    { name: '20,000 flat INSERT statements', language: 'sql', text: lines(20_000, (index) => `insert into payments (id) values (${index});`) },
    { name: 'parentheses nested 10,000 deep', language: 'sql', text: `select ${'('.repeat(10_000)}1${')'.repeat(10_000)};` },
    { name: 'CASE nested 3,000 deep', language: 'sql', text: `select ${'case when a then '.repeat(3000)}1${' end'.repeat(3000)};` },
    { name: 'PL/pgSQL blocks nested 20,000 deep', language: 'sql', text: `do $$ ${'begin '.repeat(20_000)}${'end; '.repeat(20_000)} $$;` },
    {
      name: 'PL/pgSQL blocks with statements nested 900 deep',
      language: 'sql',
      text: `do $$ ${'begin perform 1; '.repeat(900)}${'exception when others then null; end; '.repeat(900)} $$;`,
    },
    {
      name: 'PL/pgSQL IFs and loops nested 900 deep',
      language: 'sql',
      text: `do $$ begin ${'if a then loop '.repeat(450)}perform 1;${' end loop; end if;'.repeat(450)} end $$;`,
    },
    {
      name: 'a PL/pgSQL body of 20,000 statements',
      language: 'sql',
      text: `create function f() returns void language plpgsql as $$ begin ${lines(20_000, (index) => `update t set x = ${index} where id = ${index};`)} end $$;`,
    },
    {
      name: '2,000 functions',
      language: 'sql',
      text: lines(
        2000,
        (index) => `create function f${index}() returns void language plpgsql as $$ begin update t set x = clock_timestamp() + interval '1h'; end $$;`,
      ),
    },
    {
      name: 'a SQL-standard body of 8,000 statements',
      language: 'sql',
      text: `create function f() returns int language sql begin atomic ${'select 1; '.repeat(8000)} end;`,
      todo: 'each statement of a BEGIN ATOMIC body spans the whole function, and rules scan its text once per statement (languages/sql/nested.ts)',
    },
    { name: 'a 2 MB dollar-quoted string', language: 'sql', text: `select $$${'x'.repeat(1_900_000)}$$;` },
    { name: '100,000 comment lines', language: 'sql', text: lines(100_000, () => '-- c') },
    { name: 'a 1 MB line with invalid UTF-8 read lossily', language: 'sql', text: `select '${'cafe cafe cafe cafe caf\uFFFD '.repeat(40_000)}';` },
  ];
}

/** Milliseconds an input may take after warm-up: 2 s plus 20 ms per KB (linear stages take 3-7 ms per KB). */
function budgetMs(text: string): number {
  return 2000 + 20 * (text.length / 1024);
}

describe('pathological inputs', () => {
  const large = mergeSettings(settings, { maxFileSizeMb: 10 });
  for (const input of pathologicalInputs()) {
    it(`${input.name} (${Math.round(input.text.length / 1024)} KB) within its budget`, { todo: input.todo }, () => {
      const elapsed = lintChecked(input.text, input.language, large);
      withinBudget(elapsed, budgetMs(input.text), input.name);
    });
  }

  it('PL/pgSQL nested beyond 1,000 levels is skipped with a warning; below, it is analysed', () => {
    const nested = (depth: number) => `do $$ ${'begin '.repeat(depth)}update t set x = clock_timestamp() + interval '1h';${' end;'.repeat(depth)} $$;`;
    assert.deepEqual(
      lint({ text: nested(999), language: 'sql', settings, locale: 'en' }).findings.map((finding) => finding.ruleId),
      ['no-clock-timestamp-expiry'],
    );
    assert.deepEqual(
      lint({ text: nested(20_000), language: 'sql', settings, locale: 'en' }).findings.map((finding) => `${finding.ruleId} ${finding.severity}`),
      ['skipped-file warning'],
    );
  });

  it('matches adversarial globs on the command line in linear time', () => {
    const longName = `${'a'.repeat(250)}.sql`;
    const started = performance.now();
    for (const pattern of ['*a*a*a*a*a*a*a*a*a*a*c', '*a*a*a*a*a*a*a*a*a*a*a*.sqx', '*?*?*?*?*?*?*?*?*?*?*b', '[a]*[a]*[a]*[a]*[a]*[a]*c'])
      assert.equal(matchSegment(pattern, longName), false, pattern);
    withinBudget(performance.now() - started, 1000, 'each name is matched in pattern × name steps');
    assert.equal(matchSegment('*a*a*.sql', longName), true);
    assert.equal(matchSegment('*.sql', '.hidden.sql'), false, 'a leading dot is matched only by a dot');
    assert.throws(() => expandBraces('{a,b}'.repeat(11)), GlobError, 'brace expansion is bounded');
  });

  it(
    'adversarial name globs in the settings',
    { skip: 'issue 12 row 1: names globs become linear in core/names.ts (server-robust); enable after that merge' },
    () => {
      const adversarial = mergeSettings(settings, { names: { idempotentTables: ['*a*a*a*a*a*a*a*a*a*a*c'], expiryColumns: ['*a*a*a*a*a*a*a*a*a*a*c'] } });
      const name = 'a'.repeat(80);
      const text = `insert into ${name} (id) values (1);\nupdate ${name} set ${name} = clock_timestamp() + interval '1h';`;
      const elapsed = lintChecked(text, 'sql', adversarial);
      withinBudget(elapsed, budgetMs(text), 'adversarial name globs');
    },
  );
});

describe('ranges and line endings', () => {
  it('never ends a syntax error inside a surrogate pair', () => {
    for (const text of ['select 0👨;', "select '👨' 0👨👨;", 'select 0👨\n']) {
      const result = lint({ text, language: 'sql', settings, locale: 'en' });
      assert.equal(result.findings[0]?.ruleId, 'syntax-error', text);
      assertRanges(text, result);
      assert.deepEqual(rangeSlips(result), []);
    }
  });

  it('drops a fix whose edit is inverted instead of passing it on', () => {
    // A broken `catch function ({` once gave require-retry-backoff an edit ending before its start.
    const text =
      'async function f(u: string) {\n  for (let i = 0; i < 3; i++) {\n    try {\n      return await fetch(u);\n    } catch function ({\n    }\n  }\n}\n';
    assertRanges(text, lint({ text, language: 'typescript', settings, locale: 'en' }));
  });

  it('every fix keeps CRLF line endings: rule examples and fixtures in CRLF', () => {
    const inputs: Array<{ name: string; text: string; language: DocumentLanguage }> = [
      {
        name: 'multi-line fetch options',
        text: "export async function save(url: string) {\n  await fetch(url, {\n    method: 'POST'\n  });\n}\n",
        language: 'typescript',
      },
      ...RULES.flatMap((rule) =>
        rule.examples.invalid.map((example, index) => ({
          name: `${rule.id} #${index + 1}`,
          text: example.code,
          language: (example.language === 'ts' ? 'typescript' : 'sql') as DocumentLanguage,
        })),
      ),
      ...SEEDS.map((seed, index) => ({ name: `fixture ${index}`, text: seed.text, language: seed.language })),
    ];
    let fixesSeen = 0;
    for (const input of inputs) {
      const crlf = input.text.replace(/\r?\n/g, '\r\n');
      if (!crlf.includes('\r\n')) continue;
      for (const finding of lint({ text: crlf, language: input.language, settings, locale: 'en' }).findings) {
        for (const fix of finding.fixes) {
          fixesSeen++;
          const fixed = applyEdits(crlf, fix.edits);
          assert.doesNotMatch(fixed, /(^|[^\r])\n|\r(?!\n)/, `${input.name}: ${finding.ruleId} "${fix.title}" leaves a bare line break`);
        }
      }
    }
    assert.ok(fixesSeen > 50, `fixes checked: ${fixesSeen}`);
  });
});

describe('fuzzing the language server', () => {
  let client: TestClient;
  before(async () => {
    client = new TestClient();
    await client.initialize();
  });
  after(() => client.process.kill());

  it('publishes diagnostics for odd documents and answers the next request', async () => {
    const inputs = fc.sample(mutation, { numRuns: 40, seed: 11 }).map(mutate);
    inputs.push(
      { text: `select ${'('.repeat(10_000)}1`, language: 'sql' },
      { text: `f(${'('.repeat(10_000)}`, language: 'typescript' },
      { text: '\u0000\uFFFD\uFFFD$$ /*', language: 'sql' },
    );
    for (const [index, input] of inputs.entries()) {
      const uri = uriOf(`/tmp/fuzz-${index}.${input.language === 'sql' ? 'sql' : 'ts'}`);
      const diagnostics = await client.open(uri, input.text, input.language);
      const lines = input.text.split(/\r\n|\r|\n/);
      for (const diagnostic of diagnostics) assert.ok(diagnostic.range.end.line < lines.length, 'inside the document');
      const hover = client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
      assert.ok((await hover) === null || typeof (await hover) === 'object');
    }
    assert.equal(client.process.exitCode, null, 'the server is still running');
  });
});
