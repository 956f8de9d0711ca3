/**
 * Inbound framing, shared by the console and the crawler client: turns a byte
 * stream into JSON object texts, whichever way the peer frames them.
 *
 * - Delimited lines (`{...}\n{...}\n`, the documented framing) and JSON objects
 *   back to back with no delimiter (`{...}{...}`, what the crawler in the wild
 *   writes), and any mix, on the same stream.
 * - An object ends where its top-level braces balance, counting only braces
 *   outside JSON strings (a `{`, `}` or escaped `"` inside a string does not count).
 * - Whitespace and delimiters between objects are ignored. A delimiter always
 *   ends whatever precedes it, so a truncated object costs only itself.
 * - Garbage resynchronises: a byte that cannot start an object starts a run that
 *   is skipped up to the next `{` or delimiter and reported once.
 * - An object larger than `maxMessageBytes` is skipped (still scanned, never
 *   buffered) and reported once: memory per stream stays bounded whatever is sent.
 *   With `split`, a splitter may take it in bounded parts instead (an oversized
 *   jobs_discovered: discovery-splitter.ts).
 *
 * Pure TypeScript over Uint8Array (no Node types), so src/main and src/client
 * both use this one module. Node Buffers are Uint8Arrays: their native indexOf
 * finds delimiters; the brace scan is a plain byte loop that resumes across reads.
 *
 * With `parse`, a reader whose caller parses every object anyway first tries
 * JSON.parse on where an object must end if it is well-formed (a whole line, or
 * up to the first `}` followed by `{`), found with native searches: a success is exactly
 * the object the brace scan would find (a JSON object's braces balance only at
 * its last byte), handed on already parsed; anything else is framed by the brace
 * scan as before. The events are the same either way.
 */

export type FrameEvent =
  /**
   * One JSON object's text, complete and valid UTF-8 (the caller parses it). With
   * the `parse` option it may come parsed already (`value`, what JSON.parse(text) gives).
   */
  | { kind: 'line'; text: string; value?: Record<string, unknown>; depthBounded?: true }
  /*
   * A part of an oversized object taken by a splitter is a line with its `value` and an empty `text`, and
   * `depthBounded`: the splitter's scan refused nesting past MAX_MESSAGE_DEPTH, so the part is within it.
   */
  /** An object or line longer than maxMessageBytes was skipped; `reason` ("was discarded: …") says why a splitter did not take it, or not all of it. */
  | { kind: 'oversized'; bytes: number; reason?: string }
  /** An object whose bytes are not valid UTF-8 was skipped. */
  | { kind: 'invalid_encoding'; bytes: number }
  /** Bytes that cannot start a JSON object were skipped up to the next `{` or delimiter. */
  | { kind: 'garbage'; bytes: number }
  /** Like garbage, but the skipped bytes were a whole JSON value of another type (`[1,2]`, `"x"`, `42`, `null`). */
  | { kind: 'not_an_object'; bytes: number; got: 'array' | 'string' | 'number' | 'boolean' | 'null' };

export interface FrameReaderOptions {
  /** Message delimiter (default '\n'); never empty. */
  delimiter?: string;
  /** Largest object or line accepted, in bytes. */
  maxMessageBytes: number;
  /** Strict UTF-8 decoding: the text, or null when the bytes are not valid UTF-8 (default: a fatal TextDecoder). */
  decode?: (bytes: Uint8Array) => string | null;
  /**
   * Hand on well-formed objects parsed (`value` on their line events) where that
   * saves the brace scan: for a caller that parses every object anyway. Default false.
   */
  parse?: boolean;
  /**
   * Called when an object grows past maxMessageBytes: a splitter that takes it in
   * parts (it gets every byte of the object, from its `{`), or null to skip it as
   * before. Its events go out in stream order with the others.
   */
  split?: () => OversizedSplitter | null;
}

