/**
 * Per-client batching of the core's events. A crawler may send 10,000 progress
 * messages a second; a UI needs at most ~10 updates a second, and only the
 * latest state of each job, crawler and the aggregate. One batcher per client
 * (an SSE stream, an Electron window) so a slow client never holds up another.
 *
 * Order: a superseded event is dropped and its successor is delivered where
 * it was emitted, so the survivors arrive in the order they happened (running
 * → progress → completed never becomes completed → progress).
 *
 * Memory: what waits for one client is bounded in bytes (serialised JSON), not
 * only in count. A client that falls that far behind (a million jobs discovered
 * at once, a tab that stopped reading) gets nothing more of the backlog: the
 * backlog is cut and the next batch says `resync: true` (the client reloads its
 * state); `onOverflow` lets a transport drop a client that stopped reading.
 */
import { type ConsoleEvent, type EventBatch, coalesceKey } from '../../shared/contract';

export interface EventBatcherOptions {
  /** Receives each batch. Return `false` when the client cannot take more now (then call `resume()`). */
  deliver: (batch: EventBatch) => boolean | void;
  /** Minimum time between two deliveries, ms (100 → at most 10 a second). */
  intervalMs?: number;
  /**
   * Most events without a coalescing key (errors, connects) kept per batch; later
   * ones are dropped and counted. Keyed events are bounded by the number of jobs
   * and crawlers, and by `maxPendingBytes`.
   */
  maxUnkeyed?: number;
  /** Most serialised bytes (UTF-16 units of the JSON) waiting for this client; beyond, the backlog is cut and the client resynchronised. */
  maxPendingBytes?: number;
  /** The backlog overflowed; `paused` is true when the client had stopped taking batches (a transport may drop it then). */
  onOverflow?: (info: { paused: boolean; bytes: number; events: number }) => void;
  now?: () => number;
}

export const DEFAULT_BATCH_INTERVAL_MS = 100;
export const DEFAULT_MAX_UNKEYED = 500;
/** 4 MiB: a few thousand jobs' worth of changes, parsed by a tab in well under a second. */
export const DEFAULT_MAX_PENDING_BYTES = 4 * 1024 * 1024;

/**
 * Serialised size per event object. The core emits one object to every client's
 * batcher, so it is measured once however many clients there are.
 */
const sizes = new WeakMap<ConsoleEvent, number>();

/** The event's JSON length, or -1 when it cannot be serialised (it must never reach a client's stream). */
export function eventSize(event: ConsoleEvent): number {
  let size = sizes.get(event);
  if (size === undefined) {
    try {
      size = JSON.stringify(event).length;
    } catch {
      size = -1;
    }
    sizes.set(event, size);
  }
  return size;
}

export class EventBatcher {
  private readonly deliver: EventBatcherOptions['deliver'];
  private readonly intervalMs: number;
  private readonly maxUnkeyed: number;
  private readonly maxPendingBytes: number;
  private readonly onOverflow: EventBatcherOptions['onOverflow'];
  private readonly now: () => number;

  /** Pending events in emission order; a superseded one leaves a hole (compacted now and then). */
  private slots: (ConsoleEvent | undefined)[] = [];
  /** Coalescing key → index of its latest event in `slots`. */
  private index = new Map<string, number>();
  private live = 0;
  private bytes = 0;
  private unkeyed = 0;
  private dropped = 0;
  /** The backlog was cut: the next batch tells the client to reload; until then nothing is kept. */
  private overflowed = false;
  private seq = 0;
  private lastDeliveryAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private closed = false;
  /** Totals since start (for tests and diagnostics). */
  readonly stats = { overflows: 0, unserialisable: 0, peakBytes: 0 };

