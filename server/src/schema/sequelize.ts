// Sequelize models as declared tables, where the code says them literally:
// - `class Payment extends Model {}` with `Payment.init({ …attributes }, { sequelize, tableName, … })`;
// - `const Payment = sequelize.define('payment', { …attributes }, { tableName, … })`;
// - sequelize-typescript: `@Table({ tableName })` classes with `@Column`, `@PrimaryKey`, `@Unique`,
//   `@Index`, `@Default`, `@AutoIncrement` properties.
// The table is `tableName`; without it, Sequelize's own rule: the model name, pluralised unless
// `freezeTableName` (snake_cased when `underscored`). Its pluraliser knows irregular and uncountable
// words, so a name is pluralised here only where the plural is certainly the name plus "s"; otherwise
// the model gives no table. Columns are `field`, or the attribute snake_cased when `underscored`.
// Options a project sets for every model (`new Sequelize(…, { define })`) are not seen.

import type * as TS from 'typescript';
import { objectProperties, property, stringValue, unwrapExpression } from '../languages/typescript/operations/chain';
import { ts } from '../languages/typescript/project';
import type { TsModel } from '../languages/typescript/ts-file';
import { baseEntity, decoratorsOf, type DeclaredEntity, type Decorator } from './entities';

/** The entity a class or a `define` declares, when it is a Sequelize model; '' as table for an abstract base (no @Table, no init). */
export function sequelizeEntity(model: TsModel, declaration: TS.ClassDeclaration | TS.VariableDeclaration, depth: number): DeclaredEntity | undefined {
  if (ts.isVariableDeclaration(declaration)) return definedModel(model, declaration);
  if (!isSequelizeClass(model, declaration) || !declaration.name) return undefined;
  const base = baseEntity(model, declaration, depth);
  const entity = emptyEntity(declaration.name.text, base);
  const table = decorator(model, declaration, 'Table');
  const init = initCall(model, declaration.name.text);
  const options = table ? table.args[0] : init?.arguments[1];
  const settings = modelSettings(options);
  // Inherited attributes follow this model's `underscored` too.
  if (settings.underscored) for (const [attribute, column] of entity.columns) if (column === attribute) entity.columns.set(attribute, underscore(attribute));
  readDecoratedAttributes(model, declaration, entity, settings.underscored);
  if (init) readAttributes(init.arguments[0], entity, settings.underscored);
  readIndexes(options, entity);
  entity.writeHooks ||= settings.hooks || hasHookDecorators(model, declaration) || registersHooks(model, declaration.name.text);
  if (table || init) entity.table = tableName(settings, settings.modelName ?? declaration.name.text) ?? '';
  addImplicitColumns(entity, settings);
  return entity;
}

/** The plural Sequelize gives a model name, when it is certainly the name plus "s" (else undefined). */
export function regularPlural(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name) || !/[bdgklmnprt]$/.test(name)) return undefined;
  if (IRREGULAR.test(name) || UNCOUNTABLE.has(name.toLowerCase())) return undefined;
  return `${name}s`;
}

