// What a migration says about the schema, as an ordered list of facts. The workspace model replays
// the facts of every .sql file in path order (migrations are named by timestamp), so a change to one
// file only re-extracts that file's facts.

import { columnName, constantString, relationName, typeName } from '../languages/sql/ast';
import { parseSql } from '../languages/sql/parser';
import { splitStatements } from '../languages/sql/split';
import { statementsOf, type SqlStatement } from '../languages/sql/statement';
import { MappedText } from '../text/mapped-text';

export interface ColumnFact {
  name: string;
  type: string;
  /** True when the column gets a value without the INSERT naming it (DEFAULT, serial, identity). */
  generated: boolean;
}

export type SchemaFact =
  | { op: 'createTable'; table: string; columns: ColumnFact[]; keys: KeyFact[]; hasExclusion: boolean }
  | { op: 'createMaterializedView'; table: string; columns: string[] }
  | { op: 'addColumn'; table: string; column: ColumnFact }
  | { op: 'addKey'; table: string; key: KeyFact }
  | { op: 'addExclusion'; table: string }
  | { op: 'createIndex'; table: string; key: KeyFact | undefined }
  | { op: 'dropTable'; table: string }
  | { op: 'renameTable'; table: string; newName: string }
  | { op: 'createSequence'; sequence: string }
  | { op: 'revoke'; table: string; privileges: string[]; roles: string[] };

export interface KeyFact {
  kind: 'primary' | 'unique';
  columns: string[];
}

/** Facts stated by the top-level statements of one file. */
export function schemaFacts(statements: readonly SqlStatement[]): SchemaFact[] {
  const facts: SchemaFact[] = [];
  for (const statement of statements) {
    if (statement.origin !== 'file' && statement.origin !== 'embedded') continue;
    collect(statement, facts);
  }
  return facts;
}

function collect(statement: SqlStatement, facts: SchemaFact[]): void {
  const body = statement.body;
  switch (statement.kind) {
    case 'CreateStmt': {
      const table = qualified(body.relation);
      const columns: ColumnFact[] = [];
      const keys: KeyFact[] = [];
      let hasExclusion = false;
      for (const element of body.tableElts ?? []) {
        if (element.ColumnDef) {
          const column = columnFact(element.ColumnDef);
          columns.push(column);
          for (const constraint of element.ColumnDef.constraints ?? []) {
            const kind = keyKind(constraint.Constraint?.contype);
            if (kind) keys.push({ kind, columns: [column.name] });
          }
        } else if (element.Constraint) {
          const kind = keyKind(element.Constraint.contype);
          if (kind) keys.push({ kind, columns: keyColumns(element.Constraint) });
          if (element.Constraint.contype === 'CONSTR_EXCLUSION') hasExclusion = true;
        }
      }
      facts.push({ op: 'createTable', table, columns, keys, hasExclusion });
      return;
    }
    case 'CreateTableAsStmt': {
      if (body.objtype !== 'OBJECT_MATVIEW') return;
      const into = body.into;
      const names: string[] = (into?.colNames ?? []).map((name: any) => String(name.String?.sval ?? ''));
      const targets = body.query?.SelectStmt?.targetList ?? [];
      const columns = names.length ? names : targets.map((target: any) => String(target.ResTarget?.name ?? columnName(target.ResTarget?.val?.ColumnRef) ?? ''));
      facts.push({ op: 'createMaterializedView', table: qualified(into?.rel), columns });
      return;
    }
    case 'AlterTableStmt': {
      const table = qualified(body.relation);
      for (const command of body.cmds ?? []) {
        const alter = command.AlterTableCmd;
        if (alter?.subtype === 'AT_AddColumn' && alter.def?.ColumnDef) {
          const column = columnFact(alter.def.ColumnDef);
          facts.push({ op: 'addColumn', table, column });
          for (const constraint of alter.def.ColumnDef.constraints ?? []) {
            const kind = keyKind(constraint.Constraint?.contype);
            if (kind) facts.push({ op: 'addKey', table, key: { kind, columns: [column.name] } });
          }
        } else if (alter?.subtype === 'AT_AddConstraint' && alter.def?.Constraint) {
          const kind = keyKind(alter.def.Constraint.contype);
          if (kind && !alter.def.Constraint.indexname) facts.push({ op: 'addKey', table, key: { kind, columns: keyColumns(alter.def.Constraint) } });
          if (alter.def.Constraint.contype === 'CONSTR_EXCLUSION') facts.push({ op: 'addExclusion', table });
        }
      }
      return;
    }
    case 'IndexStmt': {
      const table = qualified(body.relation);
      const params: any[] = body.indexParams ?? [];
      const plain = params.every((param) => param.IndexElem?.name);
      // Partial and expression indexes cannot be named as an ON CONFLICT target without repeating them.
      const key = body.unique && plain && !body.whereClause ? { kind: 'unique' as const, columns: params.map((param) => String(param.IndexElem.name)) } : undefined;
      facts.push({ op: 'createIndex', table, key: key ?? (body.unique ? { kind: 'unique', columns: [] } : undefined) });
      return;
    }
    case 'DropStmt': {
      if (body.removeType !== 'OBJECT_TABLE' && body.removeType !== 'OBJECT_MATVIEW') return;
      for (const object of body.objects ?? []) {
        const parts: string[] = (object.List?.items ?? []).map((item: any) => String(item.String?.sval ?? ''));
        if (parts.length) facts.push({ op: 'dropTable', table: parts.length === 1 ? `public.${parts[0]}` : parts.join('.') });
      }
      return;
    }
    case 'RenameStmt': {
      if ((body.renameType === 'OBJECT_TABLE' || body.renameType === 'OBJECT_MATVIEW') && body.relation && body.newname) {
        const table = qualified(body.relation);
        const schema = table.slice(0, table.indexOf('.'));
        facts.push({ op: 'renameTable', table, newName: `${schema}.${String(body.newname)}` });
      }
      return;
    }
    case 'CreateSeqStmt':
      facts.push({ op: 'createSequence', sequence: qualified(body.sequence) });
      return;
    case 'GrantStmt': {
      if (body.is_grant || body.objtype !== 'OBJECT_TABLE' || body.targtype !== 'ACL_TARGET_OBJECT') return;
      const privileges: string[] = body.privileges ? body.privileges.map((privilege: any) => String(privilege.AccessPriv?.priv_name ?? '')) : ['all'];
      const roles: string[] = (body.grantees ?? []).map((grantee: any) => {
        const role = grantee.RoleSpec;
        return role?.roletype === 'ROLESPEC_PUBLIC' ? 'public' : String(role?.rolename ?? '');
      });
      for (const object of body.objects ?? []) facts.push({ op: 'revoke', table: qualified(object.RangeVar), privileges, roles });
      return;
    }
    default:
      return;
  }
}

