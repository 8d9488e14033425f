// supabase-js (PostgREST): supabase.from('t').insert(row) | .upsert(row, { onConflict, ignoreDuplicates })
// | .update(values) | .delete() | .select(cols), filtered by .eq/.in/.match/.gt…, and .select() after a
// write to get the rows back. PostgREST has no row locks and no transactions: a read and a write are
// two requests.

import type * as TS from 'typescript';
import { ts } from '../project';
import type { TsModel } from '../ts-file';
import { objectProperties, property, readValues, stringValue, unwrapExpression, type Chain } from './chain';
import type { ColumnWrite, DbOperation, OperationKind, RowCondition } from './operation';

const VERBS: Record<string, OperationKind> = { insert: 'insert', upsert: 'insert', update: 'update', delete: 'delete', select: 'read' };
const EQUALITY = new Set(['eq', 'is']);
const RANGES = new Set(['gt', 'gte', 'lt', 'lte', 'range', 'rangeGt', 'rangeGte', 'rangeLt', 'rangeLte']);

export function supabaseOperation(model: TsModel, chain: Chain): DbOperation | undefined {
  const links = chain.links;
  const fromIndex = links.findIndex((link) => link.name === 'from');
  if (fromIndex < 0 || model.kindOf(chain.root) !== 'supabase') return undefined;
  const from = links[fromIndex];
  const table = stringValue(from.args[0]);
  const verbLink = links[fromIndex + 1];
  if (!table || !verbLink || !(verbLink.name in VERBS)) return undefined;
  const kind = VERBS[verbLink.name];
  const source = model.node;
  const writes: ColumnWrite[] = [];
  const opaqueValues: TS.Expression[] = [];
  if (kind === 'insert' || kind === 'update') readValues(verbLink.args[0], writes, opaqueValues);
  const where: RowCondition[] = [];
  let returning = false;
  let conflict: DbOperation['conflict'];
  for (const link of links.slice(fromIndex + 2)) {
    const column = stringValue(link.args[0]);
    if (EQUALITY.has(link.name) && column) where.push({ column, operator: '=', value: link.args[1] });
    else if (link.name === 'in' && column) where.push({ column, operator: 'in', value: link.args[1] });
    else if (RANGES.has(link.name) && column) where.push({ column, operator: 'range', value: link.args[1] });
    else if (link.name === 'match')
      for (const entry of objectProperties(link.args[0]) ?? []) where.push({ column: entry.name, operator: '=', value: entry.value });
    else if (link.name === 'select' && kind !== 'read') returning = true;
    else if (['neq', 'like', 'ilike', 'not', 'or', 'filter', 'contains', 'textSearch'].includes(link.name))
      where.push({ column: column ?? '', operator: 'other', value: undefined });
  }
  if (verbLink.name === 'upsert') {
    const options = verbLink.args[1];
    const target = stringValue(property(options, 'onConflict'));
    const ignore = property(options, 'ignoreDuplicates');
    conflict = {
      columns: target ? target.split(',').map((part) => part.trim()) : [],
      action: ignore && ignore.kind === ts.SyntaxKind.TrueKeyword ? 'nothing' : 'update',
    };
  }
  const operation: DbOperation = {
    library: 'supabase',
    kind,
    table,
    call: chain.outermost,
    verb: verbLink.nameNode,
    tableNode: from.args[0],
    writes,
    opaqueValues,
    where,
    conflict,
    orderBy: [],
    returning,
    fixes: {
      // .insert(row) → .upsert(row, { onConflict: 'key', ignoreDuplicates: true }): PostgREST's
      // INSERT … ON CONFLICT (key) DO NOTHING.
      onConflictDoNothing: (columns) => {
        if (verbLink.name !== 'insert' || !verbLink.args[0] || !columns.length) return undefined;
        const options = `onConflict: '${columns.join(',')}', ignoreDuplicates: true`;
        const second = verbLink.args[1];
        const edits = [{ start: verbLink.nameNode.getStart(source), end: verbLink.nameNode.getEnd(), text: 'upsert' }];
        if (!second) edits.push({ start: verbLink.args[0].getEnd(), end: verbLink.args[0].getEnd(), text: `, { ${options} }` });
        else {
          const object = unwrapExpression(second);
          if (!ts.isObjectLiteralExpression(object)) return undefined;
          edits.push({ start: object.getStart(source) + 1, end: object.getStart(source) + 1, text: ` ${options},` });
        }
        return { edits, label: `.upsert(…, { ${options} })`, keepsResult: true };
      },
    },
  };
  return operation;
}

/** Columns of an object literal (or of the first object of an array literal); anything else is opaque. */
