// Sequelize models: static calls on a model class (`Payment.create(values)`, `bulkCreate(rows, {
// ignoreDuplicates, updateOnDuplicate })`, `findOrCreate`, `upsert`, `update(values, { where })`,
// `increment`/`decrement`, `destroy`, `findByPk`/`findOne`/`findAll({ where, lock, skipLocked, order })`),
// also `this.findAll(…)` in a model's static method, and calls on an instance the same function read
// (`account.update({…})`, `account.increment('balance', { by })`, `account.save()` after
// `account.balance = …`). An instance's write targets the row it was read as, so it is rendered with
// the read's conditions; an instance received as a parameter is its primary key.
// `findOrCreate` is rendered as an insert that does nothing on a conflict: it looks the row up first
// and, when the create hits a unique violation, returns the row that won. It still races where the
// `where` columns have no unique key — a missing key, not a missing ON CONFLICT.

import type * as TS from 'typescript';
import { attributeOf, entityNamed, type DeclaredEntity } from '../../../schema/entities';
import { ts } from '../project';
import { staticThisClass, type TsModel } from '../ts-file';
import { readChain, readValues, stringValue, unwrapExpression, type Chain, type Link } from './chain';
import { declarationOfName, memberDeclaration } from './declarations';
import { assignmentsBefore, columnOf, isTrue, objectOf, option, propertyName, resultUsed, stringList } from './model-calls';
import { addPropertyEdit } from './object-edits';
import type { ColumnWrite, DbOperation, LibraryFix, OperationFixes, OperationKind, RowCondition } from './operation';

export function sequelizeOperation(model: TsModel, chain: Chain): DbOperation | undefined {
  const { root } = chain;
  // Payment.scope('withTeam').findAll(…), Payment.unscoped().findOne(…): the model's own call, with the
  // scope's conditions unknown.
  const scoped = chain.links.findIndex((link) => !SCOPES.has(link.name));
  const links = scoped > 0 ? chain.links.slice(scoped) : chain.links;
  const entity = modelEntity(model, root);
  if (entity && scoped > 0) {
    const operation = links.length === 1 ? staticOperation(model, { ...chain, links }, links[0], entity) : undefined;
    if (operation?.kind === 'read' && chain.links.slice(0, scoped).some((link) => link.name === 'scope'))
      operation.where.push({ column: '', operator: 'other', value: undefined });
    return operation;
  }
  if (entity) {
    // Payment.build(values).save(): an insert.
    if (links.length === 2 && links[0].name === 'build' && links[1].name === 'save')
      return staticOperation(model, chain, { ...links[0], name: 'create', nameNode: links[1].nameNode, call: chain.outermost }, entity);
    return links.length === 1 ? staticOperation(model, chain, links[0], entity) : undefined;
  }
  if (links.length !== 1 || !ts.isIdentifier(root) || !(links[0].name in INSTANCE_METHODS)) return undefined;
  return instanceOperation(model, chain, root, links[0]);
}

const SCOPES = new Set(['scope', 'unscoped', 'schema']);
const STATIC_METHODS: Record<string, OperationKind> = {
  create: 'insert',
  bulkCreate: 'insert',
  findOrCreate: 'insert',
  findCreateFind: 'insert',
  upsert: 'insert',
  update: 'update',
  increment: 'update',
  decrement: 'update',
  destroy: 'delete',
  findByPk: 'read',
  findOne: 'read',
  findAll: 'read',
  findAndCountAll: 'read',
};
const INSTANCE_METHODS: Record<string, OperationKind> = { update: 'update', increment: 'update', decrement: 'update', save: 'update', destroy: 'delete' };

/** The model a chain's root names (`Payment`, `this` in a static method of a model), with a table. */
function modelEntity(model: TsModel, root: TS.Expression): DeclaredEntity | undefined {
  let name: string | undefined;
  if (ts.isIdentifier(root)) name = root.text;
  else if (root.kind === ts.SyntaxKind.ThisKeyword) name = staticThisClass(root);
  else if (ts.isPropertyAccessExpression(root)) name = injectedModel(model, root);
  if (!name || model.kindOfName(name) !== 'sequelize') return undefined;
  const entity = entityNamed(model, name);
  return entity?.library === 'sequelize' && entity.table ? entity : undefined;
}

