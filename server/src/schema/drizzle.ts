// Drizzle table definitions read from the code that declares them: pgTable('payments', { id:
// uuid('id').primaryKey(), stripeEventId: text('stripe_event_id').unique() }, (t) => [unique().on(t.a,
// t.b), uniqueIndex('x').on(t.c), primaryKey({ columns: [t.a, t.b] })]), also through pgSchema('s')
// .table(…) and pgTableCreator((name) => `app_${name}`). Each table object is a table with its SQL
// name, its JS property → column map and its keys, which become schema facts when the migrations do
// not declare the table. Only pg-core tables: mysqlTable and sqliteTable are other databases.

import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import { withoutTypeSyntax as unwrap, type ImportBinding } from '../languages/typescript/ts-file';
import type { ColumnFact, KeyFact, SchemaFact } from './facts';

export interface DrizzleTable {
  /** The table as PostgreSQL knows it, schema-qualified ("public.payments"). */
  table: string;
  /**
   * JS property → the column name its builder gives; undefined when the builder omits it (Drizzle ≥ 0.31:
   * then the property name, or its snake_case under drizzle()'s `casing: 'snake_case'`).
   */
  columns: Map<string, string | undefined>;
  /** Properties whose column gets a value the INSERT need not name (a default, serial, identity, $defaultFn). */
  generated: Set<string>;
  /** Property → the column's PostgreSQL type, from its builder (integer(), timestamp({ withTimezone: true })). */
  types: Map<string, string>;
  /** Keys by property names, primary first. Partial and expression indexes are not keys. */
  keys: Array<{ kind: 'primary' | 'unique'; properties: string[] }>;
  /** The column object spreads (`...timestamps`) or holds what is no column builder: its columns are not all known. */
  open: boolean;
}

/** How drizzle() names a column whose builder omits the name. */
export type DrizzleCasing = 'snake_case' | 'camelCase' | undefined;

const PG_CORE = /^(npm:)?drizzle-orm(@[^/]*)?\/pg-core$/;
const SERIAL_TYPES = new Set(['serial', 'bigserial', 'smallserial']);
/** Builders whose PostgreSQL type is not their own name. */
const SQL_TYPES: Record<string, string> = {
  doublePrecision: 'double precision',
  varchar: 'character varying',
  char: 'character',
  decimal: 'numeric',
  customType: '',
};
const GENERATING_MODIFIERS = new Set([
  'default',
  'defaultNow',
  'defaultRandom',
  '$defaultFn',
  '$default',
  'generatedAlwaysAs',
  'generatedAlwaysAsIdentity',
  'generatedByDefaultAsIdentity',
]);

/** The column a property names, under a casing (undefined casing: the property name, as Drizzle does). */
export function drizzleColumn(table: DrizzleTable, property: string, casing: DrizzleCasing): string | undefined {
  if (!table.columns.has(property)) return undefined;
  const named = table.columns.get(property);
  if (named !== undefined) return named;
  if (casing === 'snake_case') return property.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (casing === 'camelCase') return property.replace(/_([a-z0-9])/g, (_whole, letter: string) => letter.toUpperCase());
  return property;
}

/** The property that names a column (the inverse of drizzleColumn). */
export function drizzleProperty(table: DrizzleTable, column: string, casing: DrizzleCasing): string | undefined {
  for (const property of table.columns.keys()) if (drizzleColumn(table, property, casing) === column) return property;
  return undefined;
}

/** The table as a schema fact: its columns and its keys in column names. */
export function drizzleTableFact(table: DrizzleTable, casing: DrizzleCasing): SchemaFact {
  // Some columns only: none at all, as rules read a known column list as the whole table.
  const columns: ColumnFact[] = [];
  if (!table.open)
    for (const property of table.columns.keys())
      columns.push({ name: drizzleColumn(table, property, casing)!, type: table.types.get(property) ?? '', generated: table.generated.has(property) });
  const keys: KeyFact[] = [];
  for (const key of table.keys) {
    const names = key.properties.map((property) => drizzleColumn(table, property, casing));
    if (names.every((name): name is string => !!name)) keys.push({ kind: key.kind, columns: names });
  }
  return { op: 'createTable', table: table.table, columns, keys, hasExclusion: false };
}

/**
 * The pg-core tables a module declares at its top level, by local variable name, with the names it
 * exports them under (`export const payments`, `export { payments as pay }`).
 */
