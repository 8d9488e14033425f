// Over stdio, LSP messages are framed by a header block with Content-Length. When a client gets it
// wrong (no Content-Length, a value that is not a number, a length that ends inside the next message),
// vscode-jsonrpc reports the error and keeps reading from the wrong place: the server runs on but
// never understands another message, and the client, which sees a live process, never restarts it.
// This guard reads the same bytes alongside the library, follows only the framing (it never decodes
// a body), and calls `onBroken` once the framing cannot be trusted any more; the server then exits
// with a non-zero code so that the client restarts it.

/** Header blocks are a few dozen bytes; anything this long without a blank line is not a header. */
const MAX_HEADER_BYTES = 8 * 1024;
/** A client writes each message whole: a message left half-written this long will not be finished. */
export const DEFAULT_STALL_MS = 15_000;

const BLANK_LINE = Buffer.from('\r\n\r\n', 'latin1');

export class FramingGuard {
  private header = Buffer.alloc(0);
  /** Body bytes still to come; -1 while reading a header block. */
  private remaining = -1;
  /** At the first byte of a body (checked to start a JSON value). */
  private bodyStart = false;
  private broken = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private received = 0;

  constructor(
    private readonly onBroken: (reason: string) => void,
    private readonly stallMs = DEFAULT_STALL_MS,
  ) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    this.received++;
    let offset = 0;
    while (offset < chunk.length && !this.broken) {
      if (this.remaining < 0) offset = this.readHeader(chunk, offset);
      else offset = this.readBody(chunk, offset);
    }
    this.watchStall();
  }

  dispose(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private readHeader(chunk: Buffer, offset: number): number {
    const seen = this.header.length;
    // Only what a header block can hold is looked at (the rest of the chunk is usually the body).
    const piece = chunk.subarray(offset, offset + MAX_HEADER_BYTES + BLANK_LINE.length - seen);
    const candidate = seen ? Buffer.concat([this.header, piece]) : piece;
    // The blank line may straddle two chunks: search from a little before the new bytes.
    const end = candidate.indexOf(BLANK_LINE, Math.max(0, seen - 3));
    if (end < 0) {
      if (candidate.length > MAX_HEADER_BYTES) this.fail(`a header block longer than ${MAX_HEADER_BYTES} bytes`);
      else this.header = Buffer.from(candidate);
      return offset + piece.length;
    }
    this.header = Buffer.alloc(0);
    const length = contentLength(candidate.toString('ascii', 0, end));
    if (typeof length === 'string') {
      this.fail(length);
      return chunk.length;
    }
    this.remaining = length;
    this.bodyStart = true;
    return offset + end + BLANK_LINE.length - seen;
  }

  private readBody(chunk: Buffer, offset: number): number {
    if (this.bodyStart && this.remaining > 0) {
      // JSON-RPC messages are objects (or batches): a body starting elsewhere was framed wrongly.
      let index = offset;
      while (index < chunk.length && index - offset < this.remaining && isJsonSpace(chunk[index])) index++;
      if (index < chunk.length && index - offset < this.remaining) {
        this.bodyStart = false;
        if (chunk[index] !== 0x7b && chunk[index] !== 0x5b) {
          this.fail('a message body that does not start a JSON object');
          return chunk.length;
        }
      }
    }
    const taken = Math.min(this.remaining, chunk.length - offset);
    this.remaining -= taken;
    if (this.remaining === 0) this.remaining = -1;
    return offset + taken;
  }

  /** Half a message with nothing more arriving: the length promised more than the client sent. */
  private watchStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    const midMessage = this.remaining > 0 || this.header.length > 0;
    if (!midMessage || this.broken) return;
    const receivedWhenArmed = this.received;
    this.stallTimer = setTimeout(() => {
      // After a long synchronous analysis, timers run before the input waiting meanwhile is read:
      // decide only after one more turn of the event loop has read it.
      setImmediate(() => {
        if (this.received === receivedWhenArmed && !this.broken) this.fail(`half a message and nothing more for ${this.stallMs / 1000} s`);
      });
    }, this.stallMs);
    this.stallTimer.unref();
  }

  private fail(reason: string): void {
    this.broken = true;
    this.dispose();
    this.onBroken(reason);
  }
}

/** The Content-Length of a header block, or why there is none (read as vscode-jsonrpc reads it). */
function contentLength(block: string): number | string {
  let length: number | string = 'a header block without Content-Length';
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) return `a header line without a colon (${JSON.stringify(line.slice(0, 40))})`;
    if (line.slice(0, colon).toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d+$/.test(value)) return `a Content-Length that is not a number (${JSON.stringify(value.slice(0, 40))})`;
    length = Number(value);
  }
  return length;
}

function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}
