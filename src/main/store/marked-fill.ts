/**
 * A table derived from `jobs` and filled off the insert path, up to a mark: rows
 * with a rowid up to `<state>.indexed_upto` are in it, newer ones are not yet.
 * The search index (job-text-index) and the path and name orders (job-sort-order) are three.
 *
 * Filling them as jobs are written would cost more than the rows themselves, so a
 * discovery burst is acknowledged at the speed of the table and the fill catches
 * up after it: in chunks, in the background, with at most half the main thread,
 * stepping aside while inserts keep coming. Readers treat the rows above the mark
 * as they are (so answers are exact at any backlog; only their speed depends on it).
 *
 * While inserts keep coming, a fill steps once a second if they leave the thread room
 * (a steady trickle must not starve it), and once every ten seconds if writing them
 * takes most of the thread: then rows arrive faster than one step a second could
 * follow (a step fills 2,000; a discovery burst writes 30,000 a second or more), so
 * such steps would not shorten the backlog the burst leaves, only move its work into
 * the burst (3% of the thread at a million jobs, three fills).
 */
import type Database from 'better-sqlite3';

/** Rows filled per step: a few milliseconds of work, so the thread stays responsive. */
const CHUNK = 2000;
/** Rest between steps, at least as long as the step took (no more than half the thread). */
const MIN_REST_MS = 5;
/** Inserts this recent mean a burst is under way: the fill waits… */
const QUIET_MS = 250;
/** …but no longer than this between two steps, so a steady trickle of inserts cannot starve it… */
const MAX_WAIT_MS = 1000;
/** …unless writing the inserts took more than this share of the thread meanwhile (a burst, not a trickle)… */
const BURST_SHARE = 0.5;
/** …and never longer than this: the backlog still moves, slowly, under inserts that never pause. */
const MAX_BUSY_WAIT_MS = 10_000;

/** When a fill steps while inserts keep coming (tests shorten them). */
export interface FillPacing {
  maxWaitMs: number;
  burstShare: number;
  maxBusyWaitMs: number;
}

export class MarkedFill {
  private readonly markStmt: Database.Statement;
  private readonly backlogStmt: Database.Statement;
  private readonly backlogCappedStmt: Database.Statement;
  private readonly step: (max: number) => number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastInsertAt = 0;
  private waitingSince: number | null = null;
  /** Time spent writing inserts since the wait began (what noteInserts was told). */
  private writeMsWaiting = 0;
  /** Why the last step failed (a full or read-only disk), until one succeeds: said in getStatus, not swallowed. */
  lastFailure: string | null = null;

  /**
   * @param stateTable the one-row table holding the mark (`id = 1`, `indexed_upto`)
   * @param fillSql fills the rows with `rowid > ? AND rowid <= ?` (the chunk)
   */
  constructor(
    private readonly db: Database.Database,
    stateTable: string,
    fillSql: string,
    private readonly pacing: FillPacing = { maxWaitMs: MAX_WAIT_MS, burstShare: BURST_SHARE, maxBusyWaitMs: MAX_BUSY_WAIT_MS },
  ) {
    this.markStmt = db.prepare(`SELECT indexed_upto AS n FROM ${stateTable} WHERE id = 1`);
    this.backlogStmt = db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE rowid > ?');
    this.backlogCappedStmt = db.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 FROM jobs WHERE rowid > ? LIMIT ?)');
    const chunkEnd = db.prepare('SELECT max(rowid) AS n FROM (SELECT rowid FROM jobs WHERE rowid > ? ORDER BY rowid LIMIT ?)');
    const fill = db.prepare(fillSql);
    const advance = db.prepare(`UPDATE ${stateTable} SET indexed_upto = ? WHERE id = 1`);
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

  /** Rows with a rowid up to this are filled. */
  indexedUpto(): number {
    return (this.markStmt.get() as { n: number }).n;
  }

  /** Rows not filled yet (counted over the backlog only). */
  backlog(): number {
    return (this.backlogStmt.get(this.indexedUpto()) as { n: number }).n;
  }

  /**
   * The backlog counted no further than `cap` rows, for a status line asked for every few seconds:
   * its cost stays bounded however far behind the fill is. `exact` is false when there are more.
   */
  backlogUpTo(cap: number): { backlog: number; exact: boolean } {
    const n = (this.backlogCappedStmt.get(this.indexedUpto(), cap + 1) as { n: number }).n;
    return n > cap ? { backlog: cap, exact: false } : { backlog: n, exact: true };
  }

  /** Fills up to `max` rows past the mark; returns how many (0: nothing left). */
  indexSome(max = CHUNK): number {
    return this.step(max);
  }

  /** Fills everything now (tests, tools). */
  catchUp(): void {
    while (this.indexSome(50_000) > 0);
  }

  /**
   * New rows were written, in `writeMs` of this thread (the writer measures it; the event loop's own
   * utilization is not used: in Electron's main process Chromium drives the loop): filling continues
   * in the background once inserts pause.
   */
  noteInserts(writeMs = 0): void {
    this.lastInsertAt = performance.now();
    this.writeMsWaiting += writeMs;
    this.schedule(QUIET_MS);
  }

  /** Filling continues in the background soon (idempotent). */
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
    if (this.waitingSince === null) {
      this.waitingSince = t0;
      this.writeMsWaiting = 0;
    }
    if (t0 - this.lastInsertAt < QUIET_MS && !this.dueDuringInserts(t0 - this.waitingSince)) {
      this.schedule(QUIET_MS);
      return;
    }
    this.waitingSince = null;
    let n: number;
    try {
      n = this.indexSome();
      this.lastFailure = null;
    } catch (err) {
      // The disk refused the write (full, read-only): readers stay exact without it;
      // the next insert schedules another try.
      this.lastFailure = err instanceof Error ? err.message : String(err);
      return;
    }
    if (n > 0) this.schedule(Math.max(MIN_REST_MS, performance.now() - t0));
  }

  /** Inserts keep coming: whether this fill's step is due anyway, `waited` ms after its last chance. */
  private dueDuringInserts(waited: number): boolean {
    if (waited < this.pacing.maxWaitMs) return false;
    if (waited >= this.pacing.maxBusyWaitMs) return true;
    return this.writeMsWaiting < this.pacing.burstShare * waited;
  }
}