export function readDrizzleTables(
  source: TS.SourceFile,
  imports: ReadonlyMap<string, ImportBinding>,
): { tables: Map<string, DrizzleTable>; exported: Map<string, string> } {
  const tables = new Map<string, DrizzleTable>();
  const exported = new Map<string, string>();
  const pgCore = (name: string, imported: string) => {
    const binding = imports.get(name);
    return !!binding && PG_CORE.test(binding.module) && binding.imported === imported;
  };
  if (![...imports.values()].some((binding) => PG_CORE.test(binding.module))) return { tables, exported };
  // pgSchema('billing') and pgTableCreator((name) => `app_${name}`) bound at the top level.
  const schemas = new Map<string, string>();
  const creators = new Map<string, (name: string) => string>();
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exported.set(element.name.text, (element.propertyName ?? element.name).text);
    }
    if (!ts.isVariableStatement(statement)) continue;
    const isExported = ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
      const name = declaration.name.text;
      const call = unwrap(declaration.initializer);
      if (!ts.isCallExpression(call)) continue;
      const callee = call.expression;
      if (ts.isIdentifier(callee) && pgCore(callee.text, 'pgSchema') && stringOf(call.arguments[0])) schemas.set(name, stringOf(call.arguments[0])!);
      else if (ts.isIdentifier(callee) && pgCore(callee.text, 'pgTableCreator')) {
        const creator = tableNamer(call.arguments[0]);
        if (creator) creators.set(name, creator);
      } else {
        let schema = 'public';
        let rename = (table: string) => table;
        if (ts.isIdentifier(callee) && pgCore(callee.text, 'pgTable')) {
          // pgTable('t', …)
        } else if (ts.isIdentifier(callee) && creators.has(callee.text)) rename = creators.get(callee.text)!;
        else if (
          ts.isPropertyAccessExpression(callee) &&
          callee.name.text === 'table' &&
          ts.isIdentifier(callee.expression) &&
          schemas.has(callee.expression.text)
        )
          schema = schemas.get(callee.expression.text)!;
        else continue;
        const table = readTable(call, schema, rename);
        if (!table) continue;
        tables.set(name, table);
        if (isExported) exported.set(name, name);
      }
    }
  }
  return { tables, exported };
}

function readTable(call: TS.CallExpression, schema: string, rename: (name: string) => string): DrizzleTable | undefined {
  const name = stringOf(call.arguments[0]);
  const columnsArgument = call.arguments[1];
  if (!name || !columnsArgument) return undefined;
  // The columns as an object, or as a callback that returns one: (t) => ({ id: t.uuid().primaryKey() }).
  const object = objectOf(columnsArgument);
  if (!object) return undefined;
  const table: DrizzleTable = { table: `${schema}.${rename(name)}`, columns: new Map(), generated: new Set(), types: new Map(), keys: [], open: false };
  for (const property of object.properties) {
    if (ts.isSpreadAssignment(property)) {
      table.open = true;
      continue;
    }
    if (!ts.isPropertyAssignment(property) || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) continue;
    const key = property.name.text;
    const builder = columnBuilder(property.initializer);
    if (!builder) {
      table.open = true;
      continue;
    }
    table.columns.set(key, builder.name);
    table.types.set(key, builder.type);
    if (builder.generated) table.generated.add(key);
    if (builder.modifiers.includes('primaryKey')) table.keys.unshift({ kind: 'primary', properties: [key] });
    if (builder.modifiers.includes('unique')) table.keys.push({ kind: 'unique', properties: [key] });
  }
  for (const key of extraKeys(call.arguments[2])) {
    if (key.kind === 'primary') table.keys.unshift(key);
    else table.keys.push(key);
  }
  return table;
}

interface ColumnBuilder {
  name: string | undefined;
  type: string;
  modifiers: string[];
  generated: boolean;
}

// text('stripe_event_id').notNull().unique(), t.uuid().defaultRandom().primaryKey(), varchar({ length: 10 }).
function columnBuilder(expression: TS.Expression): ColumnBuilder | undefined {
  const modifiers: string[] = [];
  let current = unwrap(expression);
  while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression) && ts.isCallExpression(unwrap(current.expression.expression))) {
    modifiers.unshift(current.expression.name.text);
    current = unwrap(current.expression.expression);
  }
  if (!ts.isCallExpression(current)) return undefined;
  const type = ts.isIdentifier(current.expression)
    ? current.expression.text
    : ts.isPropertyAccessExpression(current.expression)
      ? current.expression.name.text
      : undefined;
  if (!type) return undefined;
  const first = current.arguments[0];
  const name = stringOf(first);
  // A first argument that is neither a name nor a config object: not a column builder this reader knows.
  if (first && name === undefined && !ts.isObjectLiteralExpression(unwrap(first))) return undefined;
  // timestamp('at', { withTimezone: true }), timestamp({ withTimezone: true }): the config follows the name, if any.
  const configArgument = current.arguments[name === undefined ? 0 : 1];
  const config = configArgument && unwrap(configArgument);
  const withTimezone =
    !!config &&
    ts.isObjectLiteralExpression(config) &&
    config.properties.some(
      (property) =>
        ts.isPropertyAssignment(property) &&
        ts.isIdentifier(property.name) &&
        property.name.text === 'withTimezone' &&
        property.initializer.kind === ts.SyntaxKind.TrueKeyword,
    );
  const sqlType = type === 'timestamp' && withTimezone ? 'timestamptz' : (SQL_TYPES[type] ?? type.toLowerCase());
  return { name, type: sqlType, modifiers, generated: SERIAL_TYPES.has(type) || modifiers.some((modifier) => GENERATING_MODIFIERS.has(modifier)) };
}

