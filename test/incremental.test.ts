// The per-document cache (SQL statements reused by text, the TypeScript tree parsed again only where
// it changed) never changes a result: after every edit of a sequence, lint with the cache equals lint
// from scratch.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultSettings } from '../server/src/core/config';
import { DocumentCache } from '../server/src/core/document-cache';
import { buildSqlModel } from '../server/src/languages/sql/sql-file';
import { resplitStatements, splitStatements } from '../server/src/languages/sql/split';
import { MappedText } from '../server/src/core/text/mapped-text';
import { lint } from '../server/src/core/lint';
import { RULES } from '../server/src/rules';
import { ready } from './helpers/lint';

before(() => ready);

const settings = defaultSettings(RULES);
const run = (text: string, cache?: DocumentCache, language: 'sql' | 'typescript' = 'sql') =>
  JSON.stringify(lint({ text, language, fileName: language === 'sql' ? 'edited.sql' : 'edited.ts', settings, locale: 'en', cache }).findings);

const BASE = [
  readFileSync('examples/supabase/migrations/20240101000000_schema.sql', 'utf8'),
  readFileSync('examples/supabase/migrations/20240102000000_traps.sql', 'utf8'),
  readFileSync('test/fixtures/require-fencing-token/delete-and-returning.sql', 'utf8'),
  readFileSync('test/fixtures/no-clock-timestamp-expiry/cron-single-quoted.sql', 'utf8'),
].join('\n');

const PIECES = [
  'x',
  ';',
  "'",
  '$$',
  '\n',
  'begin;',
  'commit;',
  ' clock_timestamp() ',
  '-- ação\n',
  '/*',
  '*/',
  'select 1;',
  'select pg_advisory_lock(1);\n',
  'selec',
];

/** Random edit sequences from pieces: after each, lint with one cache equals lint from scratch. */
function checkEditsAgainstFreshAnalysis(base: string, pieces: string[], language: 'sql' | 'typescript', options: { maxRemove: number; numRuns: number }): void {
  fc.assert(
    fc.property(
      fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: options.maxRemove }), piece: fc.constantFrom(...pieces) }), { minLength: 1, maxLength: 12 }),
      (edits) => {
        const cache = new DocumentCache();
        let text = base;
        assert.equal(run(text, cache, language), run(text, undefined, language));
        for (const edit of edits) {
          const at = edit.at % (text.length + 1);
          text = text.slice(0, at) + edit.piece + text.slice(Math.min(text.length, at + edit.remove));
          assert.equal(run(text, cache, language), run(text, undefined, language));
        }
      },
    ),
    { numRuns: options.numRuns, seed: 20261121 },
  );
}

describe('incremental analysis', () => {
  it('gives the same findings as a fresh analysis after every edit', () => {
    checkEditsAgainstFreshAnalysis(BASE, PIECES, 'sql', { maxRemove: 12, numRuns: 60 });
  });

  it('gives the same TypeScript findings as a fresh analysis after every edit', () => {
    const base = [
      'require-network-timeout/fetch-node.ts',
      'require-retry-backoff/loops.ts',
      'require-fencing-token/redis-pg-params.ts',
      'require-idempotency-key/deno-edge.ts',
      'no-dual-write/write-and-publish.ts',
    ]
      .map((file) => readFileSync(`test/fixtures/${file}`, 'utf8'))
      .join('\n');
    const pieces = [
      'x',
      ';',
      '{',
      '}',
      '(',
      ')',
      "'",
      '`',
      '\n',
      '/*',
      '*/',
      '// ação 😀\n',
      'await fetch(url);',
      'sql`update t set a = clock_timestamp()`;',
      'async function f() {',
      'for (;;) { try { await call(); } catch {} }',
    ];
    checkEditsAgainstFreshAnalysis(base, pieces, 'typescript', { maxRemove: 20, numRuns: 40 });
  });

  it('moves reused statements: findings after an edit above them are at their new offsets', () => {
    const cache = new DocumentCache();
    const text = 'update sessions set expires_at = clock_timestamp() where id = 1;\n';
    const first = lint({ text, language: 'sql', settings, locale: 'en', cache }).findings[0];
    const shifted = lint({ text: `-- ação\n${text}`, language: 'sql', settings, locale: 'en', cache }).findings[0];
    assert.equal(shifted.start, first.start + '-- ação\n'.length);
  });
});

describe('SQL statements carried over an edit', () => {
  it('reuses the statements before and after the edited one (the same objects, moved)', () => {
    const cache = new DocumentCache();
    // The first and last statements have the same text: only their positions tell them apart.
    const text = 'select a from t1;\nselect b from t2;\nselect a from t1;\n';
    const model = (edited: string) => {
      // Foreign-dialect detection splits the same version first.
      cache.sql.split(edited, true);
      return buildSqlModel([{ text: MappedText.document(edited), origin: 'file', psql: true }], cache.sql).statements;
    };
    const first = model(text);
    const second = model(text.replace('select b from t2', 'select bb, "ação" from t2'));
    assert.equal(second[0], first[0]);
    assert.equal(second[2], first[2]);
    assert.notEqual(second[1], first[1]);
    assert.equal(second[2].text, 'select a from t1');
    const third = model(text);
    assert.equal(third[0], first[0]);
    assert.equal(third[2], first[2]);
    assert.equal(third[1].text, 'select b from t2');
  });
});

describe('incremental statement splitting', () => {
  it('splits exactly as a fresh split after every edit, psql scripts and COPY data included', () => {
    const base = [
      readFileSync('test/fixtures/no-clock-timestamp-expiry/psql-script.sql', 'utf8'),
      'copy t from stdin;\n1\tum; dois\n\\.\n',
      'create function f() returns int language sql begin atomic select 1; end;\n',
      BASE,
    ].join('\n');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.nat(),
            remove: fc.nat({ max: 20 }),
            piece: fc.constantFrom(...PIECES, '\\.\n', 'copy t from stdin;\n', '\\set x 1\n', 'begin atomic ', 'end;'),
          }),
          { minLength: 1, maxLength: 15 },
        ),
        (edits) => {
          let text = base;
          let previous = { text, spans: splitStatements(text, { psql: true }) };
          for (const edit of edits) {
            const at = edit.at % (text.length + 1);
            text = text.slice(0, at) + edit.piece + text.slice(Math.min(text.length, at + edit.remove));
            const carried = { head: 0, tail: 0 };
            const spans = resplitStatements(previous, text, { psql: true }, carried);
            assert.deepEqual(spans, splitStatements(text, { psql: true }));
            // The statements said to be carried over have the same text (and psql lines) as before.
            const statementText = (source: string, span: (typeof spans)[number]) => [
              source.slice(span.start, span.end),
              span.metaRanges.map(([start, end]) => [start - span.start, end - span.start]),
              span.usesPsqlVariables,
            ];
            for (let index = 0; index < carried.head; index++)
              assert.deepEqual(statementText(text, spans[index]), statementText(previous.text, previous.spans[index]));
            for (let index = 1; index <= carried.tail; index++)
              assert.deepEqual(statementText(text, spans[spans.length - index]), statementText(previous.text, previous.spans[previous.spans.length - index]));
            previous = { text, spans };
          }
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});
