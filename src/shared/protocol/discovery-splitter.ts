/**
 * A `jobs_discovered` larger than maxMessageSize, taken in parts instead of
 * discarded. The crawler in the wild sends one message with every area a
 * discovery found, so a large GitLab's discovery is many megabytes: buffering
 * it whole would cost hundreds of MiB, refusing it would lose the discovery.
 *
 * The FrameReader hands an oversized object's bytes to this splitter as they
 * arrive (its own brace scan still decides where the object ends). The splitter
 * follows the JSON structure byte by byte, keeps the message's fields and its
 * data's fields (all but the items: together at most maxMessageSize) and the
 * current items of `data.discovered_jobs`, and hands on a `jobs_discovered` of
 * at most `batchItems` items (and about maxMessageSize bytes) at a time, each
 * with the message's other fields, parsed like any message. What it holds is
 * bounded: those fields and one item, each about maxMessageSize, and one part's
 * items (a window's with `orderBy`: at most 8 MiB, or twice maxMessageSize if that is more).
 *
 * Parts say where each item was in the whole message (`data.items_index`), so
 * an item refused by validation is named by its index in what the crawler sent.
 *
 * With `orderBy`, the items are handed on a window of parts at a time (by
 * default 25 parts: 50,000 items), each window sorted by that key (stably: equal
 * keys keep the order they were sent in). The console orders by entity id: a
 * real discovery lists entities in no order of id, and the store's dedupe index
 * is keyed by it, so parts cut from a sorted window each write a narrow run of
 * that index instead of a random leaf per job (store alone at a million jobs,
 * 27.6-29.1 -> 19.6-19.9 µs a job with windows of 10,000; ascending ids 15.3).
 * The wider the window, the narrower each part's run: 50,000 items took the
 * console 12-21% more jobs a second than 10,000 on a real discovery's shape, for
 * 16-20 MiB more at peak and one sort of ~30 ms a window; 100,000 items peaked at
 * 277 MiB. Windows follow each other in the order sent, so the items handed on
 * are always a prefix of the message.
 *
 * Taken in parts only when the head comes first: `type` must be
 * `jobs_discovered` and the job id known when the first item is complete (the
 * crawler writes them before `data`). Anything else oversized is refused as
 * before, with the reason. Items already handed on stay handed on if the
 * message turns out faulty, and a message cut short hands on the items before
 * the cut; the refusal says how many (each part is a message of its own;
 * re-sending the discovery creates no duplicates).
 *
 * Pure TypeScript over Uint8Array, like the framing it plugs into.
 */
import { type FrameEvent, type OversizedSplitter, TOO_DEEP, concatBytes, scanToClose, strictUtf8Decoder } from './framing';
import { MAX_MESSAGE_DEPTH } from './depth';

export interface DiscoverySplitterOptions {
  /** Largest item, and about the largest part, in bytes (the connection's maxMessageSize). */
  maxBytes: number;
  /**
   * Most items per part (default 2,000: one store transaction each, some 30-50 ms of the main thread at a
   * million jobs; measured against 1,000, 7-19% more jobs a second, as a commit's fixed cost is spread wider).
   */
  batchItems?: number;
  /**
   * Hand the items on sorted by this key, a window of parts at a time (see above). It is given each item as
   * sent (not yet validated), so it must accept anything.
   */
  orderBy?: (item: unknown) => string;
  /** Items per window with `orderBy` (default 25 parts' worth); the window is also cut at 8 MiB of items, or twice maxBytes if that is more. */
  windowItems?: number;
  /** Strict UTF-8 decoding: the text, or null when the bytes are not valid UTF-8 (default: a fatal TextDecoder). */
  decode?: (bytes: Uint8Array) => string | null;
}

/** Items per part, unless batchItems says otherwise. */
export const BATCH_ITEMS = 2000;
/** Items per window with `orderBy`, unless windowItems says otherwise. */
export const DEFAULT_WINDOW_ITEMS = 25 * BATCH_ITEMS;
/** A window's items are cut at this many bytes (or twice maxBytes, if more: one item may be that large). */
const WINDOW_BYTES = 8 * 1024 * 1024;

/** Where a container sits in the message: only these positions hold what a part needs. */
const ROOT = 0;
const DATA = 1;
const ITEMS = 2;
const OTHER = 3;
type Role = typeof ROOT | typeof DATA | typeof ITEMS | typeof OTHER;

