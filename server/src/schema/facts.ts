// What a migration says about the schema, as an ordered list of facts. The workspace model replays
// the facts of every .sql file in path order (migrations are named by timestamp), so a change to one
// file only re-extracts that file's facts.

import { columnName, constantString, functionBaseName, relationName, typeName, walk, type AstNode, type NodeFields } from '../languages/sql/ast';
import { detectForeignSql } from '../languages/sql/dialect';
import { parseWithPlaceholders } from '../languages/sql/placeholders';
import { migrationDownStart, splitStatements, type StatementSpan } from '../languages/sql/split';
import { statementsOf, type SqlStatement } from '../languages/sql/statement';
import type { SqlDialectSetting } from '../core/config';
import { MappedText } from '../core/text/mapped-text';

export interface ColumnFact {
  name: string;
  type: string;
  /** True when the column gets a value without the INSERT naming it (DEFAULT, serial, identity). */
  generated: boolean;
}

export type SchemaFact =
  | { op: 'createTable'; table: string; columns: ColumnFact[]; keys: KeyFact[]; hasExclusion: boolean }
  | { op: 'createMaterializedView'; table: string; columns: string[]; withNoData?: boolean; key?: ViewKeyFact }
  | { op: 'addColumn'; table: string; column: ColumnFact }
  | { op: 'addKey'; table: string; key: KeyFact }
  | { op: 'addExclusion'; table: string }
  | { op: 'createIndex'; table: string; key: KeyFact | undefined }
  /** ALTER TABLE … DROP CONSTRAINT: a key may be gone. */
  | { op: 'dropConstraint'; table: string; name: string }
  /** DROP INDEX: a unique index (a key) may be gone. */
  | { op: 'dropIndex'; names: string[] }
  | { op: 'dropTable'; table: string }
  | { op: 'renameTable'; table: string; newName: string }
  | { op: 'createSequence'; sequence: string }
  | { op: 'revoke'; table: string; privileges: string[]; roles: string[] }
  | { op: 'grant'; table: string; privileges: string[]; roles: string[] }
  /** GRANT/REVOKE … ON ALL TABLES IN SCHEMA: applies to the tables that exist at that point. */
  | { op: 'schemaPrivileges'; schema: string; grant: boolean; privileges: string[]; roles: string[] }
  /** ALTER DEFAULT PRIVILEGES … ON TABLES: applies to tables created afterwards in those schemas (none listed: any). */
  | { op: 'defaultPrivileges'; schemas: string[]; grant: boolean; privileges: string[]; roles: string[] }
  /** Roles the statement names (GRANT, REVOKE, CREATE POLICY … TO, ALTER DEFAULT PRIVILEGES, CREATE ROLE). */
  | { op: 'roles'; roles: string[] }
  | { op: 'createTrigger'; table: string; before: boolean; events: string[] }
  /** CREATE FUNCTION/PROCEDURE: whether its body changes data (for calls from code: supabase.rpc('name')). */
  | { op: 'createFunction'; name: string; writes: boolean }
  /** A top-level REFRESH: the view is populated afterwards, unless WITH NO DATA. */
  | { op: 'refreshMaterializedView'; table: string; withNoData: boolean };

/**
 * What identifies a row of a materialized view, read from its query: the output columns of its GROUP
 * BY, or a table's key carried through (output column per table column), valid when every joined
 * table matches at most one row (its key columns are all equated in the join).
 */
export type ViewKeyFact =
  | { kind: 'groupBy'; columns: string[] }
  | { kind: 'base'; table: string; columns: Array<[string, string]>; star: boolean; lookups: Array<{ table: string; columns: string[] }> };

export interface KeyFact {
  kind: 'primary' | 'unique';
  columns: string[];
  /** The constraint or index name, as written or as PostgreSQL names it by default (t_pkey, t_a_key, t_a_idx). */
  name?: string;
  /** DEFERRABLE: still unique at commit, but never an ON CONFLICT arbiter. */
  deferrable?: boolean;
}