// NestJS: constructor(@InjectModel(Payment) private payments: typeof Payment) — `this.payments` is Payment.
function injectedModel(model: TsModel, root: TS.PropertyAccessExpression): string | undefined {
  const declaration = memberDeclaration(root);
  if (!declaration) return undefined;
  for (const decorator of (ts.canHaveDecorators(declaration) ? ts.getDecorators(declaration) : undefined) ?? []) {
    const call = decorator.expression;
    const argument =
      ts.isCallExpression(call) && ts.isIdentifier(call.expression) && model.imports.get(call.expression.text)?.imported === 'InjectModel'
        ? call.arguments[0]
        : undefined;
    if (argument && ts.isIdentifier(argument)) return argument.text;
  }
  const type = declaration.type;
  return type && ts.isTypeQueryNode(type) && ts.isIdentifier(type.exprName) ? type.exprName.text : undefined;
}

function staticOperation(model: TsModel, chain: Chain, link: Link, entity: DeclaredEntity): DbOperation | undefined {
  const kind = STATIC_METHODS[link.name];
  if (!kind) return undefined;
  const column = columnOf(entity);
  const [first, second] = link.args;
  const options =
    kind === 'read' && link.name !== 'findByPk'
      ? first
      : link.name === 'findOrCreate' || link.name === 'findCreateFind' || link.name === 'destroy'
        ? first
        : second;
  const writes: ColumnWrite[] = [];
  const opaqueValues: TS.Expression[] = [];
  let where: RowCondition[] = [];
  let conflict: DbOperation['conflict'];
  switch (link.name) {
    case 'create':
    case 'upsert':
      readValues(first, writes, opaqueValues, column);
      if (link.name === 'upsert') conflict = { columns: stringList(option(options, 'conflictFields'))?.map(column) ?? [], action: 'update' };
      break;
    case 'bulkCreate': {
      readValues(first, writes, opaqueValues, column);
      const updates = option(options, 'updateOnDuplicate');
      if (isTrue(option(options, 'ignoreDuplicates'))) conflict = { columns: [], action: 'nothing' };
      else if (updates) conflict = { columns: stringList(option(options, 'conflictAttributes'))?.map(column) ?? [], action: 'update' };
      break;
    }
    case 'findOrCreate':
    case 'findCreateFind':
      // INSERT … ON CONFLICT DO NOTHING of the `where` and `defaults` values (see the header).
      readValues(option(first, 'where'), writes, opaqueValues, column);
      readValues(option(first, 'defaults'), writes, opaqueValues, column);
      conflict = { columns: [], action: 'nothing' };
      break;
    case 'update':
      readValues(first, writes, opaqueValues, column);
      where = readWhere(option(options, 'where'), column);
      break;
    case 'increment':
    case 'decrement':
      writes.push(...increments(first, option(options, 'by'), link.name === 'increment' ? '+' : '-', column));
      where = readWhere(option(options, 'where'), column);
      break;
    case 'destroy':
      where = readWhere(option(options, 'where'), column);
      break;
    case 'findByPk':
      where = first ? [{ column: column(entity.primaryKey[0] ?? 'id'), operator: '=', value: first }] : [];
      break;
    default:
      where = readWhere(option(options, 'where'), column);
  }
  const lock = kind === 'read' ? lockOf(options) : undefined;
  if (lock === null) return undefined; // a lock the code computes: neither locked nor unlocked for certain
  return {
    library: 'sequelize',
    kind,
    table: entity.table,
    call: chain.outermost,
    verb: link.nameNode,
    tableNode: chain.root,
    writes,
    opaqueValues,
    where,
    conflict,
    lock,
    orderBy: kind === 'read' ? orderOf(option(options, 'order'), column) : [],
    limit: link.name === 'findOne' ? 1 : undefined,
    returning: false,
    entity,
    fixes: staticFixes(model, chain, link, entity, options),
  };
}

