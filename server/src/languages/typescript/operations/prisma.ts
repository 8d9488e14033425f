// Prisma model delegates: prisma.payment.create({ data }) | createMany({ data, skipDuplicates }) |
// upsert({ where, create, update }) | update/updateMany({ where, data }) | delete/deleteMany({ where })
// | findUnique/findFirst/findMany({ where }). The model's table and columns come from the project's
// schema.prisma (@@map, @map); without one, the model name and field names are PostgreSQL's names,
// as Prisma creates them. `{ increment: n }`, `{ decrement: n }` are atomic updates.

import type * as TS from 'typescript';
import type { PrismaModel } from '../../../schema/prisma';
import { ts } from '../project';
import type { TsModel } from '../ts-file';
import { hasSpread, objectProperties, property, unwrapExpression, type Chain } from './chain';
import type { ColumnWrite, DbOperation, LibraryFix, OperationKind, RowCondition } from './operation';

const METHODS: Record<string, { kind: OperationKind; many?: boolean; upsert?: boolean }> = {
  create: { kind: 'insert' },
  createMany: { kind: 'insert', many: true },
  createManyAndReturn: { kind: 'insert', many: true },
  upsert: { kind: 'insert', upsert: true },
  update: { kind: 'update' },
  updateMany: { kind: 'update', many: true },
  delete: { kind: 'delete' },
  deleteMany: { kind: 'delete', many: true },
  findUnique: { kind: 'read' },
  findUniqueOrThrow: { kind: 'read' },
  findFirst: { kind: 'read' },
  findFirstOrThrow: { kind: 'read' },
  findMany: { kind: 'read', many: true },
};

export function prismaOperation(model: TsModel, chain: Chain): DbOperation | undefined {
  const [verbLink] = chain.links;
  if (chain.links.length !== 1 || !(verbLink.name in METHODS)) return undefined;
  // prisma.payment.create: the root is the delegate, `prisma.payment`, on a Prisma client.
  const delegate = chain.root;
  if (!ts.isPropertyAccessExpression(delegate) || model.kindOf(delegate.expression) !== 'prisma') return undefined;
  const delegateName = delegate.name.text;
  if (delegateName.startsWith('$')) return undefined;
  const schema = model.project.prismaSchema(model.fileName);
  const prismaModel = schema ? findModel(schema.models, delegateName) : undefined;
  if (schema && !prismaModel) return undefined; // not a model of this schema
  const table = prismaModel?.table ?? delegateName[0].toUpperCase() + delegateName.slice(1);
  const column = (field: string) => prismaModel?.columns.get(field) ?? field;
  const method = METHODS[verbLink.name];
  const args = verbLink.args[0];
  const writes: ColumnWrite[] = [];
  const opaqueValues: TS.Expression[] = [];
  let conflict: DbOperation['conflict'];
  const dataArgument = method.upsert ? property(args, 'create') : property(args, 'data');
  if (method.kind === 'insert' || method.kind === 'update') readData(dataArgument, column, writes, opaqueValues);
  const where = method.kind === 'insert' && !method.upsert ? [] : readWhere(property(args, 'where'), column);
  if (method.upsert) conflict = { columns: where.filter((condition) => condition.operator === '=').map((condition) => condition.column), action: 'update' };
  const skip = property(args, 'skipDuplicates');
  if (method.many && method.kind === 'insert' && skip?.kind === ts.SyntaxKind.TrueKeyword) conflict = { columns: [], action: 'nothing' };
  const source = model.node;
  return {
    library: 'prisma',
    kind: method.kind,
    table,
    call: chain.outermost,
    verb: verbLink.nameNode,
    tableNode: delegate.name,
    writes,
    opaqueValues,
    where: method.upsert ? [] : where,
    conflict,
    orderBy: [],
    returning: false,
    fixes: {
      // create({ data }) → createMany({ data: [data], skipDuplicates: true }): INSERT … ON CONFLICT DO
      // NOTHING. It returns a count instead of the record, so it only keeps the meaning where the
      // record is not used.
      onConflictDoNothing: (): LibraryFix | undefined => {
        if (verbLink.name !== 'create' || !args || !dataArgument) return undefined;
        const object = unwrapExpression(args);
        if (!ts.isObjectLiteralExpression(object) || object.properties.length !== 1) return undefined;
        const used = resultUsed(chain.outermost);
        const text = `{ data: [${dataArgument.getText(source)}], skipDuplicates: true }`;
        return {
          edits: [
            { start: verbLink.nameNode.getStart(source), end: verbLink.nameNode.getEnd(), text: 'createMany' },
            { start: object.getStart(source), end: object.getEnd(), text },
          ],
          label: '.createMany({ data: [...], skipDuplicates: true })',
          keepsResult: !used,
        };
      },
      atomicUpdate: (write, operator, amount) => {
        if (!write.value) return undefined;
        const text = `{ ${operator === '+' ? 'increment' : 'decrement'}: ${amount.getText(source)} }`;
        const node = write.node;
        if (ts.isShorthandPropertyAssignment(node)) return undefined;
        return { edits: [{ start: write.value.getStart(source), end: write.value.getEnd(), text }], label: text, keepsResult: true };
      },
    },
  };
}