/** Facts stated by the top-level statements of one file. */
export function schemaFacts(statements: readonly SqlStatement[]): SchemaFact[] {
  const facts: SchemaFact[] = [];
  for (const statement of statements) {
    if ((statement.origin !== 'file' && statement.origin !== 'embedded') || !FACT_KINDS.has(statement.kind)) continue;
    let own = keptFacts(statement.parsed);
    if (!own) {
      own = [];
      collect(statement, own);
      keepFacts(statement.parsed, own);
    }
    facts.push(...own);
  }
  return facts;
}

// Facts depend on the parse tree alone (no positions), so they are kept by the parser's output, not
// by the tree: a statement reused across keystrokes, or parsed for the CLI's schema pass and found
// again in the parse cache by the analysis, keeps its facts (the same objects) while its tree is long
// gone. The workspace model then sees by identity that nothing changed, without serialising the facts.
const factsByResult = new WeakMap<object, SchemaFact[][]>();
const factsByParse = new WeakMap<object, SchemaFact[]>();

type Parsed = SqlStatement['parsed'];

function keptFacts(parsed: Parsed): SchemaFact[] | undefined {
  return parsed.source ? factsByResult.get(parsed.source.result)?.[parsed.source.index] : factsByParse.get(parsed);
}

function keepFacts(parsed: Parsed, facts: SchemaFact[]): void {
  if (!parsed.source) {
    factsByParse.set(parsed, facts);
    return;
  }
  let list = factsByResult.get(parsed.source.result);
  if (!list) factsByResult.set(parsed.source.result, (list = []));
  list[parsed.source.index] = facts;
}

// The statement kinds that state facts; the others are never read (reading a body builds its tree).
const FACT_KINDS = new Set([
  'CreateStmt',
  'CreateTableAsStmt',
  'AlterTableStmt',
  'IndexStmt',
  'DropStmt',
  'RenameStmt',
  'CreateSeqStmt',
  'GrantStmt',
  'CreatePolicyStmt',
  'AlterDefaultPrivilegesStmt',
  'CreateRoleStmt',
  'RefreshMatViewStmt',
  'CreateTrigStmt',
  'CreateFunctionStmt',
]);