/** Takes an oversized object in bounded parts (see discovery-splitter.ts). */
export interface OversizedSplitter {
  /** The object's bytes buf[from, to), in order. */
  write(buf: Uint8Array, from: number, to: number, out: FrameEvent[]): void;
  /** The object ended (`complete`), or was cut by a delimiter or the end of the stream. */
  end(complete: boolean, out: FrameEvent[]): void;
}

/** The web-standard codecs every runtime we target has (Node, browsers, Bun), typed here without DOM or Node lib types. */
interface Codecs {
  TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(input: Uint8Array): string };
  TextEncoder: new () => { encode(input: string): Uint8Array };
}
const codecs = globalThis as unknown as Partial<Codecs>;

/** A strict UTF-8 decoder: the text, or null when the bytes are not valid UTF-8. */
export function strictUtf8Decoder(): (bytes: Uint8Array) => string | null {
  if (!codecs.TextDecoder) throw new Error('FrameReader needs TextDecoder or a `decode` option');
  const decoder = new codecs.TextDecoder('utf-8', { fatal: true });
  return (bytes) => {
    try {
      return decoder.decode(bytes);
    } catch {
      return null;
    }
  };
}

function utf8Bytes(text: string): Uint8Array {
  if (!codecs.TextEncoder) throw new Error('TextEncoder is not available');
  return new codecs.TextEncoder().encode(text);
}

/** Garbage up to this size is kept to tell a JSON value of the wrong type from noise. */
const GARBAGE_KEEP = 1024;

/** First bytes of a JSON value other than an object: [ " - 0-9 t f n. */
const MAY_START_VALUE: ReadonlySet<number> = new Set([0x5b, 0x22, 0x2d, 0x74, 0x66, 0x6e, ...Array.from({ length: 10 }, (_, d) => 0x30 + d)]);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Between objects: whitespace is skipped, `{` starts an object, anything else is garbage. */
const IDLE = 0;
/** Inside an object that is being kept. */
const OBJECT = 1;
/** Inside an object that grew past the limit: still scanned for its end, never kept. */
const DISCARD = 2;
/** Skipping bytes that cannot start an object, up to the next `{` or delimiter. */
const GARBAGE = 3;
/** Inside an object that grew past the limit and that a splitter takes in parts. */
const SPLIT = 4;
type Mode = typeof IDLE | typeof OBJECT | typeof DISCARD | typeof GARBAGE | typeof SPLIT;

export class FrameReader {
  private readonly delimiter: Uint8Array;
  private readonly delimByte: number;
  private readonly maxBytes: number;
  private readonly decode: (bytes: Uint8Array) => string | null;
  private readonly parse: boolean;
  private readonly split: (() => OversizedSplitter | null) | null;

  private mode: Mode = IDLE;
  private splitter: OversizedSplitter | null = null;
  /** The brace scan's state, kept between reads. */
  private scanState: ScanState = { depth: 0, inString: false, escaped: false };
  /** Bytes of the unfinished object (at most maxMessageBytes in total). */
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  /** Bytes skipped so far in DISCARD or GARBAGE mode. */
  private skipped = 0;
  /** The first GARBAGE_KEEP bytes of a garbage run (null once it is longer). */
  private garbage: Uint8Array[] | null = null;
  /** The end of the last read when it may be the start of a multi-byte delimiter. */
  private pending: Uint8Array | null = null;
  /**
   * In the read being framed: the first `}` at or after the last position looked
   * from (Infinity: none). Looks only move forward within a read, so each byte is
   * searched once whatever the input (no quadratic rescans on hostile streams).
   */
  private nextClose = -1;

  constructor(options: FrameReaderOptions) {
    this.delimiter = utf8Bytes(options.delimiter ?? '\n');
    if (this.delimiter.length === 0) throw new Error('messageDelimiter must not be empty');
    this.delimByte = this.delimiter[0]!;
    this.maxBytes = options.maxMessageBytes;
    this.decode = options.decode ?? strictUtf8Decoder();
    this.parse = options.parse ?? false;
    this.split = options.split ?? null;
  }

