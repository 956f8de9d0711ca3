/**
 * The last hour of heartbeats per crawler, in memory, for the crawler page's
 * chart. Bounded twice: each crawler keeps at most `perCrawler` points (a ring,
 * oldest dropped) and the history keeps at most `crawlers` crawlers (the one
 * heard from longest ago is dropped) — a crawler that reconnects under a new
 * id every time, or one that heartbeats every millisecond, costs a fixed amount.
 * Nothing here is persisted: after a restart the chart starts empty, as the
 * crawlers' connections do.
 */
import type { HeartbeatData } from '../../shared/protocol';
import { type HeartbeatPoint, heartbeatPoint } from '../../shared/power-views';

export { memoryBytes } from '../../shared/power-views';

export interface HeartbeatHistoryOptions {
  /** How far back points are kept, ms. Default one hour. */
  windowMs?: number;
  /** Points kept per crawler. Default 720 (one a 5 s heartbeat for an hour). */
  perCrawler?: number;
  /** Crawlers kept. Default 500. */
  crawlers?: number;
}

class Ring {
  private readonly points: (HeartbeatPoint | undefined)[];
  private next = 0;
  private size = 0;
  lastAt = 0;
  constructor(capacity: number) {
    this.points = new Array<HeartbeatPoint | undefined>(capacity);
  }
  push(p: HeartbeatPoint): void {
    this.points[this.next] = p;
    this.next = (this.next + 1) % this.points.length;
    this.size = Math.min(this.size + 1, this.points.length);
    this.lastAt = p.at;
  }
  since(from: number): HeartbeatPoint[] {
    const out: HeartbeatPoint[] = [];
    const cap = this.points.length;
    for (let i = 0; i < this.size; i++) {
      const p = this.points[(this.next - this.size + i + cap) % cap]!;
      if (p.at >= from) out.push(p);
    }
    return out;
  }
}

export class HeartbeatHistory {
  readonly windowMs: number;
  private readonly perCrawler: number;
  private readonly maxCrawlers: number;
  // A Map iterates in insertion order: re-inserting on each heartbeat keeps the least recently heard first.
  private readonly rings = new Map<string, Ring>();

  constructor(options: HeartbeatHistoryOptions = {}) {
    this.windowMs = options.windowMs ?? 3_600_000;
    this.perCrawler = Math.max(1, options.perCrawler ?? 720);
    this.maxCrawlers = Math.max(1, options.crawlers ?? 500);
  }

  record(crawlerId: string, at: number, data: HeartbeatData): void {
    let ring = this.rings.get(crawlerId);
    if (ring) this.rings.delete(crawlerId);
    else ring = new Ring(this.perCrawler);
    // The gap since the previous heartbeat: what the "age" line shows (a crawler falling behind shows as a rising line).
    ring.push(heartbeatPoint(ring.lastAt > 0 ? ring.lastAt : null, at, data));
    this.rings.set(crawlerId, ring);
    if (this.rings.size > this.maxCrawlers) this.rings.delete(this.rings.keys().next().value!);
  }

  /** The points of the last window, oldest first (empty for a crawler not heard from). */
  points(crawlerId: string, now: number): HeartbeatPoint[] {
    return this.rings.get(crawlerId)?.since(now - this.windowMs) ?? [];
  }

  get crawlerCount(): number {
    return this.rings.size;
  }
}