/** Sequelize's underscore (inflection's): `stripeEventId` → `stripe_event_id`. */
export function underscore(name: string): string {
  return name
    .replace(/([A-Z\d]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
}

// Where inflection's rules give something other than "s" for a name ending in b d g k l m n p r t.
const IRREGULAR = /^(m|wom)an$|person$|child$|[ti]um$|^criterion$|^(foot|tooth|feet|teeth|men|women)$|^oxen|children$|people$/i;
// inflection's uncountable words that end in one of those letters (it compares the whole name).
const UNCOUNTABLE = new Set(
  (
    'accommodation adulthood advertising aggression aid air aircraft alcohol anger bacon blood bread butter carbon cardboard chalk dancing deer dirt dust ' +
    'education engineering enjoyment equipment evolution fiction flour food fuel fun gold gossip guilt harm hatred heat help homework housework humour hunger ' +
    'hydrogen inflation information iron jam lack laughter leather lightning litter livestock luck management mankind milk mud nitrogen nutrition oxygen ' +
    'pollution punctuation racism relaxation respect rum seafood sheep shopping sleep smoking soap soil steam thirst thunder timber transportation trust ' +
    'underwear unemployment veal vegetation vegetarianism weather wheat wisdom'
  ).split(' '),
);

interface ModelSettings {
  tableName: string | undefined;
  modelName: string | undefined;
  freezeTableName: boolean;
  underscored: boolean;
  schema: string | undefined;
  timestamps: boolean;
  paranoid: boolean;
  hooks: boolean;
  /** An option the reader cannot read (a spread, a computed tableName): the table is not certain. */
  unreadable: boolean;
}

function modelSettings(options: TS.Expression | undefined): ModelSettings {
  const settings: ModelSettings = {
    tableName: undefined,
    modelName: undefined,
    freezeTableName: false,
    underscored: false,
    schema: undefined,
    timestamps: true,
    paranoid: false,
    hooks: false,
    unreadable: false,
  };
  const object = options && unwrapExpression(options);
  if (!object) return settings;
  if (!ts.isObjectLiteralExpression(object) || object.properties.some((entry) => ts.isSpreadAssignment(entry))) {
    settings.unreadable = true;
    return settings;
  }
  const flag = (name: string) => unwrapExpression(property(object, name) ?? object).kind === ts.SyntaxKind.TrueKeyword;
  const text = (name: string) => {
    const value = property(object, name);
    if (value && stringValue(value) === undefined) settings.unreadable = true;
    return stringValue(value);
  };
  settings.tableName = text('tableName');
  settings.modelName = text('modelName');
  settings.schema = text('schema');
  settings.freezeTableName = flag('freezeTableName');
  settings.underscored = flag('underscored');
  settings.paranoid = flag('paranoid');
  settings.timestamps = unwrapExpression(property(object, 'timestamps') ?? object).kind !== ts.SyntaxKind.FalseKeyword;
  settings.hooks = property(object, 'hooks') !== undefined || property(object, 'validate') !== undefined;
  return settings;
}

function tableName(settings: ModelSettings, modelName: string): string | undefined {
  if (settings.unreadable) return undefined;
  let name = settings.tableName;
  if (!name) {
    const plural = settings.freezeTableName ? modelName : regularPlural(modelName);
    name = plural && settings.underscored && !settings.freezeTableName ? underscore(plural) : plural;
  }
  return name ? `${settings.schema ?? 'public'}.${name}` : undefined;
}

function emptyEntity(name: string, base: DeclaredEntity | undefined): DeclaredEntity {
  return {
    library: 'sequelize',
    name,
    table: '',
    columns: new Map(base?.columns),
    generated: new Set(base?.generated),
    primaryKey: [...(base?.primaryKey ?? [])],
    uniqueKeys: [...(base?.uniqueKeys ?? [])],
    writeHooks: base?.writeHooks ?? false,
  };
}

// const Payment = sequelize.define('payment', { … }, { tableName: 'payments' })
function definedModel(model: TsModel, declaration: TS.VariableDeclaration): DeclaredEntity | undefined {
  const call = declaration.initializer && unwrapExpression(declaration.initializer);
  if (!call || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'define') return undefined;
  if (model.kindOf(call.expression.expression) !== 'sequelize' || !ts.isIdentifier(declaration.name)) return undefined;
  const modelName = stringValue(call.arguments[0]);
  if (!modelName) return undefined;
  const entity = emptyEntity(declaration.name.text, undefined);
  const settings = modelSettings(call.arguments[2]);
  readAttributes(call.arguments[1], entity, settings.underscored);
  readIndexes(call.arguments[2], entity);
  entity.writeHooks ||= settings.hooks || registersHooks(model, declaration.name.text);
  entity.table = tableName(settings, modelName) ?? '';
  addImplicitColumns(entity, settings);
  return entity;
}

// Model.init({ id: { type: DataTypes.UUID, primaryKey: true }, stripeEventId: { type, unique: true, field } })
function readAttributes(attributes: TS.Expression | undefined, entity: DeclaredEntity, underscored: boolean): void {
  const composite = new Map<string, string[]>();
  for (const entry of objectProperties(attributes) ?? []) {
    const column = stringValue(property(entry.value, 'field')) ?? (underscored ? underscore(entry.name) : entry.name);
    entity.columns.set(entry.name, column);
    const options = objectProperties(entry.value) ?? [];
    const option = (name: string) => options.find((item) => item.name === name)?.value;
    const isTrue = (name: string) => option(name)?.kind === ts.SyntaxKind.TrueKeyword;
    if (option('validate') !== undefined) entity.writeHooks = true;
    if (isTrue('primaryKey')) entity.primaryKey = [...entity.primaryKey, entry.name];
    if (isTrue('autoIncrement') || option('defaultValue') !== undefined) entity.generated.add(column);
    const unique = option('unique');
    if (unique?.kind === ts.SyntaxKind.TrueKeyword) entity.uniqueKeys.push([entry.name]);
    const group = stringValue(unique) ?? stringValue(property(unique, 'name'));
    if (group) composite.set(group, [...(composite.get(group) ?? []), entry.name]);
  }
  for (const key of composite.values()) entity.uniqueKeys.push(key);
}

// sequelize-typescript: @Column, @Column(DataType.X), @Column({ field, unique, primaryKey }), @PrimaryKey,
// @Unique, @Unique('group'), @Index({ unique: true }), @Default(…), @AutoIncrement, @CreatedAt…
function readDecoratedAttributes(model: TsModel, declaration: TS.ClassDeclaration, entity: DeclaredEntity, underscored: boolean): void {
  const composite = new Map<string, string[]>();
  for (const member of declaration.members) {
    if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name)) continue;
    const decorators = decoratorsOf(model, member, SEQUELIZE_TYPESCRIPT);
    const column = decorators.find((each) => COLUMN_DECORATORS.has(each.name));
    if (!column) continue;
    // @IsEmail, @Length, @Min, … validate each write.
    if (decorators.some((each) => !STRUCTURAL_DECORATORS.has(each.name)) || property(column.args[0], 'validate') !== undefined) entity.writeHooks = true;
    const attribute = member.name.text;
    const options = column.name === 'Column' ? column.args[0] : undefined;
    const name = stringValue(property(options, 'field')) ?? (underscored ? underscore(attribute) : attribute);
    entity.columns.set(attribute, name);
    const optionIsTrue = (option: string) => property(options, option)?.kind === ts.SyntaxKind.TrueKeyword;
    if (decorators.some((each) => each.name === 'PrimaryKey') || optionIsTrue('primaryKey')) entity.primaryKey = [...entity.primaryKey, attribute];
    if (
      decorators.some((each) => GENERATING_DECORATORS.has(each.name)) ||
      column.name !== 'Column' ||
      optionIsTrue('autoIncrement') ||
      property(options, 'defaultValue') !== undefined
    )
      entity.generated.add(name);
    // @Unique, @Unique('group'), @Unique({ name, msg }), @Index({ unique: true, name }), @Column({ unique })
    const uniques: Array<TS.Expression | true> = [];
    for (const each of decorators) {
      if (each.name === 'Unique') uniques.push(each.args[0] ?? true);
      if (each.name === 'Index' && property(each.args[0], 'unique')?.kind === ts.SyntaxKind.TrueKeyword) uniques.push(property(each.args[0], 'name') ?? true);
    }
    const unique = property(options, 'unique');
    if (unique) uniques.push(unique);
    for (const each of uniques) {
      const value = each === true ? each : unwrapExpression(each);
      const group = value === true ? undefined : (stringValue(value) ?? stringValue(property(value, 'name')));
      if (group) composite.set(group, [...(composite.get(group) ?? []), attribute]);
      else if (value === true || value.kind === ts.SyntaxKind.TrueKeyword || (ts.isObjectLiteralExpression(value) && !property(value, 'name')))
        entity.uniqueKeys.push([attribute]);
    }
  }
  for (const key of composite.values()) entity.uniqueKeys.push(key);
}