function collect(statement: SqlStatement, facts: SchemaFact[]): void {
  if (!FACT_KINDS.has(statement.kind)) return;
  switch (statement.kind) {
    case 'CreateStmt': {
      const body = statement.bodyOf('CreateStmt')!;
      const table = qualified(body.relation);
      const columns: ColumnFact[] = [];
      const keys: KeyFact[] = [];
      let hasExclusion = false;
      for (const element of body.tableElts ?? []) {
        if (element.ColumnDef) {
          const column = columnFact(element.ColumnDef);
          columns.push(column);
          keys.push(...columnKeys(element.ColumnDef, tableBaseName(table)));
        } else if (element.Constraint) {
          const key = tableKey(element.Constraint, tableBaseName(table));
          if (key) keys.push(key);
          if (element.Constraint.contype === 'CONSTR_EXCLUSION') hasExclusion = true;
        }
      }
      facts.push({ op: 'createTable', table, columns, keys, hasExclusion });
      return;
    }
    case 'CreateTableAsStmt': {
      const body = statement.bodyOf('CreateTableAsStmt')!;
      if (body.objtype !== 'OBJECT_MATVIEW') return;
      const into = body.into;
      const names: string[] = (into?.colNames ?? []).map((name) => String(name.String?.sval ?? ''));
      const targets = body.query?.SelectStmt?.targetList ?? [];
      const columns = names.length ? names : targets.map((target) => String(target.ResTarget?.name ?? columnName(target.ResTarget?.val?.ColumnRef) ?? ''));
      const key = viewKey(body.query?.SelectStmt, names);
      facts.push({
        op: 'createMaterializedView',
        table: qualified(into?.rel),
        columns,
        ...(into?.skipData ? { withNoData: true } : {}),
        ...(key ? { key } : {}),
      });
      return;
    }
    case 'AlterTableStmt': {
      const body = statement.bodyOf('AlterTableStmt')!;
      const table = qualified(body.relation);
      for (const command of body.cmds ?? []) {
        const alter = command.AlterTableCmd;
        if (alter?.subtype === 'AT_AddColumn' && alter.def?.ColumnDef) {
          const column = columnFact(alter.def.ColumnDef);
          facts.push({ op: 'addColumn', table, column });
          for (const key of columnKeys(alter.def.ColumnDef, tableBaseName(table))) facts.push({ op: 'addKey', table, key });
        } else if (alter?.subtype === 'AT_AddConstraint' && alter.def?.Constraint) {
          const key = tableKey(alter.def.Constraint, tableBaseName(table));
          if (key && !alter.def.Constraint.indexname) facts.push({ op: 'addKey', table, key });
          if (alter.def.Constraint.contype === 'CONSTR_EXCLUSION') facts.push({ op: 'addExclusion', table });
        } else if (alter?.subtype === 'AT_DropConstraint' && alter.name) {
          facts.push({ op: 'dropConstraint', table, name: String(alter.name) });
        }
      }
      return;
    }
    case 'IndexStmt': {
      const body = statement.bodyOf('IndexStmt')!;
      const table = qualified(body.relation);
      const params = body.indexParams ?? [];
      const plain = params.every((param) => param.IndexElem?.name);
      // Partial and expression indexes cannot be named as an ON CONFLICT target without repeating them.
      const columns = plain ? params.map((param) => String(param.IndexElem!.name)) : [];
      const name = body.idxname ? String(body.idxname) : `${tableBaseName(table)}_${columns.join('_')}_idx`;
      const key = body.unique && plain && !body.whereClause ? { kind: 'unique' as const, columns, name } : undefined;
      facts.push({ op: 'createIndex', table, key: key ?? (body.unique ? { kind: 'unique', columns: [], name } : undefined) });
      return;
    }
    case 'DropStmt': {
      const body = statement.bodyOf('DropStmt')!;
      if (body.removeType === 'OBJECT_INDEX') {
        const names = (body.objects ?? [])
          .map((object) => (object.List?.items ?? []).map((item) => String(item.String?.sval ?? '')).pop())
          .filter((name): name is string => !!name);
        if (names.length) facts.push({ op: 'dropIndex', names });
        return;
      }
      if (body.removeType !== 'OBJECT_TABLE' && body.removeType !== 'OBJECT_MATVIEW') return;
      for (const object of body.objects ?? []) {
        const parts: string[] = (object.List?.items ?? []).map((item) => String(item.String?.sval ?? ''));
        if (parts.length) facts.push({ op: 'dropTable', table: parts.length === 1 ? `public.${parts[0]}` : parts.join('.') });
      }
      return;
    }
    case 'RenameStmt': {
      const body = statement.bodyOf('RenameStmt')!;
      if ((body.renameType === 'OBJECT_TABLE' || body.renameType === 'OBJECT_MATVIEW') && body.relation && body.newname) {
        const table = qualified(body.relation);
        const schema = table.slice(0, table.indexOf('.'));
        facts.push({ op: 'renameTable', table, newName: `${schema}.${String(body.newname)}` });
      }
      return;
    }
    case 'CreateSeqStmt': {
      const body = statement.bodyOf('CreateSeqStmt')!;
      facts.push({ op: 'createSequence', sequence: qualified(body.sequence) });
      return;
    }
    case 'GrantStmt': {
      const body = statement.bodyOf('GrantStmt')!;
      pushRoles(body.grantees, facts);
      if (body.objtype !== 'OBJECT_TABLE') return;
      // A column privilege (UPDATE (status)) is not the table privilege: revoking it leaves the table's,
      // granting it gives back part of what a table-wide REVOKE took.
      const listed = (body.privileges ?? []).filter((privilege) => body.is_grant || !privilege.AccessPriv?.cols);
      if (body.privileges && !listed.length) return;
      const privileges: string[] = body.privileges ? listed.map((privilege) => String(privilege.AccessPriv?.priv_name ?? '')) : ['all'];
      const roles = roleNames(body.grantees);
      if (body.targtype === 'ACL_TARGET_ALL_IN_SCHEMA') {
        for (const schema of body.objects ?? [])
          facts.push({ op: 'schemaPrivileges', schema: String(schema.String?.sval ?? ''), grant: !!body.is_grant, privileges, roles });
        return;
      }
      if (body.targtype !== 'ACL_TARGET_OBJECT') return;
      for (const object of body.objects ?? []) facts.push({ op: body.is_grant ? 'grant' : 'revoke', table: qualified(object.RangeVar), privileges, roles });
      return;
    }
    case 'CreatePolicyStmt': {
      const body = statement.bodyOf('CreatePolicyStmt')!;
      pushRoles(body.roles, facts);
      return;
    }
    case 'AlterDefaultPrivilegesStmt': {
      const body = statement.bodyOf('AlterDefaultPrivilegesStmt')!;
      const action = body.action;
      pushRoles(action?.grantees, facts);
      if (action?.objtype !== 'OBJECT_TABLE') return;
      const listed = (action.privileges ?? []).filter((privilege) => action.is_grant || !privilege.AccessPriv?.cols);
      if (action.privileges && !listed.length) return;
      const schemas: string[] = (body.options ?? [])
        .filter((option) => option.DefElem?.defname === 'schemas')
        .flatMap((option) => (option.DefElem!.arg?.List?.items ?? []).map((item) => String(item.String?.sval ?? '')));
      facts.push({
        op: 'defaultPrivileges',
        schemas,
        grant: !!action.is_grant,
        privileges: action.privileges ? listed.map((privilege) => String(privilege.AccessPriv?.priv_name ?? '')) : ['all'],
        roles: roleNames(action.grantees),
      });
      return;
    }
    case 'CreateRoleStmt': {
      const body = statement.bodyOf('CreateRoleStmt')!;
      if (body.role) facts.push({ op: 'roles', roles: [String(body.role)] });
      return;
    }
    case 'RefreshMatViewStmt': {
      const body = statement.bodyOf('RefreshMatViewStmt')!;
      facts.push({ op: 'refreshMaterializedView', table: qualified(body.relation), withNoData: !!body.skipData });
      return;
    }
    case 'CreateFunctionStmt': {
      const body = statement.bodyOf('CreateFunctionStmt')!;
      const name = (body.funcname ?? []).map((part) => String(part.String?.sval ?? '')).join('.');
      const definition = (body.options ?? []).find((option) => option.DefElem?.defname === 'as')?.DefElem?.arg?.List?.items?.[0]?.String?.sval;
      if (name)
        facts.push({
          op: 'createFunction',
          name,
          writes: typeof definition === 'string' && /\b(insert\s+into|update\s+\S+\s+set|delete\s+from|merge\s+into)\b/i.test(definition),
        });
      return;
    }
    case 'CreateTrigStmt': {
      const body = statement.bodyOf('CreateTrigStmt')!;
      const events = Object.entries(TRIGGER_EVENTS)
        .filter(([, bit]) => ((body.events ?? 0) & bit) !== 0)
        .map(([event]) => event);
      facts.push({ op: 'createTrigger', table: qualified(body.relation), before: ((body.timing ?? 0) & TRIGGER_BEFORE) !== 0, events });
      return;
    }
    default:
      return;
  }
}

