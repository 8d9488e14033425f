// Rules that read one statement at a time (reads: 'statement') run, on an edited document, only on
// the statements the edit changed; their other findings are kept and moved. After random edit
// sequences — across statement boundaries, opening and closing dollar quotes and comments, BEGIN and
// COMMIT, function bodies, CREATE TABLE (the schema changes), accented and astral text — the result
// equals a fresh analysis of the final text: findings, messages, fixes and ranges.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultSettings } from '../server/src/core/config';
import { DocumentCache } from '../server/src/core/document-cache';
import { detectForeignSql } from '../server/src/languages/sql/dialect';
import { splitStatements } from '../server/src/languages/sql/split';
import { ForeignSqlCache } from '../server/src/core/incremental/foreign-sql';
import { lint, type LintInput } from '../server/src/core/lint';
import type { SchemaFact } from '../server/src/schema/facts';
import { WorkspaceSchema } from '../server/src/schema/workspace';
import { RULES } from '../server/src/rules';
import { TypingHoldback } from '../server/src/lsp/handlers/typing-holdback';
import { lineIndexAfterEdit } from '../server/src/core/incremental/text-edit';
import { LineIndex } from '../server/src/core/text/positions';
import { ready } from './helpers/lint';

before(() => ready);

const settings = defaultSettings(RULES);

/** Every SQL rule's invalid examples with the schema they need: findings of every rule to keep or redo. */
const BASE = RULES.filter((rule) => rule.languages.includes('sql') && rule.check)
  .flatMap((rule) =>
    rule.examples.invalid.filter((example) => (example.language ?? 'sql') === 'sql').map((example) => `${example.schema ?? ''}\n${example.code}`),
  )
  .join('\n;\n');

const PIECES = [
  'x',
  ';',
  "'",
  '$$',
  '\n',
  ' ',
  'begin;\n',
  'commit;\n',
  'start transaction isolation level serializable;\n',
  '-- ação\n',
  '/*',
  '*/',
  'é',
  '😀',
  ' clock_timestamp() ',
  'create table jobs (id bigint primary key, expires_at timestamptz, status text);\n',
  'create table public.accounts (id bigint primary key, balance int);\n',
  "update jobs set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n",
  'select * from jobs where id in (1, 2) for update;\n',
  "prepare transaction 'x';\n",
  'set session characteristics as transaction isolation level read uncommitted;\n',
  'alter database app set default_transaction_isolation = serializable;\n',
  'create function f() returns void language plpgsql as $$ begin update jobs set expires_at = clock_timestamp(); end $$;\n',
  'do $$ begin perform pg_sleep(1); end $$;\n',
  'selec',
];

/** The language server's way: one workspace schema, the document's facts updated at each analysis. */
function serverLike(): { cache: DocumentCache; edited: true; schema: (facts: SchemaFact[]) => ReturnType<WorkspaceSchema['model']> } {
  const workspace = new WorkspaceSchema();
  workspace.updateFacts('/other/migration.sql', []);
  return { cache: new DocumentCache(), edited: true, schema: (facts) => workspace.modelFor('/work/edited.sql', facts) };
}

const analyse = (text: string, extra: Partial<LintInput> = {}) => lint({ text, language: 'sql', fileName: 'edited.sql', settings, locale: 'pt-BR', ...extra });
const fresh = (text: string) => JSON.stringify(analyse(text).findings);

describe('incremental rule results', () => {
  it('equal a fresh analysis after every edit of random sequences', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 30 }), piece: fc.constantFrom(...PIECES) }), { minLength: 1, maxLength: 10 }),
        (edits) => {
          const server = serverLike();
          let text = BASE;
          assert.equal(JSON.stringify(analyse(text, server).findings), fresh(text));
          for (const edit of edits) {
            const at = edit.at % (text.length + 1);
            text = text.slice(0, at) + edit.piece + text.slice(Math.min(text.length, at + edit.remove));
            assert.equal(JSON.stringify(analyse(text, server).findings), fresh(text));
          }
        },
      ),
      { numRuns: 40, seed: 20261203 },
    );
  });

  it('runs a statement-scope rule on the changed statement only', () => {
    const rule = RULES.find((each) => each.id === 'no-two-phase-commit')!;
    assert.equal(rule.reads, 'statement');
    const seen: number[] = [];
    const check = rule.check!;
    rule.check = (context) => {
      seen.push(context.sql.statements.length);
      check(context);
    };
    try {
      const server = serverLike();
      const text = "prepare transaction 'a';\nselect 1;\ncommit prepared 'a';\n";
      analyse(text, server);
      seen.length = 0;
      const edited = text.replace('select 1', 'select 12');
      const findings = analyse(edited, server).findings.filter((finding) => finding.ruleId === 'no-two-phase-commit');
      // One run, on the one statement that changed; the findings on the other two are kept and moved.
      assert.deepEqual(seen, [1]);
      assert.deepEqual(
        findings.map((finding) => edited.slice(finding.start, finding.end)),
        ["prepare transaction 'a'", "commit prepared 'a'"],
      );
    } finally {
      rule.check = check;
    }
  });

  it('analyses again the statements whose findings read the schema when it changes, and only those', () => {
    const server = serverLike();
    // FOR UPDATE on several rows: whether they are several depends on the table's primary key.
    const lock = 'select * from jobs where status = $1 for update;\n';
    const before = `create table jobs (id bigint primary key, status text);\n${lock}`;
    const after = `create table jobs (id bigint, status text primary key);\n${lock}`;
    for (const text of [before, after, before]) assert.equal(JSON.stringify(analyse(text, server).findings), fresh(text));
  });

  it('tells the schema watcher that kept findings read the schema', () => {
    const workspace = new WorkspaceSchema();
    let reads = 0;
    const watched = new WeakMap<object, object>();
    const schema = (facts: SchemaFact[]) => {
      const model = workspace.modelFor('/work/edited.sql', facts);
      if (!watched.has(model))
        watched.set(model, new Proxy(model, { get: (target, property, receiver) => (reads++, Reflect.get(target, property, receiver)) }));
      return watched.get(model) as typeof model;
    };
    const cache = new DocumentCache();
    // Only a rule that reads the schema statement by statement: no other rule reads it meanwhile.
    const only = {
      ...settings,
      rules: Object.fromEntries(RULES.map((rule) => [rule.id, rule.id === 'require-lock-order' ? 'warning' : 'off'])),
    } as typeof settings;
    const text = 'create table jobs (id bigint primary key, status text);\nselect * from jobs where status = $1 for update;\n';
    assert.equal(analyse(text, { cache, edited: true, schema, settings: only }).findings.length, 1);
    reads = 0;
    const again = analyse(`${text}-- ação\n`, { cache, edited: true, schema, settings: only });
    assert.equal(again.findings.length, 1);
    assert.ok(reads > 0);
  });
});

