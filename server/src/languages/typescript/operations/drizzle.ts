// Drizzle (pg-core): db.insert(payments).values(row).onConflictDoNothing({ target }) |
// .onConflictDoUpdate({ target, set }) | .returning(); db.update(t).set({...}).where(eq(t.id, id));
// db.delete(t).where(…); db.select().from(t).where(…).orderBy(t.id).limit(n).for('update');
// db.query.t.findFirst({ where }). Tables are objects declared with pgTable, in the file or in another
// module of the project (ProjectContext.tableDefinition); their JS properties map to columns, and
// their keys join the schema the rules see. A table that cannot be resolved is no operation: its SQL
// name would be a guess.

import type * as TS from 'typescript';
import { drizzleColumn, drizzleProperty, drizzleTableFact, readDrizzleTables, type DrizzleCasing, type DrizzleTable } from '../../../schema/drizzle';
import type { Edit } from '../../../core/rule';
import { ts } from '../project';
import { isProjectModule, type TsModel } from '../ts-file';
import { afterLink, beforeLink, builderLinks, numberValue } from './builders';
import { hasSpread, objectProperties, property, readValues, stringValue, unwrapExpression, type Chain, type Link } from './chain';
import type { ColumnWrite, DbOperation, LibraryFix, OperationKind, RowCondition } from './operation';

const VERBS: Record<string, OperationKind> = {
  insert: 'insert',
  update: 'update',
  delete: 'delete',
  select: 'read',
  selectDistinct: 'read',
  selectDistinctOn: 'read',
};
const JOINS = /^(inner|left|right|full|cross)Join(Lateral)?$|^join$/;
/** Links after which the chain is not run here (a subquery, a prepared statement, the SQL text). */
const NOT_RUN = new Set(['as', 'prepare', 'toSQL', 'getSQL', '$dynamic']);
const STRENGTHS = new Set(['update', 'no key update', 'share', 'key share']);
const COMPARISONS: Record<string, '<' | '<=' | '>' | '>='> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };
const DRIZZLE_MODULE = /^(npm:)?drizzle-orm(@[^/]*)?(\/.*)?$/;

interface ResolvedTable {
  definition: DrizzleTable;
  /** The table expression as written (`payments`, `schema.payments`), for fixes that name its columns. */
  code: string;
  node: TS.Expression;
}

