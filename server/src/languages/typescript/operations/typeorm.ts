// TypeORM: repositories (`dataSource.getRepository(Payment)`, `@InjectRepository(Payment) repo:
// Repository<Payment>`, `em.getRepository(Payment)` in a transaction), the entity manager with the
// entity as first argument (`em.insert(Payment, row)`), active-record entities (`Payment.insert(row)`
// on a class extending BaseEntity), and query builders ending in `execute()`/`getOne()`/`getMany()`:
// insert/save/upsert/update/increment/decrement/delete, findOne/findOneBy/find/findBy with
// `lock: { mode: 'pessimistic_write' }` and `order`, `.setLock()`, `.orIgnore()`, `.orUpdate()`.
// `save(row)` reads the row by its primary key and then updates or inserts it: an object that names
// its primary key is an upsert on that key (it races, but a redelivery finds its row), one that does
// not is a plain insert, and an entity the call receives from elsewhere is left as an upsert too.

import type * as TS from 'typescript';
import { attributeOf, entityNamed, type DeclaredEntity } from '../../../schema/entities';
import { ts } from '../project';
import { staticThisClass, type TsModel } from '../ts-file';
import { readChain, stringValue, unwrapExpression, type Chain, type Link } from './chain';
import { declarationOfName, rootDeclaration } from './declarations';
import { addPropertyEdit } from './object-edits';
import type { ColumnWrite, DbOperation, LibraryFix, OperationFixes, OperationKind, RowCondition } from './operation';
import { assignmentsBefore, columnOf, objectOf, option, propertyName, resultUsed, stringList } from './model-calls';

export function typeormOperation(model: TsModel, chain: Chain): DbOperation | undefined {
  const target = targetOf(model, chain);
  if (!target) return undefined;
  const links = chain.links.slice(target.first);
  if (!links.length) return undefined;
  if (links[0].name === 'createQueryBuilder') return builderOperation(model, chain, links, target);
  if (links.length !== 1 || !target.entity) return undefined;
  return methodOperation(model, chain, links[0], target.entity, target.manager);
}

interface Target {
  entity: DeclaredEntity | undefined;
  /** The entity manager form: the entity class is each method's first argument. */
  manager: boolean;
  /** The first link that is the operation (after `getRepository(E)`). */
  first: number;
}

// What the chain works on: a repository of an entity, an entity manager, or an active-record entity.
function targetOf(model: TsModel, chain: Chain): Target | undefined {
  const { root, links } = chain;
  const repository = links.findIndex((link) => REPOSITORY_GETTERS.has(link.name));
  if (repository >= 0) {
    const entity = entityArgument(model, links[repository].args[0]);
    return entity ? { entity, manager: false, first: repository + 1 } : undefined;
  }
  // Payment.insert(…) on an active-record entity, this.findOne(…) in its static method.
  const className = ts.isIdentifier(root) ? root.text : root.kind === ts.SyntaxKind.ThisKeyword ? staticThisClass(root) : undefined;
  const own = className ? entityNamed(model, className) : undefined;
  if (own?.library === 'typeorm' && own.table && model.kindOfName(className!) === 'typeorm') return { entity: own, manager: false, first: 0 };
  const declared = declaredRepository(model, root);
  if (declared) return { entity: declared, manager: false, first: 0 };
  // em.insert(Payment, row), dataSource.manager.findOne(Payment, …), em.createQueryBuilder(Payment, 'p')
  const first = links[0];
  const entity = first && MANAGER_METHODS.has(first.name) ? entityArgument(model, first.args[0]) : undefined;
  if (entity) return { entity, manager: true, first: 0 };
  return first?.name === 'createQueryBuilder' ? { entity: undefined, manager: false, first: 0 } : undefined;
}

const REPOSITORY_GETTERS = new Set(['getRepository', 'getTreeRepository']);
const MANAGER_METHODS = new Set([
  'insert',
  'save',
  'upsert',
  'update',
  'increment',
  'decrement',
  'delete',
  'softDelete',
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'find',
  'findBy',
  'findAndCount',
  'createQueryBuilder',
]);

