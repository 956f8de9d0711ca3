/**
 * Each crawler's heartbeats over the last hour (table heartbeat_samples,
 * migration 009), one row per crawler per sampling step. HeartbeatHistory
 * decides what is kept; this repo writes (coalescing into a step's row), prunes
 * in batches and reads.
 */
import type Database from 'better-sqlite3';
import { HeartbeatPointSchema, type HeartbeatPoint } from '../../shared/power-views';
import { rowDecoder } from './records';

export interface HeartbeatSampleRow extends HeartbeatPoint {
  crawler_id: string;
  /** The sampling step's start (epoch ms): heartbeats of one step share a row. */
  bucket: number;
}

const decode = rowDecoder(HeartbeatPointSchema, []);

export class HeartbeatSamplesRepo {
  private readonly upsertStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly pruneOldStmt: Database.Statement;
  private readonly excessStmt: Database.Statement;
  private readonly forgetStmt: Database.Statement;
  private readonly upsertMany: (rows: readonly HeartbeatSampleRow[]) => void;
  private readonly forgetMany: (crawlerIds: readonly string[]) => number;

  constructor(private readonly db: Database.Database) {
    // A step's row shows its latest heartbeat, and the longest gap any of its heartbeats had:
    // the age line must show a crawler falling behind even when a quick heartbeat followed.
    this.upsertStmt = db.prepare(
      `INSERT INTO heartbeat_samples (crawler_id, bucket, at, gap_ms, active_jobs, memory_bytes, system_status)
       VALUES (@crawler_id, @bucket, @at, @gap_ms, @active_jobs, @memory_bytes, @system_status)
       ON CONFLICT (crawler_id, bucket) DO UPDATE SET
         gap_ms = CASE WHEN gap_ms IS NULL THEN excluded.gap_ms WHEN excluded.gap_ms IS NULL THEN gap_ms ELSE max(gap_ms, excluded.gap_ms) END,
         at = excluded.at, active_jobs = excluded.active_jobs, memory_bytes = excluded.memory_bytes, system_status = excluded.system_status
       WHERE excluded.at >= at`,
    );
    this.listStmt = db.prepare(
      'SELECT at, gap_ms, active_jobs, memory_bytes, system_status FROM heartbeat_samples WHERE crawler_id = ? AND bucket >= ? ORDER BY bucket',
    );
    this.pruneOldStmt = db.prepare(
      'DELETE FROM heartbeat_samples WHERE rowid IN (SELECT rowid FROM heartbeat_samples WHERE bucket < ? ORDER BY bucket LIMIT ?)',
    );
    // Crawlers past the `keep` most recently heard; of those heard in the same step, the ones heard
    // for longest come first (a crawler that is there all along outranks one-off ids of a reconnect loop).
    this.excessStmt = db
      .prepare('SELECT crawler_id FROM heartbeat_samples GROUP BY crawler_id ORDER BY max(bucket) DESC, min(bucket), crawler_id LIMIT ? OFFSET ?')
      .pluck();
    this.forgetStmt = db.prepare('DELETE FROM heartbeat_samples WHERE crawler_id = ?');
    this.upsertMany = db.transaction((rows: readonly HeartbeatSampleRow[]) => {
      for (const r of rows) this.upsertStmt.run(r);
    });
    this.forgetMany = db.transaction((crawlerIds: readonly string[]) => {
      let n = 0;
      for (const id of crawlerIds) n += this.forgetStmt.run(id).changes;
      return n;
    });
  }

  /** Writes samples in one transaction; a sample for a step already written is folded into its row. */
  upsert(rows: readonly HeartbeatSampleRow[]): void {
    if (rows.length > 0) this.upsertMany(rows);
  }

  /** A crawler's samples from `since` on, oldest first. */
  list(crawlerId: string, since: number): HeartbeatPoint[] {
    return this.listStmt.all(crawlerId, since).map(decode);
  }

  /** Deletes at most `limit` samples of steps before `before`; returns how many. */
  pruneBefore(before: number, limit: number): number {
    return this.pruneOldStmt.run(before, limit).changes;
  }

  /**
   * Forgets every sample of the crawlers beyond the `keep` most recently heard, at most
   * `limit` crawlers a call (a flood of one-off crawler ids is worked off in batches).
   * Returns the rows deleted.
   */
  pruneCrawlersBeyond(keep: number, limit: number): number {
    const excess = this.excessStmt.all(limit, keep) as string[];
    return excess.length > 0 ? this.forgetMany(excess) : 0;
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM heartbeat_samples').pluck().get() as number;
  }

  crawlerCount(): number {
    return this.db.prepare('SELECT count(DISTINCT crawler_id) FROM heartbeat_samples').pluck().get() as number;
  }
}