export function drizzleOperation(model: TsModel, chain: Chain): DbOperation | undefined {
  const links = builderLinks(chain);
  if (!links.length || links.some((link) => NOT_RUN.has(link.name))) return undefined;
  const root = chain.root;
  // db.query.accounts.findFirst({ where }): the relational query API, reads only.
  if (ts.isPropertyAccessExpression(root) && ts.isPropertyAccessExpression(root.expression) && root.expression.name.text === 'query') {
    return links.length === 1 && (links[0].name === 'findFirst' || links[0].name === 'findMany') ? relationalRead(model, chain, root, links[0]) : undefined;
  }
  const verbLink = links[0];
  const kind = VERBS[verbLink.name];
  if (!kind) return undefined;
  const tableLink = kind === 'read' ? links.find((link) => link.name === 'from') : verbLink;
  if (!tableLink || !tableLink.args[0]) return undefined;
  // A join reads several tables: the rendered statement names one, so it says nothing here.
  if (kind === 'read' && links.some((link) => JOINS.test(link.name))) return undefined;
  const resolved = resolveTable(model, tableLink.args[0]);
  if (!resolved) return undefined;
  const casing = casingOf(model);
  const source = model.node;
  const { definition } = resolved;
  const column = (name: string) => drizzleColumn(definition, name, casing) ?? name;
  const columnOf = columnReference(resolved.code);
  const writes: ColumnWrite[] = [];
  const opaqueValues: TS.Expression[] = [];
  const where: RowCondition[] = [];
  const orderBy: string[] = [];
  let conflict: DbOperation['conflict'];
  let lock: DbOperation['lock'];
  let limit: number | undefined;
  let returning = false;
  const valuesLink = links.find((link) => link.name === 'values');
  const setLink = links.find((link) => link.name === 'set');
  if (kind === 'insert') readValues(valuesLink?.args[0], writes, opaqueValues, column);
  if (kind === 'update') readSet(setLink?.args[0], column, resolved.code, writes, opaqueValues);
  for (const link of links.slice(1)) {
    if (link.name === 'where') readCondition(link.args[0], (expression) => columnOf(expression, column), where);
    else if (link.name === 'returning') returning = true;
    else if (link.name === 'onConflictDoNothing' || link.name === 'onConflictDoUpdate') {
      const target = property(link.args[0], 'target');
      const targets = target
        ? ts.isArrayLiteralExpression(unwrapExpression(target))
          ? [...(unwrapExpression(target) as TS.ArrayLiteralExpression).elements]
          : [target]
        : [];
      const columns = targets.map((expression) => columnOf(expression, column));
      conflict = {
        columns: columns.every((name): name is string => !!name) ? columns : [],
        action: link.name === 'onConflictDoNothing' ? 'nothing' : 'update',
      };
    } else if (link.name === 'orderBy') orderBy.push(...(link.args.length ? link.args.map((argument) => orderColumn(argument, columnOf, column)) : ['?']));
    else if (link.name === 'limit') limit = numberValue(link.args[0]);
    else if (link.name === 'for') {
      const strength = stringValue(link.args[0]);
      if (!strength || !STRENGTHS.has(strength)) return undefined;
      const options = link.args[1];
      const flag = (name: string) => property(options, name)?.kind === ts.SyntaxKind.TrueKeyword;
      lock = { strength: strength as NonNullable<DbOperation['lock']>['strength'], skipLocked: flag('skipLocked'), noWait: flag('noWait') };
    } else if (link.name === 'from' && kind === 'update') where.push({ column: '', operator: 'other', value: link.call });
  }
  const lockLink = links.find((link) => link.name === 'for');
  const lastLink = links[links.length - 1];
  return {
    library: 'drizzle',
    kind,
    table: definition.table,
    call: chain.outermost,
    verb: verbLink.nameNode,
    tableNode: resolved.node,
    writes,
    opaqueValues,
    where,
    conflict,
    lock,
    orderBy,
    limit,
    returning,
    declaredTable: drizzleTableFact(definition, casing),
    fixes: {
      // .values(row) → .values(row).onConflictDoNothing({ target: payments.stripeEventId })
      onConflictDoNothing: (columns) => {
        if (kind !== 'insert' || !valuesLink) return undefined;
        const target = columnCode(resolved, columns, casing);
        if (!target) return undefined;
        const code = `.onConflictDoNothing({ target: ${target} })`;
        return { edits: [afterLink(valuesLink, code)], label: code, keepsResult: true };
      },
      // balance: acc.balance - cost → balance: sql`${accounts.balance} - ${cost}`
      atomicUpdate: (write, operator, amount) => {
        if (kind !== 'update' || !write.value || !ts.isPropertyAssignment(write.node)) return undefined;
        const name = write.node.name;
        if (!(ts.isIdentifier(name) || ts.isStringLiteral(name))) return undefined;
        const tag = sqlTag(model);
        if (!tag) return undefined;
        const code = `${tag.name}\`\${${resolved.code}.${name.text}} ${operator} \${${amount.getText(source)}}\``;
        return { edits: [{ start: write.value.getStart(source), end: write.value.getEnd(), text: code }, ...tag.edits], label: code, keepsResult: true };
      },
      lockForUpdate: (): LibraryFix | undefined => {
        if (kind !== 'read' || lock) return undefined;
        const code = ".for('update')";
        return { edits: [lastLink.name === 'execute' ? beforeLink(lastLink, code) : afterLink(lastLink, code)], label: code, keepsResult: true };
      },
      orderBy: (columns) => {
        const target = lockLink && columnCode(resolved, columns, casing, true);
        if (!lockLink || !target) return undefined;
        const code = `.orderBy(${target})`;
        return { edits: [beforeLink(lockLink, code)], label: code, keepsResult: true };
      },
    },
  };
}

// db.query.accounts.findFirst({ where: eq(accounts.id, id) }) or where: (accounts, { eq }) => eq(accounts.id, id).
function relationalRead(model: TsModel, chain: Chain, root: TS.PropertyAccessExpression, link: Link): DbOperation | undefined {
  const options = link.args[0];
  const condition = property(options, 'where');
  const resolved = resolveTable(model, root.name, root.name.text);
  if (!resolved) return undefined;
  const casing = casingOf(model);
  const column = (name: string) => drizzleColumn(resolved.definition, name, casing) ?? name;
  const where: RowCondition[] = [];
  const fn = condition && unwrapExpression(condition);
  if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
    const parameter = fn.parameters[0]?.name;
    const body = ts.isBlock(fn.body) ? undefined : fn.body;
    if (parameter && ts.isIdentifier(parameter) && body) readCondition(body, (expression) => columnReference(parameter.text)(expression, column), where);
    else where.push({ column: '', operator: 'other', value: fn });
  } else if (condition) readCondition(condition, (expression) => columnReference(resolved.code)(expression, column), where);
  return {
    library: 'drizzle',
    kind: 'read',
    table: resolved.definition.table,
    call: chain.outermost,
    verb: link.nameNode,
    tableNode: root.name,
    writes: [],
    opaqueValues: [],
    where,
    orderBy: property(options, 'orderBy') ? ['?'] : [],
    limit: link.name === 'findFirst' ? 1 : numberValue(property(options, 'limit')),
    returning: false,
    declaredTable: drizzleTableFact(resolved.definition, casing),
    // The relational API takes no row lock: the fix is a select().from(t)….for('update') the user writes.
    fixes: {},
  };
}

