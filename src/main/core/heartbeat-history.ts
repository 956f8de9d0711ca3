/**
 * The last hour of heartbeats per crawler, for the crawler page's chart,
 * persisted in SQLite (heartbeat_samples) so a restart keeps it.
 *
 * - Coalesced: one row per crawler per `stepMs` (default 5 s), however often it
 *   heartbeats. A step's row shows its latest heartbeat and the longest gap of
 *   any heartbeat in it. Heartbeats wait in memory (one entry per crawler and
 *   step) and are written on the core's tick in one transaction.
 * - Bounded: rows older than the window go, and only the `crawlers` most
 *   recently heard crawlers keep rows (a crawler that reconnects under a new id
 *   every time costs a fixed amount), both pruned in batches so a flood is
 *   worked off a bounded slice at a time. So the table holds at most about
 *   crawlers × (window / step) rows; memory holds one entry per crawler.
 */
import type { HeartbeatData } from '../../shared/protocol';
import { type HeartbeatPoint, heartbeatPoint } from '../../shared/power-views';
import type { HeartbeatSampleRow, HeartbeatSamplesRepo } from '../store/heartbeat-samples-repo';

export { memoryBytes } from '../../shared/power-views';

export interface HeartbeatHistoryOptions {
  /** How far back points are kept, ms. Default one hour. */
  windowMs?: number;
  /** One point per crawler per step, ms. Default 5 s (720 points an hour). */
  stepMs?: number;
  /** Crawlers kept. Default 500. */
  crawlers?: number;
  /** Rows (or crawlers) removed per prune batch. Default 2,000. */
  pruneBatch?: number;
  /** Prune at least this often, ms. Default 10 s. */
  pruneEveryMs?: number;
}

export class HeartbeatHistory {
  readonly windowMs: number;
  readonly stepMs: number;
  private readonly maxCrawlers: number;
  private readonly pruneBatch: number;
  private readonly pruneEveryMs: number;
  // A Map iterates in insertion order: re-inserting on each heartbeat keeps the least recently heard first.
  private readonly lastAt = new Map<string, number>();
  /** Not yet written: one entry per crawler and step. */
  private pending = new Map<string, HeartbeatSampleRow>();
  private lastPruneAt = -Infinity;
  private writtenSincePrune = 0;
  private pruneBacklog = false;
  /** Whether more than `crawlers` crawlers may have rows (one was forgotten in memory, or rows came from before a restart). */
  private tooManyCrawlers = true;

  constructor(
    private readonly repo: HeartbeatSamplesRepo,
    private readonly now: () => number,
    options: HeartbeatHistoryOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 3_600_000;
    this.stepMs = Math.max(1, options.stepMs ?? 5_000);
    this.maxCrawlers = Math.max(1, options.crawlers ?? 500);
    this.pruneBatch = Math.max(1, options.pruneBatch ?? 2_000);
    this.pruneEveryMs = options.pruneEveryMs ?? 10_000;
  }

  record(crawlerId: string, at: number, data: HeartbeatData): void {
    const previous = this.lastAt.get(crawlerId);
    this.lastAt.delete(crawlerId);
    this.lastAt.set(crawlerId, Math.max(at, previous ?? at));
    if (this.lastAt.size > this.maxCrawlers) {
      this.lastAt.delete(this.lastAt.keys().next().value!);
      this.tooManyCrawlers = true;
    }
    // The gap since the previous heartbeat: what the "age" line shows (a crawler falling behind shows as a rising line).
    const point = heartbeatPoint(previous ?? null, at, data);
    const bucket = Math.floor(at / this.stepMs) * this.stepMs;
    const key = `${crawlerId}\u0000${bucket}`;
    const held = this.pending.get(key);
    if (!held) this.pending.set(key, { crawler_id: crawlerId, bucket, ...point });
    else if (at >= held.at) this.pending.set(key, { ...held, ...point, gap_ms: maxGap(held.gap_ms, point.gap_ms) });
    else held.gap_ms = maxGap(held.gap_ms, point.gap_ms);
    // A flood of crawlers between two ticks is written at once rather than held.
    if (this.pending.size >= this.maxCrawlers) {
      try {
        this.flush();
      } catch {
        // The disk refuses writes: these chart points are lost; the core's tick reports the failure.
      }
    }
  }

  /** Writes what is held (one transaction), then prunes when due. */
  flush(): void {
    if (this.pending.size > 0) {
      const rows = [...this.pending.values()];
      this.pending = new Map();
      this.repo.upsert(rows);
      this.writtenSincePrune += rows.length;
    }
    const now = this.now();
    if (this.pruneBacklog || this.writtenSincePrune >= this.pruneBatch || now - this.lastPruneAt >= this.pruneEveryMs) this.prune(now);
  }

  /** One batch of each bound; a full batch leaves a backlog for the next flush. */
  private prune(now: number): void {
    this.lastPruneAt = now;
    this.writtenSincePrune = 0;
    const old = this.repo.pruneBefore(Math.floor((now - this.windowMs) / this.stepMs) * this.stepMs, this.pruneBatch);
    // Counting crawlers reads the whole table: only when there may be too many.
    const crawlers = this.tooManyCrawlers ? this.repo.pruneCrawlersBeyond(this.maxCrawlers, Math.max(1, Math.floor(this.pruneBatch / 10))) : 0;
    this.tooManyCrawlers = crawlers > 0;
    this.pruneBacklog = old >= this.pruneBatch || crawlers > 0;
  }

  /** The points of the last window, oldest first (empty for a crawler not heard from). */
  points(crawlerId: string): HeartbeatPoint[] {
    this.flush();
    const from = this.now() - this.windowMs;
    return this.repo.list(crawlerId, Math.floor(from / this.stepMs) * this.stepMs).filter((p) => p.at >= from);
  }
}

const maxGap = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));
