// Splits a SQL script into statements the way psql does: at semicolons outside parentheses,
// strings, comments and SQL-standard function bodies (BEGIN ATOMIC … END), skipping psql
// meta-commands and the data lines that follow COPY … FROM stdin.

import { lex, Token } from './lexer';

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

/**
 * Splits text from `from` (a statement start, or 0). When `resumeAt` says a statement starting at an
 * offset is known already, splitting stops there (the incremental split below).
 */
export function splitStatements(text: string, options: { psql?: boolean } = { psql: true }, from = 0, resumeAt?: (start: number) => boolean): StatementSpan[] {
  const spans: StatementSpan[] = [];
  let stopped = false;
  let current: StatementSpan | undefined;
  let lastTokenEnd = 0;
  let parenDepth = 0;
  let atomicDepth = 0;
  let words: string[] = [];
  let skipUntil = -1;
  // goose's `-- +goose StatementBegin` … `StatementEnd` make one statement of what lies between.
  let gooseBlock = false;

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
    gooseBlock = false;
  };
  /** Starts a statement at `start`, unless the incremental split knows it already. */
  const begin = (start: number, end: number): boolean => {
    if (resumeAt && resumeAt(start)) {
      stopped = true;
      return false;
    }
    current = { start, end, metaRanges: [], usesPsqlVariables: false };
    return true;
  };

  lex(
    text,
    (token: Token): boolean | void => {
      if (token.start < skipUntil) return;
      if (token.kind === 'comment') {
        const goose = gooseDirective(text, token.start);
        if (goose === 'begin') {
          // The block starts at the directive, so that splitting again from this statement's start
          // (after an edit inside it) sees the directive too.
          finish();
          if (!begin(token.start, token.end)) return false;
          lastTokenEnd = token.end;
          gooseBlock = true;
        } else if (goose === 'end' && gooseBlock) finish();
        return;
      }
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
      if (isSemicolon && parenDepth <= 0 && atomicDepth <= 0 && !gooseBlock) {
        finish();
        return;
      }
      if (!current && !begin(token.start, token.end)) return false;
      lastTokenEnd = token.end;
      if (token.kind === 'psqlvar') current!.usesPsqlVariables = true;
      if (token.kind === 'punct') {
        const code = text.charCodeAt(token.start);
        if (code === 40) parenDepth++;
        else if (code === 41) parenDepth--;
        return;
      }
      if (token.kind !== 'word') return;
      // Words matter only at the start of a statement and inside CREATE FUNCTION/PROCEDURE (BEGIN
      // ATOMIC … END); slicing and lower-casing every word of a large file is the splitter's main cost.
      const routine = isRoutineDefinition(words);
      if (words.length >= 6 && !routine) return;
      const word = text.slice(token.start, token.end).toLowerCase();
      if (words.length < 6) words.push(word);
      if (routine || isRoutineDefinition(words)) {
        if (word === 'begin' || (word === 'case' && atomicDepth > 0)) atomicDepth++;
        else if (word === 'end' && atomicDepth > 0) atomicDepth--;
      }
    },
    options,
    from,
  );
  if (!stopped) finish();
  return spans;
}

/**
 * The statements of `text` given those of `previous`, an earlier version of the same document:
 * splitting restarts at the statement before the first changed character and stops as soon as it
 * reaches, past the change, a statement start that the previous split also had (the text from there
 * on is the same, and the splitter's state at a statement start is always the same). A keystroke in a
 * large migration re-lexes a few statements instead of the whole file.
 */
export function resplitStatements(
  previous: { text: string; spans: StatementSpan[] },
  text: string,
  options: { psql?: boolean },
  carried?: CarriedSpans,
): StatementSpan[] {
  const old = previous.text;
  const prefix = commonPrefix(old, text);
  const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
  const delta = text.length - old.length;
  const changeEnd = text.length - suffix;
  const spans = previous.spans;
  // Keep the statements that end before the change, but split the last of them again: how a statement
  // ends (COPY … FROM stdin and its data lines) decides where the next one starts.
  let unchanged = 0;
  while (unchanged < spans.length && spans[unchanged].end < prefix) unchanged++;
  const kept = Math.max(0, unchanged - 1);
  const restart = unchanged > 0 ? spans[kept].start : 0;
  // Old statement starts are sorted: a binary search finds the one a new start may match.
  const oldIndexOf = (oldStart: number): number => {
    let low = kept;
    let high = spans.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (spans[middle].start === oldStart) return middle;
      if (spans[middle].start < oldStart) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  };
  let resumed = -1;
  const fresh = splitStatements(text, options, restart, (start) => {
    if (start < changeEnd) return false;
    resumed = oldIndexOf(start - delta);
    return resumed >= 0;
  });
  const shifted = resumed < 0 ? [] : spans.slice(resumed).map((span) => shift(span, delta));
  if (carried) {
    carried.head = kept;
    carried.tail = shifted.length;
  }
  return [...spans.slice(0, kept), ...fresh, ...shifted];
}

/**
 * How many statements at each end of a resplit are the previous ones, with the same text (kept
 * before the change, or moved after it): their analysis can be reused without comparing texts.
 */
export interface CarriedSpans {
  head: number;
  tail: number;
}

// Length of the common prefix, compared in chunks (a string comparison is a memory comparison;
// a character loop over a large file costs milliseconds).
function commonPrefix(left: string, right: string): number {
  const limit = Math.min(left.length, right.length);
  let index = 0;
  for (const chunk of [4096, 256, 16, 1]) {
    while (index + chunk <= limit && left.startsWith(right.slice(index, index + chunk), index)) index += chunk;
  }
  return index;
}

function commonSuffix(left: string, right: string, limit: number): number {
  let length = 0;
  for (const chunk of [4096, 256, 16, 1]) {
    while (length + chunk <= limit && left.endsWith(right.slice(right.length - length - chunk, right.length - length), left.length - length)) length += chunk;
  }
  return length;
}

function shift(span: StatementSpan, delta: number): StatementSpan {
  return {
    ...span,
    start: span.start + delta,
    end: span.end + delta,
    metaRanges: span.metaRanges.map(([start, end]) => [start + delta, end + delta] as [number, number]),
  };
}

/** A goose directive comment (`-- +goose StatementBegin` / `StatementEnd`), by its first characters. */
function gooseDirective(text: string, start: number): 'begin' | 'end' | undefined {
  const head = /^--\s*\+goose\s+Statement(Begin|End)\b/i.exec(text.slice(start, start + 40));
  return head ? (head[1].toLowerCase() as 'begin' | 'end') : undefined;
}

/**
 * Where the rollback half of a migration starts (goose `-- +goose Down`, sql-migrate `-- +migrate
 * Down`, dbmate `-- migrate:down`), or undefined. Statements after it undo the migration: they are
 * analysed, but they say nothing about the schema the migrations build.
 */
export function migrationDownStart(text: string): number | undefined {
  const match = /^[ \t]*--[ \t]*(?:\+goose[ \t]+Down|\+migrate[ \t]+Down|migrate:down)\b/im.exec(text);
  return match ? match.index : undefined;
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