/** `repo` declared as `Repository<Payment>`, `@InjectRepository(Payment)`, or `= x.getRepository(Payment)`. */
function declaredRepository(model: TsModel, root: TS.Expression): DeclaredEntity | undefined {
  const declaration = rootDeclaration(root);
  if (!declaration) return undefined;
  const type = declaration.type;
  if (
    type &&
    ts.isTypeReferenceNode(type) &&
    ts.isIdentifier(type.typeName) &&
    REPOSITORY_TYPES.has(model.imports.get(type.typeName.text)?.imported ?? '') &&
    type.typeArguments?.length === 1
  ) {
    const argument = type.typeArguments[0];
    if (ts.isTypeReferenceNode(argument) && ts.isIdentifier(argument.typeName)) return typeormEntity(model, argument.typeName.text);
  }
  for (const decorator of (ts.canHaveDecorators(declaration) ? ts.getDecorators(declaration) : undefined) ?? []) {
    const call = decorator.expression;
    if (ts.isCallExpression(call) && ts.isIdentifier(call.expression) && model.imports.get(call.expression.text)?.imported === 'InjectRepository')
      return entityArgument(model, call.arguments[0]);
  }
  const initializer = ts.isVariableDeclaration(declaration) && declaration.initializer ? unwrapExpression(declaration.initializer) : undefined;
  if (
    initializer &&
    ts.isCallExpression(initializer) &&
    ts.isPropertyAccessExpression(initializer.expression) &&
    REPOSITORY_GETTERS.has(initializer.expression.name.text) &&
    model.kindOf(initializer.expression.expression) === 'typeorm'
  ) {
    return entityArgument(model, initializer.arguments[0]);
  }
  return undefined;
}

const REPOSITORY_TYPES = new Set(['Repository', 'TreeRepository']);

function entityArgument(model: TsModel, argument: TS.Expression | undefined): DeclaredEntity | undefined {
  const value = argument && unwrapExpression(argument);
  return value && ts.isIdentifier(value) ? typeormEntity(model, value.text) : undefined;
}

function typeormEntity(model: TsModel, name: string): DeclaredEntity | undefined {
  const entity = entityNamed(model, name);
  return entity?.library === 'typeorm' && entity.table ? entity : undefined;
}

const METHODS: Record<string, OperationKind> = {
  insert: 'insert',
  save: 'insert',
  upsert: 'insert',
  update: 'update',
  increment: 'update',
  decrement: 'update',
  delete: 'delete',
  softDelete: 'update',
  findOne: 'read',
  findOneOrFail: 'read',
  findOneBy: 'read',
  findOneByOrFail: 'read',
  find: 'read',
  findBy: 'read',
  findAndCount: 'read',
};

function methodOperation(model: TsModel, chain: Chain, link: Link, entity: DeclaredEntity, manager: boolean): DbOperation | undefined {
  const kind = METHODS[link.name];
  if (!kind) return undefined;
  const args = manager ? link.args.slice(1) : link.args;
  const column = columnOf(entity);
  const writes: ColumnWrite[] = [];
  const opaqueValues: TS.Expression[] = [];
  let where: RowCondition[] = [];
  let conflict: DbOperation['conflict'];
  let options: TS.Expression | undefined;
  switch (link.name) {
    case 'insert':
      readValues(args[0], column, writes, opaqueValues);
      break;
    case 'save': {
      // save(account) of an entity this function read: an update of that row, with what was set on it.
      const read = readInstance(model, args[0], entity);
      if (read) return savedInstance(chain, link, entity, read);
      // save(repo.create({ … })) is save of that object.
      const saved = createdValues(args[0]) ?? args[0];
      readValues(saved, column, writes, opaqueValues);
      const literal = objectOf(firstOfArray(saved));
      const namesKey =
        literal &&
        entity.primaryKey.length &&
        entity.primaryKey.every((key) => literal.properties.some((entry) => entry.name && propertyName(entry.name) === key));
      if (!literal || namesKey) conflict = { columns: literal ? entity.primaryKey.map(column) : [], action: 'update' };
      break;
    }
    case 'upsert': {
      readValues(args[0], column, writes, opaqueValues);
      const paths = stringList(args[1]) ?? stringList(option(args[1], 'conflictPaths')) ?? objectKeys(option(args[1], 'conflictPaths'));
      conflict = { columns: paths?.map(column) ?? [], action: 'update' };
      break;
    }
    case 'update':
    case 'softDelete':
      where = criteria(args[0], entity, column);
      if (link.name === 'update') readValues(args[1], column, writes, opaqueValues);
      else writes.push({ column: column('deletedAt'), value: undefined, node: link.nameNode });
      break;
    case 'increment':
    case 'decrement': {
      where = criteria(args[0], entity, column);
      const name = stringValue(args[1]);
      if (name)
        writes.push({
          column: column(name),
          value: undefined,
          node: args[1],
          atomic: { operator: link.name === 'increment' ? '+' : '-', amount: args[2] ?? args[1] },
        });
      break;
    }
    case 'delete':
      where = criteria(args[0], entity, column);
      break;
    case 'findOneBy':
    case 'findOneByOrFail':
    case 'findBy':
      where = findWhere(args[0], column);
      break;
    default:
      options = args[0];
      where = findWhere(option(options, 'where'), column);
  }
  const lock = kind === 'read' ? findLock(option(options, 'lock')) : undefined;
  if (lock === null) return undefined;
  const single = link.name.startsWith('findOne');
  return {
    library: 'typeorm',
    kind,
    table: entity.table,
    call: chain.outermost,
    verb: link.nameNode,
    tableNode: manager ? link.args[0] : chain.root,
    writes,
    opaqueValues,
    where,
    conflict,
    lock,
    orderBy: kind === 'read' ? findOrder(option(options, 'order'), column) : [],
    limit: single && !where.some((condition) => condition.operator === '=' && entity.primaryKey.map(column).includes(condition.column)) ? 1 : undefined,
    returning: false,
    entity,
    fixes: methodFixes(model, chain, link, entity, manager, args, options),
  };
}