function qualified(rangeVar: any): string {
  const name = relationName(rangeVar);
  return name.includes('.') ? name : `public.${name}`;
}

function columnFact(definition: any): ColumnFact {
  const constraints: any[] = (definition.constraints ?? []).map((constraint: any) => constraint.Constraint?.contype);
  const type = typeName(definition.typeName);
  return {
    name: String(definition.colname),
    type,
    generated: constraints.some((kind) => kind === 'CONSTR_DEFAULT' || kind === 'CONSTR_IDENTITY' || kind === 'CONSTR_GENERATED') || /serial$/.test(type),
  };
}

function keyKind(contype: string | undefined): KeyFact['kind'] | undefined {
  if (contype === 'CONSTR_PRIMARY') return 'primary';
  if (contype === 'CONSTR_UNIQUE') return 'unique';
  return undefined;
}

function keyColumns(constraint: any): string[] {
  return (constraint.keys ?? []).map((key: any) => String(key.String?.sval ?? ''));
}

/** The sequence name literal of a nextval/currval call, as written: nextval('fencing_tokens_seq'). */
export function sequenceArgument(funcCall: any): string | undefined {
  const argument = funcCall?.args?.[0];
  const literal = constantString(argument) ?? constantString(argument?.TypeCast?.arg);
  return literal;
}

/**
 * Facts of a script read cheaply: only statements that can state facts (CREATE, ALTER, DROP, REVOKE)
 * are parsed. Used to build the workspace model before the files are analysed.
 */
export function schemaFactsOfScript(text: string): SchemaFact[] {
  const document = MappedText.document(text);
  const statements: SqlStatement[] = [];
  for (const span of splitStatements(text)) {
    const first = /^[a-z]+/i.exec(text.slice(span.start, span.start + 8))?.[0].toLowerCase();
    if (!first || !DDL_VERBS.has(first)) continue;
    const statementText = MappedText.slice(document, span.start, span.end, span.metaRanges);
    const outcome = parseSql(statementText.text);
    if (outcome.ok) statements.push(...statementsOf(statementText, outcome.statements, 'file'));
  }
  return schemaFacts(statements);
}

const DDL_VERBS = new Set(['create', 'alter', 'drop', 'revoke']);
