// Armadilha judges only PostgreSQL: other SQL dialects and templates in .sql files are skipped with
// one note, SQL in code is analysed only where it is PostgreSQL, client placeholders are understood,
// and a syntax error is reported only for a whole statement that is certainly PostgreSQL.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultSettings } from '../server/src/core/config';
import { detectForeignSql } from '../server/src/languages/sql/dialect';
import { lint, type Finding } from '../server/src/core/lint';
import { DiskProject } from '../server/src/project/disk-project';
import { RULES } from '../server/src/rules';
import { TypingHoldback } from '../server/src/lsp/handlers/typing-holdback';
import { spawnSync } from 'node:child_process';
import { lintText, ready } from './helpers/lint';
import { TestClient, uriOf } from './helpers/lsp-client';

before(() => ready);
const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-pg-only-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

const rules = (findings: Finding[]) => findings.map((finding) => finding.ruleId);
const EXPIRY = "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;";

describe('.sql files in other dialects and behind templates', () => {
  const foreign: Array<[string, string, RegExp]> = [
    ['mysql backticks', 'create table `users` (id int primary key);\n' + EXPIRY, /MySQL, not PostgreSQL \(` on line 1\)/],
    ['mysql engine', 'create table users (\n  id int primary key\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;', /MySQL.*line 3/],
    ['mysql auto_increment', 'create table t (id int not null auto_increment, primary key (id));', /MySQL/],
    ['mysql unsigned', 'alter table t add column n int(11) unsigned not null default 0;', /MySQL/],
    ['mysql upsert', 'insert into payments (id, amount) values (1, 2) on duplicate key update amount = values(amount);', /MySQL/],
    ['clickhouse', 'create table events (ts DateTime, v String CODEC(ZSTD(3))) ENGINE = MergeTree ORDER BY ts;', /ClickHouse/],
    ['clickhouse alter', 'ALTER TABLE events MODIFY COLUMN v LowCardinality(String);', /ClickHouse/],
    ['sqlite', 'create table t (id integer primary key autoincrement, name text);\nPRAGMA foreign_keys = ON;', /SQLite/],
    ['t-sql', 'create table [dbo].[users] (id int identity(1,1) primary key, name nvarchar(max));\nGO', /T-SQL/],
    ['go template', 'create table {{ .Schema }}.jobs (id bigint primary key);\n' + EXPIRY, /Go template/],
    ['jinja/dbt', "select * from {{ ref('orders') }} where status = 'paid'", /Jinja\/dbt/],
    ['jinja block', "{% if var('full') %}\nselect 1\n{% endif %}", /Jinja\/dbt/],
  ];
  for (const [name, text, reason] of foreign) {
    it(`${name}: one skipped-file note at information, naming the reason, and nothing else`, () => {
      const findings = lintText(text);
      assert.deepEqual(rules(findings), ['skipped-file'], JSON.stringify(findings.map((finding) => finding.message)));
      assert.equal(findings[0].severity, 'info');
      assert.match(findings[0].message, reason);
    });
  }

  // One sample per alternative of every marker, alone in the file: the quick pre-check in dialect.ts
  // must let each through to the full scan.
  const eachMarker: Array<[string, string]> = [
    ['jinja', 'select {%- set x = 1 -%} 1'],
    ['jinja', 'select 1 {# note #}'],
    ['jinja', 'select * from {{ source("a", "b") }}'],
    ['go-template', 'select * from t where id = {{ $id }}'],
    ['go-template', 'select 1 {{- if .On }} where true {{ end }}'],
    ['template', 'select {{ anything }}'],
    ['clickhouse', 'create table t (a int) engine = ReplacingMergeTree'],
    ['clickhouse', 'create table t (a Nullable(Int32))'],
    ['clickhouse', 'create table t (a Int32 CODEC(Delta))'],
    ['clickhouse', 'alter table t modify column a text'],
    ['mysql', 'create table t (a int) engine=MyISAM'],
    ['mysql', 'create table t (a int) charset = latin1'],
    ['mysql', 'create table t (a int) default charset utf8'],
    ['mysql', 'select `a` from t'],
    ['mysql', 'create table t (a bigint(20) unsigned)'],
    ['mysql', 'DELIMITER $$\ncreate procedure p() begin end $$'],
    ['sqlite', 'create table t (a int) without rowid'],
    ['sqlite', 'insert or ignore into t values (1)'],
    ['sqlite', 'select name from sqlite_master'],
    ['sqlite', 'create table t (id integer primary key AUTOINCREMENT)'],
    ['sqlite', 'pragma journal_mode = wal'],
    ['tsql', 'select 1\ngo\nselect 2'],
    ['tsql', 'create table t (a NVARCHAR ( max ))'],
    ['tsql', 'select * from [DBO].t'],
    ['tsql', 'create table t (id int identity (1, 1))'],
    ['tsql', 'set nocount on'],
    ['tsql', 'exec sp_help t'],
    ['tsql', 'declare @n int'],
    ['tsql', 'select @@rowcount'],
    ['tsql', "if object_id('t') is not null drop table t"],
  ];
  for (const [kind, text] of eachMarker) {
    it(`finds ${kind} in: ${text.split('\n')[0]}`, () => {
      assert.equal(detectForeignSql(text)?.kind, kind);
    });
  }

  it('in Portuguese too', () => {
    const [finding] = lintText('create table `t` (id int);', { locale: 'pt-BR' });
    assert.match(finding.message, /ele é MySQL, não PostgreSQL \(` na linha 1\)/);
  });

  const postgres: Array<[string, string]> = [
    [
      'markers inside strings, quoted identifiers and comments',
      "-- MySQL would say ENGINE=InnoDB and AUTO_INCREMENT here\nselect '`x`', '{{ .Name }}', '{1,2}'::int[] as \"unsigned\";\n/* {% raw %} */\n" + EXPIRY,
    ],
    ['a constraint named unsigned', 'create domain positive as int constraint unsigned check (value > 0);\n' + EXPIRY],
    ['a psql shell command in backticks', '\\set now `date +%s`\n' + EXPIRY],
    ['json and arrays', 'select \'{{1,2},{3,4}}\'::int[][], \'{"a": {"b": 1}}\'::jsonb;\n' + EXPIRY],
  ];
  for (const [name, text] of postgres) {
    it(`near miss, still PostgreSQL: ${name}`, () => {
      assert.equal(detectForeignSql(text), undefined);
      assert.deepEqual(rules(lintText(text)), ['no-clock-timestamp-expiry']);
    });
  }

  it('a PostgreSQL file with one broken statement still gets its syntax error, at warning, and the rest is analysed', () => {
    const findings = lintText(`select 1;\nselec 2;\n${EXPIRY}`);
    assert.deepEqual(rules(findings), ['syntax-error', 'no-clock-timestamp-expiry']);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /PostgreSQL cannot parse this statement \(syntax error at or near "selec"\), so Armadilha did not analyse it/);
    assert.deepEqual(findings[0].statement, { start: 10, end: 17 });
  });

  it('sql.dialect: "postgres" analyses a file detection takes for another dialect; "skip" skips a PostgreSQL file', () => {
    const settings = defaultSettings(RULES);
    const run = (text: string, sqlDialect: 'postgres' | 'skip') => lint({ text, language: 'sql', settings, locale: 'en', sqlDialect }).findings;
    assert.deepEqual(rules(run('select 1 as `odd`;', 'postgres')), ['syntax-error']);
    const skipped = run(EXPIRY, 'skip');
    assert.deepEqual(rules(skipped), ['skipped-file']);
    assert.match(skipped[0].message, /configuration \(sql\.dialect\)/);
  });
});