function findModel(models: Map<string, PrismaModel>, delegate: string): PrismaModel | undefined {
  for (const candidate of models.values()) if (candidate.name[0].toLowerCase() + candidate.name.slice(1) === delegate) return candidate;
  return undefined;
}

function readData(data: TS.Expression | undefined, column: (field: string) => string, writes: ColumnWrite[], opaque: TS.Expression[]): void {
  if (!data) return;
  let value = unwrapExpression(data);
  if (ts.isArrayLiteralExpression(value) && value.elements.length) value = unwrapExpression(value.elements[0]);
  const properties = ts.isObjectLiteralExpression(value) && !hasSpread(value) ? objectProperties(value) : undefined;
  if (!properties) {
    opaque.push(data);
    return;
  }
  for (const entry of properties) {
    const nested = objectProperties(entry.value);
    const increment = nested?.find((item) => item.name === 'increment' || item.name === 'decrement');
    const set = nested?.find((item) => item.name === 'set');
    if (increment)
      writes.push({
        column: column(entry.name),
        value: entry.value,
        node: entry.node,
        atomic: { operator: increment.name === 'increment' ? '+' : '-', amount: increment.value },
      });
    else if (set) writes.push({ column: column(entry.name), value: set.value, node: entry.node });
    // Relations (connect, create, …) are other tables' business; plain values are columns.
    else if (!nested) writes.push({ column: column(entry.name), value: entry.value, node: entry.node });
  }
}

function readWhere(where: TS.Expression | undefined, column: (field: string) => string): RowCondition[] {
  const conditions: RowCondition[] = [];
  for (const entry of objectProperties(where) ?? []) {
    if (['AND', 'OR', 'NOT'].includes(entry.name)) {
      conditions.push({ column: '', operator: 'other', value: undefined });
      continue;
    }
    const nested = objectProperties(entry.value);
    if (!nested) conditions.push({ column: column(entry.name), operator: '=', value: entry.value });
    else if (nested.length === 1 && nested[0].name === 'equals') conditions.push({ column: column(entry.name), operator: '=', value: nested[0].value });
    else if (nested.length === 1 && nested[0].name === 'in') conditions.push({ column: column(entry.name), operator: 'in', value: nested[0].value });
    else if (nested.some((item) => ['gt', 'gte', 'lt', 'lte'].includes(item.name)))
      conditions.push({ column: column(entry.name), operator: 'range', value: nested[0].value });
    // A compound unique key: where: { userId_day: { userId, day } }.
    else if (entry.name.includes('_')) for (const part of nested) conditions.push({ column: column(part.name), operator: '=', value: part.value });
    else conditions.push({ column: column(entry.name), operator: 'other', value: undefined });
  }
  return conditions;
}

/** True when the code uses what the call returns (assigns it, returns it, passes it on). */
function resultUsed(call: TS.Node): boolean {
  let node: TS.Node = call;
  while (node.parent && (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent))) node = node.parent;
  return !ts.isExpressionStatement(node.parent) && !ts.isVoidExpression(node.parent);
}