function staticFixes(model: TsModel, chain: Chain, link: Link, entity: DeclaredEntity, options: TS.Expression | undefined): OperationFixes {
  const source = model.node;
  return {
    // create(values, options) → bulkCreate([values], { …options, ignoreDuplicates: true }): INSERT … ON
    // CONFLICT DO NOTHING. It returns an array and skips the per-row hooks and validations create
    // runs, so it keeps the meaning only where the result is unused and the model declares none.
    onConflictDoNothing: () => {
      // bulkCreate(rows) → bulkCreate(rows, { ignoreDuplicates: true })
      if (link.name === 'bulkCreate' && link.args[0] && link.call === chain.outermost) {
        const edit = addPropertyEdit(link.args[1], 'ignoreDuplicates: true', link.args[0], source);
        return edit ? { edits: [edit], label: '{ ignoreDuplicates: true }', keepsResult: !resultUsed(chain.outermost) && !entity.writeHooks } : undefined;
      }
      if (link.name !== 'create' || !link.args[0] || link.call !== chain.outermost) return undefined;
      const values = link.args[0];
      const rest = addPropertyEdit(link.args[1], 'ignoreDuplicates: true', link.args[0], source);
      if (!rest) return undefined;
      return {
        edits: [
          { start: link.nameNode.getStart(source), end: link.nameNode.getEnd(), text: 'bulkCreate' },
          { start: values.getStart(source), end: values.getStart(source), text: '[' },
          { start: values.getEnd(), end: values.getEnd(), text: ']' },
          rest,
        ],
        label: '.bulkCreate([…], { ignoreDuplicates: true })',
        keepsResult: !resultUsed(chain.outermost) && !entity.writeHooks,
      };
    },
    // Model.update({ balance: acc.balance - cost }, { where }) → Model.decrement({ balance: cost }, { where }).
    atomicUpdate: (write, operator, amount) => {
      if (link.name !== 'update' || !write.value) return undefined;
      const values = objectOf(link.args[0]);
      if (!values || values.properties.length !== 1 || !ts.isPropertyAssignment(values.properties[0])) return undefined;
      const attribute = values.properties[0].name.getText(source);
      const method = operator === '+' ? 'increment' : 'decrement';
      const text = `{ ${attribute}: ${amount.getText(source)} }`;
      return {
        edits: [
          { start: link.nameNode.getStart(source), end: link.nameNode.getEnd(), text: method },
          { start: values.getStart(source), end: values.getEnd(), text },
        ],
        label: `.${method}(${text}, …)`,
        keepsResult: !resultUsed(chain.outermost) && !entity.writeHooks,
      };
    },
    lockForUpdate: () => lockFix(link, options, source),
    orderBy: (columns) => {
      const attributes = columns.map((name) => attributeOf(entity, name) ?? name);
      const text = `order: [${attributes.map((attribute) => `['${attribute}', 'ASC']`).join(', ')}]`;
      const edit = link.name === 'findAll' && options ? addPropertyEdit(options, text, undefined, source) : undefined;
      // With `include`, other tables are joined (and may be locked): ordering the model's rows alone may not be enough.
      return edit ? { edits: [edit], label: text, keepsResult: !option(options, 'include') } : undefined;
    },
  };
}