describe('tool formats and placeholders in .sql files', () => {
  it('goose: StatementBegin/End blocks are one statement, the Down section does not shape the schema', () => {
    const text = [
      '-- +goose Up',
      '-- +goose StatementBegin',
      'create table leases (id bigint primary key, expires_at timestamptz);',
      "create function renew(p bigint) returns void language plpgsql as $$ begin update leases set expires_at = clock_timestamp() + interval '1 minute' where id = p; end $$;",
      '-- +goose StatementEnd',
      '-- +goose Down',
      'drop function renew(bigint);',
      'drop table leases;',
    ].join('\n');
    const result = lint({ text, language: 'sql', settings: defaultSettings(RULES), locale: 'en' });
    assert.deepEqual(rules(result.findings), ['no-clock-timestamp-expiry']);
    assert.ok(
      result.facts.some((fact) => JSON.stringify(fact).includes('leases')),
      'the Up section declares the table',
    );
    assert.ok(!result.facts.some((fact) => (fact as { kind?: string }).kind?.startsWith('drop')), JSON.stringify(result.facts));
  });

  const placeholders: Array<[string, string]> = [
    ['? (mysql-style drivers, knex)', "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = ?;"],
    [
      ':name (Sequelize replacements, psql)',
      "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = :id and tenant = :tenant::uuid;",
    ],
    ['@name (sqlc)', "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = @session_id;"],
    [
      'sqlc.arg and sqlc.narg',
      "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = sqlc.arg(id) and user_id = sqlc.narg('user_id');",
    ],
    ['psql :\'var\' and :"var"', "update :\"schema\".sessions set expires_at = clock_timestamp() + interval '1 hour' where name = :'name';"],
    ['psql variable as a schema name', "update :schema.sessions set expires_at = clock_timestamp() + interval '1 hour';"],
  ];
  for (const [name, text] of placeholders) {
    it(`${name}: substituted before parsing, analysed, never a syntax error`, () => {
      assert.deepEqual(rules(lintText(text)), ['no-clock-timestamp-expiry']);
    });
  }

  it('a jsonb ? operator is PostgreSQL and parses as it is', () => {
    assert.deepEqual(rules(lintText("select * from docs where data ? 'key';\n" + EXPIRY)), ['no-clock-timestamp-expiry']);
  });
});

