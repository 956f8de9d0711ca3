/**
 * The trigram search index (`jobs_text`), filled off the insert path.
 *
 * Inserting a row into an FTS5 trigram index costs more than the row itself,
 * so new jobs are not indexed as they are written. Rows up to the mark
 * `jobs_text_state.indexed_upto` (a rowid) are in the index; this indexer moves
 * the mark up in chunks, in the background, with at most half the main thread,
 * and steps aside while inserts keep coming (one step a second at most then),
 * so a discovery burst is acknowledged at the speed of the table and the index
 * catches up after it. Searches read the index for rows up to the mark and test
 * the rows above it by their LIKE alone (job-list's filterWhere), so results are
 * exact whatever the backlog; only their speed depends on it.
 */
import type Database from 'better-sqlite3';

/** Rows indexed per step: a few milliseconds of work, so the thread stays responsive. */
const CHUNK = 2000;
/** Rest between steps, at least as long as the step took (no more than half the thread). */
const MIN_REST_MS = 5;
/** Inserts this recent mean a burst is under way: the indexer waits… */
const QUIET_MS = 250;
/** …but never longer than this between two steps, so a steady trickle of inserts cannot starve it. */
const MAX_WAIT_MS = 1000;

export class JobTextIndex {
  private readonly markStmt: Database.Statement;
  private readonly chunkEndStmt: Database.Statement;
  private readonly fillStmt: Database.Statement;
  private readonly advanceStmt: Database.Statement;
  private readonly backlogStmt: Database.Statement;
  private readonly backlogCappedStmt: Database.Statement;
  private readonly step: (max: number) => number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastInsertAt = 0;
  private waitingSince: number | null = null;
  /** Why the last step failed (a full or read-only disk), until one succeeds: said in getStatus, not swallowed. */
  lastFailure: string | null = null;

  constructor(private readonly db: Database.Database) {
    this.markStmt = db.prepare('SELECT indexed_upto AS n FROM jobs_text_state WHERE id = 1');
    this.chunkEndStmt = db.prepare('SELECT max(rowid) AS n FROM (SELECT rowid FROM jobs WHERE rowid > ? ORDER BY rowid LIMIT ?)');
    this.fillStmt = db.prepare(`
      INSERT INTO jobs_text (rowid, body)
        SELECT rowid, concat_ws(char(31), id, entity_id, namespace_path, entity_name) FROM jobs
        WHERE rowid > ? AND rowid <= ?`);
    this.advanceStmt = db.prepare('UPDATE jobs_text_state SET indexed_upto = ? WHERE id = 1');
    this.backlogStmt = db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE rowid > ?');
    this.backlogCappedStmt = db.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 FROM jobs WHERE rowid > ? LIMIT ?)');
    // One transaction per step: the rows and the mark move together.
    this.step = db.transaction((max: number): number => {
      const from = this.indexedUpto();
      const to = (this.chunkEndStmt.get(from, max) as { n: number | null }).n;
      if (to === null) return 0;
      const n = this.fillStmt.run(from, to).changes;
      this.advanceStmt.run(to);
      return n;
    });
  }

  /** Rows with a rowid up to this are in the index. */
  indexedUpto(): number {
    return (this.markStmt.get() as { n: number }).n;
  }

  /** Rows not in the index yet (counted over the backlog only). */
  backlog(): number {
    return (this.backlogStmt.get(this.indexedUpto()) as { n: number }).n;
  }

  /**
   * The backlog counted no further than `cap` rows, for a status line asked for every few seconds:
   * its cost stays bounded however far behind the index is. `exact` is false when there are more.
   */
  backlogUpTo(cap: number): { backlog: number; exact: boolean } {
    const n = (this.backlogCappedStmt.get(this.indexedUpto(), cap + 1) as { n: number }).n;
    return n > cap ? { backlog: cap, exact: false } : { backlog: n, exact: true };
  }

  /** Indexes up to `max` rows past the mark; returns how many (0: nothing left). */
  indexSome(max = CHUNK): number {
    return this.step(max);
  }

  /** Indexes everything now (tests, tools). */
  catchUp(): void {
    while (this.indexSome(50_000) > 0);
  }

  /** New rows were written: indexing continues in the background once inserts pause. */
  noteInserts(): void {
    this.lastInsertAt = performance.now();
    this.schedule(QUIET_MS);
  }

  /** Indexing continues in the background soon (idempotent). */
  schedule(delayMs = MIN_REST_MS): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  /** No more background work (the store is closing). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.timer = null;
    if (this.stopped || !this.db.open) return;
    const t0 = performance.now();
    const busy = t0 - this.lastInsertAt < QUIET_MS;
    this.waitingSince ??= t0;
    if (busy && t0 - this.waitingSince < MAX_WAIT_MS) {
      this.schedule(QUIET_MS);
      return;
    }
    this.waitingSince = null;
    let n: number;
    try {
      n = this.indexSome();
      this.lastFailure = null;
    } catch (err) {
      // The disk refused the write (full, read-only): searches stay exact without
      // the index; the next insert schedules another try.
      this.lastFailure = err instanceof Error ? err.message : String(err);
      return;
    }
    if (n > 0) this.schedule(Math.max(MIN_REST_MS, performance.now() - t0));
  }
}