// pg_trigger's tgtype bits, as CREATE TRIGGER's parse tree carries them.
const TRIGGER_BEFORE = 2;
const TRIGGER_EVENTS: Record<string, number> = { insert: 4, delete: 8, update: 16, truncate: 32 };

/** Grantees as privileges are recorded: 'public' for PUBLIC. */
function roleNames(grantees: AstNode[] | undefined): string[] {
  return (grantees ?? []).map((grantee) => {
    const role = grantee.RoleSpec;
    return role?.roletype === 'ROLESPEC_PUBLIC' ? 'public' : String(role?.rolename ?? '');
  });
}

function pushRoles(roleSpecs: AstNode[] | undefined, facts: SchemaFact[]): void {
  const roles = (roleSpecs ?? [])
    .map((spec) => spec.RoleSpec)
    .filter((role) => role?.roletype === 'ROLESPEC_CSTRING')
    .map((role) => String(role!.rolename));
  if (roles.length) facts.push({ op: 'roles', roles });
}

function qualified(rangeVar: NodeFields<'RangeVar'> | undefined): string {
  const name = relationName(rangeVar);
  return name.includes('.') ? name : `public.${name}`;
}

function columnFact(definition: NodeFields<'ColumnDef'>): ColumnFact {
  const constraints = (definition.constraints ?? []).map((constraint) => constraint.Constraint?.contype);
  const type = typeName(definition.typeName);
  return {
    name: String(definition.colname),
    type,
    generated: constraints.some((kind) => kind === 'CONSTR_DEFAULT' || kind === 'CONSTR_IDENTITY' || kind === 'CONSTR_GENERATED') || /serial$/.test(type),
  };
}

