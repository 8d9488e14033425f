// Where an isolation level is written, for the rules about requested isolation levels.

import { locationOf } from '../../languages/sql/ast';
import type { SqlStatement } from '../../languages/sql/statement';
import type { IsolationSetting } from '../../languages/sql/transactions';

/** The statement that sets the level, as SQL: "BEGIN", "SET TRANSACTION", "ALTER DATABASE app", "set_config()". */
export function settingLabel(statement: SqlStatement, setting: IsolationSetting): string {
  switch (statement.kind) {
    case 'TransactionStmt':
      return statement.bodyOf('TransactionStmt')!.kind === 'TRANS_STMT_START' ? 'START TRANSACTION' : 'BEGIN';
    case 'VariableSetStmt': {
      const body = statement.bodyOf('VariableSetStmt')!;
      return body.name === 'TRANSACTION' || body.name === 'SESSION CHARACTERISTICS' ? `SET ${body.name}` : `SET ${body.is_local ? 'LOCAL ' : ''}${body.name}`;
    }
    case 'AlterDatabaseSetStmt':
      return `ALTER DATABASE ${statement.bodyOf('AlterDatabaseSetStmt')!.dbname}`;
    case 'AlterRoleSetStmt':
      return `ALTER ROLE ${setting.role}`;
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    default:
      return 'set_config()';
  }
}

/**
 * The tokens that spell the level, in offsets of the statement's source text: the keywords
 * (`read uncommitted`) or the string literal (`'read uncommitted'`), and `at`, where the lower-case
 * text `find` starts inside them.
 */
export function levelTokens(statement: SqlStatement, setting: IsolationSetting, find: string): { start: number; end: number; at: number } | undefined {
  const location = locationOf(setting.value);
  if (location === undefined) return undefined;
  const tokens = statement.tokens();
  const first = statement.tokenIndexAt(statement.sourceOffset(location));
  const text = statement.source.text;
  // Two words at most: "read uncommitted", "repeatable read"; a string or "serializable" is one token.
  for (let index = first; index < Math.min(first + 2, tokens.length); index++) {
    const found = text.slice(tokens[index].start, tokens[index].end).toLowerCase().indexOf(find);
    if (found >= 0) return { start: tokens[first].start, end: tokens[index].end, at: tokens[index].start + found };
  }
  return undefined;
}