function instanceOperation(model: TsModel, chain: Chain, root: TS.Identifier, link: Link): DbOperation | undefined {
  const declaration = declarationOfName(root, root.text);
  if (!declaration) return undefined;
  const source = model.node;
  let entity: DeclaredEntity | undefined;
  let where: RowCondition[] | undefined;
  if (ts.isVariableDeclaration(declaration)) {
    // const account = await Account.findByPk(id), const [account] = await Account.findOrCreate(…)
    const initializer = declaration.initializer && unwrapExpression(declaration.initializer);
    const readChainOf = initializer && ts.isCallExpression(initializer) ? readChain(initializer) : undefined;
    const read = readChainOf?.links.length === 1 ? readChainOf : undefined;
    const isInstance = ts.isIdentifier(declaration.name)
      ? ['findByPk', 'findOne', 'create'].includes(read?.links[0].name ?? '')
      : read?.links[0].name === 'findOrCreate';
    entity = read && isInstance ? modelEntity(model, read.root) : undefined;
    if (entity && read) where = staticOperation(model, read, read.links[0], entity)?.where;
  } else if (ts.isParameter(declaration) && declaration.type && ts.isTypeReferenceNode(declaration.type) && ts.isIdentifier(declaration.type.typeName)) {
    // (account: Account) => account.update(…): the row of its primary key.
    const named = entityNamed(model, declaration.type.typeName.text);
    entity = named?.library === 'sequelize' && named.table ? named : undefined;
  }
  if (!entity) return undefined;
  const column = columnOf(entity);
  where ??= [{ column: column(entity.primaryKey[0] ?? 'id'), operator: '=', value: root }];
  const writes: ColumnWrite[] = [];
  const opaqueValues: TS.Expression[] = [];
  const [first, second] = link.args;
  let options: TS.Expression | undefined = first;
  if (link.name === 'update') {
    const key = stringValue(first);
    if (key && link.args.length >= 2) {
      writes.push({ column: column(key), value: second, node: first });
      options = link.args[2];
    } else {
      readValues(first, writes, opaqueValues, column);
      options = second;
    }
  } else if (link.name === 'increment' || link.name === 'decrement') {
    writes.push(...increments(first, option(second, 'by'), link.name === 'increment' ? '+' : '-', column));
    options = second;
  } else if (link.name === 'save')
    writes.push(...assignmentsBefore(root, declaration, chain.outermost, column, (argument, into) => readValues(argument, into, [], column)));
  const kind = INSTANCE_METHODS[link.name];
  return {
    library: 'sequelize',
    kind,
    table: entity.table,
    call: chain.outermost,
    verb: link.nameNode,
    tableNode: root,
    writes,
    opaqueValues,
    where,
    orderBy: [],
    returning: false,
    entity,
    fixes: {
      // account.update({ balance: account.balance - cost }, options) → account.decrement('balance', { by: cost, …options })
      atomicUpdate: (write, operator, amount): LibraryFix | undefined => {
        const values = link.name === 'update' ? objectOf(first) : undefined;
        if (!values || values.properties.length !== 1 || write.node !== values.properties[0] || !ts.isPropertyAssignment(write.node)) return undefined;
        const attribute = write.node.name.getText(source).replace(/^["']|["']$/g, '');
        const method = operator === '+' ? 'increment' : 'decrement';
        const optionsObject = objectOf(options);
        if (options && !optionsObject) return undefined;
        const rest = optionsObject?.properties.length ? `, ${optionsObject.properties.map((entry) => entry.getText(source)).join(', ')}` : '';
        const text = `'${attribute}', { by: ${amount.getText(source)}${rest} }`;
        const end = options ? options.getEnd() : values.getEnd();
        return {
          edits: [
            { start: link.nameNode.getStart(source), end: link.nameNode.getEnd(), text: method },
            { start: values.getStart(source), end, text },
          ],
          label: `.${method}(${text})`,
          keepsResult: !entity.writeHooks,
        };
      },
    },
  };
}

/** Columns of an object literal of values (or of the first of an array of them); anything else is opaque. */

// increment('count', { by: 2 }), increment(['a', 'b'], { by }), increment({ a: 1, b: -2 })
function increments(
  fields: TS.Expression | undefined,
  by: TS.Expression | undefined,
  operator: '+' | '-',
  column: (attribute: string) => string,
): ColumnWrite[] {
  if (!fields) return [];
  const value = unwrapExpression(fields);
  const single = stringValue(value);
  const named = single !== undefined ? [single] : stringList(value);
  if (named) return named.map((name) => ({ column: column(name), value: undefined, node: fields, atomic: { operator, amount: by ?? fields } }));
  if (!ts.isObjectLiteralExpression(value)) return [];
  return value.properties.flatMap((entry) => {
    const name = entry.name && propertyName(entry.name);
    if (!name || !ts.isPropertyAssignment(entry)) return [];
    return [{ column: column(name), value: undefined, node: entry, atomic: { operator, amount: entry.initializer } }];
  });
}

/** where: { id }, { id: [a, b] }, { amount: { [Op.gt]: 0 } }, { [Op.or]: … }; a where that is not an object literal is one unknown condition. */
function readWhere(where: TS.Expression | undefined, column: (attribute: string) => string): RowCondition[] {
  if (!where) return [];
  const object = unwrapExpression(where);
  if (!ts.isObjectLiteralExpression(object)) return [{ column: '', operator: 'other', value: undefined }];
  const conditions: RowCondition[] = [];
  for (const entry of object.properties) {
    const name = entry.name && propertyName(entry.name);
    if (ts.isShorthandPropertyAssignment(entry)) conditions.push({ column: column(entry.name.text), operator: '=', value: entry.name });
    else if (!name || !ts.isPropertyAssignment(entry)) conditions.push({ column: '', operator: 'other', value: undefined });
    else conditions.push(condition(column(name), entry.initializer));
  }
  return conditions;
}

function condition(name: string, value: TS.Expression): RowCondition {
  const inner = unwrapExpression(value);
  if (ts.isArrayLiteralExpression(inner)) return { column: name, operator: 'in', value };
  if (inner.kind === ts.SyntaxKind.NullKeyword) return { column: name, operator: 'other', value: undefined };
  if (!ts.isObjectLiteralExpression(inner)) return { column: name, operator: '=', value };
  const operators = inner.properties.map((entry) =>
    entry.name && ts.isComputedPropertyName(entry.name) && ts.isPropertyAccessExpression(entry.name.expression) ? entry.name.expression.name.text : undefined,
  );
  const only = inner.properties.length === 1 && ts.isPropertyAssignment(inner.properties[0]) ? inner.properties[0].initializer : undefined;
  if (operators.length === 1 && operators[0] === 'eq' && only) return { column: name, operator: '=', value: only };
  if (operators.length === 1 && operators[0] === 'in' && only) return { column: name, operator: 'in', value: only };
  if (operators.length && operators.every((operator) => operator && ['gt', 'gte', 'lt', 'lte', 'between'].includes(operator)))
    return { column: name, operator: 'range', value: (inner.properties[0] as TS.PropertyAssignment).initializer };
  return { column: name, operator: 'other', value: undefined };
}

// lock: true | t.LOCK.UPDATE | Transaction.LOCK.SHARE | { level: t.LOCK.UPDATE, of: Model }, skipLocked: true.
// null: a lock the code computes (`lock: shouldLock`), which the reader cannot tell.
function lockOf(options: TS.Expression | undefined): DbOperation['lock'] | null {
  const value = option(options, 'lock');
  if (!value) return undefined;
  let level = unwrapExpression(value);
  if (ts.isObjectLiteralExpression(level)) {
    const inner = option(level, 'level');
    if (!inner) return null;
    level = unwrapExpression(inner);
  }
  if (level.kind === ts.SyntaxKind.FalseKeyword) return undefined;
  const name =
    level.kind === ts.SyntaxKind.TrueKeyword
      ? 'UPDATE'
      : ts.isPropertyAccessExpression(level) && ts.isPropertyAccessExpression(level.expression) && level.expression.name.text === 'LOCK'
        ? level.name.text
        : undefined;
  const strength = name ? LOCK_LEVELS[name] : undefined;
  if (!strength) return null;
  return { strength, skipLocked: isTrue(option(options, 'skipLocked')), node: value.parent };
}

const LOCK_LEVELS: Record<string, NonNullable<DbOperation['lock']>['strength']> = {
  UPDATE: 'update',
  SHARE: 'share',
  KEY_SHARE: 'key share',
  NO_KEY_UPDATE: 'no key update',
};

// order: [['id', 'ASC']], ['id'], 'id', [[Model, 'id', 'ASC']], sequelize.literal(…): an order the reader
// cannot name is still an order ('?').
function orderOf(order: TS.Expression | undefined, column: (attribute: string) => string): string[] {
  if (!order) return [];
  const value = unwrapExpression(order);
  const single = stringValue(value);
  if (single) return [column(single)];
  if (!ts.isArrayLiteralExpression(value)) return ['?'];
  return value.elements.map((element) => {
    const item = unwrapExpression(element);
    const named =
      stringValue(item) ??
      (ts.isArrayLiteralExpression(item)
        ? item.elements.map((part) => stringValue(part)).find((text) => text && !/^(asc|desc)( nulls (first|last))?$/i.test(text))
        : undefined);
    return named ? column(named) : '?';
  });
}

// In a transaction: `lock: t.LOCK.UPDATE` next to the `transaction: t` the read passes, or with the
// callback's transaction (`sequelize.transaction(async (t) => …)`) when the read passes none.
function lockFix(link: Link, options: TS.Expression | undefined, source: TS.SourceFile): LibraryFix | undefined {
  if (!['findByPk', 'findOne', 'findAll'].includes(link.name)) return undefined;
  const passed = option(options, 'transaction');
  const transaction =
    passed && ts.isIdentifier(unwrapExpression(passed)) ? unwrapExpression(passed).getText(source) : passed ? undefined : callbackTransaction(link.call);
  if (!transaction) return undefined;
  const text = `${passed ? '' : `transaction: ${transaction}, `}lock: ${transaction}.LOCK.UPDATE`;
  const edit = addPropertyEdit(options, text, link.name === 'findByPk' ? link.args[0] : undefined, source);
  return edit ? { edits: [edit], label: `lock: ${transaction}.LOCK.UPDATE`, keepsResult: true } : undefined;
}

/** The transaction parameter of the `.transaction(async (t) => …)` callback a call runs in. */
function callbackTransaction(call: TS.Node): string | undefined {
  for (let node: TS.Node | undefined = call.parent; node; node = node.parent) {
    if (!ts.isArrowFunction(node) && !ts.isFunctionExpression(node)) continue;
    const parent = node.parent;
    const parameter = node.parameters[0]?.name;
    if (
      parent &&
      ts.isCallExpression(parent) &&
      ts.isPropertyAccessExpression(parent.expression) &&
      parent.expression.name.text === 'transaction' &&
      parameter &&
      ts.isIdentifier(parameter)
    )
      return parameter.text;
  }
  return undefined;
}