  constructor(options: EventBatcherOptions) {
    this.deliver = options.deliver;
    this.intervalMs = options.intervalMs ?? DEFAULT_BATCH_INTERVAL_MS;
    this.maxUnkeyed = options.maxUnkeyed ?? DEFAULT_MAX_UNKEYED;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.onOverflow = options.onOverflow;
    this.now = options.now ?? Date.now;
  }

  /** Events waiting for the next delivery. */
  get pending(): number {
    return this.live;
  }

  /** Serialised size of the events waiting. */
  get pendingBytes(): number {
    return this.bytes;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(event: ConsoleEvent): void {
    if (this.closed) return;
    if (this.overflowed) {
      // The client reloads its state after the resync batch: this event is covered by that.
      this.dropped += 1;
      return;
    }
    const size = eventSize(event);
    if (size < 0) {
      this.stats.unserialisable += 1;
      this.dropped += 1;
      return;
    }
    const key = coalesceKey(event);
    if (key === null) {
      if (this.unkeyed >= this.maxUnkeyed) {
        this.dropped += 1;
        return;
      }
      this.unkeyed += 1;
    } else {
      const prev = this.index.get(key);
      if (prev !== undefined) {
        const old = this.slots[prev]!;
        this.slots[prev] = undefined;
        this.bytes -= eventSize(old);
        this.live -= 1;
        this.dropped += 1;
      }
      this.index.set(key, this.slots.length);
    }
    this.slots.push(event);
    this.live += 1;
    this.bytes += size;
    if (this.bytes > this.stats.peakBytes) this.stats.peakBytes = this.bytes;
    if (this.bytes > this.maxPendingBytes) this.overflow();
    else if (this.slots.length > 2 * this.live + 1024) this.compact();
    this.schedule();
  }

  /** The client can take batches again (e.g. its socket drained). */
  resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    this.schedule();
  }

  /** Delivers what is pending now, ignoring the interval (used before closing a window cleanly). */
  flush(): void {
    this.clearTimer();
    this.emit();
  }

  /** Stops delivering and forgets pending events. */
  close(): void {
    this.closed = true;
    this.clearTimer();
    this.reset();
  }

  private overflow(): void {
    const info = { paused: this.paused, bytes: this.bytes, events: this.live };
    this.dropped += this.live;
    this.reset();
    this.overflowed = true;
    this.stats.overflows += 1;
    this.onOverflow?.(info);
  }

  private reset(): void {
    this.slots = [];
    this.index = new Map();
    this.live = 0;
    this.bytes = 0;
    this.unkeyed = 0;
  }

  /** Drops the holes superseded events left, so a long coalescing run keeps the array small. */
  private compact(): void {
    const slots: ConsoleEvent[] = [];
    const index = new Map<string, number>();
    for (const e of this.slots) {
      if (e === undefined) continue;
      const key = coalesceKey(e);
      if (key !== null) index.set(key, slots.length);
      slots.push(e);
    }
    this.slots = slots;
    this.index = index;
  }

  private get hasSomething(): boolean {
    return this.live > 0 || this.overflowed;
  }

  private schedule(): void {
    if (this.timer !== null || this.paused || this.closed || !this.hasSomething) return;
    const wait = Math.max(0, this.lastDeliveryAt + this.intervalMs - this.now());
    // Even with no wait, defer to a timer so events pushed in the same tick share one batch.
    this.timer = setTimeout(() => {
      this.timer = null;
      this.emit();
    }, wait);
    // A pending UI update must never keep a process alive on its own.
    this.timer.unref();
  }

  private emit(): void {
    if (this.closed || this.paused || !this.hasSomething) return;
    const events = this.slots.filter((e): e is ConsoleEvent => e !== undefined);
    const batch: EventBatch = { seq: ++this.seq, events, dropped: this.dropped, ...(this.overflowed && { resync: true as const }) };
    this.reset();
    this.overflowed = false;
    this.dropped = 0;
    this.lastDeliveryAt = this.now();
    if (this.deliver(batch) === false) this.paused = true;
    else this.schedule();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
