// Where values go: the places of a statement whose value is written into a row (INSERT values,
// UPDATE SET, column DEFAULT, NEW.column := in a trigger) or used to choose rows (WHERE).

import { walk, wrapped, type AstNode, type NodeFields } from '../../languages/sql/ast';
import type { SqlStatement } from '../../languages/sql/statement';

export type SinkKind = 'insert' | 'update' | 'default' | 'row-assign' | 'where';

export interface ValueSink {
  kind: SinkKind;
  /** Target column, when known. */
  column: string | undefined;
  /** The value expression (a wrapped node). */
  expression: AstNode | undefined;
}

export const ROW_WRITES: ReadonlySet<SinkKind> = new Set(['insert', 'update', 'default', 'row-assign']);

export function valueSinks(statement: SqlStatement): ValueSink[] {
  const sinks: ValueSink[] = [];
  switch (statement.kind) {
    case 'InsertStmt': {
      const body = statement.bodyOf('InsertStmt')!;
      const columns: Array<string | undefined> = (body.cols ?? []).map((column) => column.ResTarget?.name);
      const select = body.selectStmt?.SelectStmt;
      for (const row of select?.valuesLists ?? []) {
        (row.List?.items ?? []).forEach((item, index) => sinks.push({ kind: 'insert', column: columns[index], expression: item }));
      }
      (select?.targetList ?? []).forEach((target, index) => sinks.push({ kind: 'insert', column: columns[index], expression: target.ResTarget?.val }));
      for (const target of body.onConflictClause?.targetList ?? [])
        sinks.push({ kind: 'update', column: target.ResTarget?.name, expression: target.ResTarget?.val });
      break;
    }
    case 'UpdateStmt':
      for (const target of statement.bodyOf('UpdateStmt')!.targetList ?? [])
        sinks.push({ kind: 'update', column: target.ResTarget?.name, expression: target.ResTarget?.val });
      break;
    case 'CreateStmt':
      for (const element of statement.bodyOf('CreateStmt')!.tableElts ?? []) if (element.ColumnDef) addColumnDefaults(element.ColumnDef, sinks);
      break;
    case 'AlterTableStmt':
      for (const command of statement.bodyOf('AlterTableStmt')!.cmds ?? []) {
        const alter = command.AlterTableCmd;
        if (alter?.subtype === 'AT_ColumnDefault' && alter.def) sinks.push({ kind: 'default', column: alter.name, expression: alter.def });
        if (alter?.subtype === 'AT_AddColumn' && alter.def?.ColumnDef) addColumnDefaults(alter.def.ColumnDef, sinks);
      }
      break;
    case 'SelectStmt': {
      // NEW.column := value in a trigger function writes the row being inserted or updated.
      const target = statement.plpgsql?.kind === 'assign' ? statement.plpgsql.targets[0] : undefined;
      if (target && statement.routine?.returnsTrigger && /^new\./.test(target)) {
        sinks.push({ kind: 'row-assign', column: target.slice(4), expression: statement.bodyOf('SelectStmt')!.targetList?.[0]?.ResTarget?.val });
      }
      break;
    }
    default:
      break;
  }
  walk(statement.body, (visit) => {
    if (visit.key === 'whereClause') sinks.push({ kind: 'where', column: undefined, expression: wrapped(visit) });
  });
  return sinks;
}

function addColumnDefaults(definition: NodeFields<'ColumnDef'>, sinks: ValueSink[]): void {
  for (const constraint of definition.constraints ?? []) {
    const value = constraint.Constraint;
    if (value?.contype === 'CONSTR_DEFAULT' && value.raw_expr) sinks.push({ kind: 'default', column: String(definition.colname), expression: value.raw_expr });
  }
}
