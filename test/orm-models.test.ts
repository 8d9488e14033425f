// Sequelize models and TypeORM entities as declared tables (schema/entities.ts, schema/sequelize.ts,
// schema/typeorm.ts) and their calls as operations (operations/sequelize.ts, operations/typeorm.ts):
// table names as the libraries derive them, keys from every form of declaration, models found through
// the project's modules (re-exports, base classes), and the calls whose meaning the readers cannot tell
// left alone.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findDbOperations } from '../server/src/languages/typescript/operations/find';
import { loadTypeScript } from '../server/src/languages/typescript/project';
import { TsModel } from '../server/src/languages/typescript/ts-file';
import { renderOperation } from '../server/src/languages/typescript/operations/render';
import { DiskProject } from '../server/src/project/disk-project';
import { entityNamed } from '../server/src/schema/entities';
import { regularPlural, underscore } from '../server/src/schema/sequelize';
import { snakeCase } from '../server/src/schema/typeorm';
import { lintText, ready } from './helpers/lint';

before(() => ready);
const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-models-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

function modelOf(code: string, fileName = 'models.ts', project?: DiskProject): TsModel {
  loadTypeScript();
  return TsModel.parse(code, fileName, undefined, project);
}

/** Each operation of the code as the SQL it renders. */
function rendered(code: string, fileName = 'calls.ts', project?: DiskProject): string[] {
  const model = modelOf(code, fileName, project);
  return findDbOperations(model).map((operation) => renderOperation(operation, model.node).text.trim());
}

const SEQUELIZE = "import { DataTypes, Model, Sequelize, Op, Transaction } from 'sequelize';\nconst sequelize = new Sequelize('postgres://db/app');\n";
const TYPEORM =
  "import { Column, DataSource, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique, In } from 'typeorm';\nconst dataSource = new DataSource({ type: 'postgres' });\n";

describe('Sequelize table names', () => {
  it('pluralises a model name only where the plural is certainly the name plus "s", as inflection would', () => {
    const inflection = require('inflection') as { pluralize(word: string): string };
    const source = readFileSync(require.resolve('inflection'), 'utf8');
    const uncountable = [.../var uncountable_words = \[([\s\S]*?)\];/.exec(source)![1].matchAll(/'([^']+)'/g)].map((match) => match[1]);
    const names = [
      ...uncountable,
      ...uncountable.map((word) => word[0].toUpperCase() + word.slice(1)),
      'Payment',
      'Account',
      'Man',
      'Woman',
      'Chairman',
      'Person',
      'Salesperson',
      'Child',
      'Datum',
      'Medium',
      'Premium',
      'Album',
      'Criterion',
      'Ox',
      'Status',
      'Bus',
      'Category',
      'Box',
      'Leaf',
      'Hero',
      'Job',
      'Tag',
      'PaymentEvent',
      'Foot',
      'Tooth',
    ];
    let pluralised = 0;
    for (const name of names) {
      const ours = regularPlural(name);
      if (ours === undefined) continue;
      pluralised++;
      assert.equal(ours, inflection.pluralize(name), name);
    }
    assert.ok(pluralised >= 8, `pluralised ${pluralised}`);
    assert.equal(regularPlural('Payment'), 'Payments');
    assert.equal(regularPlural('Category'), undefined);
    assert.equal(regularPlural('Equipment'), undefined);
  });

  it('snake_cases as Sequelize and TypeORM do', () => {
    assert.equal(underscore('stripeEventId'), 'stripe_event_id');
    assert.equal(underscore('HTTPRequestLog'), 'http_request_log');
    assert.equal(snakeCase('PaymentEvent'), 'payment_event');
    assert.equal(snakeCase('OAuthClient'), 'o_auth_client');
  });

  it('reads tableName, freezeTableName, underscored, schema, define, and gives no table where it cannot tell', () => {
    const code = `${SEQUELIZE}
class Payment extends Model {}
Payment.init({ stripeEventId: { type: DataTypes.STRING, unique: true } }, { sequelize, underscored: true });
class Refund extends Model {}
Refund.init({ id: { type: DataTypes.UUID, primaryKey: true } }, { sequelize, freezeTableName: true, schema: 'billing' });
class Category extends Model {}
Category.init({}, { sequelize });
class Invoice extends Model {}
Invoice.init({}, { sequelize, ...shared });
const Charge = sequelize.define('charge', { a: DataTypes.STRING, b: DataTypes.STRING }, { tableName: 'charges', indexes: [{ unique: true, fields: ['a', 'b'] }, { unique: true, fields: ['b'], where: { a: null } }] });
const Wallet = sequelize.define('wallet', { balance: { type: DataTypes.INTEGER, validate: { min: 0 } } }, { tableName: 'wallets' });`;
    const model = modelOf(code);
    const payment = entityNamed(model, 'Payment')!;
    assert.equal(payment.table, 'public.payments');
    assert.equal(payment.columns.get('stripeEventId'), 'stripe_event_id');
    assert.deepEqual(payment.primaryKey, ['id'], 'Sequelize adds id');
    assert.deepEqual(payment.uniqueKeys, [['stripeEventId']]);
    assert.equal(payment.columns.get('createdAt'), 'created_at');
    assert.equal(entityNamed(model, 'Refund')!.table, 'billing.Refund');
    assert.equal(entityNamed(model, 'Category')!.table, '', 'inflection makes Categories: not guessed');
    assert.equal(entityNamed(model, 'Invoice')!.table, '', 'spread options may name the table');
    const charge = entityNamed(model, 'Charge')!;
    assert.equal(charge.table, 'public.charges');
    assert.deepEqual(charge.uniqueKeys, [['a', 'b']], 'a partial unique index is no key');
    assert.equal(charge.writeHooks, false);
    assert.equal(entityNamed(model, 'Wallet')!.writeHooks, true, 'a validator runs on each write');
  });
});