// Keys declared on a column: `id text primary key`, `code text unique deferrable`. The DEFERRABLE
// attribute is a separate entry after the constraint it qualifies.
function columnKeys(definition: NodeFields<'ColumnDef'>, table: string): KeyFact[] {
  const keys: KeyFact[] = [];
  const column = String(definition.colname);
  for (const constraint of definition.constraints ?? []) {
    const contype = constraint.Constraint?.contype;
    if (contype === 'CONSTR_ATTR_DEFERRABLE' && keys.length) keys[keys.length - 1].deferrable = true;
    const kind = keyKind(contype);
    if (!kind) continue;
    const conname = constraint.Constraint!.conname;
    keys.push({
      kind,
      columns: [column],
      name: conname ? String(conname) : defaultKeyName(table, kind, [column]),
      ...(constraint.Constraint!.deferrable ? { deferrable: true } : {}),
    });
  }
  return keys;
}

function tableKey(constraint: NodeFields<'Constraint'>, table: string): KeyFact | undefined {
  const kind = keyKind(constraint.contype);
  if (!kind) return undefined;
  const columns = keyColumns(constraint);
  return {
    kind,
    columns,
    name: constraint.conname ? String(constraint.conname) : defaultKeyName(table, kind, columns),
    ...(constraint.deferrable ? { deferrable: true } : {}),
  };
}

// PostgreSQL's own names for unnamed keys (before its truncation to 63 bytes, rarely reached).
function defaultKeyName(table: string, kind: KeyFact['kind'], columns: string[]): string {
  return kind === 'primary' ? `${table}_pkey` : `${table}_${columns.join('_')}_key`;
}

function tableBaseName(qualifiedName: string): string {
  return qualifiedName.slice(qualifiedName.indexOf('.') + 1);
}

function keyKind(contype: string | undefined): KeyFact['kind'] | undefined {
  if (contype === 'CONSTR_PRIMARY') return 'primary';
  if (contype === 'CONSTR_UNIQUE') return 'unique';
  return undefined;
}

function keyColumns(constraint: NodeFields<'Constraint'>): string[] {
  return (constraint.keys ?? []).map((key) => String(key.String?.sval ?? ''));
}

/** The sequence name literal of a nextval/currval call, as written: nextval('fencing_tokens_seq'). */
export function sequenceArgument(funcCall: NodeFields<'FuncCall'> | undefined): string | undefined {
  const argument = funcCall?.args?.[0];
  const literal = constantString(argument) ?? constantString(argument?.TypeCast?.arg);
  return literal;
}

/**
 * Facts of a script read cheaply: only statements that can state facts (CREATE, ALTER, DROP, REVOKE)
 * are parsed. Used to build the workspace model before the files are analysed.
 */
