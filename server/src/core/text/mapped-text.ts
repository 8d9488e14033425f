// A text that was cut out of another text (a statement of a file, a function body, the SQL inside a
// string literal or a TypeScript template) together with the way back: every offset in it maps to an
// offset in the document, and text inserted by a fix is escaped for the literal it lands in.

export interface Segment {
  /** Offset in this text. */
  textStart: number;
  /** Offset in the parent text. */
  parentStart: number;
  length: number;
}

export type Encoder = (inserted: string) => string;

/**
 * A piece of a rendered text (SQL written by Armadilha for an ORM call) and the code it stands for:
 * an offset at a piece's start maps to the start of its code, one at its end to the end of its code.
 */
export interface RenderedPiece {
  textStart: number;
  textEnd: number;
  parentStart: number;
  parentEnd: number;
}

const identity: Encoder = (inserted) => inserted;

export class MappedText {
  private constructor(
    readonly text: string,
    private readonly segments: Segment[],
    private readonly encoder: Encoder,
    private parentText: MappedText | undefined,
    /** For rendered texts: their pieces, innermost last; nothing in them is verbatim. */
    private readonly pieces?: RenderedPiece[],
  ) {}

  get parent(): MappedText | undefined {
    return this.parentText;
  }

  /**
   * Moves a slice made by MappedText.slice to another parent and offset: the same statement text
   * found again after an edit elsewhere in the document. Everything nested in it moves along.
   */
  rebase(parent: MappedText, parentStart: number): void {
    if (this.segments.length !== 1) throw new Error('only slices can be rebased');
    this.parentText = parent;
    this.segments[0].parentStart = parentStart;
  }

  /** The document itself. */
  static document(text: string): MappedText {
    return new MappedText(text, [{ textStart: 0, parentStart: 0, length: text.length }], identity, undefined);
  }

  /** A text assembled by a front end (e.g. a template with placeholders), with its own segments. */
  static assembled(parent: MappedText, text: string, segments: Segment[], encoder: Encoder): MappedText {
    return new MappedText(text, segments, encoder, parent);
  }

  /**
   * SQL that Armadilha wrote for code that is not SQL (an ORM call chain). A finding on a piece lands on
   * the code of that piece (the whole call, the table argument, a property); no fix can edit it.
   */
  static rendered(parent: MappedText, text: string, pieces: RenderedPiece[]): MappedText {
    return new MappedText(text, [], identity, parent, pieces);
  }

  /** parent.text[start, end) with some ranges blanked by spaces (same length, same offsets). */
  static slice(parent: MappedText, start: number, end: number, blanks: Array<[number, number]> = []): MappedText {
    let text = parent.parent ? parent.text.slice(start, end) : detached(parent.text.slice(start, end));
    for (const [blankStart, blankEnd] of blanks) {
      const from = Math.max(blankStart, start) - start;
      const to = Math.min(blankEnd, end) - start;
      if (to > from) text = text.slice(0, from) + ' '.repeat(to - from) + text.slice(to);
    }
    return new MappedText(text, [{ textStart: 0, parentStart: start, length: end - start }], identity, parent);
  }

  /** A synthetic prefix followed by parent.text[start, end): e.g. "select " + a PL/pgSQL expression. */
  static prefixed(parent: MappedText, prefix: string, start: number, end: number, blanks: Array<[number, number]> = []): MappedText {
    const slice = MappedText.slice(parent, start, end, blanks);
    return new MappedText(prefix + slice.text, [{ textStart: prefix.length, parentStart: start, length: end - start }], identity, parent);
  }

  /**
   * The content of a quoted literal of the parent, unescaped, with a segment per run of characters
   * that were copied verbatim, so that offsets inside it map back exactly.
   */
  static unquoted(
    parent: MappedText,
    contentStart: number,
    contentEnd: number,
    quoting: 'standard' | 'escape' | 'dollar' | 'template',
    quote = "'",
  ): MappedText {
    if (quoting === 'dollar')
      return new MappedText(
        parent.text.slice(contentStart, contentEnd),
        [{ textStart: 0, parentStart: contentStart, length: contentEnd - contentStart }],
        identity,
        parent,
      );
    const segments: Segment[] = [];
    let text = '';
    let runStart = contentStart;
    const flush = (until: number) => {
      if (until > runStart) {
        segments.push({ textStart: text.length, parentStart: runStart, length: until - runStart });
        text += parent.text.slice(runStart, until);
      }
    };
    const source = parent.text;
    let index = contentStart;
    while (index < contentEnd) {
      const char = source[index];
      if (quoting === 'standard' && char === quote && source[index + 1] === quote) {
        flush(index + 1);
        index += 2;
        runStart = index;
      } else if ((quoting === 'escape' || quoting === 'template') && char === '\\' && index + 1 < contentEnd) {
        flush(index);
        text += unescapeCharacter(source[index + 1]);
        index += 2;
        runStart = index;
      } else index++;
    }
    flush(contentEnd);
    // The end of the text maps to the end of the content, after a trailing escape sequence.
    segments.push({ textStart: text.length, parentStart: contentEnd, length: 0 });
    return new MappedText(text, segments, encoderFor(quoting, quote), parent);
  }