/** What a captured value is for: a field of the message, a field of its data, an item, a key. */
const FIELD = 0;
const DATA_FIELD = 1;
const ITEM = 2;
const KEY = 3;
type Target = typeof FIELD | typeof DATA_FIELD | typeof ITEM | typeof KEY;

interface Level {
  array: boolean;
  role: Role;
  /** Objects: the key whose value comes next (null while a key is expected or when it is of no interest). */
  key: string | null;
}


const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class DiscoverySplitter implements OversizedSplitter {
  private readonly maxBytes: number;
  private readonly batchItems: number;
  private readonly orderBy: ((item: unknown) => string) | null;
  private readonly windowItems: number;
  private readonly windowBytes: number;
  private readonly decode: (bytes: Uint8Array) => string | null;

  private readonly stack: Level[] = [];
  private inString = false;
  private escaped = false;
  private inLiteral = false;
  /** In an object at ROOT or DATA: the next string is a key. */
  private expectKey = false;
  /**
   * Depth inside a container whose structure does not matter (an item, another field's value): scanned
   * by a tight loop that only balances brackets outside strings, not followed key by key.
   */
  private opaque = 0;

  /** The value being kept: what it is for, the depth it started at, its bytes so far. */
  private capture: { target: Target; depth: number; start: number; parts: Uint8Array[]; bytes: number; limit: number } | null = null;

  /** The message's fields and its data's fields, all but the items: bounded together by maxBytes. */
  private readonly fields: Record<string, unknown> = {};
  private readonly dataFields: Record<string, unknown> = {};
  private envelopeBytes = 0;
  /** The window: items not yet handed on, in the order sent, and the bytes each took on the wire. */
  private items: unknown[] = [];
  private sizes: number[] = [];
  private itemBytes = 0;
  /** Items handed on so far: the window's first item is the message's item at this index. */
  private handedOn = 0;
  private failure: string | null = null;
  private bytes = 0;

  constructor(options: DiscoverySplitterOptions) {
    this.maxBytes = options.maxBytes;
    this.batchItems = options.batchItems ?? BATCH_ITEMS;
    this.orderBy = options.orderBy ?? null;
    this.windowItems = this.orderBy === null ? this.batchItems : (options.windowItems ?? DEFAULT_WINDOW_ITEMS);
    this.windowBytes = this.orderBy === null ? this.maxBytes : Math.max(WINDOW_BYTES, 2 * this.maxBytes);
    this.decode = options.decode ?? strictUtf8Decoder();
  }

  write(buf: Uint8Array, from: number, to: number, out: FrameEvent[]): void {
    this.bytes += to - from;
    if (this.failure !== null) return;
    // A value kept from an earlier read continues at the start of this one.
    if (this.capture !== null) this.capture.start = from;
    let i = from;
    while (i < to && this.failure === null) {
      if (this.opaque > 0) {
        const end = this.scanOpaque(buf, i, to);
        if (end === -1) break;
        this.endValue(buf, end, out);
        i = end;
        continue;
      }
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        for (; i < to; i++) {
          const s = buf[i]!;
          if (s === QUOTE) break;
          if (s === BACKSLASH) {
            if (++i === to) {
              this.escaped = true;
              break;
            }
          }
        }
        if (i >= to) break;
        // buf[i] is the closing quote
        this.inString = false;
        this.endValue(buf, i + 1, out);
        i++;
        continue;
      }
      const c = buf[i]!;
      if (this.inLiteral) {
        if (isLiteralByte(c)) {
          i++;
          continue;
        }
        this.inLiteral = false;
        this.endValue(buf, i, out);
        continue; // c is looked at again as structure
      }
      switch (c) {
        case 0x20:
        case 0x0a:
        case 0x0d:
        case 0x09:
          break;
        case QUOTE: {
          const level = this.top();
          if (this.expectKey && level && !level.array) this.startKey(i);
          else this.startValue(i);
          this.inString = true;
          break;
        }
        case 0x7b: // {
        case 0x5b: {
          // [
          this.startValue(i, c === 0x5b ? 'array' : 'object');
          this.push(c === 0x5b);
          if (this.opaque > 0) {
            i++;
            continue;
          }
          break;
        }
        case 0x7d: // }
        case 0x5d: {
          // ]
          this.stack.pop();
          this.expectKey = false;
          this.endValue(buf, i + 1, out);
          break;
        }
        case 0x3a: // :
          this.expectKey = false;
          break;
        case 0x2c: {
          // ,
          const level = this.top();
          if (level && !level.array) {
            level.key = null;
            this.expectKey = level.role !== OTHER;
          }
          break;
        }
        default:
          if (!isLiteralByte(c)) {
            this.failure = `it is not valid JSON (byte ${this.bytes - (to - i)})`;
            break;
          }
          this.startValue(i);
          this.inLiteral = true;
      }
      i++;
    }
    // What is being kept continues in the next read: copied (a view would pin the whole read).
    const cap = this.capture;
    if (cap !== null && this.failure === null) {
      const start = Math.max(cap.start, from);
      cap.parts.push(buf.slice(start, to));
      cap.bytes += to - start;
      if (cap.bytes > cap.limit) this.tooLarge(cap.target);
    }
  }

  end(complete: boolean, out: FrameEvent[]): void {
    if (this.failure === null && !this.ready()) this.failure = 'only a jobs_discovered whose type and job id come before its items is taken in parts';
    if (this.failure !== null) {
      const reason = this.handedOn > 0 ? `was taken only in part (its first ${this.handedOn} items): ${this.failure}` : `was discarded: ${this.failure}`;
      out.push({ kind: 'oversized', bytes: this.bytes, reason });
      return;
    }
    this.handOn(out, true);
    if (!complete) {
      out.push({ kind: 'oversized', bytes: this.bytes, reason: `ended before its closing brace; the ${this.handedOn} items before the cut were taken` });
    }
  }

  private top(): Level | undefined {
    return this.stack[this.stack.length - 1];
  }

  private push(array: boolean): void {
    if (this.stack.length >= MAX_MESSAGE_DEPTH) {
      this.failure = `it nests deeper than ${MAX_MESSAGE_DEPTH} levels`;
      return;
    }
    const parent = this.top();
    let role: Role = OTHER;
    if (parent === undefined) role = array ? OTHER : ROOT;
    else if (parent.role === ROOT && parent.key === 'data' && !array) role = DATA;
    else if (parent.role === DATA && parent.key === 'discovered_jobs' && array) role = ITEMS;
    if (parent === undefined && array) this.failure = 'it is not a JSON object';
    this.expectKey = false;
    if (role === OTHER && parent !== undefined) {
      this.opaque = 1;
      return;
    }
    this.stack.push({ array, role, key: null });
    this.expectKey = !array;
  }

  /**
   * Advances through an opaque container from buf[i]: the index just past its closing bracket, or -1 (it
   * continues in the next read). Brackets inside strings do not count; nesting is bounded like any message's.
   */
  private scanOpaque(buf: Uint8Array, i: number, to: number): number {
    const state = { depth: this.opaque, inString: this.inString, escaped: this.escaped };
    const end = scanToClose(buf, i, to, state, true, MAX_MESSAGE_DEPTH - this.stack.length);
    if (end === TOO_DEEP) {
      this.failure = `it nests deeper than ${MAX_MESSAGE_DEPTH} levels`;
      return -1;
    }
    this.opaque = state.depth;
    this.inString = state.inString;
    this.escaped = state.escaped;
    return end;
  }

  private startKey(i: number): void {
    this.capture = { target: KEY, depth: this.stack.length, start: i, parts: [], bytes: 0, limit: this.maxBytes - this.envelopeBytes };
  }

  /**
   * A value starts at buf[i] (a container's first byte comes before it is pushed): kept when it is a field
   * of the message or of its data (but the data object and the items array themselves), or an item.
   */
  private startValue(i: number, opens: 'object' | 'array' | null = null): void {
    if (this.capture !== null) return; // inside a kept value
    const level = this.top();
    if (level === undefined || (level.key === null && !level.array)) return;
    let target: Target | null = null;
    if (level.role === ROOT) {
      if (!(level.key === 'data' && opens === 'object')) target = FIELD;
    } else if (level.role === DATA) {
      if (!(level.key === 'discovered_jobs' && opens === 'array')) target = DATA_FIELD;
    } else if (level.role === ITEMS) {
      target = ITEM;
    }
    if (target === null) return;
    const limit = target === ITEM ? this.maxBytes : this.maxBytes - this.envelopeBytes;
    this.capture = { target, depth: this.stack.length, start: i, parts: [], bytes: 0, limit };
  }

  /** A string, literal or container ended just before buf[end]: a kept value is complete when it is back at its depth. */
  private endValue(buf: Uint8Array, end: number, out: FrameEvent[]): void {
    const cap = this.capture;
    if (cap === null || cap.depth !== this.stack.length) return;
    this.capture = null;
    const size = cap.bytes + (end - cap.start);
    if (size > cap.limit) return this.tooLarge(cap.target);
    const tail = buf.subarray(cap.start, end);
    const text = this.decode(cap.parts.length === 0 ? tail : concatBytes([...cap.parts, tail], size));
    if (text === null) {
      this.failure = 'it is not valid UTF-8';
      return;
    }
    if (cap.target !== ITEM) this.envelopeBytes += size;
    if (cap.target === KEY) {
      try {
        this.top()!.key = JSON.parse(text) as string;
      } catch {
        this.failure = 'it is not valid JSON (a key)';
      }
      return;
    }
    // A value that does not parse (an item) goes on as a string, so validation refuses that item by its index.
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    if (cap.target === FIELD) {
      this.fields[this.top()!.key!] = value;
    } else if (cap.target === DATA_FIELD) {
      this.dataFields[this.top()!.key!] = value;
    } else {
      if (!this.ready()) {
        this.failure = 'only a jobs_discovered whose type and job id come before its items is taken in parts';
        return;
      }
      this.items.push(value);
      this.sizes.push(size);
      this.itemBytes += size;
      if (this.items.length >= this.windowItems || this.itemBytes >= this.windowBytes) this.handOn(out, false);
    }
  }

  private ready(): boolean {
    const id = this.fields.job_id ?? this.fields.jobId;
    return this.fields.type === 'jobs_discovered' && typeof id === 'string' && id !== '';
  }

  /**
   * The window's items, as jobs_discovered parts of at most batchItems items and about maxBytes each, with
   * the message's other fields (the summary only on the very last part: it describes the whole discovery),
   * in `orderBy` order if given. The last call hands on one part even with no items, for the summary.
   * A data that was not an object goes on as it came (refused by validation).
   */
  private handOn(out: FrameEvent[], last: boolean): void {
    const n = this.items.length;
    if (!last && n === 0) return;
    const order = Array.from({ length: n }, (_, i) => i);
    const orderBy = this.orderBy;
    if (orderBy !== null && n > 1) {
      const keys = this.items.map((item) => orderBy(item));
      order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
    }
    for (let start = 0; start < n || (start === 0 && last); ) {
      let end = start;
      let bytes = 0;
      while (end < n && end - start < this.batchItems && bytes < this.maxBytes) bytes += this.sizes[order[end++]!]!;
      this.pushPart(out, order.slice(start, end), last && end >= n);
      if (end === start) break; // the empty last part
      start = end;
    }
    this.handedOn += n;
    this.items = [];
    this.sizes = [];
    this.itemBytes = 0;
  }

  private pushPart(out: FrameEvent[], positions: number[], last: boolean): void {
    const value: Record<string, unknown> = { ...this.fields };
    if (!('data' in this.fields)) {
      const { discovery_summary: summary, ...rest } = this.dataFields;
      value.data = {
        ...rest,
        ...(last && summary !== undefined && { discovery_summary: summary }),
        discovered_jobs: positions.map((p) => this.items[p]),
        items_index: positions.map((p) => this.handedOn + p),
      };
    }
    // Every value in it was scanned within MAX_MESSAGE_DEPTH (push, scanOpaque): decoding need not walk it again.
    out.push({ kind: 'line', text: '', value, depthBounded: true });
  }

  private tooLarge(target: Target): void {
    this.failure =
      target === ITEM
        ? `its item discovered_jobs[${this.handedOn + this.items.length}] alone exceeds maxMessageSize`
        : 'its fields other than discovered_jobs exceed maxMessageSize (only the items may be many)';
  }
}

/** Bytes that continue a number or true/false/null. */
const isLiteralByte = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || (c >= 0x41 && c <= 0x5a);