describe('sequelize-typescript and TypeORM declarations', () => {
  it('reads keys from decorators, composite unique groups, and listeners', () => {
    const decorated = `import { Column, Table, Model, PrimaryKey, Unique, Index, BeforeCreate, IsEmail } from 'sequelize-typescript';
@Table({ tableName: 'members' })
class Member extends Model {
  @PrimaryKey @Column id: string;
  @Unique('team_email') @Column teamId: string;
  @Unique('team_email') @IsEmail @Column email: string;
  @Index({ unique: true }) @Column({ field: 'invite_code' }) inviteCode: string;
  @BeforeCreate static lower(member: Member) { member.email = member.email.toLowerCase(); }
}`;
    const entities = `${TYPEORM}
@Entity({ name: 'ledger_entries', schema: 'billing' })
@Unique(['accountId', 'reference'])
@Index(['accountId', 'createdAt'])
class LedgerEntry {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'account_id' }) accountId: string;
  @Column() reference: string;
  @Index({ unique: true, where: '"reference" IS NOT NULL' }) @Column() externalId: string;
}`;
    const member = entityNamed(modelOf(decorated), 'Member')!;
    assert.equal(member.table, 'public.members');
    assert.deepEqual(member.primaryKey, ['id']);
    assert.deepEqual(member.uniqueKeys.map((key) => key.join()).sort(), ['inviteCode', 'teamId,email'].sort());
    assert.equal(member.columns.get('inviteCode'), 'invite_code');
    assert.equal(member.writeHooks, true);
    const entry = entityNamed(modelOf(entities), 'LedgerEntry')!;
    assert.equal(entry.table, 'billing.ledger_entries');
    assert.deepEqual(entry.primaryKey, ['id']);
    assert.deepEqual(entry.uniqueKeys, [['accountId', 'reference']], 'a plain index and a partial unique index are no keys');
    assert.equal(entry.columns.get('accountId'), 'account_id');
  });

  it('finds models through re-exports and base classes in other modules', () => {
    const folder = folderWith({
      'src/models/base.ts':
        "import { Column, Model, PrimaryKey, AfterCreate } from 'sequelize-typescript';\nexport default class IdModel extends Model {\n  @PrimaryKey @Column id: string;\n  @AfterCreate static announce() {}\n}",
      'src/models/Payment.ts':
        "import { Column, Table, Unique } from 'sequelize-typescript';\nimport IdModel from './base';\n@Table({ tableName: 'payments' })\nclass Payment extends IdModel {\n  @Unique @Column stripeEventId: string;\n}\nexport default Payment;",
      'src/models/index.ts': "export { default as Payment } from './Payment';",
      'src/entities/index.ts': "export * from './order';",
      'src/entities/order.ts':
        "import { Entity, PrimaryColumn, Column } from 'typeorm';\n@Entity('orders')\nexport class Order {\n  @PrimaryColumn() id: string;\n  @Column({ unique: true }) checkoutId: string;\n}",
    });
    const project = new DiskProject();
    const file = path.join(folder, 'src', 'webhooks.ts');
    const model = modelOf("import { Payment } from './models';\nimport { Order } from './entities';", file, project);
    const payment = entityNamed(model, 'Payment')!;
    assert.equal(payment.table, 'public.payments');
    assert.deepEqual(payment.primaryKey, ['id'], 'inherited');
    assert.deepEqual(payment.uniqueKeys, [['stripeEventId']]);
    assert.equal(payment.writeHooks, true, 'inherited');
    assert.equal(entityNamed(model, 'Order')!.table, 'public.orders');
    const code =
      "import { Payment } from './models';\nimport { Order } from './entities';\nimport { dataSource } from './db';\nexport async function onEvent(event: { id: string }) {\n  await Payment.create({ stripeEventId: event.id });\n  await dataSource.getRepository(Order).insert({ checkoutId: event.id });\n}";
    writeFileSync(path.join(folder, 'src', 'db.ts'), "import { DataSource } from 'typeorm';\nexport const dataSource = new DataSource({ type: 'postgres' });");
    assert.deepEqual(rendered(code, file, project), [
      'INSERT INTO public.payments ("stripeEventId") VALUES ($1)',
      'INSERT INTO public.orders ("checkoutId") VALUES ($1)',
    ]);
  });
});