// indexes: [{ unique: true, fields: ['team_id', 'name'] }] — fields name attributes or columns.
function readIndexes(options: TS.Expression | undefined, entity: DeclaredEntity): void {
  const indexes = property(options, 'indexes');
  const list = indexes && unwrapExpression(indexes);
  if (!list || !ts.isArrayLiteralExpression(list)) return;
  for (const element of list.elements) {
    if (property(element, 'unique')?.kind !== ts.SyntaxKind.TrueKeyword || property(element, 'where')) continue;
    const fields = property(element, 'fields');
    const array = fields && unwrapExpression(fields);
    if (!array || !ts.isArrayLiteralExpression(array)) continue;
    const names = array.elements.map((field) => stringValue(field) ?? stringValue(property(field, 'name')) ?? stringValue(property(field, 'attribute')));
    if (!names.length || names.some((name) => name === undefined)) continue;
    entity.uniqueKeys.push(names.map((name) => attributeNamed(entity, name!)));
  }
}

function attributeNamed(entity: DeclaredEntity, name: string): string {
  if (entity.columns.has(name)) return name;
  for (const [attribute, column] of entity.columns) if (column === name) return attribute;
  return name;
}

// No primary key declared: Sequelize adds `id` (serial). Timestamps are columns the library fills.
function addImplicitColumns(entity: DeclaredEntity, settings: ModelSettings): void {
  if (!entity.table) return;
  if (!entity.primaryKey.length) {
    entity.columns.set('id', 'id');
    entity.generated.add('id');
    entity.primaryKey = ['id'];
  }
  if (settings.timestamps) {
    for (const attribute of ['createdAt', 'updatedAt', ...(settings.paranoid ? ['deletedAt'] : [])]) {
      if (entity.columns.has(attribute)) continue;
      const column = settings.underscored ? underscore(attribute) : attribute;
      entity.columns.set(attribute, column);
      entity.generated.add(column);
    }
  }
}

