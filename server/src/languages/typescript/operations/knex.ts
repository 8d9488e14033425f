// Knex: knex('t').insert(row) with .onConflict('col').ignore() | .merge(); .update({...}) and
// .increment/.decrement('col', n) (computed by the database); .del(); reads (knex('t').where(…).first(),
// knex.select(…).from('t')) with .forUpdate()/.forShare()/.skipLocked()/.noWait(), .orderBy, .limit;
// .where({...}) | .where('col', v) | .where('col', op, v) | .whereIn; .returning(). trx('t') in
// knex.transaction(async (trx) => …) is the same client. Column names are written as PostgreSQL knows
// them. A file whose knex({ client }) is another database's is not judged.

import type * as TS from 'typescript';
import { ts } from '../project';
import type { TsModel } from '../ts-file';
import { afterLink, bareColumn, beforeLink, builderLinks, numberValue, quoted, rangeComparison, tableName } from './builders';
import { objectProperties, stringValue, unwrapExpression, type Chain, type Link } from './chain';
import type { ColumnWrite, DbOperation, LibraryFix, OperationKind, RowCondition } from './operation';
import { readValues } from './chain';

const VERBS: Record<string, OperationKind> = {
  insert: 'insert',
  upsert: 'insert',
  update: 'update',
  increment: 'update',
  decrement: 'update',
  del: 'delete',
  delete: 'delete',
};
const TABLE_LINKS = new Set(['from', 'table', 'into']);
const JOINS = /^(join|innerJoin|leftJoin|leftOuterJoin|rightJoin|rightOuterJoin|fullOuterJoin|outerJoin|crossJoin|joinRaw)$/;
/** Links after which the chain is not run as one statement here (its SQL text, a subquery, a CTE, a union, DDL). */
const NOT_RUN = new Set([
  'toSQL',
  'toString',
  'toQuery',
  'as',
  'clone',
  'stream',
  'pipe',
  'with',
  'withRecursive',
  'withMaterialized',
  'union',
  'unionAll',
  'intersect',
  'except',
  'truncate',
  'columnInfo',
  'raw',
  'transaction',
  'schema',
]);
const LOCKS: Record<string, NonNullable<DbOperation['lock']>['strength']> = {
  forUpdate: 'update',
  forNoKeyUpdate: 'no key update',
  forShare: 'share',
  forKeyShare: 'key share',
};
const POSTGRES_CLIENTS = new Set(['pg', 'postgres', 'postgresql', 'pgnative', 'pg-native', 'cockroachdb']);

