// The bridge to libpg-query, PostgreSQL's own parser compiled to WebAssembly.
// Parser output is cached by statement text (its JSON, not its trees): every call builds its own
// statements, because two identical statements of one file must not share nodes — rules key their
// findings by node.

import type { Node } from '@pgsql/types';
import { detached } from '../../core/text/mapped-text';
import { loadPgQuery, parseRaw, type RawParse } from './pg-query';

/**
 * A node as libpg-query returns it: `{ UpdateStmt: { … } }`, typed from @pgsql/types. The types are
 * read as "any one of these wrappers" (every wrapper key optional), so that `node.SelectStmt?.targetList`
 * reads like the JSON it is, while a misspelled type or field does not compile.
 */
export type AstNode = { [Type in NodeType]?: Fields<PgFields<Type>> };

/** Every node type name: "InsertStmt", "FuncCall", … */
export type NodeType = Node extends infer Each ? (Each extends unknown ? keyof Each : never) : never;

/**
 * The fields of a node type: NodeFields<'InsertStmt'> is @pgsql/types' InsertStmt, with AstNode for its
 * nodes. A union of types gives the union of their fields.
 */
export type NodeFields<Type extends NodeType> = Type extends NodeType ? Fields<PgFields<Type>> : never;

type PgFields<Type extends NodeType> = Extract<Node, Record<Type, unknown>>[Type];

/** @pgsql/types' field types with every Node (the union of wrappers) read as AstNode. */
type Fields<T> = T extends Node ? AstNode : T extends Array<infer Item> ? Array<Fields<Item>> : T extends object ? { [Key in keyof T]: Fields<T[Key]> } : T;

export interface ParsedStatement {
  /** The node's type, e.g. "UpdateStmt"; known without building the tree. */
  kind: string;
  /** The tree, built on first access. */
  readonly node: AstNode;
  /** UTF-8 byte offset of the statement in the parsed text. */
  byteStart: number;
  /** UTF-8 byte length, or undefined for "to the end of the text". */
  byteLength: number | undefined;
  /**
   * The parser's output it comes from and its place there: the same for every statement made from
   * one cached parse, so that what is read from a tree (schema facts) is kept without the tree.
   */
  source?: { result: object; index: number };
}

export type ParseOutcome =
  { ok: true; statements: ParsedStatement[] } | { ok: false; message: string; /** Code-point index of the error in the parsed text. */ cursor: number };

// Small: the editor keeps each document's statements in its own cache (SqlModelCache), so this one
// mostly serves a CLI run's second look at a file; a big one only held memory.
const CACHE_LIMIT = 500;
const cache = new Map<string, RawParse>();
let loading: Promise<void> | undefined;

/** Loads the WebAssembly module once. Every entry point awaits this before linting. */
export function loadParser(): Promise<void> {
  loading ??= loadPgQuery();
  return loading;
}

export function parseSql(text: string): ParseOutcome {
  if (!/\S/.test(text)) return { ok: true, statements: [] };
  if (counts) counts.calls++;
  let cached = cache.get(text);
  if (!cached && kept) {
    // Parsed by an earlier pass of this run (the schema pass): taken once, then in the small cache.
    cached = kept.entries.get(text);
    if (cached) {
      kept.entries.delete(text);
      kept.bytes -= costOf(text, cached);
      cache.set(text, cached);
      if (counts) counts.reused++;
    }
  }
  if (cached) return outcomeOf(cached);
  const result = parseRaw(text);
  if (counts) {
    counts.parsed++;
    if (counts.seen.has(text)) counts.repeated++;
    else counts.seen.add(text);
  }
  if (kept && !kept.paused && kept.bytes + costOf(text, result) <= kept.limit) {
    kept.entries.set(detached(text), result);
    kept.bytes += costOf(text, result);
  }
  if (cache.size >= CACHE_LIMIT) {
    // Drop the oldest tenth; Map iteration follows insertion order.
    let dropped = 0;
    for (const key of cache.keys()) {
      cache.delete(key);
      if (++dropped >= CACHE_LIMIT / 10) break;
    }
  }
  cache.set(text, result);
  return outcomeOf(result);
}