describe('SQL in TypeScript: only where it is PostgreSQL', () => {
  const ts = (code: string, fileName = 'app.ts') => lintText(code, { language: 'typescript', fileName });
  const TRAP = "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = $1";

  it('i18n macros and unknown tags are not SQL', () => {
    const code = [
      "import { msg, t } from '@lingui/macro';",
      'const a = msg`Select a time zone`;',
      'const b = t`Update the role and add fields as required`;',
      'const c = html`<select>delete</select>`;',
      'const d = css`select { color: red }`;',
      'const e = gql`query { delete }`;',
    ].join('\n');
    assert.deepEqual(ts(code), []);
  });

  it('a static query sent to a PostgreSQL client reports its syntax error; the same text with an unknown tag does not', () => {
    assert.deepEqual(rules(ts("import postgres from 'postgres';\nconst sql = postgres();\nawait sql`selec 1`;")), ['syntax-error']);
    assert.deepEqual(rules(ts("import { Pool } from 'pg';\nconst pool = new Pool();\nawait pool.query('selec 1');")), ['syntax-error']);
    assert.deepEqual(ts('await sql`selec 1`;'), []);
    assert.deepEqual(ts("await db.query('select * frm users');"), []);
  });

  it('a `sql` tag of unknown origin, and the transaction callback of sql.begin, are analysed', () => {
    assert.deepEqual(rules(ts(`await sql\`${TRAP}\`;`)), ['no-clock-timestamp-expiry']);
    assert.deepEqual(rules(ts(`await sql.begin(async (tx) => { await tx\`${TRAP}\`; });`)), ['no-clock-timestamp-expiry']);
  });

  for (const driver of [
    "import mysql from 'mysql2/promise';\nconst db = mysql.createPool({});",
    "import { connect } from '@planetscale/database';\nconst db = connect({});",
    "import Database from 'better-sqlite3';\nconst db = new Database('x.db');",
  ]) {
    it(`SQL sent to another database is not analysed: ${driver.split('\n')[0]}`, () => {
      assert.deepEqual(
        ts(
          `${driver}\nawait db.execute("${TRAP}", [1]);\nawait db.execute('DELETE FROM Partner WHERE id = ?', [1]);\nawait db.query(\`select * from t where a = ? and \\\`key\\\` = ?\`);`,
        ),
        [],
      );
    });
  }

  it('knex ? bindings and Sequelize :name replacements are substituted: analysed, never a syntax error', () => {
    assert.deepEqual(
      rules(
        ts(
          `import knex from 'knex';\nconst db = knex({ client: 'pg' });\nawait db.raw("update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = ?", [1]);`,
        ),
      ),
      ['no-clock-timestamp-expiry'],
    );
    const sequelize =
      "import { Sequelize } from 'sequelize';\nconst sequelize = new Sequelize('postgres://x');\nawait sequelize.query(`update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = :id and t >= :day::date`, { replacements: { id: 1, day: 'x' } });";
    assert.deepEqual(rules(ts(sequelize)), ['no-clock-timestamp-expiry']);
  });

  it('fragments are not statements: SQL`…`.append(…) is never a syntax error', () => {
    assert.deepEqual(
      ts("import SQL from 'sql-template-strings';\nconst query = SQL`INSERT INTO `.append('migrations').append(SQL` (name) VALUES (${name})`);"),
      [],
    );
  });

  it('SQL in a plain template is analysed when it parses (placeholders in identifier positions too), and never a syntax error', () => {
    const plain =
      'export function createJobTable(schema: string) {\n  return `CREATE TABLE ${schema}.job (id uuid primary key, created_on timestamptz not null default clock_timestamp())`;\n}';
    assert.deepEqual(rules(ts(plain)), ['no-clock-timestamp-persisted']);
    assert.deepEqual(ts("const q = 'select * frm users where id = 1';\nconst label = 'Show all results';\nconst v = 'Update failed, try again';"), []);
  });

  it('String.raw templates are plain text: analysed when they parse, with psql variables', () => {
    assert.deepEqual(
      rules(
        ts(
          "export const migration = String.raw`create table :SCHEMA.jobs (id bigint primary key, locked_until timestamptz);\nupdate :SCHEMA.jobs set locked_until = clock_timestamp() + interval '4 hours';`;",
        ),
      ),
      ['no-clock-timestamp-expiry'],
    );
  });

  it('the project decides when the file does not: a MySQL project (package.json) has none of its SQL analysed', () => {
    const mysqlProject = folderWith({ 'package.json': JSON.stringify({ dependencies: { '@planetscale/database': '1' } }), 'route.ts': '' });
    const pgProject = folderWith({ 'package.json': JSON.stringify({ dependencies: { pg: '8' } }), 'route.ts': '' });
    const code = `export async function f(conn: any) { await conn.execute(\`${TRAP}\`); await conn.execute('selec 1'); }`;
    const run = (folder: string) =>
      lint({
        text: code,
        language: 'typescript',
        fileName: path.join(folder, 'route.ts'),
        settings: defaultSettings(RULES),
        locale: 'en',
        project: new DiskProject(),
      }).findings;
    assert.deepEqual(run(mysqlProject), []);
    assert.deepEqual(rules(run(pgProject)), ['no-clock-timestamp-expiry']);
  });

  it('a Prisma project on MySQL (its schema.prisma provider) is not judged by PostgreSQL rules', () => {
    const schema = (provider: string) => `datasource db {\n  provider = "${provider}"\n  url = env("DATABASE_URL")\n}\nmodel Domain {\n  id String @id\n}\n`;
    const code =
      "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport const create = () => prisma.$transaction(async (tx) => tx.domain.count(), { isolationLevel: 'Serializable' });";
    const run = (provider: string) => {
      const folder = folderWith({
        'package.json': JSON.stringify({ dependencies: { '@prisma/client': '6' } }),
        'prisma/schema.prisma': schema(provider),
        'route.ts': code,
      });
      return lint({
        text: code,
        language: 'typescript',
        fileName: path.join(folder, 'route.ts'),
        settings: defaultSettings(RULES),
        locale: 'en',
        project: new DiskProject(),
      }).findings;
    };
    assert.deepEqual(rules(run('mysql')), []);
    assert.deepEqual(rules(run('postgresql')), ['require-serialization-retry']);
  });

  it('a client exported by another module of the project (through a tsconfig alias) is known by what it is', () => {
    const folder = folderWith({
      'package.json': JSON.stringify({ dependencies: { pg: '8', '@planetscale/database': '1' } }),
      'tsconfig.json': '{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } } // comments are allowed',
      'src/lib/planetscale.ts': "import { connect } from '@planetscale/database';\nexport const conn = connect({ url: process.env.DATABASE_URL });",
      'src/lib/pg.ts': "import { Pool } from 'pg';\nexport function pool() { return new Pool(); }",
      'src/route.ts': '',
    });
    const code = `import { conn } from '@/lib/planetscale';\nimport { pool } from '../src/lib/pg';\nexport async function f() {\n  await conn.execute(\`${TRAP}\`);\n  await pool().query(\`${TRAP}\`);\n  await pool().query('selec 1');\n}`;
    const findings = lint({
      text: code,
      language: 'typescript',
      fileName: path.join(folder, 'src', 'route.ts'),
      settings: defaultSettings(RULES),
      locale: 'en',
      project: new DiskProject(),
    }).findings;
    const lineOf = (finding: Finding) => code.slice(0, finding.start).split('\n').length;
    assert.deepEqual(
      findings.map((finding) => [finding.ruleId, lineOf(finding)]),
      [
        ['no-clock-timestamp-expiry', 5],
        ['syntax-error', 6],
      ],
    );
  });
});