// (t) => [unique().on(t.a, t.b), uniqueIndex('x').on(t.c), primaryKey({ columns: [t.a, t.b] })], or the
// older object form (t) => ({ key: unique().on(t.a) }).
function extraKeys(argument: TS.Expression | undefined): Array<{ kind: 'primary' | 'unique'; properties: string[] }> {
  const fn = argument && unwrap(argument);
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return [];
  const parameter = fn.parameters[0]?.name;
  if (!parameter || !ts.isIdentifier(parameter)) return [];
  let result: TS.Expression | undefined;
  if (ts.isBlock(fn.body)) {
    const returned = fn.body.statements.find(ts.isReturnStatement);
    result = returned?.expression;
  } else result = fn.body;
  if (!result) return [];
  result = unwrap(result);
  const elements: TS.Expression[] = ts.isArrayLiteralExpression(result)
    ? [...result.elements]
    : ts.isObjectLiteralExpression(result)
      ? result.properties.flatMap((property) => (ts.isPropertyAssignment(property) ? [property.initializer] : []))
      : [];
  const keys: Array<{ kind: 'primary' | 'unique'; properties: string[] }> = [];
  const columnOf = (expression: TS.Expression) => {
    const value = unwrap(expression);
    return ts.isPropertyAccessExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === parameter.text ? value.name.text : undefined;
  };
  const columnsOf = (expressions: readonly TS.Expression[]) => {
    const names = expressions.map(columnOf);
    return names.length && names.every((name): name is string => !!name) ? names : undefined;
  };
  for (const element of elements) {
    const links: Array<{ name: string; args: readonly TS.Expression[] }> = [];
    let current = unwrap(element);
    while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
      links.unshift({ name: current.expression.name.text, args: current.arguments });
      current = unwrap(current.expression.expression);
    }
    if (!ts.isCallExpression(current) || !ts.isIdentifier(current.expression)) continue;
    const root = current.expression.text;
    if (root === 'primaryKey' && !links.length) {
      const config = current.arguments[0] && unwrap(current.arguments[0]);
      const listed =
        config && ts.isObjectLiteralExpression(config)
          ? config.properties.find((property) => property.name && ts.isIdentifier(property.name) && property.name.text === 'columns')
          : undefined;
      const array = listed && ts.isPropertyAssignment(listed) ? unwrap(listed.initializer) : undefined;
      const columns = array && ts.isArrayLiteralExpression(array) ? columnsOf(array.elements) : columnsOf(current.arguments);
      if (columns) keys.push({ kind: 'primary', properties: columns });
    } else if (root === 'unique' || root === 'uniqueIndex') {
      // A partial index (.where(…)) is no ON CONFLICT arbiter without its predicate.
      if (links.some((link) => link.name === 'where')) continue;
      const on = links.find((link) => link.name === 'on' || link.name === 'onOnly' || link.name === 'using');
      const columns = on && columnsOf(on.name === 'using' ? on.args.slice(1) : on.args);
      if (columns) keys.push({ kind: 'unique', properties: columns });
    }
  }
  return keys;
}

// (name) => `app_${name}`: the table name a pgTableCreator makes, when its callback is that simple.
function tableNamer(argument: TS.Expression | undefined): ((name: string) => string) | undefined {
  const fn = argument && unwrap(argument);
  if (!fn || !ts.isArrowFunction(fn) || ts.isBlock(fn.body)) return undefined;
  const parameter = fn.parameters[0]?.name;
  const body = unwrap(fn.body);
  if (!parameter || !ts.isIdentifier(parameter)) return undefined;
  if (ts.isIdentifier(body) && body.text === parameter.text) return (name) => name;
  if (!ts.isTemplateExpression(body) || body.templateSpans.length !== 1) return undefined;
  const span = body.templateSpans[0];
  if (!ts.isIdentifier(span.expression) || span.expression.text !== parameter.text) return undefined;
  const head = body.head.text;
  const tail = span.literal.text;
  return (name) => `${head}${name}${tail}`;
}

function objectOf(expression: TS.Expression): TS.ObjectLiteralExpression | undefined {
  const value = unwrap(expression);
  if (ts.isObjectLiteralExpression(value)) return value;
  if ((ts.isArrowFunction(value) || ts.isFunctionExpression(value)) && !ts.isBlock(value.body)) {
    const body = unwrap(value.body);
    return ts.isObjectLiteralExpression(body) ? body : undefined;
  }
  return undefined;
}

function stringOf(expression: TS.Expression | undefined): string | undefined {
  if (!expression) return undefined;
  const value = unwrap(expression);
  return ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) ? value.text : undefined;
}