const SEQUELIZE_TYPESCRIPT = /^(npm:)?sequelize-typescript(@.*)?$/;
const COLUMN_DECORATORS = new Set(['Column', 'CreatedAt', 'UpdatedAt', 'DeletedAt']);
const GENERATING_DECORATORS = new Set(['Default', 'AutoIncrement']);
/** Decorators that declare a column, a key or an association; any other (IsEmail, Length, Min…) validates. */
const STRUCTURAL_DECORATORS = new Set([
  'Column',
  'CreatedAt',
  'UpdatedAt',
  'DeletedAt',
  'PrimaryKey',
  'AutoIncrement',
  'Default',
  'Unique',
  'Index',
  'AllowNull',
  'Comment',
  'ForeignKey',
  'BelongsTo',
  'HasMany',
  'HasOne',
  'BelongsToMany',
]);
const HOOK_DECORATOR = /^(Before|After)[A-Z]\w*$/;
const HOOK_METHOD = /^(before|after)[A-Z]\w*$|^addHook$/;

function isSequelizeClass(model: TsModel, declaration: TS.ClassDeclaration): boolean {
  const heritage = declaration.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  return !!heritage && model.kindOf(heritage.expression) === 'sequelize';
}

// Payment.init({ … }, { sequelize, … }) at the top level of the file.
function initCall(model: TsModel, className: string): TS.CallExpression | undefined {
  for (const statement of model.node.statements) {
    if (!ts.isExpressionStatement(statement)) continue;
    const call = unwrapExpression(statement.expression);
    if (
      ts.isCallExpression(call) &&
      ts.isPropertyAccessExpression(call.expression) &&
      call.expression.name.text === 'init' &&
      ts.isIdentifier(call.expression.expression) &&
      call.expression.expression.text === className
    )
      return call;
  }
  return undefined;
}

function hasHookDecorators(model: TsModel, declaration: TS.ClassDeclaration): boolean {
  return declaration.members.some((member) => decoratorsOf(model, member, SEQUELIZE_TYPESCRIPT).some((each) => HOOK_DECORATOR.test(each.name)));
}

// Payment.addHook('afterCreate', …), Payment.afterCreate(…) anywhere in the file.
function registersHooks(model: TsModel, name: string): boolean {
  return model.functions.some((scope) => scope.calls.some((site) => HOOK_METHOD.test(site.method) && site.callee === `${name}.${site.method}`));
}

function decorator(model: TsModel, node: TS.Node, name: string): Decorator | undefined {
  return decoratorsOf(model, node, SEQUELIZE_TYPESCRIPT).find((each) => each.name === name);
}