function methodFixes(
  model: TsModel,
  chain: Chain,
  link: Link,
  entity: DeclaredEntity,
  manager: boolean,
  args: readonly TS.Expression[],
  options: TS.Expression | undefined,
): OperationFixes {
  const source = model.node;
  const target = manager ? `.into(${link.args[0].getText(source)})` : '';
  return {
    // insert(row) → createQueryBuilder().insert()[.into(E)].values(row).orIgnore().execute(): INSERT … ON
    // CONFLICT DO NOTHING, the same InsertResult (without identifiers for a row that existed). From
    // save(row) it returns no entity, and skips save's cascades: offered, never marked safe.
    onConflictDoNothing: (): LibraryFix | undefined => {
      if ((link.name !== 'insert' && link.name !== 'save') || args.length !== 1 || link.call !== chain.outermost) return undefined;
      const values = args[0].getText(source);
      const text = `createQueryBuilder().insert()${target}.values(${values}).orIgnore().execute()`;
      return {
        edits: [{ start: link.nameNode.getStart(source), end: chain.outermost.getEnd(), text }],
        label: '.createQueryBuilder().insert().values(…).orIgnore().execute()',
        keepsResult: link.name === 'insert' && !resultUsed(chain.outermost),
      };
    },
    // update(criteria, { balance: account.balance - cost }) → decrement(criteria, 'balance', cost)
    atomicUpdate: (write, operator, amount): LibraryFix | undefined => {
      const values = link.name === 'update' ? objectOf(args[1]) : undefined;
      if (!values || values.properties.length !== 1 || write.node !== values.properties[0] || !ts.isPropertyAssignment(write.node) || args.length !== 2)
        return undefined;
      const attribute = propertyName(write.node.name);
      if (!attribute) return undefined;
      const method = operator === '+' ? 'increment' : 'decrement';
      const text = `'${attribute}', ${amount.getText(source)}`;
      return {
        edits: [
          { start: link.nameNode.getStart(source), end: link.nameNode.getEnd(), text: method },
          { start: values.getStart(source), end: values.getEnd(), text },
        ],
        label: `.${method}(…, ${text})`,
        keepsResult: true,
      };
    },
    // findOne({ where }) → findOne({ where, lock: { mode: 'pessimistic_write' } }); findOneBy(where) → findOne({ where, lock }).
    lockForUpdate: (): LibraryFix | undefined => {
      if (!throughTransaction(chain.root)) return undefined;
      const lock = `lock: { mode: 'pessimistic_write' }`;
      if (['findOne', 'findOneOrFail', 'find'].includes(link.name)) {
        const edit = addPropertyEdit(options, lock, undefined, source);
        return edit ? { edits: [edit], label: lock, keepsResult: true } : undefined;
      }
      const by = { findOneBy: 'findOne', findOneByOrFail: 'findOneOrFail', findBy: 'find' }[link.name];
      if (!by || args.length !== 1) return undefined;
      return {
        edits: [
          { start: link.nameNode.getStart(source), end: link.nameNode.getEnd(), text: by },
          { start: args[0].getStart(source), end: args[0].getEnd(), text: `{ where: ${args[0].getText(source)}, ${lock} }` },
        ],
        label: `.${by}({ where, ${lock} })`,
        keepsResult: true,
      };
    },
    orderBy: (columns): LibraryFix | undefined => {
      if (link.name !== 'find' || !options) return undefined;
      const text = `order: { ${columns.map((name) => `${attributeOf(entity, name) ?? name}: 'ASC'`).join(', ')} }`;
      const edit = addPropertyEdit(options, text, undefined, source);
      return edit ? { edits: [edit], label: text, keepsResult: true } : undefined;
    },
  };
}

