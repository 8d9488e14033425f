// One parsed SQL statement, wherever it came from (a .sql file, a PL/pgSQL body, a cron string,
// an EXECUTE literal, a TypeScript template), with the way back to document offsets.

import { MappedText } from '../../core/text/mapped-text';
import { OffsetConverter } from '../../core/text/positions';
import { locationOf } from './ast';
import { Token, tokenize } from './lexer';
import type { AstNode, NodeFields, NodeType, ParsedStatement } from './parser';
import type { BodyStatementInfo, Routine } from './plpgsql-model';
import type { TransactionUnit } from './transactions';

export type StatementOrigin = 'file' | 'routine-body' | 'sql-function-body' | 'cron' | 'execute' | 'embedded';

const patternIds = new Map<RegExp, number>();
/** The statement types with a `relation` field (a RangeVar), from @pgsql/types. */
const RELATION_KINDS = [
  'InsertStmt',
  'DeleteStmt',
  'UpdateStmt',
  'MergeStmt',
  'AlterTableStmt',
  'CopyStmt',
  'CreateStmt',
  'CreateTrigStmt',
  'IndexStmt',
  'RenameStmt',
  'AlterObjectDependsStmt',
  'AlterObjectSchemaStmt',
  'AlterOwnerStmt',
  'RuleStmt',
  'ClusterStmt',
  'RefreshMatViewStmt',
  'ReindexStmt',
] as const;
const MAX_REMEMBERED_PATTERNS = 64;

export class SqlStatement {
  /** The node's type, e.g. "UpdateStmt". */
  readonly kind: string;
  /** The transaction this statement runs in; set once the file model is complete. */
  transaction!: TransactionUnit;
  private converter: OffsetConverter | undefined;
  private tokenCache: Token[] | undefined;
  private textCache: string | undefined;
  private matchResults: number[] | undefined;

  constructor(
    /**
     * The parse tree (built on first access), with its kind: the parser's result, the same object for
     * every statement parsed from the same text while it is cached; `source` names the parser's output (schema facts are kept by it).
     */
    readonly parsed: { kind: string; readonly node: AstNode; readonly source?: { result: object; index: number } },
    /** The text that was parsed; offsets below are UTF-16 offsets into source.text. */
    readonly source: MappedText,
    readonly sourceStart: number,
    readonly sourceEnd: number,
    readonly origin: StatementOrigin,
    /** The function, procedure or DO block this statement belongs to. */
    readonly routine?: Routine,
    /** PL/pgSQL details for statements of a PL/pgSQL body. */
    readonly plpgsql?: BodyStatementInfo,
    /** The statement this one was found inside (the CREATE FUNCTION, the cron.schedule call). */
    readonly container?: SqlStatement,
  ) {
    this.kind = parsed.kind;
  }

  /** The tree: `{ UpdateStmt: { … } }`. Built from the parser's output when first read. */
  get node(): AstNode {
    return this.parsed.node;
  }

  /**
   * The node's fields, typed when the caller names the kind it expects (undefined for another kind).
   * Several kinds give the union of their fields: `bodyOf('UpdateStmt', 'DeleteStmt')?.whereClause`.
   */
  bodyOf<Type extends NodeType>(...kinds: Type[]): NodeFields<Type> | undefined {
    return (kinds as string[]).includes(this.kind) ? (this.parsed.node as Record<string, NodeFields<Type>>)[this.kind] : undefined;
  }

  /** The node's fields, whatever the kind: for walking (walk, findAll); typed reads go through bodyOf. */
  get body(): unknown {
    return this.kind ? (this.parsed.node as Record<string, unknown>)[this.kind] : undefined;
  }

  /** The table the statement names as its `relation` (the one written, created, altered, indexed, …), whatever its kind. */
  relation(): NodeFields<'RangeVar'> | undefined {
    return this.bodyOf(...RELATION_KINDS)?.relation;
  }

  /** Document offset of the statement's first character. */
  get start(): number {
    return this.source.toDocument(this.sourceStart);
  }

  /** Document offset just after the statement's last character. */
  get end(): number {
    return this.source.toDocument(this.sourceEnd);
  }

  get text(): string {
    this.textCache ??= this.source.text.slice(this.sourceStart, this.sourceEnd);
    return this.textCache;
  }

  /**
   * Whether the statement's text matches a (non-global) pattern, remembered per pattern: rules use
   * this as a cheap pre-check, and statements are reused across keystrokes (SqlModelCache).
   */
  matches(pattern: RegExp): boolean {
    let id = patternIds.get(pattern);
    if (id === undefined) {
      // Patterns are module constants and compiled setting lists: a few dozen. Past that, no memory.
      if (patternIds.size >= MAX_REMEMBERED_PATTERNS) return pattern.test(this.text);
      id = patternIds.size;
      patternIds.set(pattern, id);
    }
    // 0: not tested yet, 1: no, 2: yes. A small array per statement: thousands of statements stay
    // in memory across keystrokes.
    this.matchResults ??= [];
    let result = this.matchResults[id];
    if (!result) {
      result = pattern.test(this.text) ? 2 : 1;
      this.matchResults[id] = result;
    }
    return result === 2;
  }

