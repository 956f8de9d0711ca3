/**
 * Throughput over the last minutes, in one-second buckets, derived from what
 * the page already receives (no polling):
 * - items/s from progress events: each job's `processed` is cumulative, so the
 *   difference between two of its progress events is exact even when events
 *   are coalesced;
 * - messages/s from the crawlers' message counters (messages_received), which
 *   arrive with crawler_updated events and with the shared store's periodic
 *   crawler resync. A counter's increase is spread evenly over the time since
 *   its previous reading, so messages are known up to the oldest reading of a
 *   connected crawler, and the series stops there rather than dipping.
 */
import { create } from 'zustand';
import type { ConnectionInfo } from '../../../../shared/connection';
import type { JobProgress } from '../../../../shared/progress';

export const WINDOW_SECONDS = 300;
const MIN_WINDOW_SECONDS = 60;
/** A job's items are spread over at most this long before its report. */
const MAX_SPREAD_MS = 10_000;

interface Counter {
  count: number;
  at: number;
}

export class ThroughputWindow {
  private readonly items = new Map<number, number>();
  private readonly messages = new Map<number, number>();
  private readonly processed = new Map<string, Counter>();
  private readonly counters = new Map<string, Counter>();
  /** When the page started watching: the chart shows no time before it (but at least a minute). */
  private readonly openedAt: number;

  constructor(
    /** Jobs that started before this are already under way: their first report sets a baseline only. */
    private watchingSince: number,
  ) {
    this.openedAt = watchingSince;
  }

  /** After a reconnect, what happened while away is unknown: start from fresh baselines. */
  restart(now: number): void {
    this.watchingSince = now;
    this.processed.clear();
    this.counters.clear();
  }

  progress(p: JobProgress, now: number): void {
    const before = this.processed.get(p.job_id);
    if (!before) {
      // A job that started while watching counts from its start; one already under way from here on.
      if (p.started_at >= this.watchingSince && p.processed > 0) this.spread(this.items, p.processed, Math.max(this.watchingSince, now - MAX_SPREAD_MS), now);
    } else {
      const delta = p.processed >= before.count ? p.processed - before.count : p.processed; // a retry restarts the count
      // Spread over the time since the job's previous report, so a page of items is not a one-second spike.
      if (delta > 0) this.spread(this.items, delta, Math.max(before.at, now - MAX_SPREAD_MS), now);
    }
    if (p.state === 'completed' || p.state === 'failed') this.processed.delete(p.job_id);
    else this.processed.set(p.job_id, { count: p.processed, at: now });
  }

  /** A fresh reading of one connection's counter. */
  counter(c: Pick<ConnectionInfo, 'connection_id' | 'messages_received' | 'connected_at'>, now: number): void {
    const last = this.counters.get(c.connection_id);
    if (!last) {
      // Messages before this page watched are not counted, unless the connection is newer than that.
      if (c.connected_at >= this.watchingSince && c.messages_received > 0) this.spread(this.messages, c.messages_received, c.connected_at, now);
    } else if (c.messages_received > last.count) {
      this.spread(this.messages, c.messages_received - last.count, last.at, now);
    }
    this.counters.set(c.connection_id, { count: Math.max(c.messages_received, last?.count ?? 0), at: now });
  }

  forget(connectionId: string): void {
    this.counters.delete(connectionId);
  }

  /** Up to when messages are known: the oldest reading among the given (connected) connections. */
  messagesKnownUntil(connectionIds: readonly string[], now: number): number {
    let until = now;
    for (const id of connectionIds) {
      const c = this.counters.get(id);
      if (c) until = Math.min(until, c.at);
    }
    return until;
  }

  /** Adds `count` evenly over [from, to) to the one-second buckets it covers. */
  private spread(map: Map<number, number>, count: number, from: number, to: number): void {
    if (to <= from) {
      this.add(map, Math.floor(to / 1000), count);
      return;
    }
    const perMs = count / (to - from);
    for (let t = from; t < to; ) {
      const second = Math.floor(t / 1000);
      const end = Math.min(to, (second + 1) * 1000);
      this.add(map, second, perMs * (end - t));
      t = end;
    }
  }

  private add(map: Map<number, number>, second: number, n: number): void {
    map.set(second, (map.get(second) ?? 0) + n);
  }

  /** The last WINDOW_SECONDS complete seconds: x in Unix seconds, values per second (null where unknown). */
  series(now: number, knownUntil: number): ThroughputSeries {
    const last = Math.floor(now / 1000) - 1; // the current second is still filling
    // The last five minutes, or since the page opened (at least a minute): a fresh page is not a flat line with a blip at the end.
    const first = Math.max(last - WINDOW_SECONDS + 1, Math.min(last - MIN_WINDOW_SECONDS + 1, Math.floor(this.openedAt / 1000)));
    for (const map of [this.items, this.messages]) for (const k of map.keys()) if (k < first) map.delete(k);
    const knownSecond = Math.floor(knownUntil / 1000) - 1;
    const openedSecond = Math.ceil(this.openedAt / 1000);
    const xs: number[] = [];
    const messages: (number | null)[] = [];
    const items: (number | null)[] = [];
    for (let s = first; s <= last; s++) {
      xs.push(s);
      // Before the page opened nothing is known: a gap, not a zero.
      items.push(s >= openedSecond ? (this.items.get(s) ?? 0) : null);
      messages.push(s >= openedSecond && s <= knownSecond ? (this.messages.get(s) ?? 0) : null);
    }
    return { xs, messages, items };
  }
}

/** Mean per second over the last `seconds` known values. */
export function recentRate(values: readonly (number | null)[], seconds = 10): number | null {
  let sum = 0;
  let n = 0;
  for (let i = values.length - 1; i >= 0 && n < seconds; i--) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    sum += v;
    n++;
  }
  return n === 0 ? null : sum / n;
}

export interface ThroughputSeries {
  xs: number[];
  messages: (number | null)[];
  items: (number | null)[];
}

export const useThroughput = create<{ series: ThroughputSeries }>()(() => ({ series: { xs: [], messages: [], items: [] } }));