// repo.createQueryBuilder('p').setLock('pessimistic_write').where('p.status = :status', { status }).getMany(),
// dataSource.createQueryBuilder().insert().into(Payment).values(row).orIgnore().execute(),
// repo.createQueryBuilder().update().set({ … }).where('id = :id', { id }).execute()
function builderOperation(model: TsModel, chain: Chain, links: Link[], target: Target): DbOperation | undefined {
  const terminal = links[links.length - 1];
  if (!TERMINALS.has(terminal.name)) return undefined;
  const names = links.map((link) => link.name);
  const kind: OperationKind = names.includes('insert')
    ? 'insert'
    : names.includes('update')
      ? 'update'
      : names.includes('delete') || names.includes('softDelete')
        ? 'delete'
        : 'read';
  if (kind !== 'read' && terminal.name !== 'execute') return undefined;
  if (kind === 'read' && (terminal.name === 'execute' || names.some((name) => WRITES.has(name)))) return undefined;
  let entity = target.entity;
  let alias = stringValue(links[0].args[links[0].args.length - 1]);
  for (const link of links) {
    const named = ['into', 'from', 'update', 'createQueryBuilder'].includes(link.name) ? entityArgument(model, link.args[0]) : undefined;
    if (named) entity ??= named;
    if (link.name === 'from' && link.args[1]) alias = stringValue(link.args[1]) ?? alias;
  }
  if (!entity) return undefined;
  const column = columnOf(entity);
  const source = model.node;
  const writes: ColumnWrite[] = [];
  const opaqueValues: TS.Expression[] = [];
  const where: RowCondition[] = [];
  let conflict: DbOperation['conflict'];
  let lock: DbOperation['lock'];
  const orderBy: string[] = [];
  let limit: number | undefined;
  let joined = false;
  for (const link of links) {
    switch (link.name) {
      case 'values':
        readValues(link.args[0], column, writes, opaqueValues);
        break;
      case 'set':
        readValues(link.args[0], column, writes, opaqueValues);
        break;
      case 'orIgnore':
        conflict = { columns: [], action: 'nothing' };
        break;
      case 'orUpdate':
        conflict = { columns: stringList(link.args[1]) ?? (stringValue(link.args[1]) ? [stringValue(link.args[1])!] : []), action: 'update' };
        break;
      case 'where':
      case 'andWhere':
        where.push(...fragmentConditions(link.args[0], link.args[1], column));
        break;
      case 'orWhere':
        where.push({ column: '', operator: 'other', value: undefined });
        break;
      case 'whereInIds':
        where.push({ column: column(entity.primaryKey[0] ?? 'id'), operator: 'in', value: link.args[0] });
        break;
      case 'setLock': {
        const mode = stringValue(link.args[0]);
        const strength = mode ? LOCK_MODES[mode] : undefined;
        if (strength === undefined && mode !== 'optimistic' && mode !== 'dirty_read') return undefined;
        lock = strength ? { ...strength, node: link.nameNode } : undefined;
        break;
      }
      case 'setOnLocked': {
        const onLocked = stringValue(link.args[0]);
        if (lock && onLocked === 'skip_locked') lock = { ...lock, skipLocked: true };
        if (lock && onLocked === 'nowait') lock = { ...lock, noWait: true };
        break;
      }
      case 'orderBy':
      case 'addOrderBy':
        orderBy.push(orderColumn(link.args[0], column));
        break;
      case 'limit':
      case 'take':
        if (link.args[0] && unwrapExpression(link.args[0]).getText(source) === '1') limit = 1;
        break;
      default:
        if (/join/i.test(link.name)) joined = true;
    }
  }
  if (joined && kind === 'read' && lock) where.push({ column: '', operator: 'other', value: undefined });
  return {
    library: 'typeorm',
    kind,
    table: entity.table,
    call: chain.outermost,
    verb: terminal.nameNode,
    tableNode: chain.root,
    writes,
    opaqueValues,
    where,
    conflict,
    lock,
    orderBy,
    limit,
    returning: false,
    entity,
    fixes: {
      // .values(row).execute() → .values(row).orIgnore().execute()
      onConflictDoNothing: () =>
        kind === 'insert' && !conflict
          ? { edits: [beforeTerminal(links, '.orIgnore()', source)], label: '.orIgnore()', keepsResult: !resultUsed(chain.outermost) }
          : undefined,
      lockForUpdate: () =>
        kind === 'read' && !lock && throughTransaction(chain.root)
          ? { edits: [beforeTerminal(links, ".setLock('pessimistic_write')", source)], label: ".setLock('pessimistic_write')", keepsResult: true }
          : undefined,
      orderBy: (columns) => {
        if (kind !== 'read' || !alias) return undefined;
        const text = columns.map((name, index) => `.${index ? 'addOrderBy' : 'orderBy'}('${alias}.${attributeOf(entity, name) ?? name}', 'ASC')`).join('');
        return { edits: [beforeTerminal(links, text, source)], label: text, keepsResult: true };
      },
    },
  };
}

