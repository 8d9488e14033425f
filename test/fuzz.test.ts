// Odd input never breaks the analysis: random and mutated SQL and TypeScript (truncated statements,
// unbalanced dollar quotes and comments, random bytes, invalid UTF-8, a 5 MB single line, 10,000-deep
// nesting) go to lint() and to the running language server. No exception escapes, each input is
// bounded in time, findings stay inside the text, and the server answers the next request.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultSettings, mergeSettings } from '../server/src/config';
import { lint, type DocumentLanguage } from '../server/src/lint';
import { RULES } from '../server/src/rules';
import { loadTypeScript } from '../server/src/languages/typescript/project';
import { ready } from './helpers/lint';
import { TestClient, uriOf } from './helpers/lsp-client';

// The TypeScript front end loads on first use (over a second on a busy machine): load it here, so
// that the time bound below measures the input, not which seed happens to be the first TypeScript one.
before(async () => {
  await ready;
  loadTypeScript();
});

const settings = defaultSettings(RULES);
const SEEDS = [
  ...readdirSync('test/fixtures').flatMap((folder) => readdirSync(path.join('test/fixtures', folder)).map((name) => path.join('test/fixtures', folder, name))),
  'examples/supabase/migrations/20240102000000_traps.sql',
]
  .filter((file) => /\.(sql|ts|js)$/.test(file))
  .slice(0, 200)
  .map((file) => ({ text: readFileSync(file, 'utf8'), language: (file.endsWith('.sql') ? 'sql' : 'typescript') as DocumentLanguage }));

const JUNK = ['$$', '$a$', "'", '"', '`', '${', '}', '/*', '*/', '--', ';', '(', ')', '\\', '\n', 'ç', '😀', '\u0000', '\uFFFD', 'begin', 'end', 'select', 'E\'', '::', ':=', 'cron.schedule(', 'do $$'];

/** Lints and checks the invariants; returns the time it took. */
function lintChecked(text: string, language: DocumentLanguage, options = settings): number {
  const started = performance.now();
  const result = lint({ text, language, settings: options, locale: 'pt-BR' });
  const elapsed = performance.now() - started;
  for (const finding of result.findings) {
    assert.ok(finding.start >= 0 && finding.start <= finding.end && finding.end <= text.length, `${finding.ruleId} at ${finding.start}-${finding.end} of ${text.length}`);
    for (const fix of finding.fixes) for (const edit of fix.edits) assert.ok(edit.start >= 0 && edit.start <= edit.end && edit.end <= text.length, `${finding.ruleId} fix out of bounds`);
  }
  return elapsed;
}

const mutation = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  cuts: fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 40 }), insert: fc.constantFrom(...JUNK) }), { maxLength: 6 }),
  truncate: fc.option(fc.nat()),
});

function mutate(input: { seed: number; cuts: Array<{ at: number; remove: number; insert: string }>; truncate: number | null }): { text: string; language: DocumentLanguage } {
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
        assert.ok(lintChecked(text, language) < 2000, 'bounded time');
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('survives random text in every language', () => {
    const alphabet = fc.constantFrom(...JUNK, 'a', ' ', 'x', '1', 'update t set a = clock_timestamp() where b', 'insert into payments values (1)');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), fc.constantFrom<DocumentLanguage>('sql', 'typescript', 'javascript'), (parts, language) => {
        assert.ok(lintChecked(parts.join(''), language) < 2000, 'bounded time');
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
    assert.deepEqual(skipped.map((finding) => finding.ruleId), ['skipped-file']);
    assert.equal(lint({ text: `const a = ${'['.repeat(10_000)}${']'.repeat(10_000)};`, language: 'typescript', settings: large, locale: 'en' }).findings[0]?.ruleId, 'skipped-file');
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
    inputs.push({ text: `select ${'('.repeat(10_000)}1`, language: 'sql' }, { text: `f(${'('.repeat(10_000)}`, language: 'typescript' }, { text: '\u0000\uFFFD\uFFFD$$ /*', language: 'sql' });
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