  /** Offset in the document (the root text) of an offset in this text. */
  toDocument(offset: number): number {
    const inParent = this.toParent(offset);
    return this.parent ? this.parent.toDocument(inParent) : inParent;
  }

  /** Offset in this text of a document offset, or undefined when the document offset is outside it. */
  fromDocument(documentOffset: number): number | undefined {
    const inParent = this.parent ? this.parent.fromDocument(documentOffset) : documentOffset;
    if (inParent === undefined) return undefined;
    for (const segment of this.segments) {
      if (inParent >= segment.parentStart && inParent <= segment.parentStart + segment.length) {
        return segment.textStart + (inParent - segment.parentStart);
      }
    }
    return undefined;
  }

  /**
   * True when text[start, end) was copied verbatim from the document, at every nesting level: a fix
   * may replace it. False when it covers synthetic text (a placeholder standing for a \${…}
   * substitution, an unescaped character, a prefix added for parsing), which a fix must never touch.
   */
  rangeIsVerbatim(start: number, end: number): boolean {
    if (!this.coversVerbatim(start, end)) return false;
    return this.parent ? this.parent.rangeIsVerbatim(this.toParent(start), this.toParent(end)) : true;
  }

  private coversVerbatim(start: number, end: number): boolean {
    if (end < start || this.pieces) return false;
    let covered = start;
    for (const segment of this.segments) {
      const segmentEnd = segment.textStart + segment.length;
      if (segmentEnd < covered || segment.textStart > covered) continue;
      if (end === start) return true; // an insertion inside or at the edge of copied text
      covered = Math.max(covered, segmentEnd);
      if (covered >= end) return true;
    }
    return false;
  }

  /** Escapes text that a fix inserts into this text, for every literal it is nested in. */
  encode(inserted: string): string {
    const own = this.encoder(inserted);
    return this.parent ? this.parent.encode(own) : own;
  }

  private toParent(offset: number): number {
    if (this.pieces) return renderedToParent(this.pieces, offset);
    const segments = this.segments;
    if (segments.length === 0) return 0;
    // Binary search for the last segment starting at or before offset.
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (segments[middle].textStart <= offset) low = middle;
      else high = middle - 1;
    }
    const segment = segments[low];
    if (offset < segment.textStart) return segment.parentStart; // inside a synthetic prefix
    const within = Math.min(offset - segment.textStart, segment.length);
    // An offset between two segments (an escape sequence) belongs to the next segment's start.
    if (offset - segment.textStart > segment.length && low + 1 < segments.length) return segments[low + 1].parentStart;
    return segment.parentStart + within;
  }
}

// The innermost piece that ends at the offset maps it to its code's end; else the innermost inner
// piece that holds it maps it to its code's start; else (SQL written around the pieces: keywords,
// parentheses) the end of the last inner piece before it, so that a range from the statement's start
// covers the code up to there. Pieces are separated by at least one character, so an offset is never
// both a piece's end and the next one's start. The first piece is the whole statement.
function renderedToParent(pieces: RenderedPiece[], offset: number): number {
  for (let index = pieces.length - 1; index >= 0; index--)
    if (pieces[index].textEnd === offset && pieces[index].textStart < offset) return pieces[index].parentEnd;
  for (let index = pieces.length - 1; index >= 1; index--)
    if (pieces[index].textStart <= offset && offset < pieces[index].textEnd) return pieces[index].parentStart;
  let before: RenderedPiece | undefined;
  for (let index = 1; index < pieces.length; index++)
    if (pieces[index].textEnd <= offset && (!before || pieces[index].textEnd > before.textEnd)) before = pieces[index];
  return before?.parentEnd ?? pieces[0]?.parentStart ?? 0;
}

/**
 * A copy of a piece of a document that does not keep the document alive. V8 represents a slice as a
 * view into the original string: a statement kept across edits (SqlModelCache) would otherwise keep
 * every version of the document it was cut from.
 */
export function detached(piece: string): string {
  return piece.length < 13 ? piece : (' ' + piece).slice(1);
}

function unescapeCharacter(char: string): string {
  switch (char) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    default:
      return char;
  }
}

function encoderFor(quoting: 'standard' | 'escape' | 'template', quote: string): Encoder {
  if (quoting === 'standard') return (inserted) => inserted.split(quote).join(quote + quote);
  if (quoting === 'escape')
    return (inserted) =>
      inserted
        .replace(/\\/g, '\\\\')
        .split(quote)
        .join('\\' + quote);
  // Template literals and JavaScript strings: escape backslashes, the quote and `${`.
  return (inserted) => {
    let escaped = inserted
      .replace(/\\/g, '\\\\')
      .split(quote)
      .join('\\' + quote);
    if (quote === '`') escaped = escaped.replace(/\$\{/g, '\\${');
    return escaped;
  };
}
