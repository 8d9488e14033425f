// Which statements run in the same transaction. Modelled once here for every rule:
// - BEGIN / START TRANSACTION … COMMIT / ROLLBACK / END in a script is one explicit transaction;
// - outside of one, each statement of a script commits on its own (autocommit);
// - a function, procedure or DO body is one unit with its caller's transaction;
// - a cron command string is a unit of its own that runs later.

import { constantString, definitionOptions } from './ast';
import type { Routine } from './plpgsql-model';
import type { SqlStatement } from './statement';

export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionUnit {
  kind: 'explicit' | 'autocommit' | 'routine' | 'scheduled';
  statements: SqlStatement[];
  /** Isolation requested by BEGIN … ISOLATION LEVEL or SET TRANSACTION inside the unit. */
  isolation: IsolationLevel | undefined;
  routine?: Routine;
}

/**
 * Assigns every statement to its unit. `scripts` are sequences of top-level statements executed in
 * order (a .sql file, a TypeScript function's queries); `scheduled` are cron command groups.
 */
export function buildTransactions(scripts: SqlStatement[][], routines: Routine[], scheduled: SqlStatement[][]): TransactionUnit[] {
  const units: TransactionUnit[] = [];
  for (const script of scripts) {
    let open: TransactionUnit | undefined;
    for (const statement of script) {
      const control = transactionControl(statement);
      if (control === 'begin' && !open) {
        open = { kind: 'explicit', statements: [], isolation: isolationOf(statement) };
        units.push(open);
      }
      if (open) {
        open.statements.push(statement);
        statement.transaction = open;
        open.isolation ??= isolationOf(statement);
        if (control === 'end') open = undefined;
      } else {
        const single: TransactionUnit = { kind: 'autocommit', statements: [statement], isolation: isolationOf(statement) };
        statement.transaction = single;
        units.push(single);
      }
    }
  }
  for (const routine of routines) {
    const unit: TransactionUnit = { kind: 'routine', statements: routine.statements, isolation: undefined, routine };
    for (const statement of routine.statements) {
      statement.transaction = unit;
      unit.isolation ??= isolationOf(statement);
    }
    units.push(unit);
  }
  for (const group of scheduled) {
    const unit: TransactionUnit = { kind: 'scheduled', statements: group, isolation: undefined };
    for (const statement of group) statement.transaction ??= unit;
    units.push(unit);
  }
  return units;
}

function transactionControl(statement: SqlStatement): 'begin' | 'end' | undefined {
  if (statement.kind !== 'TransactionStmt') return undefined;
  switch (statement.body.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return 'begin';
    case 'TRANS_STMT_COMMIT':
    case 'TRANS_STMT_ROLLBACK':
    case 'TRANS_STMT_PREPARE':
      return 'end';
    default:
      return undefined;
  }
}

/** Isolation level set by a BEGIN/START TRANSACTION or SET TRANSACTION statement. */
export function isolationOf(statement: SqlStatement): IsolationLevel | undefined {
  let options: any[] | undefined;
  if (statement.kind === 'TransactionStmt') options = statement.body.options;
  else if (statement.kind === 'VariableSetStmt' && statement.body.name === 'TRANSACTION') options = statement.body.args;
  const level = constantString(definitionOptions(options).get('transaction_isolation')?.arg);
  return level ? (level.toLowerCase() as IsolationLevel) : undefined;
}
