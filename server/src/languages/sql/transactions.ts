// Which statements run in the same transaction. Modelled once here for every rule:
// - BEGIN / START TRANSACTION … COMMIT / ROLLBACK / END in a script is one explicit transaction;
// - outside of one, each statement of a script commits on its own (autocommit);
// - a function, procedure or DO body is one unit with its caller's transaction;
// - a cron command string is a unit of its own that runs later.
// The isolation level of a unit is the one its BEGIN or SET TRANSACTION requests, else the session
// default that an earlier statement of the same script set (SET SESSION CHARACTERISTICS, SET
// default_transaction_isolation); a DO block runs with the level of the transaction that runs it; a
// cron command (one implicit transaction) with the level its BEGIN or SET TRANSACTION asks for.

import { constantString, definitionOptions, functionName, walk, type AstNode, type NodeFields } from './ast';
import type { Routine } from './plpgsql-model';
import type { SqlStatement } from './statement';

export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionUnit {
  kind: 'explicit' | 'autocommit' | 'routine' | 'scheduled';
  statements: SqlStatement[];
  /**
   * Isolation requested by BEGIN … ISOLATION LEVEL or SET TRANSACTION inside the unit, else the session
   * default set earlier in the script, else (DO blocks) the level of the transaction running the block.
   * Defaults configured outside the file (ALTER DATABASE/ROLE, the server) are unknown: undefined.
   */
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
    // The session default in effect when each unit started; applied once the unit's own level is known.
    let sessionDefault: IsolationLevel | undefined;
    const defaults = new Map<TransactionUnit, IsolationLevel>();
    for (const statement of script) {
      const control = transactionControl(statement);
      if (control === 'begin' && !open) {
        open = { kind: 'explicit', statements: [], isolation: isolationOf(statement) };
        if (sessionDefault) defaults.set(open, sessionDefault);
        units.push(open);
      }
      if (open) {
        open.statements.push(statement);
        statement.transaction = open;
        open.isolation ??= isolationOf(statement);
        if (control === 'end') open = undefined;
      } else {
        const single: TransactionUnit = { kind: 'autocommit', statements: [statement], isolation: isolationOf(statement) };
        if (sessionDefault) defaults.set(single, sessionDefault);
        statement.transaction = single;
        units.push(single);
      }
      for (const setting of isolationSettings(statement)) if (setting.scope === 'session') sessionDefault = setting.level;
    }
    for (const [unit, level] of defaults) unit.isolation ??= level;
  }
  for (const routine of routines) {
    const unit: TransactionUnit = { kind: 'routine', statements: routine.statements, isolation: undefined, routine };
    for (const statement of routine.statements) {
      statement.transaction = unit;
      unit.isolation ??= isolationOf(statement);
    }
    if (routine.kind === 'do') unit.isolation ??= routine.header.transaction?.isolation;
    units.push(unit);
  }
  for (const group of scheduled) {
    const unit: TransactionUnit = { kind: 'scheduled', statements: group, isolation: undefined };
    for (const statement of group) {
      statement.transaction ??= unit;
      unit.isolation ??= isolationOf(statement);
    }
    units.push(unit);
  }
  return units;
}

