// Dialect detection (languages/sql/dialect.ts) of an edited .sql document, re-done only on the parts
// of the text that changed. detectForeignSql lexes the whole text to tell markers in code from markers
// in strings and comments; on a 50,000-line file that is most of a keystroke's time.
//
// The text is cut into chunks at statement starts where the lexer is at rest and no marker can reach
// across: the start of a line, after a statement's terminating ';' and nothing but white space. Each
// chunk is detected alone and its result kept while its text is unchanged (found by position); the
// document's result is the chunks' best by the markers' precedence, then by offset — what a
// detection of the whole text finds:
// - a chunk starts where the lexer starts afresh on the whole text too (after ';' and white space);
// - `^` and `\b` see the same character before the cut (a line break);
// - no marker can match across ";<white space>" except the MySQL `INT(…) UNSIGNED`, whose `[^)]*`
//   can: a text with UNSIGNED anywhere is detected whole.

import { detectForeignSql, type ForeignSql } from '../../languages/sql/dialect';
import type { StatementSpan } from '../../languages/sql/split';
import type { DocumentCache } from '../document-cache';
import { commonEnds } from './text-edit';

/** Chunks below this length are joined with the next: fewer, longer chunks. */
const CHUNK_MIN = 2048;

export class ForeignSqlCache {
  /** The chunks of the last detected text, by their start. */
  private previous = new Map<number, Chunk>();
  private previousText: string | undefined;

  detect(text: string, spans: readonly StatementSpan[]): ForeignSql | undefined {
    // Chunks before and after the edit are the previous ones (same text, maybe moved): their results
    // are found by position, not by hashing their text. Only the edited chunks are detected again.
    const before = this.previousText;
    const { prefix, suffix } = before === undefined ? { prefix: 0, suffix: 0 } : commonEnds(before, text);
    const delta = before === undefined ? 0 : text.length - before.length;
    const changedEnd = text.length - suffix;
    const current = new Map<number, Chunk>();
    const chunks: Chunk[] = [];
    let chunkStart = 0;
    const take = (end: number) => {
      let chunk: Chunk | undefined;
      if (end <= prefix) chunk = this.previous.get(chunkStart);
      else if (chunkStart >= changedEnd) chunk = this.previous.get(chunkStart - delta);
      if (!chunk || chunk.length !== end - chunkStart) {
        const chunkText = text.slice(chunkStart, end);
        chunk = { length: end - chunkStart, unsigned: /unsigned/i.test(chunkText), ...withRank(detectForeignSql(chunkText)) };
      }
      current.set(chunkStart, chunk);
      chunks.push(chunk);
      chunkStart = end;
    };
    for (let index = 1; index < spans.length; index++) {
      const cut = spans[index].start;
      if (cut - chunkStart >= CHUNK_MIN && restingPoint(text, spans[index - 1].end, cut)) take(cut);
    }
    take(text.length);
    this.previous = current;
    this.previousText = text;
    // A word cannot cross a cut (white space before it): UNSIGNED in a chunk is UNSIGNED in the text.
    if (chunks.some((chunk) => chunk.unsigned)) return detectForeignSql(text);
    let best: ForeignSql | undefined;
    let bestRank = Infinity;
    let start = 0;
    for (const chunk of chunks) {
      if (chunk.found && (chunk.rank < bestRank || (chunk.rank === bestRank && start + chunk.found.offset < best!.offset))) {
        bestRank = chunk.rank;
        best = { ...chunk.found, offset: start + chunk.found.offset };
      }
      start += chunk.length;
    }
    return best;
  }
}

/** One chunk's detection, kept while its text is unchanged. */
interface Chunk extends Detected {
  length: number;
  /** The chunk mentions UNSIGNED (see the header: such texts are detected whole). */
  unsigned: boolean;
}

interface Detected {
  found: ForeignSql | undefined;
  /** The marker's precedence (dialect.ts MARKERS order); Infinity when none. */
  rank: number;
}

function withRank(found: ForeignSql | undefined): Detected {
  return { found, rank: found ? rankOf(found) : Infinity };
}

// The order of dialect.ts's MARKERS: ClickHouse's MODIFY COLUMN decides only after MySQL.
function rankOf(found: ForeignSql): number {
  switch (found.kind) {
    case 'jinja':
      return 0;
    case 'go-template':
      return 1;
    case 'template':
      return 2;
    case 'clickhouse':
      return /^modify\s/i.test(found.marker) ? 5 : 3;
    case 'mysql':
      return 4;
    case 'sqlite':
      return 6;
    case 'tsql':
      return 7;
  }
}

/** A statement ends at `end` with ';' followed by white space only up to `cut`, the start of a line. */
function restingPoint(text: string, end: number, cut: number): boolean {
  if (text.charCodeAt(end) !== 59 /* ; */ || text.charCodeAt(cut - 1) !== 10 /* \n */) return false;
  for (let index = end + 1; index < cut; index++) {
    const code = text.charCodeAt(index);
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return false;
  }
  return true;
}

const CACHES = new WeakMap<DocumentCache, ForeignSqlCache>();

/** detectForeignSql for a document with caches (the language server's), re-done where the text changed. */
export function detectForeignSqlOf(text: string, cache: DocumentCache | undefined): ForeignSql | undefined {
  if (!cache) return detectForeignSql(text);
  let foreign = CACHES.get(cache);
  if (!foreign) CACHES.set(cache, (foreign = new ForeignSqlCache()));
  // The model's split of the same text, reused by the analysis that follows (.sql documents are psql scripts).
  return foreign.detect(text, cache.sql.split(text, true));
}
