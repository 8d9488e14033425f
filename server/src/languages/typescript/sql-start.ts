// The cheap first test of whether a text may be SQL: it begins (after whitespace and comments) with a
// word that starts a statement. Parsing decides the rest.

/** The words a statement a program sends begins with (the editor's highlighting reads them too: scripts/sql-template-grammar.ts). */
export const SQL_START_WORDS = [
  'select',
  'insert',
  'update',
  'delete',
  'with',
  'begin',
  'start',
  'commit',
  'rollback',
  'end',
  'abort',
  'savepoint',
  'release',
  'create',
  'alter',
  'drop',
  'truncate',
  'grant',
  'revoke',
  'set',
  'reset',
  'lock',
  'refresh',
  'notify',
  'listen',
  'unlisten',
  'call',
  'do',
  'prepare',
  'execute',
  'copy',
  'explain',
  'values',
  'table',
  'merge',
  'vacuum',
  'analyze',
] as const;

const SQL_START = new RegExp(`^(\\s|--[^\\n]*\\n|\\/\\*[\\s\\S]*?\\*\\/)*(${SQL_START_WORDS.join('|')})\\b`, 'i');

/** True when a text begins like a SQL statement (after whitespace and comments). */
export function looksLikeSql(text: string): boolean {
  return SQL_START.test(text);
}