function transactionControl(statement: SqlStatement): 'begin' | 'end' | undefined {
  if (statement.kind !== 'TransactionStmt') return undefined;
  switch (statement.bodyOf('TransactionStmt')?.kind) {
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

/** Isolation level a statement sets for its own transaction: BEGIN/START TRANSACTION, SET TRANSACTION, SET transaction_isolation. */
export function isolationOf(statement: SqlStatement): IsolationLevel | undefined {
  return isolationSettings(statement).find((setting) => setting.scope === 'transaction')?.level;
}

/**
 * Who an isolation setting applies to: the current transaction (BEGIN, SET TRANSACTION, SET
 * transaction_isolation), the rest of the current transaction only (SET LOCAL
 * default_transaction_isolation), later transactions of the session (SET SESSION CHARACTERISTICS,
 * SET default_transaction_isolation), or every new session of a database, a role or the server.
 */
export type IsolationScope = 'transaction' | 'local' | 'session' | 'database' | 'role' | 'system';

export interface IsolationSetting {
  scope: IsolationScope;
  /** The level requested; undefined when the setting goes back to the configured default (RESET, TO DEFAULT). */
  level: IsolationLevel | undefined;
  /** The A_Const that holds the level: its location is the level's words or string literal. */
  value: AstNode | undefined;
  /** ALTER DATABASE, ALTER ROLE … IN DATABASE: the database. */
  database?: string;
  /** ALTER ROLE/USER: the role; "ALL" for ALTER ROLE ALL. */
  role?: string;
}

const LEVELS = new Set<string>(['read uncommitted', 'read committed', 'repeatable read', 'serializable']);

/** Every isolation level a statement requests, with the scope it applies to. */
const SET_CONFIG = /set_config/i;
const ISOLATION_KINDS = new Set([
  'TransactionStmt',
  'VariableSetStmt',
  'DiscardStmt',
  'AlterDatabaseSetStmt',
  'AlterRoleSetStmt',
  'AlterSystemStmt',
  'SelectStmt',
]);

export function isolationSettings(statement: SqlStatement): IsolationSetting[] {
  if (!ISOLATION_KINDS.has(statement.kind) || (statement.kind === 'SelectStmt' && !statement.matches(SET_CONFIG))) return [];
  // Reading the body builds the statement's tree: only for the kinds that can set an isolation level.
  switch (statement.kind) {
    case 'TransactionStmt':
      return optionSetting(statement.bodyOf('TransactionStmt')?.options, 'transaction');
    case 'VariableSetStmt':
      return variableSetting(statement.bodyOf('VariableSetStmt'));
    case 'DiscardStmt':
      return statement.bodyOf('DiscardStmt')?.target === 'DISCARD_ALL' ? [{ scope: 'session', level: undefined, value: undefined }] : [];
    case 'AlterDatabaseSetStmt': {
      const body = statement.bodyOf('AlterDatabaseSetStmt')!;
      return variableSetting(body.setstmt).map((setting) => ({ ...setting, scope: 'database', database: body.dbname }));
    }
    case 'AlterRoleSetStmt': {
      const body = statement.bodyOf('AlterRoleSetStmt')!;
      return variableSetting(body.setstmt).map((setting) => ({ ...setting, scope: 'role', role: roleName(body.role), database: body.database }));
    }
    case 'AlterSystemStmt':
      return variableSetting(statement.bodyOf('AlterSystemStmt')?.setstmt).map((setting) => ({ ...setting, scope: 'system' }));
    case 'SelectStmt':
      return setConfigSettings(statement.bodyOf('SelectStmt')!);
    default:
      return [];
  }
}

function optionSetting(options: AstNode[] | undefined, scope: IsolationScope): IsolationSetting[] {
  const value = definitionOptions(options).get('transaction_isolation')?.arg;
  const level = levelOf(value);
  return level ? [{ scope, level, value }] : [];
}

// SET [SESSION | LOCAL] …, RESET …, RESET ALL, SET TRANSACTION …, SET SESSION CHARACTERISTICS AS TRANSACTION ….
function variableSetting(set: NodeFields<'VariableSetStmt'> | undefined): IsolationSetting[] {
  if (!set) return [];
  if (set.kind === 'VAR_RESET_ALL') return [{ scope: 'session', level: undefined, value: undefined }];
  const name = String(set.name ?? '');
  if (name === 'TRANSACTION') return optionSetting(set.args, 'transaction');
  if (name === 'SESSION CHARACTERISTICS') return optionSetting(set.args, 'session');
  if (name === 'transaction_isolation') {
    const value = set.args?.[0];
    const level = levelOf(value);
    return level ? [{ scope: 'transaction', level, value }] : [];
  }
  if (name !== 'default_transaction_isolation') return [];
  const scope: IsolationScope = set.is_local ? 'local' : 'session';
  if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') return [{ scope, level: undefined, value: undefined }];
  const value = set.args?.[0];
  const level = levelOf(value);
  return level ? [{ scope, level, value }] : [];
}

// set_config('default_transaction_isolation', '<level>', <is_local>) with constant arguments.
function setConfigSettings(body: NodeFields<'SelectStmt'>): IsolationSetting[] {
  const settings: IsolationSetting[] = [];
  walk(body, (visit) => {
    if (visit.type !== 'FuncCall' || !/^(pg_catalog\.)?set_config$/.test(functionName(visit.node))) return;
    const [nameArgument, value, localArgument] = visit.node.args ?? [];
    const name = constantString(nameArgument)?.toLowerCase();
    const level = levelOf(value);
    const local = localArgument?.A_Const?.boolval?.boolval === true || /^(true|t|on|yes|1)$/i.test(constantString(localArgument) ?? '');
    if (!level) return;
    if (name === 'transaction_isolation') settings.push({ scope: 'transaction', level, value });
    else if (name === 'default_transaction_isolation') settings.push({ scope: local ? 'local' : 'session', level, value });
  });
  return settings;
}

function levelOf(value: AstNode | undefined): IsolationLevel | undefined {
  const level = constantString(value)?.toLowerCase();
  return level && LEVELS.has(level) ? (level as IsolationLevel) : undefined;
}

function roleName(role: NodeFields<'RoleSpec'> | undefined): string {
  if (!role) return 'ALL';
  switch (role.roletype) {
    case 'ROLESPEC_CURRENT_USER':
      return 'CURRENT_USER';
    case 'ROLESPEC_SESSION_USER':
      return 'SESSION_USER';
    case 'ROLESPEC_CURRENT_ROLE':
      return 'CURRENT_ROLE';
    case 'ROLESPEC_PUBLIC':
      return 'PUBLIC';
    default:
      return String(role.rolename ?? '');
  }
}
