// Builds the edits of a SQL fix and proves them before offering them: the edited statement must
// still parse with PostgreSQL's parser. A fix that yields invalid SQL is worse than no fix, so a
// proposal that fails this check is dropped.

import { parseSql } from '../../languages/sql/parser';
import type { SqlStatement } from '../../languages/sql/statement';
import type { Edit } from '../../core/rule';

interface SourceEdit {
  start: number;
  end: number;
  text: string;
}

export class SqlEdits {
  private readonly edits: SourceEdit[] = [];

  constructor(readonly statement: SqlStatement) {}

  /** Inserts text at an offset of the statement's source text. */
  insert(sourceOffset: number, text: string): this {
    return this.replace(sourceOffset, sourceOffset, text);
  }

  /** Replaces source text [start, end) with text. */
  replace(sourceStart: number, sourceEnd: number, text: string): this {
    // Two insertions at one point become one, in the order they were made.
    const same = this.edits.find((edit) => edit.start === sourceStart && edit.end === sourceStart && sourceEnd === sourceStart);
    if (same) same.text += text;
    else this.edits.push({ start: sourceStart, end: sourceEnd, text });
    return this;
  }

  get isEmpty(): boolean {
    return this.edits.length === 0;
  }

  /** The statement's source text after the edits, as PostgreSQL will read it. */
  editedSource(): string {
    const sorted = [...this.edits].sort((left, right) => right.start - left.start);
    let text = this.statement.source.text;
    for (const edit of sorted) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    return text;
  }

  /**
   * True when the edited source still parses, into as many statements as before, and no edit touches
   * synthetic text (a placeholder for a TypeScript \${…} substitution, a prefix added for parsing).
   */
  parses(): boolean {
    if (!this.edits.every((edit) => this.statement.source.rangeIsVerbatim(edit.start, edit.end))) return false;
    const before = parseSql(this.statement.source.text);
    const after = parseSql(this.editedSource());
    return before.ok && after.ok && after.statements.length === before.statements.length;
  }

  /** Document edits, with inserted text escaped for the literal the statement lives in. */
  toDocumentEdits(): Edit[] {
    const source = this.statement.source;
    return this.edits.map((edit) => ({ start: source.toDocument(edit.start), end: source.toDocument(edit.end), text: source.encode(edit.text) }));
  }
}

/** Lower-case keywords for statements written in lower case, upper case otherwise. */
export function keywordCase(statement: SqlStatement, keywords: string): string {
  const first = statement.tokens().find((token) => token.kind === 'word');
  const word = first ? statement.source.text.slice(first.start, first.end) : '';
  return word && word === word.toUpperCase() && word !== word.toLowerCase() ? keywords.toUpperCase() : keywords.toLowerCase();
}