export function schemaFactsOfScript(text: string, spans?: StatementSpan[], dialect?: SqlDialectSetting): SchemaFact[] {
  // Another dialect's or a template's tables are not this database's; nor is what a Down section drops.
  if (dialect === 'skip' || (dialect !== 'postgres' && detectForeignSql(text))) return [];
  const downStart = migrationDownStart(text) ?? Infinity;
  const document = MappedText.document(text);
  const statements: SqlStatement[] = [];
  for (const span of spans ?? splitStatements(text)) {
    if (span.start >= downStart) break;
    const first = /^[a-z]+/i.exec(text.slice(span.start, span.start + 8))?.[0].toLowerCase();
    if (!first || !DDL_VERBS.has(first)) continue;
    const statementText = MappedText.slice(document, span.start, span.end, span.metaRanges);
    const outcome = parseWithPlaceholders(statementText.text, span.usesPsqlVariables);
    if (outcome.ok) statements.push(...statementsOf(statementText, outcome.statements, 'file'));
  }
  return schemaFacts(statements);
}

const DDL_VERBS = new Set(['create', 'alter', 'drop', 'revoke', 'grant', 'refresh']);

// REFRESH … CONCURRENTLY needs a unique index on plain columns of the view, so the rule that asks for
// it wants to know which output columns identify a row. Only query shapes that cannot repeat a row
// give a key: set operations, set-returning functions in the output, grouping sets, CTEs that may
// shadow a table name, and any other FROM item give none.
function viewKey(select: NodeFields<'SelectStmt'> | undefined, names: string[]): ViewKeyFact | undefined {
  if (!select || (select.op && select.op !== 'SETOP_NONE')) return undefined;
  const targets = (select.targetList ?? []).map((target) => target.ResTarget);
  if (targets.some((target) => !target || returnsSet(target.val))) return undefined;
  const outputName = (index: number): string | undefined =>
    names[index] ?? targets[index]?.name ?? (targets[index]?.val?.ColumnRef ? columnName(targets[index].val.ColumnRef) : undefined);
  if (select.groupClause?.length) {
    const columns: string[] = [];
    for (const item of select.groupClause) {
      const index = groupedTarget(item, targets);
      const name = index === undefined ? undefined : outputName(index);
      if (!name) return undefined;
      if (!columns.includes(name)) columns.push(name);
    }
    return { kind: 'groupBy', columns };
  }
  if (select.withClause || select.fromClause?.length !== 1) return undefined;
  const from = joinTree(select.fromClause[0]);
  if (!from) return undefined;
  const baseAlias = aliasOf(from.base);
  const columns: Array<[string, string]> = [];
  let star = false;
  targets.forEach((target, index) => {
    const fields = target!.val?.ColumnRef?.fields ?? [];
    if (fields.length === 0 || fields.length > 2) return;
    const qualifier = fields.length === 2 ? fields[0].String?.sval : undefined;
    if (qualifier !== undefined ? qualifier !== baseAlias : from.lookups.length > 0 && !fields[0].A_Star) return;
    if (fields[fields.length - 1].A_Star) star ||= names.length === 0;
    else {
      const name = outputName(index);
      if (name) columns.push([String(fields[fields.length - 1].String?.sval), name]);
    }
  });
  if (!star && !columns.length) return undefined;
  const lookups = from.lookups.map((lookup) => ({ table: qualified(lookup.rangeVar), columns: lookup.columns }));
  return { kind: 'base', table: qualified(from.base), columns, star, lookups };
}

/** Index of the output column a GROUP BY item names: by position, or by repeating its expression. */
function groupedTarget(item: AstNode, targets: Array<NodeFields<'ResTarget'> | undefined>): number | undefined {
  if (item.GroupingSet) return undefined;
  const position = item.A_Const?.ival?.ival;
  if (typeof position === 'number') return position >= 1 && position <= targets.length ? position - 1 : undefined;
  const fields = item.ColumnRef?.fields;
  const index = targets.findIndex((target) => {
    const targetFields = target?.val?.ColumnRef?.fields;
    // e.aggregate_id and aggregate_id are one column when either is unqualified (PostgreSQL rejects an
    // ambiguous unqualified name). An output alias alone is not matched: GROUP BY prefers input columns.
    if (fields && targetFields && (fields.length === 1 || targetFields.length === 1)) return columnName(item.ColumnRef) === columnName(target.val!.ColumnRef);
    return sameExpression(item, target!.val);
  });
  return index >= 0 ? index : undefined;
}