  /** Bytes held for an unfinished object: bounded by maxMessageBytes + delimiter length. */
  get bufferedBytes(): number {
    return this.partBytes + (this.pending?.length ?? 0);
  }

  /** Frames one read; appends the events to `out` (returned). */
  push(chunk: Uint8Array, out: FrameEvent[] = []): FrameEvent[] {
    let buf = chunk;
    if (this.pending) {
      buf = concatBytes([this.pending, chunk], this.pending.length + chunk.length);
      this.pending = null;
    }
    const dlen = this.delimiter.length;
    this.nextClose = -1;
    let start = 0;
    for (;;) {
      const idx = this.indexOfDelimiter(buf, start);
      if (idx === -1) break;
      if (!this.parse || this.mode !== IDLE || !this.parseLine(buf, start, idx, out)) this.scan(buf, start, idx, out);
      this.endOfLine(out);
      start = idx + dlen;
    }
    let end = buf.length;
    if (dlen > 1) {
      const keep = this.delimiterPrefixAtEnd(buf, start);
      if (keep > 0) {
        end -= keep;
        this.pending = buf.slice(end);
      }
    }
    this.scan(buf, start, end, out);
    return out;
  }

  /** The stream ended: whatever is unfinished is reported (an unbalanced object as its text, which will not parse). */
  flush(out: FrameEvent[] = []): FrameEvent[] {
    const pending = this.pending;
    this.pending = null;
    if (pending) this.scan(pending, 0, pending.length, out);
    this.endOfLine(out);
    return out;
  }

  /** Discards whatever is buffered (the connection is closing). */
  reset(): void {
    this.mode = IDLE;
    this.parts = [];
    this.partBytes = 0;
    this.skipped = 0;
    this.garbage = null;
    this.pending = null;
    this.splitter = null;
  }

  private indexOfDelimiter(buf: Uint8Array, from: number): number {
    // A Buffer's indexOf is native (memchr); a plain Uint8Array's is a builtin too.
    let i = buf.indexOf(this.delimByte, from);
    const d = this.delimiter;
    if (d.length === 1) return i;
    while (i !== -1) {
      if (i + d.length > buf.length) return -1;
      let k = 1;
      while (k < d.length && buf[i + k] === d[k]) k++;
      if (k === d.length) return i;
      i = buf.indexOf(this.delimByte, i + 1);
    }
    return -1;
  }

  /** How many bytes at the end of buf[from..] are a proper prefix of the delimiter (held back for the next read). */
  private delimiterPrefixAtEnd(buf: Uint8Array, from: number): number {
    const d = this.delimiter;
    for (let len = Math.min(d.length - 1, buf.length - from); len > 0; len--) {
      let k = 0;
      while (k < len && buf[buf.length - len + k] === d[k]) k++;
      if (k === len) return len;
    }
    return 0;
  }

