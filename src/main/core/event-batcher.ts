/**
 * Per-client batching of the core's events. A crawler may send 10,000 progress
 * messages a second; a UI needs at most ~10 updates a second, and only the
 * latest state of each job, crawler and the aggregate. One batcher per client
 * (an SSE stream, an Electron window) so a slow client never holds up another.
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
   * and crawlers, and are never dropped (that would lose a final state).
   */
  maxUnkeyed?: number;
  now?: () => number;
}

export const DEFAULT_BATCH_INTERVAL_MS = 100;
export const DEFAULT_MAX_UNKEYED = 500;

export class EventBatcher {
  private readonly deliver: EventBatcherOptions['deliver'];
  private readonly intervalMs: number;
  private readonly maxUnkeyed: number;
  private readonly now: () => number;

  private events: ConsoleEvent[] = [];
  /** Coalescing key → index in `events`: a later event takes the earlier one's place (order of first appearance). */
  private slots = new Map<string, number>();
  private unkeyed = 0;
  private dropped = 0;
  private seq = 0;
  private lastDeliveryAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private closed = false;

  constructor(options: EventBatcherOptions) {
    this.deliver = options.deliver;
    this.intervalMs = options.intervalMs ?? DEFAULT_BATCH_INTERVAL_MS;
    this.maxUnkeyed = options.maxUnkeyed ?? DEFAULT_MAX_UNKEYED;
    this.now = options.now ?? Date.now;
  }

  /** Events waiting for the next delivery. */
  get pending(): number {
    return this.events.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(event: ConsoleEvent): void {
    if (this.closed) return;
    const key = coalesceKey(event);
    if (key === null) {
      if (this.unkeyed >= this.maxUnkeyed) {
        this.dropped += 1;
        return;
      }
      this.unkeyed += 1;
      this.events.push(event);
    } else {
      const slot = this.slots.get(key);
      if (slot === undefined) {
        this.slots.set(key, this.events.length);
        this.events.push(event);
      } else {
        this.events[slot] = event;
        this.dropped += 1;
      }
    }
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
    this.events = [];
    this.slots.clear();
  }

  private schedule(): void {
    if (this.timer !== null || this.paused || this.closed || this.events.length === 0) return;
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
    if (this.closed || this.paused || this.events.length === 0) return;
    const batch: EventBatch = { seq: ++this.seq, events: this.events, dropped: this.dropped };
    this.events = [];
    this.slots = new Map();
    this.unkeyed = 0;
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
