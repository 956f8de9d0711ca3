/**
 * The namespace_path sort order (`job_path_order`, migration 010), filled off
 * the insert path.
 *
 * An index on namespace_path cost ~43% of a discovered job's insert: a crawl's
 * paths interleave groups, so every entry lands at a random place. New jobs are
 * therefore ordered later, in chunks, by this step: rows up to the mark
 * `job_path_order_state.indexed_upto` (a rowid) are in the table, the newer ones
 * are sorted as they are when a list asks (job-list's path order), so the order
 * is exact whatever the backlog; only its speed depends on it. The step waits
 * while inserts keep coming (one step a second at most then), like the search
 * index's (job-text-index), and inserts each chunk in key order.
 */
import type Database from 'better-sqlite3';

/** Rows ordered per step: a few milliseconds of work, so the thread stays responsive. */
const CHUNK = 2000;
const MIN_REST_MS = 5;
/** Inserts this recent mean a burst is under way: the step waits… */
const QUIET_MS = 250;
/** …but never longer than this between two steps, so a steady trickle of inserts cannot starve it. */
const MAX_WAIT_MS = 1000;

export class JobPathOrder {
  private readonly markStmt: Database.Statement;
  private readonly backlogStmt: Database.Statement;
  private readonly backlogCappedStmt: Database.Statement;
  private readonly step: (max: number) => number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastInsertAt = 0;
  private waitingSince: number | null = null;
  /** Why the last step failed (a full or read-only disk), until one succeeds. */
  lastFailure: string | null = null;

  constructor(private readonly db: Database.Database) {
    this.markStmt = db.prepare('SELECT indexed_upto AS n FROM job_path_order_state WHERE id = 1');
    this.backlogStmt = db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE rowid > ?');
    this.backlogCappedStmt = db.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 FROM jobs WHERE rowid > ? LIMIT ?)');
    const chunkEnd = db.prepare('SELECT max(rowid) AS n FROM (SELECT rowid FROM jobs WHERE rowid > ? ORDER BY rowid LIMIT ?)');
    const fill = db.prepare(`
      INSERT INTO job_path_order (path_key, job_rowid)
        SELECT coalesce(namespace_path, 0), rowid FROM jobs WHERE rowid > ? AND rowid <= ? ORDER BY 1, 2`);
    const advance = db.prepare('UPDATE job_path_order_state SET indexed_upto = ? WHERE id = 1');
    // One transaction per step: the rows and the mark move together.
    this.step = db.transaction((max: number): number => {
      const from = this.indexedUpto();
      const to = (chunkEnd.get(from, max) as { n: number | null }).n;
      if (to === null) return 0;
      const n = fill.run(from, to).changes;
      advance.run(to);
      return n;
    });
  }

  /** Rows with a rowid up to this are in the order table. */
  indexedUpto(): number {
    return (this.markStmt.get() as { n: number }).n;
  }

  /** Rows not ordered yet (counted over the backlog only). */
  backlog(): number {
    return (this.backlogStmt.get(this.indexedUpto()) as { n: number }).n;
  }

  /** The backlog counted no further than `cap` rows (a status asked for every few seconds stays cheap). */
  backlogUpTo(cap: number): { backlog: number; exact: boolean } {
    const n = (this.backlogCappedStmt.get(this.indexedUpto(), cap + 1) as { n: number }).n;
    return n > cap ? { backlog: cap, exact: false } : { backlog: n, exact: true };
  }

  /** Orders up to `max` rows past the mark; returns how many (0: nothing left). */
  indexSome(max = CHUNK): number {
    return this.step(max);
  }

  /** Orders everything now (tests, tools). */
  catchUp(): void {
    while (this.indexSome(50_000) > 0);
  }

  /** New rows were written: ordering continues in the background once inserts pause. */
  noteInserts(): void {
    this.lastInsertAt = performance.now();
    this.schedule(QUIET_MS);
  }

  /** Ordering continues in the background soon (idempotent). */
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
    this.waitingSince ??= t0;
    if (t0 - this.lastInsertAt < QUIET_MS && t0 - this.waitingSince < MAX_WAIT_MS) {
      this.schedule(QUIET_MS);
      return;
    }
    this.waitingSince = null;
    let n: number;
    try {
      n = this.indexSome();
      this.lastFailure = null;
    } catch (err) {
      // The disk refused the write: lists stay exact without it; the next insert schedules another try.
      this.lastFailure = err instanceof Error ? err.message : String(err);
      return;
    }
    // No more than half the thread: rest at least as long as the step took.
    if (n > 0) this.schedule(Math.max(MIN_REST_MS, performance.now() - t0));
  }
}
