// Kysely: db.insertInto('t').values(row).onConflict((oc) => oc.column('c').doNothing() | .doUpdateSet(…));
// db.updateTable('t').set({...}) (computed by the database through `(eb) => eb('n', '+', 1)` or sql`n + 1`);
// db.deleteFrom('t'); db.selectFrom('t')….forUpdate()/.forShare()/.skipLocked()/.noWait(), .orderBy,
// .limit; .where('col', op, value); .returning()/.returningAll(); each run by .execute*() — a chain
// without one only builds a query, run elsewhere. trx in db.transaction().execute(async (trx) => …) is
// the same client. Column names are PostgreSQL's, or snake_case under CamelCasePlugin in this file.

import type * as TS from 'typescript';
import { ts } from '../project';
import type { TsModel } from '../ts-file';
import { bareColumn, beforeLink, builderLinks, numberValue, quoted, rangeComparison, tableName } from './builders';
import { hasSpread, objectProperties, readValues, stringValue, unwrapExpression, type Chain, type Link } from './chain';
import type { ColumnWrite, DbOperation, LibraryFix, OperationKind, RowCondition } from './operation';

const VERBS: Record<string, OperationKind> = { insertInto: 'insert', updateTable: 'update', deleteFrom: 'delete', selectFrom: 'read' };
const EXECUTE = new Set(['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow']);
const JOINS = /^(innerJoin|leftJoin|rightJoin|fullJoin|crossJoin)(Lateral)?$/;
/** Links whose effect on the query cannot be read here ($if(cond, (qb) => qb.forUpdate())), or that make it another statement. */
const UNREADABLE = new Set(['$if', '$call', 'modifyEnd', 'modifyFront', 'with', 'withRecursive', 'union', 'unionAll', 'intersect', 'except', 'top', 'output']);
const LOCKS: Record<string, NonNullable<DbOperation['lock']>['strength']> = {
  forUpdate: 'update',
  forNoKeyUpdate: 'no key update',
  forShare: 'share',
  forKeyShare: 'key share',
};

