// Rules that read one statement at a time (reads: 'statement') or one transaction at a time (reads:
// 'transaction') run, on an edited document, only on the statements or transactions the edit changed;
// their other findings are kept and moved. After random edit sequences — across statement boundaries,
// opening and closing dollar quotes and comments, BEGIN and COMMIT (transactions split and joined),
// isolation levels, function bodies, CREATE TABLE (the schema changes), suppression comments, accented
// and astral text — the result equals a fresh analysis of the final text: findings, messages, fixes
// and ranges.
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
import type { SqlModel } from '../server/src/languages/sql/sql-file';
import type { SqlStatement } from '../server/src/languages/sql/statement';
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

describe('incremental rule results of transaction-scope rules', () => {
  const TRANSACTION_RULES = RULES.filter((rule) => rule.reads === 'transaction');

  /** Transactions that the transaction-scope rules report on, and units that are valid only as a whole. */
  const TX_BASE = [
    'create table public.events (id bigserial primary key, aggregate_id uuid not null, payload jsonb);',
    'create table public.orders (id uuid primary key, status text, paid_total numeric);',
    'create table public.order_log (order_id uuid primary key, note text);',
    'create table public.order_snapshots (aggregate_id uuid primary key, state jsonb);',
    'begin;',
    'select payload from public.events where aggregate_id = $1 order by id;',
    'commit;',
    'begin;',
    "select * from pgmq.read('orders', 30, 1);",
    "update public.orders set status = 'paid' where id = $1;",
    'commit;',
    'start transaction isolation level repeatable read;',
    "select * from pgmq.read('refunds', 30, 1);",
    'select state from public.order_snapshots where aggregate_id = $1;',
    'select payload from public.events where aggregate_id = $1 order by id;',
    "update public.orders set status = 'refunded' where id = $1;",
    'insert into public.processed_messages (msg_id) values ($2) on conflict do nothing;',
    'rollback;',
    "select * from pgmq.pop('signups');",
    "update public.orders set status = 'new' where id = $1;",
    "create function public.consume() returns void language plpgsql as $$ begin perform pgmq.read('q', 30, 1); insert into public.order_log (order_id) values (gen_random_uuid()); end $$;",
    "do $$ begin perform pgmq.read('q', 30, 1); update public.orders set status = 'x'; end $$;",
    '',
  ].join('\n');

  const TX_PIECES = [
    'x',
    ';',
    '\n',
    "'",
    '$$',
    '-- note\n',
    '/*',
    '*/',
    'begin;\n',
    'commit;\n',
    'rollback;\n',
    'end;\n',
    "prepare transaction 'p';\n",
    'start transaction isolation level serializable;\n',
    'set session characteristics as transaction isolation level repeatable read;\n',
    "select * from pgmq.read('q', 30, 1);\n",
    "update public.orders set status = 'done' where id = $1;\n",
    'insert into public.order_log (order_id) values ($1);\n',
    'select state from public.order_snapshots where aggregate_id = $1;\n',
    'select payload from public.events where aggregate_id = $1 order by id;\n',
    'create table public.order_snapshots (aggregate_id uuid primary key, state jsonb);\n',
    'create table public.processed_messages (msg_id bigint primary key);\n',
    '-- armadilha-ignore require-on-conflict\n',
    '-- armadilha-ignore-file require-on-conflict\n',
    'selec',
  ];

  it('are declared by some rules', () => {
    assert.ok(TRANSACTION_RULES.length > 0);
  });

  it('equal a fresh analysis after every edit of random sequences', () => {
    // Checked on the whole text, and on the transaction-scope rules' findings alone (so that a wrong
    // one is not lost among the others').
    const ours = (findings: readonly { ruleId: string }[]) =>
      JSON.stringify(findings.filter((finding) => TRANSACTION_RULES.some((rule) => rule.id === finding.ruleId)));
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 40 }), piece: fc.constantFrom(...TX_PIECES) }), { minLength: 1, maxLength: 12 }),
        (edits) => {
          const server = serverLike();
          let text = TX_BASE;
          assert.equal(JSON.stringify(analyse(text, server).findings), fresh(text));
          for (const edit of edits) {
            const at = edit.at % (text.length + 1);
            text = text.slice(0, at) + edit.piece + text.slice(Math.min(text.length, at + edit.remove));
            const findings = analyse(text, server).findings;
            assert.equal(ours(findings), ours(analyse(text).findings));
            assert.equal(JSON.stringify(findings), fresh(text));
          }
        },
      ),
      { numRuns: 60, seed: 20261203 },
    );
  });

  /** Runs `test` with the rule's check wrapped: each run's top-level statements, as text, are noted. */
  function watching(ruleId: string, test: (runs: string[][]) => void): void {
    const rule = RULES.find((each) => each.id === ruleId)!;
    assert.equal(rule.reads, 'transaction');
    const check = rule.check!;
    const runs: string[][] = [];
    rule.check = (context) => {
      runs.push(context.sql.scripts.flat().map((statement) => context.text.slice(statement.start, statement.end)));
      check(context);
    };
    try {
      test(runs);
    } finally {
      rule.check = check;
    }
  }

  it('runs a transaction-scope rule once per explicit transaction or statement outside one, and then only where an edit changed it', () => {
    watching('require-queue-dedup', (runs) => {
      const server = serverLike();
      const text = [
        'begin;',
        "select * from pgmq.read('a', 30, 1);",
        "update public.orders set status = 'paid' where id = $1;",
        'commit;',
        "select * from pgmq.read('b', 30, 1);",
        "update public.orders set status = 'new' where id = $1;",
        'start transaction;',
        "select * from pgmq.read('c', 30, 1);",
        'commit;',
        '',
      ].join('\n');
      const first = analyse(text, server).findings.filter((finding) => finding.ruleId === 'require-queue-dedup');
      // The units: the first transaction, the two statements outside one, the last transaction.
      assert.deepEqual(runs, [
        ['begin', "select * from pgmq.read('a', 30, 1)", "update public.orders set status = 'paid' where id = $1", 'commit'],
        ["select * from pgmq.read('b', 30, 1)"],
        ["update public.orders set status = 'new' where id = $1"],
        ['start transaction', "select * from pgmq.read('c', 30, 1)", 'commit'],
      ]);
      assert.deepEqual(
        first.map((finding) => text.slice(finding.start, finding.end)),
        ["pgmq.read('a', 30, 1)"],
      );

      // An edit inside the last transaction: only it runs again; the first one's finding is kept, moved.
      runs.length = 0;
      const inside = `-- ação\n${text.replace("pgmq.read('c', 30, 1);", "pgmq.read('c', 30, 1);\nupdate public.orders set status = 'late' where id = $1;")}`;
      const second = analyse(inside, server).findings.filter((finding) => finding.ruleId === 'require-queue-dedup');
      assert.deepEqual(runs, [
        ['start transaction', "select * from pgmq.read('c', 30, 1)", "update public.orders set status = 'late' where id = $1", 'commit'],
      ]);
      assert.equal(JSON.stringify(analyse(inside, server).findings), fresh(inside));
      assert.deepEqual(
        second.map((finding) => inside.slice(finding.start, finding.end)),
        ["pgmq.read('a', 30, 1)", "pgmq.read('c', 30, 1)"],
      );

      // An edit outside any transaction: the one statement it changed runs again, nothing else.
      runs.length = 0;
      const outside = inside.replace("read('b', 30, 1)", "read('bb', 30, 1)");
      analyse(outside, server);
      assert.deepEqual(runs, [["select * from pgmq.read('bb', 30, 1)"]]);
    });
  });

  it('follows a unit boundary that an edit moves: a COMMIT deleted joins, one typed splits, and a line typed inside moves what follows', () => {
    watching('require-queue-dedup', (runs) => {
      const server = serverLike();
      const closed = "begin;\nselect * from pgmq.read('a', 30, 1);\ncommit;\nupdate public.orders set status = 'paid' where id = $1;\n";
      // The fresh analysis runs the rule too: it is done first, and only the server's runs are noted.
      const reported = (text: string) => {
        const expected = fresh(text);
        runs.length = 0;
        const findings = analyse(text, server).findings;
        assert.equal(JSON.stringify(findings), expected);
        return findings.filter((finding) => finding.ruleId === 'require-queue-dedup').map((finding) => [finding.start, text.slice(finding.start, finding.end)]);
      };
      // The write after the COMMIT is in a transaction of its own: the consumer writes nothing.
      assert.deepEqual(reported(closed), []);
      // Without the COMMIT the transaction runs to the end of the file and takes the write in.
      const open = closed.replace('commit;\n', '');
      assert.deepEqual(reported(open), [[open.indexOf('pgmq'), "pgmq.read('a', 30, 1)"]]);
      assert.deepEqual(runs, [['begin', "select * from pgmq.read('a', 30, 1)", "update public.orders set status = 'paid' where id = $1"]]);
      // A line typed between BEGIN and the read: same statements, the read further down.
      const moved = open.replace('begin;\n', 'begin;\n-- note\n');
      assert.deepEqual(reported(moved), [[moved.indexOf('pgmq'), "pgmq.read('a', 30, 1)"]]);
      assert.equal(runs.length, 1);
      // The COMMIT typed again: two units, no finding. The write alone is the unit of the first
      // analysis again (the same statement, in a transaction of its own): its findings are kept.
      assert.deepEqual(reported(moved.replace('1);\nupdate', '1);\ncommit;\nupdate')), []);
      assert.deepEqual(runs, [['begin', "select * from pgmq.read('a', 30, 1)", 'commit']]);
    });
  });

  it("gives each unit the routines and transaction units of its statements, in the whole document's order", () => {
    const rule = RULES.find((each) => each.id === 'prefer-snapshot-replay')!;
    const check = rule.check!;
    const text = [
      'select 1;',
      'begin;',
      'create function a() returns void language plpgsql as $$ begin update t set x = 1; end $$;',
      "select cron.schedule('j', '* * * * *', $$update t set y = 2$$);",
      'do $$ begin perform 1; end $$;',
      'commit;',
      'create function empty() returns void language plpgsql as $$ begin end $$;',
      "select cron.schedule('k', '* * * * *', 'delete from t');",
      'do $$ begin update t set z = 3; end $$;',
      'start transaction;',
      'select 2;',
      '',
    ].join('\n');
    const topOf = (statement: SqlStatement) => {
      let top = statement;
      while (top.container) top = top.container;
      return top;
    };
    const describeModel = (model: SqlModel) => ({
      routines: model.routines.map((routine) => routine.header.start),
      transactions: model.transactions.map((unit) => [unit.kind, ...unit.statements.map((statement) => statement.start)].join(' ')),
    });
    const seen: Array<{ tops: number[]; model: ReturnType<typeof describeModel> }> = [];
    const whole: SqlModel[] = [];
    rule.check = (context) => {
      seen.push({ tops: context.sql.scripts.flat().map((statement) => statement.start), model: describeModel(context.sql) });
      check(context);
    };
    try {
      analyse(text, serverLike());
      rule.check = (context) => {
        whole.push(context.sql);
        check(context);
      };
      analyse(text);
    } finally {
      rule.check = check;
    }
    const [full] = whole;
    assert.equal(seen.length, 6);
    for (const unit of seen) {
      const holds = (statement: SqlStatement) => unit.tops.includes(topOf(statement).start);
      assert.deepEqual(
        unit.model,
        describeModel({
          ...full,
          routines: full.routines.filter((routine) => holds(routine.header)),
          transactions: full.transactions.filter((each) =>
            each.statements.length ? each.statements.some(holds) : !!each.routine && holds(each.routine.header),
          ),
        }),
      );
    }
    assert.deepEqual(
      seen.map((unit) => unit.model.transactions.length),
      [1, 4, 2, 2, 2, 1],
    );
  });

  it('analyses a unit again when the isolation of its transaction changes, and a unit that asked inForce on each analysis', () => {
    watching('require-queue-dedup', (runs) => {
      const server = serverLike();
      const consumer =
        "create function public.consume() returns void language plpgsql as $$ begin perform pgmq.read('q', 30, 1); insert into public.order_log (order_id) values ($1); end $$;\n";
      const text = `select 1;\nbegin;\nselect * from pgmq.read('a', 30, 1);\ncommit;\n${consumer}`;
      analyse(text, server);
      // A session default set before the transaction changes its isolation: it runs again.
      runs.length = 0;
      const isolated = text.replace('select 1;', 'set session characteristics as transaction isolation level serializable;');
      const queueFindings = analyse(isolated, server).findings.filter((finding) => finding.ruleId === 'require-queue-dedup');
      assert.deepEqual(queueFindings, []);
      assert.deepEqual(
        runs.map((run) => run[0]),
        ['set session characteristics as transaction isolation level serializable', 'begin', consumer.slice(0, -2)],
      );
      // The consumer asks whether require-on-conflict reports its insert (a suppression comment before
      // it turns that off): it is analysed again each time, and the comment takes effect.
      const suppressed = isolated.replace('create function', '-- armadilha-ignore require-on-conflict\ncreate function');
      const expected = fresh(suppressed);
      runs.length = 0;
      const findings = analyse(suppressed, server).findings;
      assert.equal(JSON.stringify(findings), expected);
      assert.deepEqual(
        runs.map((run) => run[0]),
        [consumer.slice(0, -2)],
      );
      assert.equal(findings.filter((finding) => finding.ruleId === 'require-queue-dedup').length, 1);
    });
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
