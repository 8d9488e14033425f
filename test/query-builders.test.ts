// Drizzle, Knex and Kysely calls as the SQL they send (operations/drizzle.ts, knex.ts, kysely.ts), the
// Drizzle tables they name (schema/drizzle.ts, in the file or in a module of the project), and the
// chains that send nothing where they are written. The rules' firing and silent cases are fixtures
// (test/fixtures/<rule>/{drizzle,knex,kysely}-*.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyEdits } from '../server/src/core/fixes';
import { findDbOperations } from '../server/src/languages/typescript/operations/find';
import { renderOperation } from '../server/src/languages/typescript/operations/render';
import { TsModel } from '../server/src/languages/typescript/ts-file';
import type { ProjectContext } from '../server/src/project/context';
import { DiskProject } from '../server/src/project/disk-project';
import { drizzleColumn, drizzleTableFact, readDrizzleTables } from '../server/src/schema/drizzle';
import { lintText, ready } from './helpers/lint';

before(() => ready);
const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-builders-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

/** The SQL each library call of the code sends, in order. */
function rendered(code: string, fileName = path.resolve('query.ts'), project?: ProjectContext): string[] {
  const model = TsModel.parse(code, fileName, undefined, project);
  return findDbOperations(model).map((operation) => renderOperation(operation, model.node).text.trim());
}

const DRIZZLE_HEADER = [
  "import { drizzle } from 'drizzle-orm/node-postgres';",
  "import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';",
  "import { and, eq, gt, inArray, sql } from 'drizzle-orm';",
  "const accounts = pgTable('accounts', { id: text('id').primaryKey(), balance: integer('balance').notNull(), ownerId: uuid('owner_id') });",
].join('\n');
const KNEX_HEADER = "import knex from 'knex';\nconst db = knex({ client: 'pg' });";
const KYSELY_HEADER = "import { Kysely, PostgresDialect } from 'kysely';\nconst db = new Kysely<any>({ dialect: new PostgresDialect({} as any) });";

