// Dialect detection (languages/sql/dialect.ts) of an edited .sql document, re-done only on the parts
// of the text that changed. detectForeignSql lexes the whole text to tell markers in code from markers
// in strings and comments; on a 50,000-line file that is most of a keystroke's time.
//
// The text is cut into chunks at statement starts where the lexer is at rest and no marker can reach
// across: the start of a line, after a statement's terminating ';' and nothing but white space. Each
// chunk is detected alone and its result kept by its text; the document's result is the chunks'
// best by the markers' precedence, then by offset — what a detection of the whole text finds:
// - a chunk starts where the lexer starts afresh on the whole text too (after ';' and white space);
// - `^` and `\b` see the same character before the cut (a line break);
// - no marker can match across ";<white space>" except the MySQL `INT(…) UNSIGNED`, whose `[^)]*`
//   can: a text with UNSIGNED anywhere is detected whole.

import { detectForeignSql, type ForeignSql } from '../languages/sql/dialect';
import type { StatementSpan } from '../languages/sql/split';
import type { DocumentCache } from '../document-cache';

/** Chunks below this length are joined with the next: fewer, longer keys. */
const CHUNK_MIN = 2048;

export class ForeignSqlCache {
  private previous = new Map<string, Detected>();

  detect(text: string, spans: readonly StatementSpan[]): ForeignSql | undefined {
    if (/unsigned/i.test(text)) return detectForeignSql(text);
    const current = new Map<string, Detected>();
    let best: ForeignSql | undefined;
    let bestRank = Infinity;
    let chunkStart = 0;
    const take = (end: number) => {
      const chunk = text.slice(chunkStart, end);
      let detected = current.get(chunk) ?? this.previous.get(chunk);
      if (!detected) detected = withRank(detectForeignSql(chunk));
      current.set(chunk, detected);
      if (detected.found && (detected.rank < bestRank || (detected.rank === bestRank && chunkStart + detected.found.offset < best!.offset))) {
        bestRank = detected.rank;
        best = { ...detected.found, offset: chunkStart + detected.found.offset };
      }
      chunkStart = end;
    };
    for (let index = 1; index < spans.length; index++) {
      const cut = spans[index].start;
      if (cut - chunkStart >= CHUNK_MIN && restingPoint(text, spans[index - 1].end, cut)) take(cut);
    }
    take(text.length);
    this.previous = current;
    return best;
  }
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