/** `account` declared as `const account = await repo.findOneBy(…)` (a row of the same table): the read and its declaration. */
function readInstance(
  model: TsModel,
  argument: TS.Expression | undefined,
  entity: DeclaredEntity,
): { read: DbOperation; declaration: TS.VariableDeclaration; name: TS.Identifier } | undefined {
  const name = argument && unwrapExpression(argument);
  if (!name || !ts.isIdentifier(name)) return undefined;
  const declaration = declarationOfName(name, name.text);
  const initializer =
    declaration && ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) && declaration.initializer
      ? unwrapExpression(declaration.initializer)
      : undefined;
  const chain = initializer && ts.isCallExpression(initializer) ? readChain(initializer) : undefined;
  const read = chain ? typeormOperation(model, chain) : undefined;
  if (!read || read.kind !== 'read' || read.table !== entity.table || !read.verb.getText().startsWith('findOne')) return undefined;
  return { read, declaration: declaration as TS.VariableDeclaration, name };
}

// account.balance -= cost; await repo.save(account): UPDATE of the columns set, on the row it was read as.
function savedInstance(chain: Chain, link: Link, entity: DeclaredEntity, instance: NonNullable<ReturnType<typeof readInstance>>): DbOperation {
  return {
    library: 'typeorm',
    kind: 'update',
    table: entity.table,
    call: chain.outermost,
    verb: link.nameNode,
    tableNode: instance.name,
    writes: assignmentsBefore(instance.name, instance.declaration, chain.outermost, columnOf(entity)),
    opaqueValues: [],
    where: instance.read.where,
    orderBy: [],
    returning: false,
    entity,
    fixes: {},
  };
}

/**
 * True when the chain runs on the transaction's own manager (`dataSource.transaction(async (manager) =>
 * …)`, a repository it gives, a query runner's manager): TypeORM refuses a pessimistic lock outside a
 * transaction, and a repository of the data source runs outside the callback's transaction.
 */
function throughTransaction(root: TS.Expression, depth = 0): boolean {
  let name: TS.Expression = root;
  while (ts.isPropertyAccessExpression(name) || ts.isCallExpression(name)) name = ts.isPropertyAccessExpression(name) ? name.expression : name.expression;
  if (!ts.isIdentifier(name) || depth > 2) return false;
  const declaration = declarationOfName(name, name.text);
  if (!declaration) return false;
  if (ts.isParameter(declaration)) {
    const fn = declaration.parent;
    const call = fn.parent;
    return (
      fn.parameters[0] === declaration &&
      !!call &&
      ts.isCallExpression(call) &&
      ts.isPropertyAccessExpression(call.expression) &&
      call.expression.name.text === 'transaction'
    );
  }
  // const runner = dataSource.createQueryRunner(); const repo = manager.getRepository(E)
  const initializer = ts.isVariableDeclaration(declaration) && declaration.initializer ? unwrapExpression(declaration.initializer) : undefined;
  if (!initializer || !ts.isCallExpression(initializer) || !ts.isPropertyAccessExpression(initializer.expression)) return false;
  if (initializer.expression.name.text === 'createQueryRunner') return true;
  return REPOSITORY_GETTERS.has(initializer.expression.name.text) && throughTransaction(initializer.expression.expression, depth + 1);
}