  /** Offset in source.text of a libpg-query location (UTF-8 bytes from the start of source.text). */
  sourceOffset(byteLocation: number): number {
    this.converter ??= new OffsetConverter(this.source.text);
    return this.converter.fromUtf8(byteLocation);
  }

  /** Document offset of a node's location, or of the statement start when the node has none. */
  offsetOf(node: unknown): number {
    const location = locationOf(node);
    return this.source.toDocument(location === undefined ? this.sourceStart : this.sourceOffset(location));
  }

  /**
   * Document range of the expression that starts at a node's location: a function call with its
   * argument list, a dotted name, a literal. libpg-query gives start locations only; the end comes
   * from the tokens.
   */
  rangeOf(node: unknown): { start: number; end: number } {
    const range = this.sourceRangeOf(node);
    return { start: this.source.toDocument(range.start), end: this.source.toDocument(range.end) };
  }

  /** Like rangeOf, in offsets of source.text. */
  sourceRangeOf(node: unknown): { start: number; end: number } {
    const location = locationOf(node);
    if (location === undefined) return { start: this.sourceStart, end: this.sourceEnd };
    const start = this.sourceOffset(location);
    return { start, end: expressionEnd(this.tokens(), this.source.text, start) };
  }

  /** Tokens of the statement, in source.text offsets. */
  tokens(): Token[] {
    this.tokenCache ??= tokenize(this.source.text, {}, this.sourceStart, this.sourceEnd).filter((token) => token.kind !== 'comment');
    return this.tokenCache;
  }

  /** Lower-cased word at a token index, or undefined. */
  word(index: number): string | undefined {
    const token = this.tokens()[index];
    return token && token.kind === 'word' ? this.source.text.slice(token.start, token.end).toLowerCase() : undefined;
  }

  /** Index of the first token at or after a source offset. */
  tokenIndexAt(sourceOffset: number): number {
    const tokens = this.tokens();
    let low = 0;
    let high = tokens.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (tokens[middle].start < sourceOffset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * Index of the first token that is the given keyword at parenthesis depth zero (relative to the
   * statement), searching from token index `from`; -1 when absent.
   */
  topLevelKeyword(keyword: string, from = 0): number {
    const tokens = this.tokens();
    let depth = 0;
    for (let index = 0; index < tokens.length; index++) {
      const token = tokens[index];
      if (token.kind === 'punct') {
        const code = this.source.text.charCodeAt(token.start);
        if (code === 40) depth++;
        else if (code === 41) depth--;
        continue;
      }
      if (index >= from && depth === 0 && token.kind === 'word' && this.word(index) === keyword) return index;
    }
    return -1;
  }
}

/** SqlStatements for the parser's output on `text`, with each statement's own range. */
export function statementsOf(
  text: MappedText,
  parsed: ParsedStatement[],
  origin: StatementOrigin,
  routine?: Routine,
  plpgsql?: BodyStatementInfo,
  container?: SqlStatement,
): SqlStatement[] {
  if (parsed.length === 1) return [new SqlStatement(parsed[0], text, 0, text.text.length, origin, routine, plpgsql, container)];
  const converter = new OffsetConverter(text.text);
  return parsed.map((entry) => {
    const start = converter.fromUtf8(entry.byteStart);
    const end = entry.byteLength === undefined ? text.text.length : converter.fromUtf8(entry.byteStart + entry.byteLength);
    const leading = text.text.slice(start, end).search(/\S/);
    return new SqlStatement(entry, text, leading > 0 ? start + leading : start, end, origin, routine, plpgsql, container);
  });
}

/** End offset of the expression starting at `start`: a (dotted) name with its argument list, or one token. */
function expressionEnd(tokens: Token[], text: string, start: number): number {
  let index = tokens.findIndex((token) => token.start >= start);
  if (index < 0) return start;
  let end = tokens[index].end;
  // Dotted names: schema.function, table.column.
  while (index + 2 < tokens.length && text[tokens[index + 1].start] === '.' && tokens[index + 1].end - tokens[index + 1].start === 1) {
    index += 2;
    end = tokens[index].end;
  }
  const next = tokens[index + 1];
  if (next && next.kind === 'punct' && text[next.start] === '(') {
    let depth = 0;
    for (let position = index + 1; position < tokens.length; position++) {
      const token = tokens[position];
      if (token.kind !== 'punct') continue;
      if (text[token.start] === '(') depth++;
      else if (text[token.start] === ')' && --depth === 0) return token.end;
    }
  }
  return end;
}
