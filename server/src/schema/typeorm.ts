// TypeORM entities as declared tables: `@Entity('payments')` (or `@Entity({ name, schema })`) classes
// whose properties are `@Column`, `@PrimaryColumn`, `@PrimaryGeneratedColumn`, `@CreateDateColumn`…,
// with `@Column({ name: 'stripe_event_id', unique: true })`, class-level `@Unique(['a', 'b'])` and
// `@Index(['a', 'b'], { unique: true })`, property-level `@Index({ unique: true })`. Without a name the
// table is the class name snake_cased and a column the property name, as TypeORM's default naming
// strategy makes them (a project that configures another naming strategy is not seen). Columns,
// keys and listeners are inherited from base classes (abstract ones carry no @Entity).

import type * as TS from 'typescript';
import { property, stringValue, unwrapExpression } from '../languages/typescript/operations/chain';
import { ts } from '../languages/typescript/project';
import type { TsModel } from '../languages/typescript/ts-file';
import { baseEntity, decoratorsOf, type DeclaredEntity } from './entities';

/** The entity a class declares, when it is a TypeORM entity or a base class of one ('' as table when it has no @Entity). */
export function typeormEntity(model: TsModel, declaration: TS.ClassDeclaration, depth: number): DeclaredEntity | undefined {
  if (!declaration.name) return undefined;
  const decorators = decoratorsOf(model, declaration, TYPEORM);
  const members = declaration.members.map((member) => ({ member, decorators: decoratorsOf(model, member, TYPEORM) }));
  const entityDecorator = decorators.find((each) => each.name === 'Entity');
  const hasColumns = members.some((each) => each.decorators.some((decorator) => COLUMN_DECORATORS.has(decorator.name)));
  const base = baseEntity(model, declaration, depth);
  if (!entityDecorator && !hasColumns && base?.library !== 'typeorm') return undefined;
  const entity: DeclaredEntity = {
    library: 'typeorm',
    name: declaration.name.text,
    table: '',
    columns: new Map(base?.columns),
    generated: new Set(base?.generated),
    primaryKey: [...(base?.primaryKey ?? [])],
    uniqueKeys: [...(base?.uniqueKeys ?? [])],
    writeHooks: base?.writeHooks ?? false,
  };
  for (const { member, decorators: own } of members) {
    if (own.some((each) => LISTENERS.test(each.name))) entity.writeHooks = true;
    const column = own.find((each) => COLUMN_DECORATORS.has(each.name));
    if (!column || !ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name)) continue;
    const attribute = member.name.text;
    const options = column.args.find((argument) => ts.isObjectLiteralExpression(unwrapExpression(argument)));
    const name = stringValue(property(options, 'name')) ?? attribute;
    entity.columns.set(attribute, name);
    const isTrue = (option: string) => property(options, option)?.kind === ts.SyntaxKind.TrueKeyword;
    if (column.name === 'PrimaryColumn' || column.name === 'PrimaryGeneratedColumn' || column.name === 'ObjectIdColumn' || isTrue('primary'))
      entity.primaryKey.push(attribute);
    if (GENERATED_COLUMNS.has(column.name) || property(options, 'default') !== undefined || own.some((each) => each.name === 'Generated'))
      entity.generated.add(name);
    if (isTrue('unique')) entity.uniqueKeys.push([attribute]);
    const index = own.find((each) => each.name === 'Index' || each.name === 'Unique');
    if (index && (index.name === 'Unique' || indexIsUnique(index.args))) entity.uniqueKeys.push([attribute]);
  }
  // @Unique(['a', 'b']), @Unique('name', ['a', 'b']), @Index(['a', 'b'], { unique: true })
  for (const each of decorators) {
    if (each.name !== 'Unique' && !(each.name === 'Index' && indexIsUnique(each.args))) continue;
    const fields = each.args.map(unwrapExpression).find((argument): argument is TS.ArrayLiteralExpression => ts.isArrayLiteralExpression(argument));
    const names = fields?.elements.map((element) => stringValue(element));
    if (names?.length && names.every((name) => name !== undefined)) entity.uniqueKeys.push(names);
  }
  if (entityDecorator) {
    const first = entityDecorator.args[0];
    const named = stringValue(first) ?? stringValue(property(first, 'name'));
    const schema = stringValue(
      property(
        entityDecorator.args.find((argument) => ts.isObjectLiteralExpression(unwrapExpression(argument))),
        'schema',
      ),
    );
    const unreadable = first !== undefined && named === undefined && !ts.isObjectLiteralExpression(unwrapExpression(first));
    if (!unreadable) entity.table = `${schema ?? 'public'}.${named ?? snakeCase(declaration.name.text)}`;
  }
  return entity;
}

/** TypeORM's DefaultNamingStrategy table name: `PaymentEvent` → `payment_event`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z])([A-Z])([a-z])/g, '$1_$2$3')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

const TYPEORM = /^(npm:)?typeorm(@.*)?$/;
const COLUMN_DECORATORS = new Set([
  'Column',
  'PrimaryColumn',
  'PrimaryGeneratedColumn',
  'CreateDateColumn',
  'UpdateDateColumn',
  'DeleteDateColumn',
  'VersionColumn',
  'ObjectIdColumn',
  'ViewColumn',
]);
const GENERATED_COLUMNS = new Set(['PrimaryGeneratedColumn', 'CreateDateColumn', 'UpdateDateColumn', 'DeleteDateColumn', 'VersionColumn']);
const LISTENERS = /^(Before|After)(Insert|Update|Remove|SoftRemove|Recover)$/;

// @Index({ unique: true }), @Index('name', ['a'], { unique: true }): a partial index (`where`) is no key.
function indexIsUnique(args: readonly TS.Expression[]): boolean {
  const options = args.map(unwrapExpression).find((argument) => ts.isObjectLiteralExpression(argument));
  return property(options, 'unique')?.kind === ts.SyntaxKind.TrueKeyword && property(options, 'where') === undefined;
}