describe('query-builder calls as the SQL they send', () => {
  it('Drizzle: property names become column names; eq/and/inArray/gt conditions, sql`${t.col} - ${n}`, conflicts, locks', () => {
    const code = `${DRIZZLE_HEADER}
const db = drizzle(process.env.DATABASE_URL!);
export async function f(id: string, ids: string[], cost: number) {
  await db.insert(accounts).values({ id, balance: 0, ownerId: id }).onConflictDoNothing({ target: accounts.id });
  await db.update(accounts).set({ balance: sql\`\${accounts.balance} - \${cost}\` }).where(and(eq(accounts.id, id), gt(accounts.balance, cost)));
  await db.select().from(accounts).where(inArray(accounts.ownerId, ids)).orderBy(accounts.id).limit(5).for('update', { skipLocked: true });
  await db.delete(accounts).where(eq(id, accounts.id));
}`;
    assert.deepEqual(rendered(code), [
      'INSERT INTO public.accounts (id, balance, owner_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      'UPDATE public.accounts SET balance = balance - $1 WHERE id = $2 AND balance > $3',
      'SELECT * FROM public.accounts WHERE owner_id = ANY($1) ORDER BY id LIMIT 5 FOR UPDATE SKIP LOCKED',
      'DELETE FROM public.accounts WHERE id = $1',
    ]);
  });

  it('Knex: knex(t) and knex.from/into, object and operator conditions, increments, .first(), an OR that pins nothing', () => {
    const code = `${KNEX_HEADER}
export async function f(id: string, ids: string[]) {
  await db('accounts').where({ id }).increment('balance', 5).returning('*');
  await db.withSchema('billing').from('invoices as i').where('i.total', '>=', 10).whereIn('id', ids).forShare().noWait();
  await db.insert({ id }).into('accounts').onConflict('id').merge();
  await db('accounts').where('id', id).orWhere('id', ids[0]).first().forUpdate();
  await db('accounts').where({ id }).del().then(() => undefined);
}`;
    assert.deepEqual(rendered(code), [
      'UPDATE accounts SET balance = balance + $1 WHERE id = $2 RETURNING *',
      'SELECT * FROM billing.invoices WHERE total >= $1 AND id = ANY($2) FOR SHARE NOWAIT',
      'INSERT INTO accounts (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET id = excluded.id',
      'SELECT * FROM accounts LIMIT 1 FOR UPDATE',
      'DELETE FROM accounts WHERE id = $1',
    ]);
  });

  it('Kysely: only chains run by .execute*(); callbacks and sql fragments computed by the database', () => {
    const code = `${KYSELY_HEADER}
export async function f(id: string, cost: number) {
  await db.updateTable('accounts').set((eb) => ({ balance: eb('balance', '-', cost) })).where('id', '=', id).returningAll().execute();
  await db.withSchema('billing').selectFrom('invoices').selectAll().where('total', '<', 10).orderBy('id').forNoKeyUpdate().skipLocked().execute();
  await db.insertInto('accounts').values([{ id }, { id: 'b' }]).onConflict((oc) => oc.columns(['id']).doNothing()).executeTakeFirst();
  await db.deleteFrom('accounts as a').where('a.id', '=', id).execute();
  const later = db.selectFrom('accounts').selectAll().where('id', '=', id);
  return later;
}`;
    assert.deepEqual(rendered(code), [
      'UPDATE accounts SET balance = balance - $1 WHERE id = $2 RETURNING *',
      'SELECT * FROM billing.invoices WHERE total < $1 ORDER BY id FOR NO KEY UPDATE SKIP LOCKED',
      'INSERT INTO accounts (id) VALUES ($1) ON CONFLICT (id) DO NOTHING',
      'DELETE FROM accounts WHERE id = $1',
    ]);
  });

  it('sends nothing where the chain is only built, prepared, turned into text or used as a subquery, nor for a join it cannot render as one table', () => {
    const drizzle = `${DRIZZLE_HEADER}
const db = drizzle(process.env.DATABASE_URL!);
export const prepared = db.select().from(accounts).where(eq(accounts.id, sql.placeholder('id'))).prepare('account');
export const sub = db.select({ id: accounts.id }).from(accounts).as('sub');
export const joined = () => db.select().from(accounts).innerJoin(accounts, eq(accounts.id, accounts.ownerId)).for('update');`;
    assert.deepEqual(rendered(drizzle), []);
    const knex = `${KNEX_HEADER}
export const text = db('accounts').where({ id: 1 }).toSQL();
export const joined = () => db('accounts').join('owners', 'owners.id', 'accounts.owner_id').forUpdate();
export const schema = () => db.schema.createTable('accounts', () => undefined);`;
    assert.deepEqual(rendered(knex), []);
    const kysely = `${KYSELY_HEADER}
export const built = db.selectFrom('accounts').selectAll().forUpdate();
export const conditional = (lock: boolean) => db.selectFrom('accounts').selectAll().$if(lock, (qb) => qb.forUpdate()).execute();`;
    assert.deepEqual(rendered(kysely), []);
  });

  it('Knex on another database (its client in the file) sends nothing to judge; Kysely under CamelCasePlugin writes snake_case columns', () => {
    assert.deepEqual(
      rendered("import knex from 'knex';\nconst db = knex({ client: 'better-sqlite3' });\nexport const f = () => db('t').insert({ a: 1 });"),
      [],
    );
    const camel =
      "import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';\nconst db = new Kysely<any>({ dialect: new PostgresDialect({} as any), plugins: [new CamelCasePlugin()] });\nexport const f = (id: string) => db.insertInto('payments').values({ stripeEventId: id }).execute();";
    assert.deepEqual(rendered(camel), ['INSERT INTO payments (stripe_event_id) VALUES ($1)']);
    const findings = lintText(camel.replace('export const f = (id: string)', 'export const f = (id: string, _event: unknown)'), {
      language: 'typescript',
      fileName: 'payments.ts',
      schema: 'create table payments (id bigint primary key generated always as identity, stripe_event_id text not null unique);',
    }).filter((finding) => finding.ruleId === 'require-on-conflict');
    assert.equal(findings.length, 1);
    assert.equal(findings[0].fixes[0].title.endsWith(".onConflict((oc) => oc.column('stripeEventId').doNothing())"), true, findings[0].fixes[0].title);
  });
});

