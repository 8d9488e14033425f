// Which .sql files are PostgreSQL. Real repositories also hold MySQL, ClickHouse, SQLite and T-SQL
// scripts and SQL behind template engines (Go text/template, Jinja/dbt); none of them may produce a
// finding. A file is foreign when it holds a marker that PostgreSQL's grammar cannot contain, found
// outside strings, quoted identifiers and comments (so a comment that mentions `ENGINE=InnoDB`, or a
// JSON array literal '{{1,2}}', changes nothing).

import { tokenize } from './lexer';

export type ForeignSqlKind = 'mysql' | 'clickhouse' | 'sqlite' | 'tsql' | 'go-template' | 'jinja' | 'template';

export interface ForeignSql {
  kind: ForeignSqlKind;
  /** The text that gave it away, as written (at most 40 characters). */
  marker: string;
  /** Offset of the marker in the text. */
  offset: number;
}

interface Marker {
  kind: ForeignSqlKind;
  pattern: RegExp;
}

// In order of precedence: a file with a MergeTree engine is ClickHouse even if it also has backticks
// (ClickHouse accepts them too); MODIFY COLUMN is shared by MySQL and ClickHouse and decides only when
// nothing more specific is there.
const MARKERS: Marker[] = [
  { kind: 'jinja', pattern: /\{%-?|\{#|\{\{-?\s*(?:ref|source|config|var|env_var|this|adapter|is_incremental|run_query|log)\b/gi },
  { kind: 'go-template', pattern: /\{\{-?\s*(?:\.|\$|template\b|if\b|range\b|with\b|end\b|define\b|block\b|printf\b|index\b|len\b)/g },
  { kind: 'template', pattern: /\{\{/g },
  {
    kind: 'clickhouse',
    pattern: /\bENGINE\s*=\s*(?:\w*MergeTree|Distributed|Kafka|TinyLog|StripeLog|Log|Buffer|Null)\b|\bCODEC\s*\(|\bLowCardinality\s*\(|\bNullable\s*\(/gi,
  },
  {
    kind: 'mysql',
    pattern:
      /`|\bENGINE\s*=\s*(?:InnoDB|MyISAM|MEMORY|Aria|CSV|ARCHIVE|NDB\w*|ROCKSDB)\b|\bAUTO_INCREMENT\b|\bON\s+DUPLICATE\s+KEY\s+UPDATE\b|\b(?:TINYINT|SMALLINT|MEDIUMINT|INT|INTEGER|BIGINT|DECIMAL|NUMERIC|FLOAT|DOUBLE|REAL)\b(?:\s*\([^)]*\))?\s+UNSIGNED\b|\bDEFAULT\s+CHARSET\b|\bCHARSET\s*=|^[ \t]*DELIMITER\s+\S/gim,
  },
  { kind: 'clickhouse', pattern: /\bMODIFY\s+COLUMN\b/gi },
  {
    kind: 'sqlite',
    pattern:
      /\bAUTOINCREMENT\b|^[ \t]*PRAGMA\s+\w|\bWITHOUT\s+ROWID\b|\bINSERT\s+OR\s+(?:REPLACE|IGNORE|ABORT|FAIL|ROLLBACK)\b|\bsqlite_(?:master|schema|sequence)\b/gim,
  },
  {
    kind: 'tsql',
    pattern:
      /^[ \t]*GO[ \t]*;?[ \t]*$|\bNVARCHAR\s*\(\s*MAX\s*\)|\[dbo\]|\bIDENTITY\s*\(\s*\d+\s*,\s*\d+\s*\)|\bSET\s+NOCOUNT\s+(?:ON|OFF)\b|\bEXEC(?:UTE)?\s+sp_\w|\bDECLARE\s+@\w|@@(?:IDENTITY|ROWCOUNT|ERROR|TRANCOUNT|VERSION)\b|\bIF\s+OBJECT_ID\s*\(/gim,
  },
];

// One pass over the text finds whether any marker may be there; most PostgreSQL files stop here.
const ANY_MARKER = new RegExp(MARKERS.map((marker) => marker.pattern.source).join('|'), 'im');
// Before it, a cheaper pass that every marker implies (each alternative of ANY_MARKER contains one of
// these, at a word start where it starts with a letter): eight times faster than ANY_MARKER, which
// tries its 35 alternatives at every offset of every file.
const MAY_HAVE_SYMBOL_MARKER = /\{[{%#]|`|\[dbo\]|@@/i;
const MAY_HAVE_WORD_MARKER =
  /\b(?:ENGINE\s*=|CODEC\s*\(|LowCardinality|Nullable\s*\(|AUTO_?INCREMENT|DUPLICATE\s+KEY|UNSIGNED|CHARSET|DELIMITER|MODIFY\s+COLUMN|PRAGMA|ROWID|INSERT\s+OR|sqlite_|GO|NVARCHAR|IDENTITY\s*\(\s*\d|NOCOUNT|EXEC(?:UTE)?\s+sp_|DECLARE\s+@|OBJECT_ID)/i;

/** The first foreign-dialect or template marker of a .sql text, by precedence; undefined for PostgreSQL. */
export function detectForeignSql(text: string): ForeignSql | undefined {
  if (!MAY_HAVE_SYMBOL_MARKER.test(text) && !MAY_HAVE_WORD_MARKER.test(text)) return undefined;
  if (!ANY_MARKER.test(text)) return undefined;
  const quoted = quotedRanges(text);
  for (const marker of MARKERS) {
    marker.pattern.lastIndex = 0;
    for (let match = marker.pattern.exec(text); match; match = marker.pattern.exec(text)) {
      if (!insideRanges(quoted, match.index)) {
        const offset = match.index + (match[0].length - match[0].trimStart().length);
        return { kind: marker.kind, marker: match[0].trim().slice(0, 40), offset };
      }
    }
  }
  return undefined;
}

/** Sorted [start, end) ranges of strings, quoted identifiers, comments and psql meta-commands. */
function quotedRanges(text: string): number[] {
  const ranges: number[] = [];
  // psql meta-commands count as quoted: `\set now `date`` runs a shell command in backticks.
  for (const token of tokenize(text, { psql: true })) {
    if (token.kind === 'string' || token.kind === 'ident' || token.kind === 'comment' || token.kind === 'meta') ranges.push(token.start, token.end);
  }
  return ranges;
}

function insideRanges(ranges: number[], offset: number): boolean {
  let low = 0;
  let high = ranges.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const start = ranges[middle * 2];
    const end = ranges[middle * 2 + 1];
    if (offset < start) high = middle - 1;
    else if (offset >= end) low = middle + 1;
    else return true;
  }
  return false;
}