/** The table object an expression names: a pgTable of this file, or one a module of the project exports. */
function resolveTable(model: TsModel, expression: TS.Expression, nameInQuery?: string): ResolvedTable | undefined {
  const node = unwrapExpression(expression);
  const local = localTables(model);
  if (ts.isIdentifier(node)) {
    const name = node.text;
    const found = local.get(name);
    if (found) return { definition: found, code: name, node };
    const binding = model.imports.get(name);
    if (binding && binding.imported !== '*' && isProjectModule(binding.module) && !DRIZZLE_MODULE.test(binding.module)) {
      const definition = model.project.tableDefinition(model.fileName, binding.module, binding.imported);
      // db.query.<key>: the key is the schema's export name; the table object may not be imported here.
      if (definition) return { definition, code: name, node };
    }
    if (nameInQuery) return tableOfQueryKey(model, nameInQuery, node);
    return undefined;
  }
  // schema.payments, with `import * as schema from './schema'`.
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
    const binding = model.imports.get(node.expression.text);
    if (binding?.imported === '*' && isProjectModule(binding.module) && !DRIZZLE_MODULE.test(binding.module)) {
      const definition = model.project.tableDefinition(model.fileName, binding.module, node.name.text);
      if (definition) return { definition, code: node.getText(model.node), node };
    }
  }
  return undefined;
}

// db.query.payments: a table of that export name among the modules this file imports tables from.
function tableOfQueryKey(model: TsModel, key: string, node: TS.Expression): ResolvedTable | undefined {
  for (const binding of model.imports.values()) {
    if (!isProjectModule(binding.module) || DRIZZLE_MODULE.test(binding.module)) continue;
    const definition = model.project.tableDefinition(model.fileName, binding.module, key);
    if (definition) return { definition, code: key, node };
  }
  return undefined;
}

const tablesOfModel = new WeakMap<TsModel, Map<string, DrizzleTable>>();

function localTables(model: TsModel): Map<string, DrizzleTable> {
  let tables = tablesOfModel.get(model);
  if (!tables) tablesOfModel.set(model, (tables = readDrizzleTables(model.node, model.imports).tables));
  return tables;
}

const casings = new WeakMap<TsModel, { casing: DrizzleCasing }>();

// drizzle(pool, { casing: 'snake_case' }) or drizzle({ client, casing }) in this file. A client made in
// another module keeps Drizzle's default here (the property name); a wrong guess costs a fix, not a finding.
function casingOf(model: TsModel): DrizzleCasing {
  let known = casings.get(model);
  if (!known) {
    known = { casing: undefined };
    for (const scope of model.functions) {
      for (const site of scope.calls) {
        if (site.kind !== 'drizzle' || !ts.isCallExpression(site.node) || !ts.isIdentifier(site.node.expression)) continue;
        if (model.imports.get(site.node.expression.text)?.imported !== 'drizzle') continue;
        for (const argument of site.node.arguments) {
          const value = stringValue(property(argument, 'casing'));
          if (value === 'snake_case' || value === 'camelCase') known.casing = value;
        }
      }
    }
    casings.set(model, known);
  }
  return known.casing;
}

/** `payments.stripeEventId` (or `payments.stripeEventId` from `table`) → its column. */
function columnReference(tableCode: string): (expression: TS.Expression, column: (property: string) => string) => string | undefined {
  return (expression, column) => {
    const value = unwrapExpression(expression);
    if (!ts.isPropertyAccessExpression(value)) return undefined;
    return value.expression.getText().replace(/\s+/g, '') === tableCode.replace(/\s+/g, '') ? column(value.name.text) : undefined;
  };
}

function orderColumn(argument: TS.Expression, columnOf: ReturnType<typeof columnReference>, column: (property: string) => string): string {
  const value = unwrapExpression(argument);
  const inner =
    ts.isCallExpression(value) &&
    ts.isIdentifier(value.expression) &&
    (value.expression.text === 'asc' || value.expression.text === 'desc') &&
    value.arguments[0]
      ? value.arguments[0]
      : value;
  return columnOf(inner, column) ?? '?';
}

/** `T.a` or `[T.a, T.b]` for the columns of a key, in the table's own properties; undefined when one has none. */
function columnCode(resolved: ResolvedTable, columns: string[], casing: DrizzleCasing, spread = false): string | undefined {
  if (!columns.length) return undefined;
  const properties = columns.map((name) => drizzleProperty(resolved.definition, name, casing));
  if (!properties.every((name): name is string => !!name)) return undefined;
  const codes = properties.map((name) => `${resolved.code}.${name}`);
  return codes.length === 1 || spread ? codes.join(', ') : `[${codes.join(', ')}]`;
}

