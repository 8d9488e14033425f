// Helpers over libpg-query's JSON tree. Nodes typed as "any Node" come wrapped (`{ FuncCall: {…} }`);
// fields of a fixed message type (a RangeVar in `relation`) come unwrapped. The walker descends
// through both and reports the wrapped ones, with the chain of wrapped ancestors.

import type { AstNode, NodeFields, NodeType } from './parser';

export type { AstNode, NodeFields, NodeType };

/** A wrapped node met by the walk; checking `type` narrows `node` to that type's fields. */
export type Visit = { [Type in NodeType]: VisitOf<Type> }[NodeType];

/** A visit of a node of one type. */
export interface VisitOf<Type extends NodeType> {
  /** Node type, e.g. "FuncCall". */
  type: Type;
  /** The node's fields (the inside of the wrapper). */
  node: NodeFields<Type>;
  /** Field name (or array index) through which the walk reached this node from its parent. */
  key: string;
  parent: Visit | undefined;
}

/** Calls `visitor` for every wrapped node under `root` (root included). Returning false skips children. */
export function walk(root: unknown, visitor: (visit: Visit) => boolean | void, parent?: Visit, key = ''): void {
  if (root === null || typeof root !== 'object') return;
  if (Array.isArray(root)) {
    for (const item of root) walk(item, visitor, parent, key);
    return;
  }
  const entries = Object.keys(root);
  if (entries.length === 1 && isNodeTypeName(entries[0])) {
    const type = entries[0];
    const node = (root as Record<string, unknown>)[type];
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      const visit = { type, node, key, parent } as Visit;
      if (visitor(visit) === false) return;
      for (const field of Object.keys(node)) walk((node as Record<string, unknown>)[field], visitor, visit, field);
      return;
    }
  }
  for (const field of entries) walk((root as Record<string, unknown>)[field], visitor, parent, field);
}

/** Every wrapped node of one type under root. */
export function findAll<Type extends NodeType>(root: unknown, type: Type): Array<VisitOf<Type>> {
  const found: Array<VisitOf<Type>> = [];
  walk(root, (visit) => {
    if (visit.type === type) found.push(visit as VisitOf<Type>);
  });
  return found;
}

/** The location of the node a visit met, when it has one (most expression nodes do). */
export function visitLocation(visit: Visit): number | undefined {
  const location = (visit.node as { location?: unknown }).location;
  return typeof location === 'number' ? location : undefined;
}

function isNodeTypeName(name: string): boolean {
  const first = name.charCodeAt(0);
  return first >= 65 && first <= 90;
}

export function nodeTypeOf(node: AstNode | undefined): NodeType | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const keys = Object.keys(node);
  return keys.length === 1 && isNodeTypeName(keys[0]) ? (keys[0] as NodeType) : undefined;
}

/** The fields inside a node's wrapper, whatever its type; typed reads name the type (`node.FuncCall`). */
function unwrap(node: AstNode | undefined): unknown {
  const type = nodeTypeOf(node);
  return type ? (node as Record<string, unknown>)[type] : undefined;
}

/** The wrapped node a visit met: `{ FuncCall: {…} }`, for the helpers that take wrapped nodes. */
export function wrapped(visit: Visit): AstNode {
  return { [visit.type]: visit.node };
}

/** Lower-cased dotted name of a FuncCall (or of a CREATE FUNCTION), e.g. "pg_catalog.now" or "cron.schedule". */
export function functionName(funcCall: { funcname?: AstNode[] } | undefined): string {
  return (funcCall?.funcname ?? []).map((part) => String(part.String?.sval ?? '').toLowerCase()).join('.');
}

/** Last part of a FuncCall's name: "now" for pg_catalog.now(). */
export function functionBaseName(funcCall: NodeFields<'FuncCall'> | undefined): string {
  const parts = funcCall?.funcname ?? [];
  return String(parts[parts.length - 1]?.String?.sval ?? '').toLowerCase();
}

/** The string value of an A_Const node (wrapped or not), or undefined. */
export function constantString(node: AstNode | NodeFields<'A_Const'> | undefined): string | undefined {
  const constant: NodeFields<'A_Const'> | undefined = node && 'A_Const' in node ? node.A_Const : (node as NodeFields<'A_Const'> | undefined);
  return constant?.sval?.sval;
}

// Names come as PostgreSQL resolves them: unquoted identifiers already folded to lower case by the
// parser, quoted ones exactly as written. They are compared as given.

/** Column name of a ColumnRef (last field), or undefined for `*`. */
export function columnName(columnRef: NodeFields<'ColumnRef'> | undefined): string | undefined {
  const fields = columnRef?.fields ?? [];
  const last = fields[fields.length - 1];
  return last?.String?.sval;
}

/** Qualified relation name of a RangeVar: "public.payments" or "payments". */
export function relationName(rangeVar: NodeFields<'RangeVar'> | undefined): string {
  if (!rangeVar?.relname) return '';
  return rangeVar.schemaname ? `${rangeVar.schemaname}.${rangeVar.relname}` : String(rangeVar.relname);
}

/** The location of a node (wrapped or not), if it has one. */
export function locationOf(node: unknown): number | undefined {
  const inner = (nodeTypeOf(node as AstNode) ? unwrap(node as AstNode) : node) as { location?: unknown } | undefined;
  const location = inner?.location;
  return typeof location === 'number' && location >= 0 ? location : undefined;
}

/** Lower-cased names of a DefElem list (`options`) mapped to their string values. */
export function definitionOptions(options: AstNode[] | undefined): Map<string, NodeFields<'DefElem'>> {
  const map = new Map<string, NodeFields<'DefElem'>>();
  for (const option of options ?? []) {
    const element = option.DefElem;
    if (element?.defname) map.set(String(element.defname).toLowerCase(), element);
  }
  return map;
}

/** Lower-cased name of a TypeName node (wrapped or not): "pg_catalog.int4", "trigger". */
export function typeName(node: AstNode | NodeFields<'TypeName'> | undefined): string {
  const inner: NodeFields<'TypeName'> | undefined = node && 'TypeName' in node ? node.TypeName : (node as NodeFields<'TypeName'> | undefined);
  return (inner?.names ?? []).map((part) => String(part.String?.sval ?? '').toLowerCase()).join('.');
}