export function knexOperation(model: TsModel, chain: Chain): DbOperation | undefined {
  const links = builderLinks(chain);
  if (!links.length || links.some((link) => NOT_RUN.has(link.name)) || !speaksPostgres(model)) return undefined;
  const root = chain.root;
  // knex('payments') / trx('payments'), or knex.from('payments'), knex.insert(row).into('payments').
  let table: string | undefined;
  let tableNode: TS.Node | undefined;
  if (ts.isCallExpression(root)) {
    table = stringValue(root.arguments[0]);
    tableNode = root.arguments[0];
  } else if (ts.isPropertyAccessExpression(root) && ['schema', 'fn', 'migrate', 'seed', 'client'].includes(root.name.text)) return undefined;
  for (const link of links) {
    if (!TABLE_LINKS.has(link.name) || table !== undefined) continue;
    table = stringValue(link.args[0]);
    tableNode = link.args[0];
  }
  if (!table || !tableNode) return undefined;
  table = tableName(table);
  const schema = stringValue(links.find((link) => link.name === 'withSchema')?.args[0]);
  if (schema && !table.includes('.')) table = `${schema}.${table}`;
  const verbLink = links.find((link) => link.name in VERBS);
  const kind = verbLink ? VERBS[verbLink.name] : 'read';
  if (kind === 'read' && links.some((link) => JOINS.test(link.name))) return undefined;
  const source = model.node;
  const writes: ColumnWrite[] = [];
  const opaqueValues: TS.Expression[] = [];
  let where: RowCondition[] = [];
  const orderBy: string[] = [];
  let conflict: DbOperation['conflict'];
  let lock: DbOperation['lock'];
  let limit: number | undefined;
  let returning = false;
  let disjunction = false;
  for (const link of links) {
    switch (link.name) {
      case 'insert':
      case 'upsert':
        readValues(link.args[0], writes, opaqueValues);
        if (link.args[1]) returning = true;
        // knex's upsert is INSERT … ON CONFLICT (primary key) DO UPDATE on PostgreSQL.
        if (link.name === 'upsert') conflict = { columns: [], action: 'update' };
        break;
      case 'update': {
        const [first, second] = link.args;
        const column = stringValue(first);
        if (column !== undefined) writes.push({ column: bareColumn(column), value: second, node: first });
        else {
          readValues(first, writes, opaqueValues);
          if (second) returning = true;
        }
        break;
      }
      case 'increment':
      case 'decrement': {
        const operator = link.name === 'increment' ? '+' : '-';
        const column = stringValue(link.args[0]);
        if (column !== undefined)
          writes.push({ column: bareColumn(column), value: link.args[1], node: link.args[0], atomic: { operator, amount: link.args[1] ?? link.args[0] } });
        else
          for (const entry of objectProperties(link.args[0]) ?? [])
            writes.push({ column: entry.name, value: entry.value, node: entry.node, atomic: { operator, amount: entry.value } });
        break;
      }
      case 'where':
      case 'andWhere':
        readWhere(link, where);
        break;
      case 'whereIn': {
        const column = stringValue(link.args[0]);
        where.push(
          column !== undefined ? { column: bareColumn(column), operator: 'in', value: link.args[1] } : { column: '', operator: 'other', value: link.call },
        );
        break;
      }
      case 'whereBetween': {
        const column = stringValue(link.args[0]);
        where.push(
          column !== undefined ? { column: bareColumn(column), operator: 'range', value: link.args[1] } : { column: '', operator: 'other', value: link.call },
        );
        break;
      }
      case 'first':
        limit = 1;
        break;
      case 'limit':
        limit = numberValue(link.args[0]);
        break;
      case 'orderBy':
        orderBy.push(...orderColumns(link.args[0]));
        break;
      case 'orderByRaw':
        orderBy.push('?');
        break;
      case 'returning':
        returning = true;
        break;
      case 'onConflict': {
        const columns = columnList(link.args[0]);
        const next = links[links.indexOf(link) + 1];
        conflict = { columns: columns ?? [], action: next?.name === 'ignore' ? 'nothing' : 'update' };
        break;
      }
      case 'skipLocked':
        if (lock) lock.skipLocked = true;
        break;
      case 'noWait':
        if (lock) lock.noWait = true;
        break;
      default:
        if (link.name in LOCKS) lock = { strength: LOCKS[link.name], skipLocked: false };
        else if (/^or[A-Z]/.test(link.name)) disjunction = true;
        else if (/^where|^andWhere|^having/.test(link.name) && link.name !== 'whereIn') where.push({ column: '', operator: 'other', value: link.call });
    }
  }
  // An OR makes the conditions no conjunction: none of them pins the rows.
  if (disjunction) where = [{ column: '', operator: 'other', value: undefined }];
  const insertLink = links.find((link) => link.name === 'insert');
  const updateLink = links.find((link) => link.name === 'update');
  const lockLink = links.find((link) => link.name in LOCKS);
  const lastLink = links[links.length - 1];
  return {
    library: 'knex',
    kind,
    table,
    call: chain.outermost,
    verb: verbLink?.nameNode ?? tableNode,
    tableNode,
    writes,
    opaqueValues,
    where,
    conflict,
    lock,
    orderBy,
    limit,
    returning,
    fixes: {
      // .insert(row) → .insert(row).onConflict('stripe_event_id').ignore()
      onConflictDoNothing: (columns) => {
        if (!insertLink || !columns.length) return undefined;
        const target = columns.length === 1 ? quoted(source, columns[0]) : `[${columns.map((column) => quoted(source, column)).join(', ')}]`;
        const code = `.onConflict(${target}).ignore()`;
        return { edits: [afterLink(insertLink, code)], label: code, keepsResult: true };
      },
      // .update({ balance: acc.balance - cost }) → .decrement('balance', cost), where that is all the update sets.
      atomicUpdate: (write, operator, amount): LibraryFix | undefined => {
        if (!updateLink || updateLink.args.length !== 1 || links.some((link) => link.name === 'increment' || link.name === 'decrement')) return undefined;
        const properties = objectProperties(updateLink.args[0]);
        if (!properties || properties.length !== 1 || properties[0].node !== write.node || !ts.isPropertyAssignment(write.node)) return undefined;
        const code = `${operator === '+' ? 'increment' : 'decrement'}(${quoted(source, properties[0].name)}, ${amount.getText(source)})`;
        return { edits: [{ start: updateLink.nameNode.getStart(source), end: updateLink.call.getEnd(), text: code }], label: `.${code}`, keepsResult: true };
      },
      lockForUpdate: () => (kind === 'read' && !lock ? { edits: [afterLink(lastLink, '.forUpdate()')], label: '.forUpdate()', keepsResult: true } : undefined),
      orderBy: (columns) => {
        if (!lockLink || !columns.length) return undefined;
        const code = `.orderBy(${columns.length === 1 ? quoted(source, columns[0]) : `[${columns.map((column) => quoted(source, column)).join(', ')}]`})`;
        return { edits: [beforeLink(lockLink, code)], label: code, keepsResult: true };
      },
    },
  };
}