describe('calls the readers leave alone or read with care', () => {
  it('a lock the code computes is neither locked nor unlocked: no operation', () => {
    const code = `${SEQUELIZE}class Job extends Model {}\nJob.init({}, { sequelize, tableName: 'jobs' });\nexport async function f(t: Transaction, lockRows: boolean) {\n  await Job.findAll({ where: { status: 'ready' }, lock: lockRows, transaction: t });\n  await Job.findAll({ where: { status: 'ready' }, lock: t.LOCK.SHARE, skipLocked: true, transaction: t });\n}`;
    assert.deepEqual(rendered(code), ['SELECT * FROM public.jobs WHERE status = $1 FOR SHARE SKIP LOCKED']);
  });

  it('where forms: array literals and Op.in are lists (a variable is one value: it may be either), ranges, unknown operators and OR are other conditions', () => {
    const code = `${SEQUELIZE}class Job extends Model {}\nJob.init({ runAt: { type: DataTypes.DATE, field: 'run_at' } }, { sequelize, tableName: 'jobs' });\nexport async function f(ids: number[]) {\n  await Job.destroy({ where: { id: [1, 2] } });\n  await Job.destroy({ where: { id: ids } });\n  await Job.destroy({ where: { id: { [Op.in]: ids }, runAt: { [Op.lt]: new Date() } } });\n  await Job.destroy({ where: { [Op.or]: [{ id: 1 }, { id: 2 }] } });\n}`;
    assert.deepEqual(rendered(code), [
      'DELETE FROM public.jobs WHERE id = ANY($1)',
      'DELETE FROM public.jobs WHERE id = $1',
      'DELETE FROM public.jobs WHERE id = ANY($1) AND run_at >= $2',
      'DELETE FROM public.jobs',
    ]);
  });

  it('TypeORM: optimistic locks are no row locks, query-builder fragments are read when simple, builders not run are no operation', () => {
    const code = `${TYPEORM}@Entity('jobs') class Job { @PrimaryColumn() id: number; @Column() status: string; }\nexport async function f(ids: number[], version: number) {\n  const repo = dataSource.getRepository(Job);\n  await repo.findOne({ where: { id: 1 }, lock: { mode: 'optimistic', version } });\n  await repo.createQueryBuilder('j').where('j.id IN (:...ids)', { ids }).andWhere('j.status = :s', { s: 'ready' }).setLock('pessimistic_write').getMany();\n  await repo.createQueryBuilder('j').where('lower(j.status) = :s', { s: 'x' }).getMany();\n  const pending = repo.createQueryBuilder('j').where('j.status = :s', { s: 'ready' });\n  return pending;\n}`;
    assert.deepEqual(rendered(code), [
      'SELECT * FROM public.jobs WHERE id = $1',
      'SELECT * FROM public.jobs WHERE id = ANY($1) AND status = $2 FOR UPDATE',
      'SELECT * FROM public.jobs',
    ]);
  });

  it('a Sequelize project on MySQL or SQLite is not judged by PostgreSQL rules', () => {
    const handler = (connection: string) =>
      `import { DataTypes, Model, Sequelize } from 'sequelize';\nconst sequelize = new Sequelize(${connection});\nclass Payment extends Model {}\nPayment.init({ stripeEventId: { type: DataTypes.STRING, unique: true } }, { sequelize, tableName: 'payments' });\nexport async function f(id: string) {\n  await Payment.create({ stripeEventId: id });\n}`;
    const count = (code: string) =>
      lintText(code, { language: 'typescript', fileName: 'payments.ts' }).filter((finding) => finding.ruleId === 'require-on-conflict').length;
    assert.equal(count(handler("'postgres://db/app'")), 1);
    assert.equal(count(handler("'sqlite::memory:'")), 0);
    assert.equal(count(handler("{ dialect: 'mariadb' }")), 0);
  });
});