/**
 * Keeps the parser's output of every text parsed from now on, up to `limitBytes` (UTF-16 size of the
 * texts and of their JSON), until stopKeepingParses(): a CLI run reads each .sql file's schema before
 * it analyses any file, and the analysis takes the statements the schema pass already parsed instead
 * of parsing them again. What does not fit is parsed again; each kept parse is used once.
 */
export function startKeepingParses(limitBytes: number): void {
  kept = { entries: new Map(), bytes: 0, limit: limitBytes, paused: false };
}

/** While paused, new parses are not kept (a file that is read for its schema only); kept ones stay. */
export function pauseKeepingParses(paused: boolean): void {
  if (kept) kept.paused = paused;
}

export function stopKeepingParses(): void {
  kept = undefined;
}

let kept: { entries: Map<string, RawParse>; bytes: number; limit: number; paused: boolean } | undefined;

const costOf = (text: string, result: RawParse) => 2 * (text.length + (result.ok ? result.json.length : result.message.length)) + 64;

/** Parse calls since countParses(): calls (non-blank texts), parsed by libpg-query, of those repeated (a text parsed before), taken from the kept parses. */
export interface ParseCounts {
  calls: number;
  parsed: number;
  repeated: number;
  reused: number;
}

let counts: (ParseCounts & { seen: Set<string> }) | undefined;

/** Starts counting parse calls (for the benchmark); returns a function that reads the counts. */
export function countParses(): () => ParseCounts {
  const started = { calls: 0, parsed: 0, repeated: 0, reused: 0, seen: new Set<string>() };
  counts = started;
  return () => ({ calls: started.calls, parsed: started.parsed, repeated: started.repeated, reused: started.reused });
}

function outcomeOf(result: RawParse): ParseOutcome {
  if (!result.ok) return { ok: false, message: result.message, cursor: Math.max(0, result.cursor) };
  const statements = lazyStatement(result.json) ?? eagerStatements(result.json);
  statements.forEach((statement, index) => (statement.source = { result, index }));
  return { ok: true, statements };
}

// libpg-query's JSON for one statement: {"version":N,"stmts":[{"stmt":{"Kind":{…}},"stmt_location":L,"stmt_len":N}]}
// (fields equal to zero are left out). Text without a top-level semicolon holds at most one statement.
const SINGLE_HEAD = /^\{"version":\d+,"stmts":\[\{"stmt":\{"([A-Za-z]+)":/;
const SINGLE_TAIL = /\}\}(?:,"stmt_location":(\d+))?(?:,"stmt_len":(\d+))?\}\]\}$/;

function lazyStatement(json: string): ParsedStatement[] | undefined {
  if (json.length < 200 || json.indexOf('"stmt":', 40) >= 0) return undefined; // small or several: parse now
  const head = SINGLE_HEAD.exec(json);
  // An end-anchored pattern would scan the whole string: look at its end only.
  const tail = head ? SINGLE_TAIL.exec(json.slice(-80)) : null;
  if (!head || !tail) return undefined;
  return [new LazyStatement(head[1], json, Number(tail[1] ?? 0), tail[2] ? Number(tail[2]) : undefined)];
}

class LazyStatement implements ParsedStatement {
  private tree: AstNode | undefined;
  source?: { result: object; index: number };

  constructor(
    readonly kind: string,
    private json: string | undefined,
    readonly byteStart: number,
    readonly byteLength: number | undefined,
  ) {}

  get node(): AstNode {
    if (!this.tree) {
      this.tree = (JSON.parse(this.json!) as { stmts: Array<{ stmt: AstNode }> }).stmts[0].stmt;
      this.json = undefined;
    }
    return this.tree;
  }
}

function eagerStatements(json: string): ParsedStatement[] {
  const result = JSON.parse(json) as { stmts?: Array<{ stmt: AstNode; stmt_location?: number; stmt_len?: number }> };
  return (result.stmts ?? []).map((entry) => ({
    kind: Object.keys(entry.stmt)[0] ?? '',
    node: entry.stmt,
    // libpg-query omits fields equal to zero: the first statement has no stmt_location.
    byteStart: entry.stmt_location ?? 0,
    byteLength: entry.stmt_len || undefined,
  }));
}
