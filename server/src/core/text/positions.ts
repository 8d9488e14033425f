// The one place where offsets change units.
// Everything inside Armadilha speaks UTF-16 code-unit offsets (JavaScript string indices), which is
// also what LSP positions count. libpg-query reports UTF-8 byte offsets for node and statement
// locations and code-point indices for its error cursor; both are converted here and nowhere else.

export interface LineColumn {
  /** 0-based line. */
  line: number;
  /** 0-based column in UTF-16 code units. */
  character: number;
}

/** Maps offsets to line/column pairs and back for one text. Built once per text. */
export class LineIndex {
  private readonly lineStarts: ArrayLike<number>;

  /** `lineStarts`: already known (core/incremental/text-edit.ts), else found in the text. */
  constructor(
    readonly text: string,
    lineStarts?: ArrayLike<number>,
  ) {
    if (lineStarts) {
      this.lineStarts = lineStarts;
      return;
    }
    const starts = [0];
    if (text.includes('\r')) {
      for (let index = 0; index < text.length; index++) {
        const code = text.charCodeAt(index);
        if (code === 10) starts.push(index + 1);
        else if (code === 13) {
          if (text.charCodeAt(index + 1) === 10) index++;
          starts.push(index + 1);
        }
      }
    } else {
      // indexOf is several times faster than a character loop on long texts.
      for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The offsets where lines start (for core/incremental/text-edit.ts, which copies them in bulk). */
  get starts(): ArrayLike<number> {
    return this.lineStarts;
  }

  positionAt(offset: number): LineColumn {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  offsetAt(position: LineColumn): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const lineStart = this.lineStarts[position.line];
    const lineEnd = this.lineEndWithoutBreak(position.line);
    return Math.min(lineStart + Math.max(0, position.character), lineEnd);
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))];
  }

  /** Offset of the end of the line's content, before its line break. */
  lineEndWithoutBreak(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    let end = next;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEndWithoutBreak(line));
  }
}

/**
 * Converts UTF-8 byte offsets and code-point indices of one string into UTF-16 offsets.
 * Pure-ASCII strings (most SQL) take the fast path: all three units coincide.
 */
export class OffsetConverter {
  private readonly ascii: boolean;
  private byteTable: Int32Array | undefined;

  constructor(readonly text: string) {
    this.ascii = isAscii(text);
  }

  /** UTF-16 offset of a UTF-8 byte offset (clamped to the text). */
  fromUtf8(byteOffset: number): number {
    if (this.ascii) return Math.max(0, Math.min(byteOffset, this.text.length));
    const table = this.table();
    const clamped = Math.max(0, Math.min(byteOffset, table.length - 1));
    return table[clamped];
  }

  /** UTF-16 offset of a code-point index, as in PostgreSQL's error cursor. */
  fromCodePoint(codePointIndex: number): number {
    if (this.ascii) return Math.max(0, Math.min(codePointIndex, this.text.length));
    let seen = 0;
    let index = 0;
    while (index < this.text.length && seen < codePointIndex) {
      const code = this.text.charCodeAt(index);
      index += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
      seen++;
    }
    return Math.min(index, this.text.length);
  }

  /** UTF-8 byte length of the text before a UTF-16 offset. */
  toUtf8(offset: number): number {
    if (this.ascii) return offset;
    return Buffer.byteLength(this.text.slice(0, offset), 'utf8');
  }

  // byte offset -> UTF-16 offset; a byte inside a multi-byte sequence maps to its character.
  private table(): Int32Array {
    if (this.byteTable) return this.byteTable;
    const byteLength = Buffer.byteLength(this.text, 'utf8');
    const table = new Int32Array(byteLength + 1);
    let byte = 0;
    for (let index = 0; index < this.text.length; index++) {
      const code = this.text.charCodeAt(index);
      let width: number;
      if (code < 0x80) width = 1;
      else if (code < 0x800) width = 2;
      else if (code >= 0xd800 && code <= 0xdbff && index + 1 < this.text.length) width = 4;
      else width = 3;
      for (let step = 0; step < width; step++) table[byte + step] = index;
      byte += width;
      if (width === 4) index++;
    }
    table[byteLength] = this.text.length;
    this.byteTable = table;
    return table;
  }
}

export function isAscii(text: string): boolean {
  // A regular expression test is much faster than a JavaScript loop on long strings.
  // eslint-disable-next-line no-control-regex -- the ASCII range starts at U+0000 on purpose
  return !/[^\x00-\x7f]/.test(text);
}