describe('incremental dialect detection', () => {
  const MARKERS = [
    '`x`',
    'engine = InnoDB',
    'ENGINE=MergeTree',
    'modify column a int',
    '{{ ref("a") }}',
    '{{ .Name }}',
    '{{',
    'pragma foo',
    'GO',
    'auto_increment',
    'int(11) unsigned',
    'nvarchar(max)',
  ];
  const TEXT_PIECES = [...MARKERS, ';', ';\n', '\n', "'", '"', '--', '/*', '*/', '$$', 'select 1', ' ', 'x'.repeat(3000)];

  it('finds what a detection of the whole text finds, after every edit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), remove: fc.oneof(fc.constant(0), fc.nat({ max: 40 })), piece: fc.constantFrom(...TEXT_PIECES) }), {
          minLength: 1,
          maxLength: 30,
        }),
        (edits) => {
          const cache = new ForeignSqlCache();
          let text = 'select 1;\n'.repeat(400);
          for (const edit of edits) {
            const at = edit.at % (text.length + 1);
            text = text.slice(0, at) + edit.piece + text.slice(Math.min(text.length, at + edit.remove));
            assert.deepEqual(cache.detect(text, splitStatements(text, { psql: true })), detectForeignSql(text));
          }
        },
      ),
      { numRuns: 150, seed: 20261203 },
    );
  });
});

describe('the range of the latest edit (typing holdback)', () => {
  it('is the common prefix and suffix a character-by-character comparison finds', () => {
    const naive = (previous: string, text: string) => {
      const shorter = Math.min(previous.length, text.length);
      let prefix = 0;
      while (prefix < shorter && previous[prefix] === text[prefix]) prefix++;
      let suffix = 0;
      while (suffix < shorter - prefix && previous[previous.length - 1 - suffix] === text[text.length - 1 - suffix]) suffix++;
      return { start: prefix, end: text.length - suffix };
    };
    fc.assert(
      fc.property(
        fc.nat({ max: 20_000 }),
        fc.nat({ max: 20 }),
        fc.constantFrom('', 'a', 'ã', '😀', 'ab\n', 'a'.repeat(5000)),
        fc.constantFrom('a', 'b'.repeat(9000)),
        (at, remove, piece, filler) => {
          const holdback = new TypingHoldback();
          const previous = filler.repeat(Math.ceil(20_000 / filler.length)).slice(0, 20_000);
          const text = previous.slice(0, at) + piece + previous.slice(Math.min(previous.length, at + remove));
          holdback.noteText('file:///a.sql', previous);
          holdback.noteText('file:///a.sql', text);
          if (previous === text) return;
          assert.deepEqual(holdback.lastEdit('file:///a.sql'), naive(previous, text));
        },
      ),
      { numRuns: 200, seed: 20261203 },
    );
  });
});

describe('a one-off analysis with a cache (the CLI)', () => {
  it('runs every rule on the whole document, as without one', () => {
    const rule = RULES.find((each) => each.id === 'no-two-phase-commit')!;
    const seen: number[] = [];
    const check = rule.check!;
    rule.check = (context) => {
      seen.push(context.sql.statements.length);
      check(context);
    };
    try {
      analyse("prepare transaction 'a';\nselect 1;\ncommit prepared 'a';\n", { cache: new DocumentCache() });
      assert.deepEqual(seen, [3]);
    } finally {
      rule.check = check;
    }
  });
});

describe('the line index of an edited text', () => {
  it('equals the index of the text built from scratch', () => {
    const lines = (index: LineIndex) => Array.from({ length: index.lineCount }, (_, line) => index.lineStart(line));
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.nat(),
            remove: fc.nat({ max: 40 }),
            piece: fc.constantFrom('', 'a', '\n', '\n\n', 'ã😀', '\r\n', '\r', 'x\ny', 'z'.repeat(5000), '\n'.repeat(3)),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (edits) => {
          let text = 'select 1;\n'.repeat(1500);
          let index = new LineIndex(text);
          for (const edit of edits) {
            const at = edit.at % (text.length + 1);
            text = text.slice(0, at) + edit.piece + text.slice(Math.min(text.length, at + edit.remove));
            index = lineIndexAfterEdit(index, text);
            assert.deepEqual(lines(index), lines(new LineIndex(text)));
            assert.equal(index.text, text);
          }
        },
      ),
      { numRuns: 150, seed: 20261203 },
    );
  });
});
