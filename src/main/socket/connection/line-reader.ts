/**
 * Splits a byte stream into delimited lines with bounded memory: a line longer
 * than `maxLineBytes` is discarded up to the next delimiter (reported once, with
 * its size) instead of being buffered, whatever the peer sends.
 */
import { isUtf8 } from 'node:buffer';

export type LineEvent =
  | { kind: 'line'; text: string }
  | { kind: 'oversized'; bytes: number }
  | { kind: 'invalid_encoding'; bytes: number };

export interface LineReaderOptions {
  delimiter?: string;
  maxLineBytes: number;
}

export class LineReader {
  private readonly delimiter: Buffer;
  private readonly maxLineBytes: number;
  /** Bytes of the current, unfinished line (at most maxLineBytes + delimiter). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** While discarding an oversized line: how many bytes were dropped so far. */
  private discarded = -1;

  constructor(options: LineReaderOptions) {
    this.delimiter = Buffer.from(options.delimiter ?? '\n', 'utf8');
    if (this.delimiter.length === 0) throw new Error('messageDelimiter must not be empty');
    this.maxLineBytes = options.maxLineBytes;
  }

  /** Bytes held for an unfinished line: bounded by maxLineBytes + delimiter length. */
  get bufferedBytes(): number {
    return this.partBytes;
  }

  push(chunk: Buffer, out: LineEvent[] = []): LineEvent[] {
    const delim = this.delimiter;
    // A multi-byte delimiter may straddle two chunks: search from the held tail.
    let buf = chunk;
    let start = 0;
    if (delim.length > 1 && this.partBytes > 0) {
      buf = Buffer.concat([...this.parts, chunk]);
      this.parts = [];
      this.partBytes = 0;
    }
    for (;;) {
      const idx = buf.indexOf(delim, start);
      if (idx === -1) break;
      this.finishLine(buf.subarray(start, idx), out);
      start = idx + delim.length;
    }
    const rest = buf.subarray(start);
    if (rest.length === 0) return out;
    if (this.discarded >= 0) {
      const keep = Math.min(rest.length, delim.length - 1);
      this.discarded += rest.length - keep;
      this.hold(rest.subarray(rest.length - keep), true);
      return out;
    }
    if (this.partBytes + rest.length > this.maxLineBytes + delim.length - 1) {
      // Too long already: stop buffering, keep only what could start a delimiter.
      const keep = Math.min(rest.length, delim.length - 1);
      this.discarded = this.partBytes + rest.length - keep;
      this.parts = [];
      this.partBytes = 0;
      this.hold(rest.subarray(rest.length - keep), true);
      return out;
    }
    this.hold(rest, buf !== chunk);
    return out;
  }

  /** The stream ended: a final line without a delimiter still counts (an oversized one is reported). */
  flush(out: LineEvent[] = []): LineEvent[] {
    if (this.partBytes > 0 || this.discarded >= 0) this.finishLine(Buffer.alloc(0), out);
    return out;
  }

  /** Discards whatever is buffered (the connection is closing). */
  reset(): void {
    this.parts = [];
    this.partBytes = 0;
    this.discarded = -1;
  }

  private hold(bytes: Buffer, copy: boolean): void {
    if (bytes.length === 0) return;
    // Copy small remainders so a retained subarray does not pin a large chunk.
    this.parts.push(copy || bytes.length < 4096 ? Buffer.from(bytes) : bytes);
    this.partBytes += bytes.length;
  }

  private finishLine(tail: Buffer, out: LineEvent[]): void {
    if (this.discarded >= 0) {
      out.push({ kind: 'oversized', bytes: this.discarded + this.partBytes + tail.length });
      this.discarded = -1;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    let line = this.partBytes === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.partBytes = 0;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (line.length > this.maxLineBytes) {
      out.push({ kind: 'oversized', bytes: line.length });
      return;
    }
    if (line.length === 0 || isBlank(line)) return;
    if (!isUtf8(line)) {
      out.push({ kind: 'invalid_encoding', bytes: line.length });
      return;
    }
    out.push({ kind: 'line', text: line.toString('utf8') });
  }
}

function isBlank(line: Buffer): boolean {
  for (const b of line) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}