export function kyselyOperation(model: TsModel, chain: Chain): DbOperation | undefined {
  const links = builderLinks(chain);
  const executeLink = links[links.length - 1];
  if (!executeLink || !EXECUTE.has(executeLink.name) || links.some((link) => UNREADABLE.has(link.name))) return undefined;
  const verbIndex = links.findIndex((link) => link.name in VERBS);
  // withSchema('billing') may come first; anything else before the verb is not a query of this client.
  if (verbIndex < 0 || links.slice(0, verbIndex).some((link) => link.name !== 'withSchema')) return undefined;
  const verbLink = links[verbIndex];
  const kind = VERBS[verbLink.name];
  const written = stringValue(verbLink.args[0]);
  if (!written || (kind === 'read' && links.some((link) => JOINS.test(link.name)))) return undefined;
  let table = tableName(written);
  const schema = stringValue(links.find((link) => link.name === 'withSchema')?.args[0]);
  if (schema && !table.includes('.')) table = `${schema}.${table}`;
  const source = model.node;
  const camelCase = usesCamelCasePlugin(model);
  const column = (name: string) => (camelCase ? snakeCase(bareColumn(name)) : bareColumn(name));
  const writes: ColumnWrite[] = [];
  const opaqueValues: TS.Expression[] = [];
  const where: RowCondition[] = [];
  const orderBy: string[] = [];
  let conflict: DbOperation['conflict'];
  let lock: DbOperation['lock'];
  let limit: number | undefined;
  let returning = false;
  for (const link of links.slice(verbIndex + 1)) {
    if (link.name === 'values') readValues(link.args[0], writes, opaqueValues, column);
    else if (link.name === 'set') readSet(link.args, column, writes, opaqueValues);
    else if (link.name === 'where') readWhere(link, column, where);
    else if (/^(where|having)/.test(link.name) || link.name === 'from' || link.name === 'using')
      where.push({ column: '', operator: 'other', value: link.call });
    else if (link.name === 'returning' || link.name === 'returningAll') returning = true;
    else if (link.name === 'orderBy') orderBy.push(stringValue(link.args[0]) !== undefined ? column(stringValue(link.args[0])!) : '?');
    else if (link.name === 'limit') limit = numberValue(link.args[0]);
    else if (link.name in LOCKS) lock = { strength: LOCKS[link.name], skipLocked: lock?.skipLocked ?? false, noWait: lock?.noWait };
    else if (link.name === 'skipLocked' && lock) lock.skipLocked = true;
    else if (link.name === 'noWait' && lock) lock.noWait = true;
    else if (link.name === 'onConflict') conflict = conflictOf(link.args[0], column);
    else if (link.name === 'ignore' || link.name === 'orIgnore') conflict = { columns: [], action: 'nothing' };
    else if (link.name === 'onDuplicateKeyUpdate') conflict = { columns: [], action: 'update' };
  }
  const valuesLink = links.find((link) => link.name === 'values');
  const setLink = links.find((link) => link.name === 'set');
  const lockLink = links.find((link) => link.name in LOCKS);
  // The name the code gives a column: under CamelCasePlugin, camelCase of the SQL name.
  const codeName = (name: string): string | undefined => {
    if (!camelCase) return name;
    const camel = name.replace(/_([a-z0-9])/g, (_whole, letter: string) => letter.toUpperCase());
    return snakeCase(camel) === name ? camel : undefined;
  };
  return {
    library: 'kysely',
    kind,
    table,
    call: chain.outermost,
    verb: verbLink.nameNode,
    tableNode: verbLink.args[0],
    writes,
    opaqueValues,
    where,
    conflict,
    lock,
    orderBy,
    limit,
    returning,
    fixes: {
      // .values(row) → .values(row).onConflict((oc) => oc.column('stripe_event_id').doNothing())
      onConflictDoNothing: (columns) => {
        const names = columns.map(codeName);
        if (!valuesLink || !names.length || !names.every((name): name is string => !!name)) return undefined;
        const target = names.length === 1 ? `oc.column(${quoted(source, names[0])})` : `oc.columns([${names.map((name) => quoted(source, name)).join(', ')}])`;
        const code = `.onConflict((oc) => ${target}.doNothing())`;
        return { edits: [{ start: valuesLink.call.getEnd(), end: valuesLink.call.getEnd(), text: code }], label: code, keepsResult: true };
      },
      // balance: acc.balance - cost → balance: (eb) => eb('balance', '-', cost)
      atomicUpdate: (write, operator, amount): LibraryFix | undefined => {
        if (!setLink || !write.value || !ts.isPropertyAssignment(write.node) || !(ts.isIdentifier(write.node.name) || ts.isStringLiteral(write.node.name)))
          return undefined;
        const builder = setBuilderName(setLink);
        const reference = `${quoted(source, write.node.name.text)}, ${quoted(source, operator)}, ${amount.getText(source)}`;
        const code = builder ? `${builder}(${reference})` : `(eb) => eb(${reference})`;
        return { edits: [{ start: write.value.getStart(source), end: write.value.getEnd(), text: code }], label: code, keepsResult: true };
      },
      lockForUpdate: () =>
        kind === 'read' && !lock ? { edits: [beforeLink(executeLink, '.forUpdate()')], label: '.forUpdate()', keepsResult: true } : undefined,
      orderBy: (columns) => {
        const names = columns.map(codeName);
        if (!lockLink || !names.length || !names.every((name): name is string => !!name)) return undefined;
        const code = names.map((name) => `.orderBy(${quoted(source, name)})`).join('');
        return { edits: [beforeLink(lockLink, code)], label: code, keepsResult: true };
      },
    },
  };
}

// .set({ n: v }) | .set((eb) => ({ n: eb('n', '+', 1) })) | .set('n', v)
function readSet(args: readonly TS.Expression[], column: (name: string) => string, writes: ColumnWrite[], opaque: TS.Expression[]): void {
  const [first, second] = args;
  const single = stringValue(first);
  if (single !== undefined) {
    const write: ColumnWrite = { column: column(single), value: second, node: first };
    const atomic = second && databaseComputed(second, bareColumn(single), undefined);
    if (atomic) write.atomic = atomic;
    writes.push(write);
    return;
  }
  let object = first && unwrapExpression(first);
  let builder: string | undefined;
  if (object && (ts.isArrowFunction(object) || ts.isFunctionExpression(object)) && !ts.isBlock(object.body)) {
    const parameter = object.parameters[0]?.name;
    builder = parameter && ts.isIdentifier(parameter) ? parameter.text : undefined;
    object = unwrapExpression(object.body);
  }
  const properties = object && ts.isObjectLiteralExpression(object) && !hasSpread(object) ? objectProperties(object) : undefined;
  if (!properties) {
    if (first) opaque.push(first);
    return;
  }
  for (const entry of properties) {
    const write: ColumnWrite = { column: column(entry.name), value: entry.value, node: entry.node };
    const atomic = databaseComputed(entry.value, entry.name, builder);
    if (atomic) write.atomic = atomic;
    writes.push(write);
  }
}