  /** Frames buf[from, to): bytes with no delimiter in them. */
  private scan(buf: Uint8Array, from: number, to: number, out: FrameEvent[]): void {
    let i = from;
    while (i < to) {
      switch (this.mode) {
        case IDLE: {
          let c = buf[i]!;
          while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
            if (++i === to) return;
            c = buf[i]!;
          }
          if (c === OPEN) {
            if (this.parse) {
              const end = this.parseBackToBack(buf, i, to, out);
              if (end !== -1) {
                i = end;
                break;
              }
            }
            this.mode = OBJECT;
            this.scanState = { depth: 0, inString: false, escaped: false };
          } else {
            this.mode = GARBAGE;
            this.skipped = 0;
            this.garbage = [];
          }
          break;
        }
        case GARBAGE: {
          // Searched within the segment only: many short garbage lines must not each scan the whole read.
          const found = buf.subarray(i, to).indexOf(OPEN);
          const stop = found === -1 ? to : i + found;
          this.skipped += stop - i;
          if (this.garbage && this.skipped <= GARBAGE_KEEP) this.garbage.push(buf.slice(i, stop));
          else this.garbage = null;
          if (found === -1) return;
          this.endGarbage(out);
          i = stop;
          break;
        }
        case OBJECT:
        case DISCARD:
        case SPLIT: {
          const end = this.scanObject(buf, i, to);
          const stop = end === -1 ? to : end;
          if (this.mode === DISCARD) {
            this.skipped += stop - i;
          } else if (this.mode === SPLIT) {
            this.splitter!.write(buf, i, stop, out);
          } else if (this.partBytes + (stop - i) > this.maxBytes) {
            // Too large: stop keeping it, but keep scanning for its end (a splitter may take it in parts).
            this.splitter = this.split?.() ?? null;
            if (this.splitter) {
              this.mode = SPLIT;
              for (const part of this.parts) this.splitter.write(part, 0, part.length, out);
              this.splitter.write(buf, i, stop, out);
            } else {
              this.mode = DISCARD;
              this.skipped = this.partBytes + (stop - i);
            }
            this.parts = [];
            this.partBytes = 0;
          } else if (end === -1) {
            // Copy: a kept subarray would pin the whole read in memory.
            this.parts.push(buf.slice(i, to));
            this.partBytes += to - i;
          } else {
            this.emitObject(buf.subarray(i, end), out);
          }
          if (end === -1) return;
          if (this.mode === DISCARD) this.endDiscard(out);
          else if (this.mode === SPLIT) this.endSplit(true, out);
          this.mode = IDLE;
          i = end;
          break;
        }
      }
    }
  }

  /**
   * A whole line buf[from, to) that is one well-formed object (whitespace around
   * it allowed): emitted parsed, true. Anything else (several objects, garbage,
   * too large, not UTF-8, not JSON) is left to the brace scan: false.
   */
  private parseLine(buf: Uint8Array, from: number, to: number, out: FrameEvent[]): boolean {
    let a = from;
    let b = to;
    while (a < b && isSpace(buf[a]!)) a++;
    while (b > a && isSpace(buf[b - 1]!)) b--;
    if (b - a < 2 || buf[a] !== OPEN || buf[b - 1] !== CLOSE) return false;
    return this.tryParse(buf, a, b, out);
  }

  /**
   * The object starting at buf[i] (a `{`), when objects come back to back: its
   * end, if it is well-formed, is a `}` followed (after any whitespace) by `{` or
   * by the end of the segment. Emitted parsed, returning the index past it; or -1 (the brace scan decides).
   */
  private parseBackToBack(buf: Uint8Array, i: number, to: number, out: FrameEvent[]): number {
    const limit = Math.min(to, i + this.maxBytes);
    for (let k = this.closeAtOrAfter(buf, i + 1); k < limit; k = this.closeAtOrAfter(buf, k + 1)) {
      let next = k + 1;
      while (next < to && isSpace(buf[next]!)) next++;
      if (next !== to && buf[next] !== OPEN) continue;
      return this.tryParse(buf, i, k + 1, out) ? k + 1 : -1;
    }
    return -1;
  }

  /** The first `}` in buf at or after `from` (Infinity: none), searching each byte of a read once. */
  private closeAtOrAfter(buf: Uint8Array, from: number): number {
    if (from <= this.nextClose) return this.nextClose;
    const k = buf.indexOf(CLOSE, from);
    this.nextClose = k === -1 ? Infinity : k;
    return this.nextClose;
  }

  /** JSON.parse of buf[from, to) (which starts with `{`): emitted with its value when it parses. */
  private tryParse(buf: Uint8Array, from: number, to: number, out: FrameEvent[]): boolean {
    if (to - from > this.maxBytes) return false;
    const text = this.decode(buf.subarray(from, to));
    if (text === null) return false;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    out.push({ kind: 'line', text, value: value as Record<string, unknown> });
    return true;
  }

  /** Advances the brace scan over buf[i, to): the index just past the object's closing brace, or -1. */
  private scanObject(buf: Uint8Array, i: number, to: number): number {
    return scanToClose(buf, i, to, this.scanState, false);
  }

  /** A delimiter (or the end of the stream): nothing continues across it. */
  private endOfLine(out: FrameEvent[]): void {
    switch (this.mode) {
      case IDLE:
        return;
      case GARBAGE:
        this.endGarbage(out);
        break;
      case DISCARD:
        this.endDiscard(out);
        break;
      case SPLIT:
        this.endSplit(false, out);
        break;
      case OBJECT:
        // Unbalanced: handed on as text so the reader's parser names what is wrong with it.
        this.emitObject(new Uint8Array(0), out);
        break;
    }
    this.mode = IDLE;
  }

  private endGarbage(out: FrameEvent[]): void {
    const bytes = this.skipped;
    // Only a run that may be a JSON value is parsed (a parse failure is costly; noise is common).
    const head = this.garbage?.[0]?.[0];
    const got = this.garbage && head !== undefined && MAY_START_VALUE.has(head) ? jsonTypeOf(this.decode(concatBytes(this.garbage, bytes))) : null;
    out.push(got ? { kind: 'not_an_object', bytes, got } : { kind: 'garbage', bytes });
    this.skipped = 0;
    this.garbage = null;
    this.mode = IDLE;
  }

  private endDiscard(out: FrameEvent[]): void {
    out.push({ kind: 'oversized', bytes: this.skipped });
    this.skipped = 0;
  }

  private endSplit(complete: boolean, out: FrameEvent[]): void {
    const splitter = this.splitter!;
    this.splitter = null;
    splitter.end(complete, out);
  }

  private emitObject(tail: Uint8Array, out: FrameEvent[]): void {
    const bytes = this.partBytes === 0 ? tail : concatBytes([...this.parts, tail], this.partBytes + tail.length);
    this.parts = [];
    this.partBytes = 0;
    const text = this.decode(bytes);
    out.push(text === null ? { kind: 'invalid_encoding', bytes: bytes.length } : { kind: 'line', text });
  }
}

