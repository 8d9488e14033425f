// Splits a SQL script into statements the way psql does: at semicolons outside parentheses,
// strings, comments and SQL-standard function bodies (BEGIN ATOMIC … END), skipping psql
// meta-commands and the data lines that follow COPY … FROM stdin.

import { lex, Token, wordOf } from './lexer';

export interface StatementSpan {
  /** Offset of the first token of the statement. */
  start: number;
  /** Offset just after its last token (the terminating ';' is not included). */
  end: number;
  /** psql meta-command lines inside the statement; blanked before parsing. */
  metaRanges: Array<[number, number]>;
  /** True when the statement uses psql variables (:name). */
  usesPsqlVariables: boolean;
}

export function splitStatements(text: string, options: { psql?: boolean } = { psql: true }): StatementSpan[] {
  const spans: StatementSpan[] = [];
  let current: StatementSpan | undefined;
  let lastTokenEnd = 0;
  let parenDepth = 0;
  let atomicDepth = 0;
  let words: string[] = [];
  let skipUntil = -1;

  const finish = () => {
    if (current) {
      current.end = lastTokenEnd;
      spans.push(current);
      if (words[0] === 'copy' && /\bfrom\s+(stdin|stdout)\b/i.test(text.slice(current.start, lastTokenEnd))) {
        skipUntil = copyDataEnd(text, lastTokenEnd);
      }
    }
    current = undefined;
    parenDepth = 0;
    atomicDepth = 0;
    words = [];
  };

  lex(
    text,
    (token: Token) => {
      if (token.start < skipUntil) return;
      if (token.kind === 'comment') return;
      if (token.kind === 'meta') {
        const command = /^\\([a-z]*)/i.exec(text.slice(token.start, Math.min(token.end, token.start + 16)))?.[1].toLowerCase() ?? '';
        if (SENDS_BUFFER.has(command)) {
          if (current) finish();
        } else if (command === 'r' || command === 'reset') {
          current = undefined;
          parenDepth = 0;
          atomicDepth = 0;
          words = [];
        } else if (current) current.metaRanges.push([token.start, token.end]);
        if (command === 'copy' && /\bfrom\s+(stdin|pstdin)\b/i.test(text.slice(token.start, token.end))) skipUntil = copyDataEnd(text, token.end);
        return;
      }
      const isSemicolon = token.kind === 'punct' && text.charCodeAt(token.start) === 59;
      if (isSemicolon && parenDepth <= 0 && atomicDepth <= 0) {
        finish();
        return;
      }
      if (!current) current = { start: token.start, end: token.end, metaRanges: [], usesPsqlVariables: false };
      lastTokenEnd = token.end;
      if (token.kind === 'psqlvar') current.usesPsqlVariables = true;
      if (token.kind === 'punct') {
        const code = text.charCodeAt(token.start);
        if (code === 40) parenDepth++;
        else if (code === 41) parenDepth--;
        return;
      }
      const word = wordOf(text, token);
      if (!word) return;
      if (words.length < 6) words.push(word);
      if (isRoutineDefinition(words)) {
        if (word === 'begin' || (word === 'case' && atomicDepth > 0)) atomicDepth++;
        else if (word === 'end' && atomicDepth > 0) atomicDepth--;
      }
    },
    options,
  );
  finish();
  return spans;
}

// psql meta-commands that send the query buffer to the server, as a semicolon does.
const SENDS_BUFFER = new Set(['g', 'gx', 'gset', 'gexec', 'gdesc', 'crosstabview', 'watch']);

// psql tracks BEGIN … END only inside CREATE [OR REPLACE] FUNCTION/PROCEDURE, because only
// SQL-standard bodies (BEGIN ATOMIC) contain unquoted semicolons.
function isRoutineDefinition(words: string[]): boolean {
  if (words[0] !== 'create') return false;
  const kind = words[1] === 'or' ? words[3] : words[1];
  return kind === 'function' || kind === 'procedure';
}

// COPY … FROM stdin is followed by data lines ended by a line holding only "\.".
function copyDataEnd(text: string, statementEnd: number): number {
  const marker = /^\\\.\s*$/m;
  const rest = text.slice(statementEnd);
  const match = marker.exec(rest);
  return match ? statementEnd + match.index + match[0].length : text.length;
}