// .set({ balance: sql`${accounts.balance} - ${cost}` }): a value the database computes from the
// column itself is an atomic update.
function readSet(
  argument: TS.Expression | undefined,
  column: (property: string) => string,
  tableCode: string,
  writes: ColumnWrite[],
  opaque: TS.Expression[],
): void {
  const properties = argument && !hasSpread(argument) ? objectProperties(argument) : undefined;
  if (!properties) {
    if (argument) opaque.push(argument);
    return;
  }
  for (const entry of properties) {
    const write: ColumnWrite = { column: column(entry.name), value: entry.value, node: entry.node };
    const atomic = selfReference(entry.value, tableCode, entry.name);
    if (atomic) write.atomic = atomic;
    writes.push(write);
  }
}

// sql`${t.balance} - ${cost}` → { '-', cost }; sql`${t.n} + 1` and other forms that start from the column → atomic too.
function selfReference(value: TS.Expression, tableCode: string, name: string): ColumnWrite['atomic'] {
  const template = unwrapExpression(value);
  if (!ts.isTaggedTemplateExpression(template) || !ts.isTemplateExpression(template.template)) return undefined;
  const spans = template.template.templateSpans;
  const first = unwrapExpression(spans[0].expression);
  if (!ts.isPropertyAccessExpression(first) || first.name.text !== name || first.expression.getText().replace(/\s+/g, '') !== tableCode.replace(/\s+/g, ''))
    return undefined;
  const operator = spans[0].literal.text.trim() === '-' ? '-' : '+';
  return { operator, amount: spans[1] && !spans[1].literal.text.trim() ? spans[1].expression : template };
}

/** eq(t.id, id), and(eq(…), eq(…)), inArray(t.id, ids), lt(t.epoch, n); anything else is a condition the rules cannot read, kept with its code. */
function readCondition(expression: TS.Expression | undefined, columnOf: (expression: TS.Expression) => string | undefined, out: RowCondition[]): void {
  if (!expression) return;
  const call = unwrapExpression(expression);
  const other = () => out.push({ column: '', operator: 'other', value: expression });
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return void other();
  const name = call.expression.text;
  const [left, right] = call.arguments;
  if (name === 'and') {
    for (const argument of call.arguments) readCondition(argument, columnOf, out);
    return;
  }
  if (!left || !right) return void other();
  const leftColumn = columnOf(left);
  const rightColumn = leftColumn ? undefined : columnOf(right);
  const column = leftColumn ?? rightColumn;
  const value = leftColumn ? right : left;
  if (!column) return void other();
  if (name === 'eq') out.push({ column, operator: '=', value });
  else if (name === 'inArray' && leftColumn) out.push({ column, operator: 'in', value });
  else if (name in COMPARISONS) {
    const comparison = COMPARISONS[name];
    const flipped = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;
    out.push({ column, operator: 'range', value, comparison: leftColumn ? comparison : flipped[comparison] });
  } else other();
}

// The `sql` tag of drizzle-orm for an atomic update: the file's own, or an import the fix adds.
function sqlTag(model: TsModel): { name: string; edits: Edit[] } | undefined {
  const bound = model.imports.get('sql');
  if (bound) return DRIZZLE_MODULE.test(bound.module) && bound.imported === 'sql' ? { name: 'sql', edits: [] } : undefined;
  if (declaresName(model.node, 'sql')) return undefined;
  const statements = model.node.statements;
  const drizzleImport = statements.find(
    (statement): statement is TS.ImportDeclaration =>
      ts.isImportDeclaration(statement) &&
      ts.isStringLiteral(statement.moduleSpecifier) &&
      statement.moduleSpecifier.text === 'drizzle-orm' &&
      !statement.importClause?.isTypeOnly &&
      !!statement.importClause?.namedBindings &&
      ts.isNamedImports(statement.importClause.namedBindings),
  );
  const named = drizzleImport?.importClause?.namedBindings as TS.NamedImports | undefined;
  if (named && named.elements.length) {
    const last = named.elements[named.elements.length - 1];
    return { name: 'sql', edits: [{ start: last.getEnd(), end: last.getEnd(), text: ', sql' }] };
  }
  const imports = statements.filter(ts.isImportDeclaration);
  const at = imports.length ? imports[imports.length - 1].getEnd() : 0;
  return {
    name: 'sql',
    edits: [{ start: at, end: at, text: imports.length ? "\nimport { sql } from 'drizzle-orm';" : "import { sql } from 'drizzle-orm';\n" }],
  };
}

function declaresName(source: TS.SourceFile, name: string): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && node.text === name) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
