/**
 * The client's outgoing queue, bounded by a message count. Two lanes share one
 * sequence so messages leave in the order they were sent:
 *   - droppable (job_progress, heartbeat): when the queue is full the oldest of
 *     these is dropped first — a newer progress report supersedes it;
 *   - lifecycle (everything else): never dropped silently; when the queue is
 *     full of them, a new one is refused with QueueFullError.
 */
import type { CrawlerMessageType } from '../shared/protocol';
import { Deque } from './deque';
import { QueueFullError } from './errors';

export type SendResult = 'sent' | 'dropped';

export type EntryState = 'queued' | 'inflight' | 'unflushed' | 'written' | 'dropped' | 'cancelled' | 'failed';

export interface OutboxEntry {
  seq: number;
  readonly type: CrawlerMessageType;
  readonly jobId: string | undefined;
  readonly droppable: boolean;
  state: EntryState;
  /** Encodes the line (delimiter included) at write time. */
  readonly build: () => string;
  /** Settles the sender's promise. */
  readonly resolve: (r: SendResult) => void;
  readonly reject: (err: Error) => void;
  /** Called once when the write was issued to the socket. */
  onIssued?: () => void;
  /** Called exactly once when the entry leaves for good: written (true) or not (false). */
  onSettled?: (written: boolean) => void;
}

export class Outbox {
  private readonly droppable = new Deque<OutboxEntry>();
  private readonly lifecycle = new Deque<OutboxEntry>();
  private liveDroppable = 0;
  private liveLifecycle = 0;
  private nextSeq = 0;
  /** How many droppable messages were dropped because the queue was full. */
  droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('maxQueuedMessages must be a positive integer');
  }

  /** Messages waiting to be written. */
  get size(): number {
    return this.liveDroppable + this.liveLifecycle;
  }

  /**
   * Queues an entry. When full, drops the oldest droppable entry (returned, so
   * the caller can settle it); a droppable newcomer with no room is dropped
   * itself (returned); a lifecycle newcomer with no room throws QueueFullError.
   */
  add(entry: OutboxEntry): OutboxEntry | null {
    let dropped: OutboxEntry | null = null;
    if (this.size >= this.capacity) {
      dropped = this.shiftLive(this.droppable);
      if (dropped) {
        this.liveDroppable--;
      } else if (entry.droppable) {
        entry.state = 'dropped';
        this.droppedCount++;
        return entry;
      } else {
        throw new QueueFullError(entry.type, this.capacity);
      }
      dropped.state = 'dropped';
      this.droppedCount++;
    }
    entry.seq = this.nextSeq++;
    entry.state = 'queued';
    if (entry.droppable) {
      this.droppable.push(entry);
      this.liveDroppable++;
    } else {
      this.lifecycle.push(entry);
      this.liveLifecycle++;
    }
    return dropped;
  }

  /** Takes a queued entry out without writing it (a request that timed out before it left). */
  cancel(entry: OutboxEntry): boolean {
    if (entry.state !== 'queued') return false;
    entry.state = 'cancelled';
    if (entry.droppable) this.liveDroppable--;
    else this.liveLifecycle--;
    return true;
  }

  /** Cancels every queued entry matching `test`; returns them. Linear: for rare events (a job cancelled). */
  cancelWhere(test: (e: OutboxEntry) => boolean): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const lane of [this.droppable, this.lifecycle]) {
      for (const e of lane) if (e.state === 'queued' && test(e) && this.cancel(e)) out.push(e);
    }
    return out;
  }

  /** The next entry to write, in send order. */
  next(): OutboxEntry | undefined {
    const d = this.peekLive(this.droppable);
    const l = this.peekLive(this.lifecycle);
    if (!d && !l) return undefined;
    const fromDroppable = d !== undefined && (l === undefined || d.seq < l.seq);
    const entry = (fromDroppable ? this.droppable : this.lifecycle).shift()!;
    if (fromDroppable) this.liveDroppable--;
    else this.liveLifecycle--;
    return entry;
  }

  /** Empties the queue, returning the entries still waiting (to be rejected on close). */
  drain(): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const lane of [this.droppable, this.lifecycle]) {
      for (const e of lane) if (e.state === 'queued') out.push(e);
      lane.clear();
    }
    this.liveDroppable = 0;
    this.liveLifecycle = 0;
    return out.sort((a, b) => a.seq - b.seq);
  }

  private peekLive(lane: Deque<OutboxEntry>): OutboxEntry | undefined {
    let e = lane.peek();
    while (e && e.state !== 'queued') {
      lane.shift();
      e = lane.peek();
    }
    return e;
  }

  private shiftLive(lane: Deque<OutboxEntry>): OutboxEntry | null {
    const e = this.peekLive(lane);
    if (!e) return null;
    lane.shift();
    return e;
  }
}