// eb('balance', '-', cost), (eb) => eb('balance', '-', cost), sql`balance - ${cost}`: the database
// computes the value from the column. Any other expression builder or sql fragment that starts from the
// column is computed there too.
function databaseComputed(value: TS.Expression, name: string, builder: string | undefined): ColumnWrite['atomic'] {
  const expression = unwrapExpression(value);
  if ((ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) && !ts.isBlock(expression.body)) {
    const parameter = expression.parameters[0]?.name;
    return parameter && ts.isIdentifier(parameter) ? databaseComputed(expression.body, name, parameter.text) : undefined;
  }
  if (ts.isCallExpression(expression) && builder && ts.isIdentifier(expression.expression) && expression.expression.text === builder) {
    const [left, operator, right] = expression.arguments;
    if (stringValue(left) === undefined || bareColumn(stringValue(left)!) !== name || !right) return undefined;
    return { operator: stringValue(operator) === '-' ? '-' : '+', amount: right };
  }
  if (ts.isTaggedTemplateExpression(expression) && ts.isIdentifier(expression.tag) && expression.tag.text === 'sql') {
    const template = expression.template;
    const head = ts.isTemplateExpression(template) ? template.head.text : template.text;
    const match = /^\s*"?(\w+)"?\s*([+-])?\s*$/.exec(head);
    if (!match || match[1] !== name) return undefined;
    const amount = ts.isTemplateExpression(template) ? template.templateSpans[0].expression : expression;
    return { operator: match[2] === '-' ? '-' : '+', amount };
  }
  return undefined;
}

// .where('id', '=', id) | .where('n', '<', 5) | .where('id', 'in', ids); a callback or a fragment is a
// condition the rules cannot read, kept with its code.
function readWhere(link: Link, column: (name: string) => string, out: RowCondition[]): void {
  const args = link.args;
  const name = stringValue(args[0]);
  const operator = stringValue(args[1])?.toLowerCase();
  const comparison = rangeComparison(operator);
  if (args.length !== 3 || name === undefined) out.push({ column: '', operator: 'other', value: link.call });
  else if (operator === '=') out.push({ column: column(name), operator: '=', value: args[2] });
  else if (operator === 'in') out.push({ column: column(name), operator: 'in', value: args[2] });
  else if (comparison) out.push({ column: column(name), operator: 'range', value: args[2], comparison });
  else out.push({ column: '', operator: 'other', value: link.call });
}

// (oc) => oc.column('c').doNothing() | oc.columns(['a', 'b']).doUpdateSet(…) | oc.constraint('k').doNothing()
function conflictOf(argument: TS.Expression | undefined, column: (name: string) => string): DbOperation['conflict'] {
  const fn = argument && unwrapExpression(argument);
  let body = fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && !ts.isBlock(fn.body) ? unwrapExpression(fn.body) : undefined;
  let action: 'nothing' | 'update' = 'update';
  const columns: string[] = [];
  let known = true;
  while (body && ts.isCallExpression(body) && ts.isPropertyAccessExpression(body.expression)) {
    const name = body.expression.name.text;
    if (name === 'doNothing') action = 'nothing';
    else if (name === 'column') {
      const value = stringValue(body.arguments[0]);
      if (value === undefined) known = false;
      else columns.unshift(column(value));
    } else if (name === 'columns') {
      const list = body.arguments[0] && unwrapExpression(body.arguments[0]);
      const values = list && ts.isArrayLiteralExpression(list) ? list.elements.map((element) => stringValue(element)) : [undefined];
      if (values.every((value): value is string => value !== undefined)) columns.unshift(...values.map(column));
      else known = false;
    } else if (name === 'constraint' || name === 'expression') known = false;
    body = unwrapExpression(body.expression.expression);
  }
  return { columns: known ? columns : [], action };
}

/** The expression builder's name when .set takes a callback ((eb) => ({ … })). */
function setBuilderName(link: Link): string | undefined {
  const fn = link.args[0] && unwrapExpression(link.args[0]);
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return undefined;
  const parameter = fn.parameters[0]?.name;
  return parameter && ts.isIdentifier(parameter) ? parameter.text : undefined;
}

const camelCasePlugins = new WeakMap<TsModel, boolean>();

function usesCamelCasePlugin(model: TsModel): boolean {
  let known = camelCasePlugins.get(model);
  if (known === undefined) {
    known = [...model.imports.values()].some((binding) => binding.imported === 'CamelCasePlugin' && /^(npm:)?kysely(@.*)?$/.test(binding.module));
    camelCasePlugins.set(model, known);
  }
  return known;
}

/** CamelCasePlugin's mapping: stripeEventId → stripe_event_id. */
function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
