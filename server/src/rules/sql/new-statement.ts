// Fixes that add a whole statement to a .sql document (a REVOKE after a CREATE TABLE, a unique index
// before the statement that needs it), on a line of its own. The added statement is proved to parse on
// its own; it lands between two statements of the document, so the rest of the file is untouched.

import { parseSql } from '../../languages/sql/parser';
import type { SqlStatement } from '../../languages/sql/statement';
import type { Edit } from '../../core/rule';

/** The top-level statement of the .sql document that holds `statement`; undefined for embedded SQL. */
export function topLevelOf(statement: SqlStatement): SqlStatement | undefined {
  let current = statement;
  while (current.container) current = current.container;
  return current.origin === 'file' ? current : undefined;
}

/** Adds `sql` (one statement, no ';') on the line after a top-level statement and its trailing comment. */
export function statementAfter(text: string, statement: SqlStatement, sql: string): Edit | undefined {
  if (!parsesAlone(sql)) return undefined;
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentOf(text, statement.start);
  // The ';', and the blanks and comment after it when they run to the end of the line.
  const terminator = /^\s*;(?:[ \t]*(?:--[^\r\n]*)?(?=\r?\n|$))?/.exec(text.slice(statement.end));
  if (terminator) {
    const at = statement.end + terminator[0].length;
    return { start: at, end: at, text: `${newline}${indent ?? ''}${sql};` };
  }
  // The last statement of the file, without its ';'.
  if (/\S/.test(text.slice(statement.end))) return undefined;
  return { start: statement.end, end: statement.end, text: `;${newline}${indent ?? ''}${sql};` };
}

/**
 * Adds `sql` before a top-level statement: above the comment lines right over it, so that a comment
 * (an armadilha-ignore among them) stays with the statement it was written for.
 */
export function statementBefore(text: string, statement: SqlStatement, sql: string): Edit | undefined {
  if (!parsesAlone(sql)) return undefined;
  const indent = indentOf(text, statement.start);
  if (indent === undefined) return { start: statement.start, end: statement.start, text: `${sql}; ` };
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  let at = statement.start - indent.length;
  while (at > 0) {
    const previousStart = text.lastIndexOf('\n', at - 2) + 1;
    if (!/^[ \t]*--/.test(text.slice(previousStart, at))) break;
    at = previousStart;
  }
  return { start: at, end: at, text: `${indent}${sql};${newline}` };
}

/** The blanks between the start of the line and `offset`, or undefined when something else precedes it. */
function indentOf(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

function parsesAlone(sql: string): boolean {
  const outcome = parseSql(sql);
  return outcome.ok && outcome.statements.length === 1;
}

/** Source range of a (possibly qualified) name at a node's location: `public.events`, not what follows it. */
export function nameRange(statement: SqlStatement, node: unknown): { start: number; end: number } {
  const start = statement.sourceRangeOf(node).start;
  const tokens = statement.tokens();
  const text = statement.source.text;
  let index = statement.tokenIndexAt(start);
  if (index >= tokens.length) return { start, end: start };
  while (index + 2 < tokens.length && text[tokens[index + 1].start] === '.' && tokens[index + 1].end - tokens[index + 1].start === 1) index += 2;
  return { start, end: tokens[index].end };
}
