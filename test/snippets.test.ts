// The pattern snippets (snippets/*.json) are correct code: each body, with its tab stops filled with
// their defaults the way VS Code fills them, parses (SQL with libpg-query, PL/pgSQL bodies too;
// TypeScript and JavaScript with the compiler), runs on PostgreSQL where it is self-contained, and
// leaves every Armadilha rule silent — the snippets show the patterns the rules ask for. Also: the
// manifest contributes them, prefixes follow one scheme, every description exists in English and
// Portuguese, the JavaScript set is the TypeScript set without types, and snippets/README.md lists them.
import type * as TS from 'typescript';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import * as libpgQuery from 'libpg-query';
import { buildSqlFileModel } from '../server/src/languages/sql/sql-file';
import { parseSql } from '../server/src/languages/sql/parser';
import { loadTypeScript, ts } from '../server/src/languages/typescript/project';
import { lintText, ready, typescriptParses } from './helpers/lint';
import { closeDatabase, runsOnPostgres } from './helpers/postgres';
import { expandSnippet, type Expansion } from './helpers/snippet-syntax';

before(() => ready);
after(() => closeDatabase());

interface Snippet {
  prefix: string | string[];
  description: string | string[];
  body: string | string[];
}

interface Loaded {
  file: string;
  name: string;
  prefix: string;
  description: string[];
  body: string;
  expansion: Expansion;
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const FILES = { sql: 'snippets/sql.json', typescript: 'snippets/typescript.json', javascript: 'snippets/javascript.json' } as const;

function load(file: string): Loaded[] {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Snippet>;
  return Object.entries(raw).map(([name, snippet]) => {
    const body = Array.isArray(snippet.body) ? snippet.body.join('\n') : snippet.body;
    return {
      file,
      name,
      prefix: String(snippet.prefix),
      description: Array.isArray(snippet.description) ? snippet.description : [snippet.description],
      body,
      expansion: expandSnippet(body),
    };
  });
}

const sqlSnippets = load(FILES.sql);
const tsSnippets = load(FILES.typescript);
const jsSnippets = load(FILES.javascript);
const all = [...sqlSnippets, ...tsSnippets, ...jsSnippets];

describe('snippet syntax expansion (the helper itself)', () => {
  it('fills tab stops, mirrors, choices, nested placeholders and escapes like VS Code', () => {
    assert.equal(expandSnippet('select ${1:a} from $1 where ${2|x,y|} = \\$1 and ${3:b ${4:c}} $4$0').text, 'select a from a where x = $1 and b c c');
    assert.equal(expandSnippet('`\\${id}` ${1:{\\}} \\x $$ $ 5').text, '`${id}` {} \\x $$ $ 5');
    assert.deepEqual(expandSnippet('$body$ ${TM_FILENAME_BASE}').unknownVariables, ['body']);
    assert.equal(expandSnippet('${1:x}}').text, 'x}');
    assert.equal(expandSnippet('${1:unclosed').text, '${1:unclosed');
  });
});

describe('snippets: contribution and metadata', () => {
  it('the manifest contributes each file for its languages, in the display language', () => {
    // Paths are %placeholders% that package.nls*.json resolve to the English or Portuguese copy
    // generated from the bilingual source (scripts/generate.ts).
    const contributed = (manifest.contributes.snippets ?? []) as Array<{ language: string; path: string }>;
    const expected: Array<[string, string]> = [
      ['sql', 'sql'],
      ['typescript', 'typescript'],
      ['typescriptreact', 'typescript'],
      ['javascript', 'javascript'],
      ['javascriptreact', 'javascript'],
    ];
    for (const [nlsFile, folder, index] of [
      ['package.nls.json', 'en', 0],
      ['package.nls.pt-br.json', 'pt-br', 1],
    ] as const) {
      const strings = JSON.parse(readFileSync(nlsFile, 'utf8'));
      const resolved = contributed.map((entry) => [entry.language, strings[entry.path.replace(/^%|%$/g, '')]]);
      assert.deepEqual(
        resolved,
        expected.map(([language, file]) => [language, `./snippets/${folder}/${file}.json`]),
        nlsFile,
      );
      for (const [, file] of expected) {
        const localized = JSON.parse(readFileSync(`snippets/${folder}/${file}.json`, 'utf8'));
        const source = JSON.parse(readFileSync(`snippets/${file}.json`, 'utf8'));
        for (const [name, snippet] of Object.entries<any>(source))
          assert.equal(localized[name].description, snippet.description[index], `${folder}/${file}: ${name}`);
      }
    }
  });

  it('prefixes follow one scheme (arm- + kebab-case) and are unique per language', () => {
    for (const snippet of all) assert.match(snippet.prefix, /^arm-[a-z0-9]+(-[a-z0-9]+)*$/, `${snippet.file}: ${snippet.name}`);
    for (const set of [sqlSnippets, tsSnippets, jsSnippets]) assert.equal(new Set(set.map((snippet) => snippet.prefix)).size, set.length);
    const sqlPrefixes = new Set(sqlSnippets.map((snippet) => snippet.prefix));
    for (const snippet of tsSnippets) assert.ok(!sqlPrefixes.has(snippet.prefix), `${snippet.prefix} is both SQL and TypeScript`);
  });

  it('every description is [English, Portuguese], both written out', () => {
    for (const snippet of all) {
      assert.equal(snippet.description.length, 2, `${snippet.prefix}: [en, pt-BR]`);
      const [english, portuguese] = snippet.description;
      assert.ok(english.length > 30 && portuguese.length > 30, snippet.prefix);
      assert.notEqual(english, portuguese, snippet.prefix);
    }
  });

  it('bodies use only tab stops and placeholders: one final $0, indexes 1…n without gaps in reading order, no unknown variable, no transform', () => {
    for (const snippet of all) {
      const { tabstops, readingOrder, finalTabstops, unknownVariables, transforms } = snippet.expansion;
      assert.deepEqual(unknownVariables, [], `${snippet.file} ${snippet.prefix}: escape $ as \\$ ($name is a snippet variable)`);
      assert.equal(transforms, 0, snippet.prefix);
      assert.equal(finalTabstops, 1, `${snippet.prefix}: exactly one $0`);
      assert.deepEqual(tabstops, [...Array(tabstops.length).keys()], `${snippet.prefix}: tab stops ${tabstops.join(',')}`);
      assert.ok(tabstops.length >= 2, `${snippet.prefix}: at least one named tab stop`);
      assert.deepEqual(
        readingOrder,
        [...readingOrder].sort((a, b) => a - b),
        `${snippet.prefix}: Tab visits the placeholders in reading order`,
      );
    }
  });

  it('the JavaScript set mirrors the TypeScript set (same names, prefixes and descriptions)', () => {
    const summary = (set: Loaded[]) => set.map(({ name, prefix, description }) => ({ name, prefix, description }));
    assert.deepEqual(summary(jsSnippets), summary(tsSnippets));
  });

  it('snippets/README.md lists every prefix with its language, and nothing else', () => {
    const rows = readFileSync('snippets/README.md', 'utf8')
      .split('\n')
      .map((line) => /^\|\s*`(arm-[^`]+)`\s*\|\s*([^|]+?)\s*\|/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => `${match[1]} ${match[2]}`);
    const expected = [...sqlSnippets.map((snippet) => `${snippet.prefix} SQL`), ...tsSnippets.map((snippet) => `${snippet.prefix} TypeScript, JavaScript`)];
    assert.deepEqual([...new Set(rows)].sort(), expected.sort());
  });
});

// ---------------------------------------------------------------------------------------------------
// SQL

/** Tables a snippet writes to without creating them, and the Supabase roles the REVOKE names. */
const SQL_SCHEMA: Record<string, string> = {
  'arm-idempotent-insert': 'create table public.payments (stripe_payment_id text primary key, amount bigint not null);',
  'arm-outbox': "create table public.orders (id bigint primary key, status text not null default 'new');",
  'arm-queue-consumer': [
    "create table public.orders (id bigint primary key, status text not null default 'new');",
    'insert into public.orders (id) values (42);',
    `select pgmq.send('orders', '{"event_id": "evt_1", "order_id": 42}');`,
  ].join('\n'),
  'arm-compare-and-set': 'create table public.products (id bigint primary key, sales_count integer not null default 0);',
  'arm-lock-two-rows': 'create table public.accounts (id bigint primary key, balance numeric not null check (balance >= 0));',
  'arm-event-log': ['anon', 'authenticated', 'service_role']
    .map((role) => `do $$ begin create role ${role}; exception when duplicate_object then null; end $$;`)
    .join('\n'),
  'arm-snapshots':
    'create table public.events (id bigint generated always as identity primary key, aggregate_id uuid not null, event_type text not null, payload jsonb not null);',
  'arm-projection':
    'create table public.events (id bigint generated always as identity primary key, aggregate_type text not null, aggregate_id uuid not null, event_type text not null, payload jsonb not null, created_at timestamptz not null default now());',
  'arm-expiry': 'create table public.api_tokens (token text primary key, expires_at timestamptz not null);',
};

/** Statements run after a snippet to show that it does what it says. */
const SQL_EXERCISE: Record<string, string> = {
  // Redelivered message: the work happens once.
  'arm-queue-consumer': [
    'select public.process_order_events();',
    'select public.process_order_events();',
    "do $$ begin if (select count(*) from public.processed_events) <> 1 or (select status from public.orders where id = 42) <> 'paid' then raise exception 'not exactly once'; end if; end $$;",
  ].join('\n'),
  // An older snapshot never replaces a newer one.
  'arm-snapshots': [
    "insert into public.snapshots as s (aggregate_id, last_event_id, state) values ('7a1c2f0e-5b7d-4c61-9f3a-2d8e4b6a9c10', 10, '{}') on conflict (aggregate_id) do update set last_event_id = excluded.last_event_id, state = excluded.state where s.last_event_id < excluded.last_event_id;",
    "do $$ begin if (select last_event_id from public.snapshots) <> 1000 then raise exception 'snapshot went back'; end if; end $$;",
  ].join('\n'),
  // A second, overlapping booking of the same room is refused.
  'arm-no-overlap': [
    "insert into public.bookings (room_id, starts_at, ends_at) values ('room_a', '2026-06-01 09:00Z', '2026-06-01 10:00Z');",
    "do $$ begin insert into public.bookings (room_id, starts_at, ends_at) values ('room_a', '2026-06-01 09:30Z', '2026-06-01 10:30Z'); raise exception 'overlap accepted'; exception when exclusion_violation then null; end $$;",
    "insert into public.bookings (room_id, starts_at, ends_at) values ('room_a', '2026-06-01 10:00Z', '2026-06-01 11:00Z');",
  ].join('\n'),
};

/** PGlite loads btree_gist only when asked: the snippets that create it run on a database of their own. */
async function runsWithBtreeGist(code: string): Promise<string | undefined> {
  const database = new PGlite({ extensions: { btree_gist } });
  try {
    await database.exec(code);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await database.close();
  }
}

describe('SQL snippets', () => {
  it('cover the patterns of the issue', () => {
    assert.deepEqual(
      sqlSnippets.map((snippet) => snippet.prefix),
      [
        'arm-fencing',
        'arm-advisory-lock',
        'arm-idempotent-insert',
        'arm-outbox',
        'arm-queue-consumer',
        'arm-compare-and-set',
        'arm-lock-two-rows',
        'arm-no-overlap',
        'arm-event-log',
        'arm-snapshots',
        'arm-projection',
        'arm-expiry',
        'arm-heartbeat',
      ],
    );
  });

  for (const snippet of sqlSnippets) {
    describe(snippet.prefix, () => {
      const code = snippet.expansion.text;
      const schema = SQL_SCHEMA[snippet.prefix];

      it('parses with libpg-query, statement by statement and PL/pgSQL bodies included', () => {
        const parsed = parseSql(code);
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
        const model = buildSqlFileModel(code);
        assert.deepEqual(
          model.syntaxErrors.map((problem) => problem.message),
          [],
        );
        assert.ok(model.statements.length >= 1);
        for (const statement of model.scripts.flat()) assert.ok(parseSql(statement.text).ok, statement.text);
        if (/language plpgsql/i.test(code)) {
          assert.ok(
            model.routines.some((routine) => routine.language === 'plpgsql' && routine.statements.length > 0),
            'the body is modelled',
          );
          // libpg-query's own PL/pgSQL parser (it throws on a syntax error in a body).
          const parsedBodies = libpgQuery.parsePlPgSQLSync(code) as unknown as { plpgsql_funcs?: unknown[] };
          assert.ok(parsedBodies.plpgsql_funcs?.length, 'libpg-query parses the PL/pgSQL body');
        }
      });

      it('runs on PostgreSQL (PGlite)', async () => {
        const script = [code, SQL_EXERCISE[snippet.prefix] ?? ''].join('\n');
        const error = /btree_gist/.test(code) ? await runsWithBtreeGist([schema ?? '', script].join('\n')) : await runsOnPostgres(script, schema);
        assert.equal(error, undefined);
      });

      it('leaves every rule silent (with and without the schema in the workspace)', () => {
        for (const options of [{}, { schema }]) {
          const findings = lintText(code, options);
          assert.deepEqual(
            findings.map((finding) => `${finding.ruleId}: ${code.slice(finding.start, finding.end)} — ${finding.message}`),
            [],
          );
        }
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// TypeScript and JavaScript

/** Syntax errors of a JavaScript file, including TypeScript-only syntax (annotations, interfaces…). */
function javascriptErrors(code: string, fileName: string): string[] {
  const options: TS.CompilerOptions = { allowJs: true, checkJs: false, noLib: true, noEmit: true, jsx: ts.JsxEmit.Preserve, target: ts.ScriptTarget.ESNext };
  const host = ts.createCompilerHost(options);
  loadTypeScript();
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.ESNext, true, fileName.endsWith('x') ? ts.ScriptKind.JSX : ts.ScriptKind.JS);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, ...rest) => (name === fileName ? source : getSourceFile.call(host, name, ...rest));
  const program = ts.createProgram({ rootNames: [fileName], options, host });
  return program.getSyntacticDiagnostics(source).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

/** JavaScript the compiler emits for a body, comments and layout removed: equal when only types differ. */
function emitted(code: string, fileName: string): string {
  const output = ts.transpileModule(code, {
    fileName,
    compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, removeComments: true, useDefineForClassFields: true },
  }).outputText;
  // A file with imports is a module (the compiler adds `export {};` once the type imports are gone);
  // one without is a script ("use strict"): neither is part of the snippet.
  return output
    .replace(/^"use strict";/, '')
    .replace(/export \{\};\s*$/, '')
    .replace(/\s+/g, '');
}

describe('TypeScript and JavaScript snippets', () => {
  it('cover the patterns of the issue', () => {
    assert.deepEqual(
      tsSnippets.map((snippet) => snippet.prefix),
      [
        'arm-serializable-retry',
        'arm-redis-lock',
        'arm-payment-idempotency',
        'arm-fetch-timeout',
        'arm-retry-backoff',
        'arm-circuit-breaker',
        'arm-saga',
        'arm-outbox-relay',
        'arm-lamport-clock',
        'arm-webhook-handler',
      ],
    );
  });

  for (const snippet of tsSnippets) {
    const javascript = jsSnippets.find((candidate) => candidate.prefix === snippet.prefix);
    describe(snippet.prefix, () => {
      it('the TypeScript body has no syntax error, in .ts and in .tsx', () => {
        assert.ok(typescriptParses(snippet.expansion.text, 'snippet.ts'), 'snippet.ts');
        assert.ok(typescriptParses(snippet.expansion.text, 'snippet.tsx'), 'snippet.tsx');
      });

      it('the JavaScript body is plain JavaScript (.js and .jsx) and the TypeScript one without types', () => {
        assert.ok(javascript, 'a JavaScript version');
        assert.deepEqual(javascriptErrors(javascript.expansion.text, 'snippet.js'), []);
        assert.deepEqual(javascriptErrors(javascript.expansion.text, 'snippet.jsx'), []);
        assert.equal(emitted(javascript.expansion.text, 'snippet.js'), emitted(snippet.expansion.text, 'snippet.ts'));
      });

      it('leaves every rule silent, the SQL inside included', () => {
        for (const [code, language, fileName] of [
          [snippet.expansion.text, 'typescript', 'snippet.ts'],
          [javascript!.expansion.text, 'javascript', 'snippet.js'],
        ] as const) {
          const findings = lintText(code, { language, fileName });
          assert.deepEqual(
            findings.map((finding) => `${fileName} ${finding.ruleId}: ${code.slice(finding.start, finding.end)} — ${finding.message}`),
            [],
          );
        }
      });
    });
  }
});
