// The bridge to libpg-query, PostgreSQL's own parser compiled to WebAssembly.
// Results are cached by statement text: on a keystroke only the edited statement is parsed again.

import * as libpgQuery from 'libpg-query';

/** A node as libpg-query returns it: `{ UpdateStmt: { … } }`. */
export type AstNode = Record<string, any>;

export interface ParsedStatement {
  node: AstNode;
  /** UTF-8 byte offset of the statement in the parsed text. */
  byteStart: number;
  /** UTF-8 byte length, or undefined for "to the end of the text". */
  byteLength: number | undefined;
}

export type ParseOutcome =
  | { ok: true; statements: ParsedStatement[] }
  | { ok: false; message: string; /** Code-point index of the error in the parsed text. */ cursor: number };

const CACHE_LIMIT = 50_000;
const cache = new Map<string, ParseOutcome>();
let loading: Promise<void> | undefined;
let loaded = false;

/** Loads the WebAssembly module once. Every entry point awaits this before linting. */
export function loadParser(): Promise<void> {
  loading ??= libpgQuery.loadModule().then(() => {
    loaded = true;
  });
  return loading;
}

export function parserLoaded(): boolean {
  return loaded;
}

export function parseSql(text: string): ParseOutcome {
  const cached = cache.get(text);
  if (cached) return cached;
  const outcome = parseUncached(text);
  if (cache.size >= CACHE_LIMIT) {
    // Drop the oldest tenth; Map iteration follows insertion order.
    let dropped = 0;
    for (const key of cache.keys()) {
      cache.delete(key);
      if (++dropped >= CACHE_LIMIT / 10) break;
    }
  }
  cache.set(text, outcome);
  return outcome;
}

function parseUncached(text: string): ParseOutcome {
  if (!/\S/.test(text)) return { ok: true, statements: [] };
  try {
    const result = libpgQuery.parseSync(text) as { stmts?: Array<{ stmt: AstNode; stmt_location?: number; stmt_len?: number }> };
    const statements = (result.stmts ?? []).map((entry) => ({
      node: entry.stmt,
      // libpg-query omits fields equal to zero: the first statement has no stmt_location.
      byteStart: entry.stmt_location ?? 0,
      byteLength: entry.stmt_len || undefined,
    }));
    return { ok: true, statements };
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? (error as Error).message ?? String(error);
    if (message === 'Query cannot be empty') return { ok: true, statements: [] };
    return { ok: false, message, cursor: Math.max(0, details?.cursorPosition ?? 0) };
  }
}
