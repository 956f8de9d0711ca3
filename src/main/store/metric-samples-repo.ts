/**
 * Per-minute history samples with their own retention. Charts read them in
 * buckets (a 7-day chart sums 10-minute buckets), through the primary key.
 */
import type Database from 'better-sqlite3';
import { MetricSampleSchema, type HistoryPoint, type MetricSample } from '../../shared/ops';
import { rowDecoder } from './records';

const decode = rowDecoder(MetricSampleSchema, ['errors', 'queue']);

export const DEFAULT_SAMPLE_RETENTION_MS = 14 * 86_400_000;

export class MetricSamplesRepo {
  private readonly insertStmt: Database.Statement;
  private readonly pruneStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT OR REPLACE INTO metric_samples (at, interval_ms, messages, items, errors, queue, crawlers_connected)
       VALUES (@at, @interval_ms, @messages, @items, @errors, @queue, @crawlers_connected)`,
    );
    this.pruneStmt = db.prepare('DELETE FROM metric_samples WHERE at < ?');
  }

  insert(sample: MetricSample): void {
    this.insertStmt.run({ ...sample, errors: JSON.stringify(sample.errors), queue: JSON.stringify(sample.queue) });
  }

  /** Deletes samples older than `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }

  list(since: number, until = Number.MAX_SAFE_INTEGER): MetricSample[] {
    return this.db.prepare('SELECT * FROM metric_samples WHERE at >= ? AND at <= ? ORDER BY at').all(since, until).map(decode);
  }

  /** Samples summed into buckets of `bucketMs`: rates per second over the time the samples cover, and the last state in each bucket. */
  history(since: number, until: number, bucketMs: number): HistoryPoint[] {
    const points: HistoryPoint[] = [];
    let current: { at: number; ms: number; messages: number; items: number; errors: number; last: MetricSample } | null = null;
    const close = () => {
      if (!current) return;
      const seconds = Math.max(1, current.ms / 1000);
      points.push({
        at: current.at,
        messages_per_s: current.messages / seconds,
        items_per_s: current.items / seconds,
        errors: current.errors,
        queued: current.last.queue.queued ?? 0,
        running: (current.last.queue.running ?? 0) + (current.last.queue.assigned ?? 0),
        crawlers_connected: current.last.crawlers_connected,
      });
    };
    for (const s of this.list(since, until)) {
      const bucket = Math.floor(s.at / bucketMs) * bucketMs;
      if (!current || current.at !== bucket) {
        close();
        current = { at: bucket, ms: 0, messages: 0, items: 0, errors: 0, last: s };
      }
      current.ms += s.interval_ms;
      current.messages += s.messages;
      current.items += s.items;
      current.errors += Object.values(s.errors).reduce((a, b) => a + b, 0);
      current.last = s;
    }
    close();
    return points;
  }
}
