// Client placeholders that PostgreSQL's grammar does not know, replaced before parsing by text of the
// same length (so every offset stays put): `:name`, `:'name'`, `:"name"` (psql variables, Sequelize
// replacements), `?` and `??` (knex, MikroORM, mysql-style drivers) and `@name` (sqlc, T-SQL-style
// clients). `$1` is PostgreSQL's own; `sqlc.arg(x)` parses as a function call. Only tokens outside
// strings, quoted identifiers and comments are replaced.

import { lex } from './lexer';
import { parseSql, type ParseOutcome } from './parser';

/**
 * Parses a statement as it is, then, if PostgreSQL rejects it, with client placeholders (`:name`,
 * `?`, `@name`, psql variables) replaced, then with `$n` in identifier positions. Every substitution
 * keeps the text's length, so offsets into the original text stay right. A failure reports the
 * error of the last text tried without `$n` rewritten, where the placeholders are no longer the cause.
 */
export function parseWithPlaceholders(text: string, dollarIdentifiers: boolean): ParseOutcome {
  const outcome = parseSql(text);
  if (outcome.ok) return outcome;
  const substituted = substitutePlaceholders(text);
  let failure = outcome;
  if (substituted !== undefined) {
    const retried = parseSql(substituted);
    if (retried.ok) return retried;
    failure = retried;
  }
  // A ${…} placeholder in an identifier position (a table name): $1 → _1, same length, same offsets.
  const base = substituted ?? text;
  if (dollarIdentifiers && /\$\d/.test(base)) {
    const retried = parseSql(base.replace(/\$(\d+)/g, '_$1'));
    if (retried.ok) return retried;
  }
  return failure;
}

/** The text with every client placeholder replaced, or undefined when it has none. */
export function substitutePlaceholders(text: string): string | undefined {
  let result: string[] | undefined;
  let last = 0;
  const replace = (start: number, end: number, replacement: string) => {
    result ??= [];
    result.push(text.slice(last, start), replacement);
    last = end;
  };
  lex(
    text,
    (token) => {
      if (token.kind === 'psqlvar') {
        const length = token.end - token.start;
        const quote = text[token.start + 1];
        // :'name' is a string literal, :"name" an identifier, :name a value.
        if (quote === "'") replace(token.start, token.end, `'${' '.repeat(length - 2)}'`);
        else if (quote === '"') replace(token.start, token.end, `"${'x'.repeat(length - 2)}"`);
        else replace(token.start, token.end, `$1${' '.repeat(length - 2)}`);
      } else if (token.kind === 'op') {
        const operator = text.slice(token.start, token.end);
        // A lone ? is a value; ?? is knex's identifier binding. PostgreSQL's jsonb operators ?| and ?&
        // are never touched (a lone ? is also jsonb's, but a statement using it parses as it is and
        // is never substituted).
        if (operator === '?') replace(token.start, token.end, '0');
        else if (operator === '??') replace(token.start, token.end, 'xx');
        else if (operator === '@' && isWordStartAt(text, token.end)) {
          const end = wordEnd(text, token.end);
          replace(token.start, end, `$1${' '.repeat(end - token.start - 2)}`);
        }
      }
    },
    { psql: true },
  );
  if (!result) return undefined;
  result.push(text.slice(last));
  return result.join('');
}

function isWordStartAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
}

function wordEnd(text: string, index: number): number {
  let end = index;
  while (end < text.length && /\w/.test(text[end])) end++;
  return end;
}