/** An edit that adds calls before the chain's last one, on a line of their own where the chain is written one call per line. */
function beforeTerminal(links: Link[], text: string, source: TS.SourceFile): { start: number; end: number; text: string } {
  const terminal = links[links.length - 1];
  const previous = links[links.length - 2];
  const at = previous ? previous.call.getEnd() : terminal.nameNode.getStart(source) - 1;
  const between = source.text.slice(at, terminal.nameNode.getStart(source));
  const lineStart = source.text.lastIndexOf('\n', terminal.nameNode.getStart(source)) + 1;
  const indent = between.includes('\n') ? `\n${/^[ \t]*/.exec(source.text.slice(lineStart))![0]}` : '';
  return { start: at, end: at, text: `${indent}${text}` };
}

const TERMINALS = new Set(['execute', 'getOne', 'getOneOrFail', 'getMany', 'getManyAndCount', 'getRawOne', 'getRawMany', 'getRawAndEntities', 'stream']);
const WRITES = new Set(['insert', 'update', 'delete', 'softDelete', 'restore']);
const LOCK_MODES: Record<string, { strength: NonNullable<DbOperation['lock']>['strength']; skipLocked: boolean; noWait?: boolean }> = {
  pessimistic_write: { strength: 'update', skipLocked: false },
  pessimistic_read: { strength: 'share', skipLocked: false },
  for_no_key_update: { strength: 'no key update', skipLocked: false },
  for_key_share: { strength: 'key share', skipLocked: false },
  pessimistic_partial_write: { strength: 'update', skipLocked: true },
  pessimistic_write_or_fail: { strength: 'update', skipLocked: false, noWait: true },
};

// lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' }. An optimistic "lock" only compares
// the version the read gives: no row lock. null: a mode the code computes.
function findLock(lock: TS.Expression | undefined): DbOperation['lock'] | null {
  if (!lock) return undefined;
  const mode = stringValue(option(lock, 'mode'));
  if (!mode) return null;
  if (mode === 'optimistic' || mode === 'dirty_read') return undefined;
  const strength = LOCK_MODES[mode];
  if (!strength) return null;
  const onLocked = stringValue(option(lock, 'onLocked'));
  return { ...strength, skipLocked: strength.skipLocked || onLocked === 'skip_locked', noWait: strength.noWait || onLocked === 'nowait', node: lock.parent };
}

// order: { id: 'ASC' }; an order the reader cannot name is still an order ('?').
function findOrder(order: TS.Expression | undefined, column: (attribute: string) => string): string[] {
  if (!order) return [];
  const object = objectOf(order);
  if (!object) return ['?'];
  return object.properties.map((entry) => {
    const name = entry.name && propertyName(entry.name);
    return name ? column(name) : '?';
  });
}