describe('Drizzle tables where the code declares them', () => {
  it('reads names, keys (column, composite, unique index, primary key) and defaults; a partial index is no key; pgSchema and pgTableCreator name the table', () => {
    const code = [
      "import { index, integer, pgSchema, pgTable, pgTableCreator, primaryKey, serial, text, uniqueIndex, unique } from 'drizzle-orm/pg-core';",
      "import { sql } from 'drizzle-orm';",
      "const billing = pgSchema('billing');",
      'const createTable = pgTableCreator((name) => `app_${name}`);',
      "export const invoices = billing.table('invoices', { id: serial('id').primaryKey(), number: text('number').notNull() }, (t) => [uniqueIndex('invoices_number').on(t.number)]);",
      "export const members = createTable('members', (t) => ({ teamId: t.text().notNull(), userId: t.text().notNull(), email: t.text() }), (t) => [primaryKey({ columns: [t.teamId, t.userId] }), uniqueIndex('live_email').on(t.email).where(sql`true`), index('by_user').on(t.userId)]);",
      "const events = pgTable('events', { eventId: text().unique(), seen: integer('seen').default(0) }, (t) => ({ pair: unique().on(t.eventId, t.seen) }));",
      'export { events as webhookEvents };',
      "const timestamps = { createdAt: integer('created_at') };",
      "const audited = pgTable('audited', { id: text('id').primaryKey(), ...timestamps });",
    ].join('\n');
    const model = TsModel.parse(code, 'schema.ts');
    const { tables, exported } = readDrizzleTables(model.node, model.imports);
    assert.deepEqual([...tables.keys()], ['invoices', 'members', 'events', 'audited']);
    // Spread columns: the column list is not the table's, so none is declared; the keys still are.
    const audited = drizzleTableFact(tables.get('audited')!, undefined);
    assert.deepEqual(audited.op === 'createTable' && [audited.columns, audited.keys], [[], [{ kind: 'primary', columns: ['id'] }]]);
    assert.deepEqual(Object.fromEntries(exported), { invoices: 'invoices', members: 'members', webhookEvents: 'events' });
    assert.deepEqual(drizzleTableFact(tables.get('invoices')!, undefined), {
      op: 'createTable',
      table: 'billing.invoices',
      columns: [
        { name: 'id', type: 'serial', generated: true },
        { name: 'number', type: 'text', generated: false },
      ],
      keys: [
        { kind: 'primary', columns: ['id'] },
        { kind: 'unique', columns: ['number'] },
      ],
      hasExclusion: false,
    });
    const members = drizzleTableFact(tables.get('members')!, 'snake_case');
    assert.equal(members.op === 'createTable' && members.table, 'public.app_members');
    assert.deepEqual(members.op === 'createTable' && members.keys, [{ kind: 'primary', columns: ['team_id', 'user_id'] }]);
    const events = tables.get('events')!;
    assert.equal(drizzleColumn(events, 'eventId', undefined), 'eventId');
    assert.equal(drizzleColumn(events, 'eventId', 'snake_case'), 'event_id');
    const fact = drizzleTableFact(events, 'snake_case');
    assert.deepEqual(fact.op === 'createTable' && fact.columns.map((column) => column.name), ['event_id', 'seen']);
    assert.deepEqual(fact.op === 'createTable' && fact.keys, [
      { kind: 'unique', columns: ['event_id'] },
      { kind: 'unique', columns: ['event_id', 'seen'] },
    ]);
  });

  it("imports a table from the project through re-exports and aliases, under drizzle()'s snake_case casing, and fixes in its own terms", () => {
    const folder = folderWith({
      'package.json': JSON.stringify({ dependencies: { 'drizzle-orm': '*', pg: '*' } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'] } } }),
      'src/db/schema/payments.ts':
        "import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';\nexport const payments = pgTable('payments', { id: uuid().primaryKey().defaultRandom(), stripeEventId: text().notNull().unique(), amount: integer().notNull() });",
      'src/db/schema/index.ts': "export * from './payments';\nexport { payments as paymentRecords } from './payments';",
    });
    const file = path.join(folder, 'src', 'app', 'api', 'webhooks', 'stripe', 'route.ts');
    const code = [
      "import { drizzle } from 'drizzle-orm/node-postgres';",
      "import { paymentRecords } from '@/db/schema';",
      "const db = drizzle(process.env.DATABASE_URL!, { casing: 'snake_case' });",
      'export async function POST(request: Request) {',
      '  const event = await request.json();',
      '  await db.insert(paymentRecords).values({ stripeEventId: event.id, amount: 100 });',
      '}',
    ].join('\n');
    const project = new DiskProject();
    assert.deepEqual(rendered(code, file, project), ['INSERT INTO public.payments (stripe_event_id, amount) VALUES ($1, $2)']);
    const findings = lintText(code, { language: 'typescript', fileName: file, project }).filter((finding) => finding.ruleId === 'require-on-conflict');
    assert.equal(findings.length, 1);
    assert.ok(findings[0].fixes[0].safe);
    assert.match(
      applyEdits(code, findings[0].fixes[0].edits),
      /\.values\(\{ stripeEventId: event\.id, amount: 100 \}\)\.onConflictDoNothing\(\{ target: paymentRecords\.stripeEventId \}\);/,
    );
    assert.deepEqual(
      rendered(code.replace('paymentRecords } from', 'missing } from').replace('insert(paymentRecords)', 'insert(missing)'), file, project),
      [],
      'a table the project does not declare is no operation',
    );
  });

  it('reads db.query.<table>.findFirst as a read: a read-modify-write through it gets the atomic fix, not a lock it cannot take', () => {
    const code = `${DRIZZLE_HEADER}
const db = drizzle(process.env.DATABASE_URL!);
export async function debit(id: string, cost: number) {
  const account = await db.query.accounts.findFirst({ where: (a, { eq }) => eq(a.id, id) });
  if (!account) return;
  await db.update(accounts).set({ balance: account.balance - cost }).where(eq(accounts.id, id));
}`;
    assert.deepEqual(rendered(code).slice(0, 1), ['SELECT * FROM public.accounts WHERE id = $1 LIMIT 1']);
    const findings = lintText(code, { language: 'typescript', fileName: 'debit.ts' }).filter((finding) => finding.ruleId === 'no-read-modify-write');
    assert.equal(findings.length, 1);
    assert.deepEqual(
      findings[0].fixes.map((fix) => fix.title),
      ['Let the database compute balance: sql`${accounts.balance} - ${cost}`'],
    );
  });
});

describe('Kysely through prisma-extension-kysely', () => {
  it('reads prisma.$kysely chains as Kysely calls', () => {
    const code =
      "import { PrismaClient } from '@prisma/client';\ndeclare const prisma: PrismaClient & { $kysely: any };\nexport const f = (id: string) => prisma.$kysely.selectFrom('Envelope').selectAll().where('id', '=', id).forUpdate().execute();";
    assert.deepEqual(rendered(code), ['SELECT * FROM "Envelope" WHERE id = $1 FOR UPDATE']);
  });
});
