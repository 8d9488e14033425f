// What a TypeScript call does, for the application-side rules: a database write (SQL or a query
// builder/ORM), a network call, an external side effect (email, SMS, payment, HTTP POST), a publish to
// a broker. Heuristics by client kind (from imports) and by names; lists are settings where users
// have their own names.

import type * as TS from 'typescript';
import { spendWork } from '../../core/budget';
import type { EmbeddedSql } from '../../languages/typescript/embedded-sql';
import { ts } from '../../languages/typescript/project';
import { dottedName, type CallSite, type TsModel } from '../../languages/typescript/ts-file';
import type { SqlStatement } from '../../languages/sql/statement';
import type { RuleContext } from '../../core/rule';
import { matchesAny } from '../../core/names';

const SQL_WRITES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
/** Query-builder / ORM methods that write. */
const BUILDER_WRITES = new Set([
  'insert',
  'upsert',
  'update',
  'delete',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'create',
  'createMany',
  'updateMany',
  'deleteMany',
  'del',
  'merge',
  'onConflict',
]);
const ORM_KINDS = new Set(['prisma', 'supabase', 'knex', 'kysely', 'drizzle']);

export interface TsEffects {
  /** SQL statements a call runs (embedded literal of the call), in order. */
  sqlOf(call: CallSite['node']): SqlStatement[];
  /** The embedded literal a call runs, if any. */
  embeddedOf(call: CallSite['node']): EmbeddedSql | undefined;
  /** True when the call writes to the database (SQL INSERT/UPDATE/DELETE or an ORM/builder write). */
  isDatabaseWrite(call: CallSite): boolean;
  /** Table names a call writes to, when known. */
  writtenTables(call: CallSite): string[];
}

/** Effects of the calls of a document, computed once per lint run. */
export function tsEffects(context: RuleContext): TsEffects {
  return context.memo('tsEffects', () => {
    const byCall = new Map<TS.Node, EmbeddedSql>();
    for (const entry of context.embedded) if (entry.call) byCall.set(entry.call, entry);
    const statementsOf = new Map<EmbeddedSql, SqlStatement[]>();
    for (const statement of context.sql.statements) {
      const entry = embeddedOfStatement(statement, context.embedded);
      if (entry) statementsOf.set(entry, [...(statementsOf.get(entry) ?? []), statement]);
    }
    const effects: TsEffects = {
      embeddedOf: (call) => byCall.get(call),
      sqlOf: (call) => {
        const entry = byCall.get(call);
        return entry ? (statementsOf.get(entry) ?? []) : [];
      },
      isDatabaseWrite: (call) => {
        if (effects.sqlOf(call.node).some((statement) => SQL_WRITES.has(statement.kind))) return true;
        // supabase.rpc('record_payment', …): a write when the workspace's function of that name writes.
        if (call.kind === 'supabase' && call.method === 'rpc' && ts.isCallExpression(call.node)) {
          const name = call.node.arguments[0];
          return !!name && ts.isStringLiteralLike(name) && context.schema.functionWrites.get(name.text) === true;
        }
        return !!call.kind && ORM_KINDS.has(call.kind) && BUILDER_WRITES.has(call.method) && !ts.isTaggedTemplateExpression(call.node);
      },
      writtenTables: (call) => {
        const tables = effects
          .sqlOf(call.node)
          .filter((statement) => SQL_WRITES.has(statement.kind))
          .map((statement) => String(statement.relation()?.relname ?? ''));
        const fromTable = supabaseTable(call) ?? prismaModel(call);
        return fromTable ? [...tables, fromTable] : tables;
      },
    };
    return effects;
  });
}

/** The embedded literal a SQL statement was parsed from. */
export function embeddedOfStatement(statement: SqlStatement, embedded: readonly EmbeddedSql[]): EmbeddedSql | undefined {
  // Indexed once per list: a search of the list per statement made files of many queries quadratic.
  let byText = embeddedByText.get(embedded);
  if (!byText) embeddedByText.set(embedded, (byText = new Map(embedded.map((entry) => [entry.text, entry] as const).reverse())));
  for (let text = statement.source.parent; text; text = text.parent) {
    spendWork();
    const entry = byText.get(text);
    if (entry) return entry;
  }
  return undefined;
}

const embeddedByText = new WeakMap<readonly EmbeddedSql[], Map<unknown, EmbeddedSql>>();

// supabase.from('payments').insert(...): the table is the argument of .from().
function supabaseTable(call: CallSite): string | undefined {
  if (!ts.isCallExpression(call.node) || !ts.isPropertyAccessExpression(call.node.expression)) return undefined;
  let receiver: TS.Expression = call.node.expression.expression;
  while (ts.isCallExpression(receiver)) {
    const callee = receiver.expression;
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'from' && receiver.arguments[0] && ts.isStringLiteralLike(receiver.arguments[0]))
      return receiver.arguments[0].text;
    receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : callee;
  }
  return undefined;
}

// prisma.payment.create(...): the model is the property before the method.
function prismaModel(call: CallSite): string | undefined {
  if (call.kind !== 'prisma') return undefined;
  const parts = call.callee.split('.');
  return parts.length >= 3 ? parts[parts.length - 2] : undefined;
}

/** The value of a property of an object literal argument, by name. */
export function objectProperty(object: TS.Node | undefined, name: string): TS.Expression | undefined {
  if (!object || !ts.isObjectLiteralExpression(object)) return undefined;
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && propertyNameText(property.name) === name) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return property.name;
  }
  return undefined;
}

export function propertyNameText(name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return undefined;
}

/** The callee's dotted name matches one of the patterns (e.g. "*.publish", "producer.send"). */
export function calleeMatches(call: CallSite, patterns: readonly string[]): boolean {
  return matchesAny(
    call.callee,
    patterns.map((pattern) => (pattern.includes('*') ? pattern : `*${pattern}`)),
  );
}

/** Range of a node in the document (UTF-16 offsets). */
export function nodeRange(model: TsModel, node: TS.Node): { start: number; end: number } {
  return { start: node.getStart(model.node), end: node.getEnd() };
}

export { dottedName, ts };