/** The first table of a FROM item and the tables joined to it that match at most one row each. */
function joinTree(item: AstNode): { base: NodeFields<'RangeVar'>; lookups: Array<{ rangeVar: NodeFields<'RangeVar'>; columns: string[] }> } | undefined {
  if (item.RangeVar) return { base: item.RangeVar, lookups: [] };
  const join = item.JoinExpr;
  if (!join || join.isNatural || (join.jointype !== 'JOIN_INNER' && join.jointype !== 'JOIN_LEFT') || !join.rarg?.RangeVar) return undefined;
  const left = joinTree(join.larg!);
  if (!left) return undefined;
  const alias = aliasOf(join.rarg.RangeVar);
  const columns: string[] = join.usingClause ? join.usingClause.map((name) => String(name.String?.sval)) : equatedColumns(join.quals, alias);
  return { base: left.base, lookups: [...left.lookups, { rangeVar: join.rarg.RangeVar, columns }] };
}

/** Columns of `alias` that the join condition sets equal to something that does not come from `alias`. */
function equatedColumns(quals: AstNode | undefined, alias: string): string[] {
  const conjuncts: AstNode[] = quals?.BoolExpr?.boolop === 'AND_EXPR' ? quals.BoolExpr.args! : quals ? [quals] : [];
  const columns: string[] = [];
  for (const conjunct of conjuncts) {
    const expression = conjunct.A_Expr;
    if (expression?.kind !== 'AEXPR_OP' || expression.name?.[0]?.String?.sval !== '=') continue;
    for (const [own, other] of [
      [expression.lexpr, expression.rexpr],
      [expression.rexpr, expression.lexpr],
    ]) {
      const fields = own?.ColumnRef?.fields ?? [];
      if (fields.length === 2 && fields[0].String?.sval === alias && fields[1].String && !mayReference(other, alias))
        columns.push(String(fields[1].String.sval));
    }
  }
  return columns;
}

function mayReference(node: AstNode | undefined, alias: string): boolean {
  let found = false;
  walk(node, (visit) => {
    if (visit.type !== 'ColumnRef') return;
    const fields = visit.node.fields ?? [];
    if (fields.length < 2 || fields[0].String?.sval === alias) found = true;
  });
  return found;
}

function aliasOf(rangeVar: NodeFields<'RangeVar'>): string {
  return String(rangeVar.alias?.aliasname ?? rangeVar.relname);
}

// Common set-returning functions: one of them in the output list turns one row into many.
const SET_RETURNING = new Set(
  (
    'unnest generate_series generate_subscripts regexp_matches regexp_split_to_table string_to_table jsonb_array_elements ' +
    'jsonb_array_elements_text json_array_elements json_array_elements_text jsonb_each jsonb_each_text json_each json_each_text ' +
    'jsonb_object_keys json_object_keys jsonb_path_query jsonb_to_recordset json_to_recordset jsonb_populate_recordset json_populate_recordset'
  ).split(' '),
);

function returnsSet(node: AstNode | undefined): boolean {
  let found = false;
  walk(node, (visit) => {
    if (visit.type === 'SubLink') return false;
    if (visit.type === 'FuncCall' && SET_RETURNING.has(functionBaseName(visit.node))) found = true;
    return undefined;
  });
  return found;
}

function sameExpression(left: AstNode | undefined, right: AstNode | undefined): boolean {
  const withoutLocations = (node: AstNode | undefined) => JSON.stringify(node, (key, value: unknown) => (key === 'location' ? undefined : value));
  return withoutLocations(left) === withoutLocations(right);
}