describe('the statement being typed', () => {
  it('holds back the syntax error of the statement that holds the latest edit until a pause or a save', () => {
    let now = 0;
    const holdback = new TypingHoldback(() => now);
    const uri = 'file:///a.sql';
    holdback.noteText(uri, `select 1;\n${EXPIRY}\n`);
    const typed = `select 1;\n${EXPIRY}\narm-`;
    holdback.noteText(uri, typed);
    const findings = lintText(typed);
    assert.deepEqual(rules(findings), ['no-clock-timestamp-expiry', 'syntax-error']);
    const first = holdback.filter(uri, findings);
    assert.deepEqual(rules(first.shown), ['no-clock-timestamp-expiry']);
    assert.ok(first.retryInMs! > 0);
    now += first.retryInMs!;
    assert.deepEqual(rules(holdback.filter(uri, findings).shown), ['no-clock-timestamp-expiry', 'syntax-error']);
    // An edit elsewhere does not hide a syntax error it does not touch.
    const later = `select 2;\n${typed}`;
    holdback.noteText(uri, later);
    assert.deepEqual(rules(holdback.filter(uri, lintText(later)).shown), ['no-clock-timestamp-expiry', 'syntax-error']);
    // Typing in the broken statement hides it again; a save shows it at once.
    const typing = `${later}x`;
    holdback.noteText(uri, typing);
    assert.deepEqual(rules(holdback.filter(uri, lintText(typing)).shown), ['no-clock-timestamp-expiry']);
    holdback.release(uri);
    assert.deepEqual(rules(holdback.filter(uri, lintText(typing)).shown), ['no-clock-timestamp-expiry', 'syntax-error']);
  });
});