// 'p.createdAt' → createdAt's column; anything else is an order all the same.
function orderColumn(argument: TS.Expression | undefined, column: (attribute: string) => string): string {
  const text = stringValue(argument);
  if (!text) return '?';
  const name = text.slice(text.lastIndexOf('.') + 1).replace(/"/g, '');
  return /^\w+$/.test(name) ? column(name) : '?';
}

// update(id, …), update({ id }, …), update([1, 2], …), delete(id)
function criteria(argument: TS.Expression | undefined, entity: DeclaredEntity, column: (attribute: string) => string): RowCondition[] {
  if (!argument) return [];
  const value = unwrapExpression(argument);
  const key = column(entity.primaryKey[0] ?? 'id');
  if (ts.isObjectLiteralExpression(value)) return findWhere(value, column);
  if (ts.isArrayLiteralExpression(value)) return [{ column: key, operator: 'in', value: argument }];
  return [{ column: key, operator: '=', value: argument }];
}

// where: { id }, { id: In(ids) }, { amount: MoreThan(0) }, [{ … }, { … }] (OR), relations (nested objects).
function findWhere(where: TS.Expression | undefined, column: (attribute: string) => string): RowCondition[] {
  if (!where) return [];
  const object = objectOf(where);
  if (!object) return [{ column: '', operator: 'other', value: undefined }];
  const conditions: RowCondition[] = [];
  for (const entry of object.properties) {
    const name = entry.name && propertyName(entry.name);
    if (ts.isShorthandPropertyAssignment(entry)) conditions.push({ column: column(entry.name.text), operator: '=', value: entry.name });
    else if (!name || !ts.isPropertyAssignment(entry)) conditions.push({ column: '', operator: 'other', value: undefined });
    else conditions.push(findCondition(column(name), entry.initializer));
  }
  return conditions;
}

function findCondition(name: string, value: TS.Expression): RowCondition {
  const inner = unwrapExpression(value);
  if (ts.isObjectLiteralExpression(inner) || inner.kind === ts.SyntaxKind.NullKeyword) return { column: name, operator: 'other', value: undefined };
  if (!ts.isCallExpression(inner)) return { column: name, operator: '=', value };
  const operator = ts.isIdentifier(inner.expression) ? inner.expression.text : '';
  if (operator === 'Equal') return { column: name, operator: '=', value: inner.arguments[0] };
  if (operator === 'In') return { column: name, operator: 'in', value: inner.arguments[0] };
  if (['MoreThan', 'MoreThanOrEqual', 'LessThan', 'LessThanOrEqual', 'Between'].includes(operator))
    return { column: name, operator: 'range', value: inner.arguments[0] };
  return { column: name, operator: 'other', value: undefined };
}

// 'p.id = :id AND p.status = :status' with { id, status }; 'p.id IN (:...ids)'; anything else is
// a condition the reader cannot name.
function fragmentConditions(fragment: TS.Expression | undefined, parameters: TS.Expression | undefined, column: (attribute: string) => string): RowCondition[] {
  const text = stringValue(fragment);
  if (text === undefined) return fragment && objectOf(fragment) ? findWhere(fragment, column) : [{ column: '', operator: 'other', value: undefined }];
  if (/\bor\b/i.test(text)) return [{ column: '', operator: 'other', value: undefined }];
  return text.split(/\s+and\s+/i).map((part) => {
    const match = /^\s*\(?\s*(?:"?\w+"?\.)?"?(\w+)"?\s*(=|in)\s*\(?\s*:(\.\.\.)?(\w+)\s*\)?\s*\)?\s*$/i.exec(part);
    if (!match) return { column: '', operator: 'other', value: undefined };
    const [, name, operator, spread, parameter] = match;
    const value = option(parameters, parameter);
    return { column: column(name), operator: operator.toLowerCase() === 'in' || spread ? 'in' : '=', value };
  });
}

function readValues(argument: TS.Expression | undefined, column: (attribute: string) => string, writes: ColumnWrite[], opaque: TS.Expression[]): void {
  if (!argument) return;
  const value = firstOfArray(argument);
  const object = objectOf(value);
  if (!object || object.properties.some((entry) => ts.isSpreadAssignment(entry))) {
    opaque.push(argument);
    return;
  }
  for (const entry of object.properties) {
    const name = entry.name && propertyName(entry.name);
    if (!name) continue;
    if (ts.isPropertyAssignment(entry)) {
      // Relations (`user: { id }`) are other tables' business.
      if (!ts.isObjectLiteralExpression(unwrapExpression(entry.initializer))) writes.push({ column: column(name), value: entry.initializer, node: entry });
    } else if (ts.isShorthandPropertyAssignment(entry)) writes.push({ column: column(name), value: entry.name, node: entry });
  }
}

/** `repo.create({ … })`'s argument: what save() of it writes. */
function createdValues(argument: TS.Expression | undefined): TS.Expression | undefined {
  const value = argument && unwrapExpression(argument);
  return value &&
    ts.isCallExpression(value) &&
    ts.isPropertyAccessExpression(value.expression) &&
    value.expression.name.text === 'create' &&
    value.arguments.length === 1
    ? value.arguments[0]
    : undefined;
}

function firstOfArray(argument: TS.Expression): TS.Expression {
  const value = unwrapExpression(argument);
  return ts.isArrayLiteralExpression(value) && value.elements.length ? value.elements[0] : argument;
}

// conflictPaths: { stripeEventId: true }
function objectKeys(expression: TS.Expression | undefined): string[] | undefined {
  const object = objectOf(expression);
  return object?.properties.map((entry) => (entry.name && propertyName(entry.name)) ?? '?');
}