/** Where a bracket scan is, kept between reads: nesting depth, inside a string, after a backslash in one. */
export interface ScanState {
  depth: number;
  inString: boolean;
  escaped: boolean;
}

/** scanToClose's answer when the nesting went past `maxDepth`. */
export const TOO_DEEP = -2;

/**
 * Advances a bracket scan over buf[i, to), counting only brackets outside JSON
 * strings: the index just past the byte where the depth falls back to 0, or -1
 * (it continues in the next read; `state` says where), or TOO_DEEP. Counts `{}`,
 * and `[]` too with `arrays`. Most bytes of a message are inside strings: a tight
 * loop runs to each closing quote.
 */
export function scanToClose(buf: Uint8Array, i: number, to: number, state: ScanState, arrays: boolean, maxDepth = Infinity): number {
  let { depth, inString, escaped } = state;
  for (; i < to; i++) {
    if (inString) {
      if (escaped) {
        escaped = false;
        if (++i === to) break;
      }
      for (; i < to; i++) {
        const s = buf[i]!;
        if (s === QUOTE) {
          inString = false;
          break;
        }
        if (s === BACKSLASH && ++i === to) {
          escaped = true;
          break;
        }
      }
      continue;
    }
    const c = buf[i]!;
    if (c === QUOTE) inString = true;
    else if (c === OPEN || (arrays && c === OPEN_BRACKET)) {
      if (++depth > maxDepth) return TOO_DEEP;
    } else if ((c === CLOSE || (arrays && c === CLOSE_BRACKET)) && --depth === 0) {
      state.depth = 0;
      state.inString = false;
      state.escaped = false;
      return i + 1;
    }
  }
  state.depth = depth;
  state.inString = inString;
  state.escaped = escaped;
  return -1;
}

/** The JSON type of `text` when it is one whole JSON value (never an object: those start with `{`). */
function jsonTypeOf(text: string | null): 'array' | 'string' | 'number' | 'boolean' | 'null' | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean' ? t : null;
}

/** JSON whitespace (what the reader skips between objects). */
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The parts as one array of `total` bytes. */
export function concatBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