// .where({ id, status: 'paid' }) | .where('id', id) | .where('id', '=', id) | .where('n', '<', 5) | .where(fn);
// a condition not read keeps its code (it may be a compare-and-set the rules must not overlook).
function readWhere(link: Link, out: RowCondition[]): void {
  const args = link.args;
  const other = () => out.push({ column: '', operator: 'other', value: link.call });
  const column = stringValue(args[0]);
  if (args.length === 1) {
    const properties = objectProperties(args[0]);
    const object = unwrapExpression(args[0]);
    if (!properties || (ts.isObjectLiteralExpression(object) && object.properties.length !== properties.length)) return void other();
    for (const entry of properties) out.push({ column: bareColumn(entry.name), operator: '=', value: entry.value });
    return;
  }
  if (column === undefined) return void other();
  if (args.length === 2) {
    if (unwrapExpression(args[1]).kind === ts.SyntaxKind.NullKeyword) return void other();
    out.push({ column: bareColumn(column), operator: '=', value: args[1] });
    return;
  }
  const operator = stringValue(args[1])?.toLowerCase();
  const comparison = rangeComparison(operator);
  if (operator === '=') out.push({ column: bareColumn(column), operator: '=', value: args[2] });
  else if (operator === 'in') out.push({ column: bareColumn(column), operator: 'in', value: args[2] });
  else if (comparison) out.push({ column: bareColumn(column), operator: 'range', value: args[2], comparison });
  else other();
}

// 'id' | ['a', 'b'] | [{ column: 'a', order: 'desc' }]
function orderColumns(argument: TS.Expression | undefined): string[] {
  const single = stringValue(argument);
  if (single !== undefined) return [bareColumn(single)];
  const list = argument && unwrapExpression(argument);
  if (!list || !ts.isArrayLiteralExpression(list)) return ['?'];
  const columns = list.elements.map(
    (element) => stringValue(element) ?? stringValue(objectProperties(element)?.find((entry) => entry.name === 'column')?.value),
  );
  return columns.length ? columns.map((column) => (column ? bareColumn(column) : '?')) : ['?'];
}

function columnList(argument: TS.Expression | undefined): string[] | undefined {
  const single = stringValue(argument);
  if (single !== undefined) return [bareColumn(single)];
  const list = argument && unwrapExpression(argument);
  if (!list || !ts.isArrayLiteralExpression(list)) return undefined;
  const columns = list.elements.map((element) => stringValue(element));
  return columns.every((column): column is string => column !== undefined) ? columns.map(bareColumn) : undefined;
}

const dialects = new WeakMap<TsModel, boolean>();

// knex({ client: 'mysql2' }) in this file, and no PostgreSQL client beside it: another database.
function speaksPostgres(model: TsModel): boolean {
  let known = dialects.get(model);
  if (known === undefined) {
    let postgres = false;
    let other = false;
    for (const scope of model.functions) {
      for (const site of scope.calls) {
        // The factory call, knex({ client }) — not a query's values ({ client: 'acme' } inserted somewhere).
        if (site.kind !== 'knex' || !ts.isCallExpression(site.node) || !ts.isIdentifier(site.node.expression)) continue;
        const client = site.node.arguments[0] && stringValue(objectProperties(site.node.arguments[0])?.find((entry) => entry.name === 'client')?.value);
        if (client === undefined) continue;
        if (POSTGRES_CLIENTS.has(client)) postgres = true;
        else other = true;
      }
    }
    known = postgres || !other;
    dialects.set(model, known);
  }
  return known;
}