describe('what a run analysed and skipped', () => {
  const CLI = path.resolve('dist/cli.js');
  const run = (args: string[], cwd: string) => {
    const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LANG: 'C' } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const repository = () =>
    folderWith({
      'db/migrations/001.sql': `create table sessions (id bigint primary key, expires_at timestamptz);\n${EXPIRY}`,
      'db/mysql/legacy.sql': 'create table `users` (id int unsigned auto_increment primary key) engine=InnoDB;',
      'db/mysql/more.sql': 'alter table users add column n int unsigned;',
      'db/templates/jobs.sql': 'create table {{ .Schema }}.jobs (id bigint);',
      'src/app.ts': `import postgres from 'postgres';\nconst sql = postgres();\nexport const f = () => sql\`select * from sessions where id = 1\`;`,
    });

  it('text: the last line says what was analysed and what was skipped; skipped files are listed with --verbose', () => {
    const folder = repository();
    const quiet = run(['check'], folder);
    const lines = quiet.stdout.trim().split('\n');
    assert.equal(
      lines[lines.length - 1],
      'analysed 1 SQL file(s) (2 statement(s)), 1 TS/JS file(s) (1 embedded quer(y/ies)); skipped 3 file(s): 2 MySQL, 1 Go template(s) (see --verbose)',
    );
    assert.doesNotMatch(quiet.stdout, /legacy\.sql/);
    assert.equal(quiet.code, 1);
    const verbose = run(['check', '--verbose'], folder);
    assert.match(verbose.stdout, /db\/mysql\/legacy\.sql:1:\d+: info Armadilha skipped this file: it is MySQL/);
    assert.match(verbose.stdout, /db\/templates\/jobs\.sql:1:\d+: info .*Go template/);
    assert.match(
      run(['check', '--locale', 'pt-BR'], folder).stdout,
      /analisados 1 arquivo\(s\) SQL \(2 instrução\(ões\)\), 1 arquivo\(s\) TS\/JS .*ignorados 3 arquivo\(s\): 2 MySQL, 1 template\(s\) Go \(veja --verbose\)/,
    );
  });

  it('JSON has a summary object; SARIF carries it in run.properties', () => {
    const folder = repository();
    const summary = {
      sql: { files: 1, statements: 2 },
      typescript: { files: 1, embeddedQueries: 1 },
      skipped: { files: 3, byReason: { mysql: 2, 'go-template': 1 } },
    };
    assert.deepEqual(JSON.parse(run(['check', '--format', 'json'], folder).stdout).summary, summary);
    assert.deepEqual(JSON.parse(run(['check', '--format', 'sarif'], folder).stdout).runs[0].properties.summary, summary);
  });

  it('exits 2 when nothing at all was analysed, whatever --fail-on says', () => {
    const folder = repository();
    const mysqlOnly = run(['check', 'db/mysql', '--fail-on', 'none'], folder);
    assert.equal(mysqlOnly.code, 2);
    assert.match(mysqlOnly.stderr, /Nothing was analysed in db\/mysql/);
    assert.equal(run(['check', 'db/migrations', '--fail-on', 'none'], folder).code, 0);
  });

  it('sql.dialect globs in armadilha.config.json are relative to its folder', () => {
    const folder = repository();
    writeFileSync(path.join(folder, 'armadilha.config.json'), JSON.stringify({ sql: { dialect: { 'db/migrations/**': 'skip', 'templates/*.sql': 'skip' } } }));
    const { stdout } = run(['check', '--format', 'json'], folder);
    assert.deepEqual(JSON.parse(stdout).summary.skipped.byReason, { mysql: 2, configured: 2 });
  });
});

describe('the language server and the statement being typed', () => {
  it('does not show the syntax error of the statement being typed until the document is saved', async () => {
    const session = new TestClient();
    try {
      await session.initialize();
      const uri = uriOf(path.join(tmpdir(), 'typing.sql'));
      assert.deepEqual(
        (await session.open(uri, `${EXPIRY}\n`)).map((each) => each.code),
        ['no-clock-timestamp-expiry'],
      );
      const typing = await session.change(uri, `${EXPIRY}\narm-`);
      assert.deepEqual(
        typing.map((each) => each.code),
        ['no-clock-timestamp-expiry'],
      );
      const saved = await session.save(uri);
      assert.deepEqual(
        saved.map((each) => each.code),
        ['no-clock-timestamp-expiry', 'syntax-error'],
      );
    } finally {
      await session.shutdown();
    }
  });
});
