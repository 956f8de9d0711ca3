/**
 * Bulk actions by filter (issue 15): cancel, retry, reprioritize or move to
 * another credential every job a filter matches, in one command.
 *
 * - The matches are walked in keyset order (jobs by rowid, errors' jobs by job
 *   id), a page of BULK_CHUNK at a time; each page is worked through in
 *   transactions of at most SLICE_BUDGET_MS, yielding to the event loop between
 *   them: crawlers are answered while 100,000 jobs change.
 * - Each job goes through JobService's own operator methods (cancelJobNow,
 *   retryJob, setPriority, moveJobsToCredentialNow): the same rules, history
 *   entries and crawler messages as the single-job actions. What those rules
 *   refuse is counted as skipped, grouped by reason.
 * - A slice is one transaction, done whole or not at all: those methods write
 *   synchronously inside it, so a write that fails (disk full) throws out of it
 *   and rolls the whole slice back, with its counts and its events (JobEventHold
 *   keeps them until the commit). The action then stops and its summary says why.
 *   A job_cancel to the crawler holding a cancelled job goes out after the commit.
 * - cancelBulk stops the running action between two slices; its summary says so
 *   and how many jobs it did not reach.
 * - The UI gets one `bulk_applied` event, not one job_changed per job: the
 *   JobEventHold keeps the job_changed events a chunk emits from the pages while it runs
 *   (synchronously, so nothing else can emit meanwhile).
 * - previewBulk / applyBulk bind what is done to what was confirmed: see
 *   src/shared/bulk.ts.
 */
import type Database from 'better-sqlite3';
import type { ConsoleCommandHandlers, ConsoleEvent } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import type { BulkTargetSchema } from '../../shared/bulk';
import { type BulkAction, type BulkCancelResult, type BulkErrorFilter, type BulkPreview, type BulkSummary } from '../../shared/bulk';
import { FINAL_JOB_STATUSES, JOB_STATUSES, type JobStatus } from '../../shared/jobs';
import type { z } from 'zod';
import type { Store } from '../store';
import { filterWhere, textCandidates, textMatch } from '../store/job-list';
import { scrubSecretText } from '../store/redact';
import { filterClause as errorFilterClause } from '../store/errors-repo';
import { allowedFrom } from './lifecycle';
import type { JobService } from './job-service';

/** Jobs read per keyset page. */
export const BULK_CHUNK = 500;
/**
 * One transaction works on a page for at most about this long, then commits and
 * lets the event loop turn (crawlers' messages, other commands) before the next:
 * a pause of the main thread is bounded by time, however slow the disk or busy the machine.
 */
export const SLICE_BUDGET_MS = 20;
/** bulk_progress at most this often (and once at the end). */
const PROGRESS_EVERY_MS = 250;

type Target = z.output<typeof BulkTargetSchema>;

/** The columns the rules look at. */
interface Row {
  rowid: number;
  id: string;
  status: JobStatus;
  leased_to: string | null;
  priority: number;
  credential_id: string | null;
}

/**
 * The core's events pass through here. It holds back the job_changed events of a
 * bulk chunk (thousands of jobs) from the pages, which get one summary event
 * instead (the core's own observers see them all), and keeps every event of a
 * slice's transaction until it commits: a slice rolled back never happened.
 */
export class JobEventHold {
  private depth = 0;
  private kept: ConsoleEvent[] | null = null;

  /** `deliver`: where an event goes once it may (it asks `passes` about the pages). */
  constructor(private readonly deliver: (event: ConsoleEvent) => void) {}

  /** An event goes on now, or once the transaction it belongs to has committed. */
  send(event: ConsoleEvent): void {
    if (this.kept) this.kept.push(event);
    else this.deliver(event);
  }

  /** Whether an event goes on to the pages now. */
  passes(event: ConsoleEvent): boolean {
    return this.depth === 0 || event.type !== 'job_changed';
  }

  /** Runs `fn` (synchronous) with job_changed events held back. */
  run<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  /** Runs `fn` (a transaction) keeping the events it sends: they go on if it returns, and are dropped if it throws (rolled back). */
  atomic<T>(fn: () => T): T {
    const outer = this.kept;
    const kept: ConsoleEvent[] = [];
    this.kept = kept;
    let result: T;
    try {
      result = fn();
    } finally {
      this.kept = outer;
    }
    for (const e of kept) this.send(e);
    return result;
  }
}

export interface BulkActionsDeps {
  store: Store;
  jobs: Pick<JobService, 'cancelJobNow' | 'retryJob' | 'setPriority' | 'moveJobsToCredentialNow' | 'resumeWaitingJobs' | 'flush'>;
  hold: JobEventHold;
  emit: (event: ConsoleEvent) => void;
  /** Writes errors still buffered in memory, so the errors scope sees them. */
  flushErrors?: () => void;
  now?: () => number;
  chunk?: number;
}

/**
 * The statuses each action applies in: the lifecycle table's rule for its event (a priority
 * change is no status change: it applies to every unfinished job, as a move does).
 */
const APPLIES_IN: Record<BulkAction['kind'], readonly JobStatus[]> = {
  cancel: allowedFrom('cancel'),
  retry: allowedFrom('retry'),
  priority: JOB_STATUSES.filter((s) => !FINAL_JOB_STATUSES.includes(s)),
  move_credential: allowedFrom('move_credential'),
};
const STILL: Record<JobStatus, string> = {
  queued: 'still queued',
  assigned: 'still assigned to a crawler',
  running: 'still running',
  waiting_credentials: 'still waiting for credentials',
  completed: 'already completed',
  failed: 'already failed',
  cancelled: 'already cancelled',
};

/** Why the action's rule leaves this job as it is, or null when it applies (the single-job actions' guards, said as a reason to group by). */
export function skipReason(action: BulkAction, row: Pick<Row, 'status' | 'priority' | 'credential_id'>): string | null {
  if (!APPLIES_IN[action.kind].includes(row.status)) return STILL[row.status];
  if (action.kind === 'priority' && row.priority === action.priority) return `already at priority ${action.priority}`;
  if (action.kind === 'move_credential' && row.credential_id === action.credential_id) return 'already on that credential';
  return null;
}

/** A refusal from JobService as a reason to group by: the job's own id taken out ("job 4f… cannot run again: …" → "cannot run again: …"). */
export function refusalReason(err: ApiError, jobId: string): string {
  return err.message.replace(`job ${jobId} `, '').replace(/^is (already )/, '$1').trim();
}

/** Counts of done and skipped-by-reason. */
class Tally {
  done = 0;
  private readonly skipped = new Map<string, number>();
  skip(reason: string, n = 1): void {
    if (n > 0) this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + n);
  }
  /** Adds a committed slice's counts. */
  add(other: Tally): void {
    this.done += other.done;
    for (const [reason, n] of other.skipped) this.skip(reason, n);
  }
  summary(): Pick<BulkSummary, 'done' | 'skipped' | 'skipped_total'> {
    const skipped = [...this.skipped].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
    return { done: this.done, skipped, skipped_total: skipped.reduce((n, s) => n + s.count, 0) };
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

const ROW_COLUMNS = 'rowid AS rowid, id, status, leased_to, priority, credential_id';

/** The action running now, how far it got, and whether the operator asked it to stop. */
interface Running {
  label: string;
  action: BulkAction['kind'];
  expected: number;
  processed: number;
  cancelRequested: boolean;
}

/** A slice whose write failed: rolled back whole, the action stops. */
class SliceFailed extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export class BulkActions {
  private readonly db: Database.Database;
  private readonly chunk: number;
  private readonly now: () => number;
  /** The action running now, if any: one at a time (a second waits for none; it is refused with what runs). */
  private running: Running | null = null;

  constructor(private readonly d: BulkActionsDeps) {
    this.db = d.store.db;
    this.chunk = d.chunk ?? BULK_CHUNK;
    this.now = d.now ?? Date.now;
  }

  preview(target: Target): BulkPreview {
    this.d.jobs.flush();
    if (target.scope === 'jobs') {
      const snapshot = (this.db.prepare('SELECT coalesce(max(rowid), 0) AS n FROM jobs').get() as { n: number }).n;
      const by_status = this.jobsByStatus(target, snapshot);
      return { matched: sum(by_status), snapshot, by_status };
    }
    this.d.flushErrors?.();
    const snapshot = (this.db.prepare('SELECT coalesce(max(id), 0) AS n FROM errors').get() as { n: number }).n;
    const w = this.errorScope(target.filter, snapshot);
    const errors_matched = (this.db.prepare(`SELECT COUNT(*) AS n FROM errors WHERE ${w.sql.join(' AND ')}`).get(...w.params) as { n: number }).n;
    const matched = this.countErrorJobs(target.filter, snapshot);
    const by_status = this.jobsByStatus(target, snapshot);
    return { matched, snapshot, by_status, errors_matched, missing_jobs: matched - sum(by_status) };
  }

  async apply(input: { target: Target; action: BulkAction; expected: number; snapshot: number }): Promise<BulkSummary> {
    const { target, action, expected, snapshot } = input;
    if (this.running) throw new ApiError('conflict', `another bulk action is running (${this.running.label}); wait until it finishes`);
    const started = performance.now();
    const run: Running = { label: `${action.kind} on ${expected.toLocaleString('en-US')} jobs`, action: action.kind, expected, processed: 0, cancelRequested: false };
    this.running = run;
    try {
      if (action.kind === 'move_credential' && !this.d.store.credentials.getCredential(action.credential_id)) {
        throw new ApiError('not_found', `there is no saved credential ${action.credential_id}`);
      }
      this.d.jobs.flush();
      if (target.scope === 'errors') this.d.flushErrors?.();
      const matchedNow = target.scope === 'jobs' ? sum(this.jobsByStatus(target, snapshot)) : this.countErrorJobs(target.filter, snapshot);
      if (matchedNow > expected) {
        throw new ApiError(
          'conflict',
          `the filter now matches ${matchedNow.toLocaleString('en-US')} jobs, more than the ${expected.toLocaleString('en-US')} you confirmed; review the count and confirm again`,
          { matched: matchedNow },
        );
      }
      const tally = new Tally();
      let walked = 0;
      let stopped: BulkSummary['stopped'];
      let reportedAt = performance.now();
      const report = () => {
        reportedAt = performance.now();
        this.d.emit({ type: 'bulk_progress', action: action.kind, processed: run.processed, expected });
      };
      const stop = (because: 'cancelled' | 'failed', error?: string) => {
        stopped = { because, ...(error !== undefined && { error }), not_reached: expected - run.processed };
      };
      walk: for await (const rows of this.pages(target, snapshot)) {
        if (run.cancelRequested) {
          stop('cancelled');
          break;
        }
        const room = Math.max(0, expected - walked);
        walked += rows.length;
        // Never more than was confirmed: a job that entered the filter after the count is left alone.
        tally.skip('matched only after the confirmation', Math.max(0, rows.length - room));
        const take = rows.slice(0, room);
        for (let from = 0; from < take.length; ) {
          let next: number;
          try {
            next = this.applySlice(action, take, from, tally);
          } catch (err) {
            if (!(err instanceof SliceFailed)) throw err;
            // The slice is rolled back whole; the disk that refused it would refuse the next one too.
            stop('failed', scrubSecretText(err.message));
            break walk;
          }
          run.processed += next - from;
          from = next;
          if (performance.now() - reportedAt >= PROGRESS_EVERY_MS) report();
          if (from < take.length) {
            await yieldToEventLoop();
            if (run.cancelRequested) {
              stop('cancelled');
              break walk;
            }
          }
        }
      }
      if (!stopped) {
        run.processed = Math.min(walked, expected);
        tally.skip('no longer match the filter', expected - walked);
      }
      report();
      if (action.kind === 'move_credential') await this.d.jobs.resumeWaitingJobs();
      const summary: BulkSummary = {
        scope: target.scope,
        action,
        expected,
        ...tally.summary(),
        took_ms: Math.round(performance.now() - started),
        at: this.now(),
        ...(stopped && { stopped }),
      };
      this.d.emit({ type: 'bulk_applied', summary });
      return summary;
    } finally {
      this.running = null;
    }
  }

  /** Asks the running action to stop after its current slice; it returns its summary (applyBulk's answer) when it has. */
  cancel(): BulkCancelResult {
    const run = this.running;
    if (!run) throw new ApiError('conflict', 'no bulk action is running');
    run.cancelRequested = true;
    return { action: run.action, processed: run.processed, expected: run.expected };
  }

  // ─────────── walking the matches ───────────

  /**
   * The matched jobs, CHUNK at a time in keyset order, with a turn of the event
   * loop between chunks. Errors scope: jobs named by matching errors that no
   * longer exist come as rows of status null (skipped as such).
   */
  private async *pages(target: Target, snapshot: number): AsyncGenerator<(Row | { id: string; missing: true })[]> {
    if (target.scope === 'jobs') {
      const { text, ...rest } = target.filter;
      const w = filterWhere({ ...rest, sort: 'created_at', dir: 'asc', limit: this.chunk, offset: 0 });
      if (text) {
        // The text's candidates are read from the trigram index once, up front: as a subquery SQLite
        // would redo that whole index match for every page (a tenth of a second a page at a million
        // jobs). The exact test and the other filters are checked page by page, as jobs may have moved.
        const candidates = textCandidates(text);
        if (candidates !== null) {
          this.db.exec('CREATE TEMP TABLE IF NOT EXISTS bulk_text_candidates (id INTEGER PRIMARY KEY); DELETE FROM temp.bulk_text_candidates;');
          this.db.prepare(`INSERT OR IGNORE INTO temp.bulk_text_candidates ${candidates.sql}`).run(...candidates.params);
          w.sql.push('rowid IN (SELECT id FROM temp.bulk_text_candidates)');
        }
        const exact = textMatch(text);
        w.sql.push(exact.sql);
        w.params.push(...exact.params);
      }
      const stmt = this.db.prepare(
        `SELECT ${ROW_COLUMNS} FROM jobs WHERE ${[...w.sql, 'rowid > ?', 'rowid <= ?'].join(' AND ')} ORDER BY rowid LIMIT ?`,
      );
      for (let after = 0; ; ) {
        const rows = stmt.all(...w.params, after, snapshot, this.chunk) as Row[];
        if (rows.length === 0) return;
        after = rows.at(-1)!.rowid;
        yield rows;
        if (rows.length < this.chunk) return;
        await yieldToEventLoop();
      }
    }
    const w = this.errorScope(target.filter, snapshot);
    const ids = this.db.prepare(`SELECT DISTINCT job_id FROM errors WHERE ${[...w.sql, 'job_id > ?'].join(' AND ')} ORDER BY job_id LIMIT ?`).pluck();
    for (let after = ''; ; ) {
      const page = ids.all(...w.params, after, this.chunk) as string[];
      if (page.length === 0) return;
      after = page.at(-1)!;
      const found = new Map(
        (this.db.prepare(`SELECT ${ROW_COLUMNS} FROM jobs WHERE id IN (${placeholders(page.length)})`).all(...page) as Row[]).map((r) => [r.id, r]),
      );
      yield page.map((id) => found.get(id) ?? { id, missing: true as const });
      if (page.length < this.chunk) return;
      await yieldToEventLoop();
    }
  }

  /**
   * Rows from `from` on, for at most SLICE_BUDGET_MS, in one transaction: the rules, then the action,
   * every write synchronous inside it. A write that fails rolls the slice back whole — its counts and
   * events with it — and throws SliceFailed. Job_cancel messages to crawlers go out after the commit.
   * Returns where it stopped.
   */
  private applySlice(action: BulkAction, rows: readonly (Row | { id: string; missing: true })[], from: number, tally: Tally): number {
    const slice = new Tally();
    const notices: (() => void)[] = [];
    const toMove: string[] = [];
    const deadline = performance.now() + SLICE_BUDGET_MS;
    let i = from;
    try {
      this.d.hold.run(() =>
        this.d.hold.atomic(() =>
          this.db.transaction(() => {
            for (; i < rows.length && (i === from || performance.now() < deadline); i++) {
              const row = rows[i]!;
              if ('missing' in row) {
                slice.skip('no longer exist');
                continue;
              }
              const why = skipReason(action, row);
              if (why !== null) slice.skip(why);
              else if (action.kind === 'move_credential') toMove.push(row.id);
              else this.act(action, row, slice, notices);
            }
            if (action.kind === 'move_credential' && toMove.length > 0) {
              // The waiting jobs are resumed once, after the last chunk: not once per chunk.
              const r = this.d.jobs.moveJobsToCredentialNow(toMove, action.credential_id);
              slice.done += r.moved;
              slice.skip('already finished', r.skipped.length);
            }
          })(),
        ),
      );
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new SliceFailed(err);
    }
    tally.add(slice);
    for (const notify of notices) notify();
    return i;
  }

  /** Applies the action to one job through JobService, synchronously; a refusal is counted with its reason, anything else aborts the slice. */
  private act(action: Exclude<BulkAction, { kind: 'move_credential' }>, row: Row, tally: Tally, notices: (() => void)[]): void {
    try {
      switch (action.kind) {
        case 'cancel':
          notices.push(this.d.jobs.cancelJobNow(row.id, action.reason || 'cancelled by the operator (bulk)').notify);
          break;
        case 'retry':
          this.d.jobs.retryJob(row.id);
          break;
        case 'priority':
          this.d.jobs.setPriority(row.id, action.priority);
          break;
      }
      tally.done++;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      tally.skip(refusalReason(err, row.id));
    }
  }

  // ─────────── counting ───────────

  /** The errors a filter matches, as listErrors filters them, up to the snapshot. */
  private errorScope(f: BulkErrorFilter, snapshot: number): { sql: string[]; params: unknown[] } {
    const w = errorFilterClause(f);
    return { sql: [...w.where, 'id <= ?', 'job_id IS NOT NULL'], params: [...w.params, snapshot] };
  }

  private countErrorJobs(f: BulkErrorFilter, snapshot: number): number {
    const w = this.errorScope(f, snapshot);
    return (this.db.prepare(`SELECT COUNT(DISTINCT job_id) AS n FROM errors WHERE ${w.sql.join(' AND ')}`).get(...w.params) as { n: number }).n;
  }

  private jobsByStatus(target: Target, snapshot: number): BulkPreview['by_status'] {
    let sql: string;
    let params: unknown[];
    if (target.scope === 'jobs') {
      const w = filterWhere({ ...target.filter, sort: 'created_at', dir: 'asc', limit: 1, offset: 0 });
      sql = `SELECT status, COUNT(*) AS n FROM jobs WHERE ${[...w.sql, 'rowid <= ?'].join(' AND ')} GROUP BY status`;
      params = [...w.params, snapshot];
    } else {
      const w = this.errorScope(target.filter, snapshot);
      sql = `SELECT status, COUNT(*) AS n FROM jobs WHERE id IN (SELECT job_id FROM errors WHERE ${w.sql.join(' AND ')}) GROUP BY status`;
      params = w.params;
    }
    const out: BulkPreview['by_status'] = {};
    for (const r of this.db.prepare(sql).all(...params) as { status: JobStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }
}

const sum = (by: BulkPreview['by_status']): number => Object.values(by).reduce((n, v) => n + v, 0);

export type BulkCommandName = 'previewBulk' | 'applyBulk' | 'cancelBulk';

/** The contract's bulk commands over a BulkActions. */
export function createBulkCommandHandlers(bulk: BulkActions): Pick<ConsoleCommandHandlers, BulkCommandName> {
  return {
    async previewBulk({ target }) {
      return bulk.preview(target);
    },
    async applyBulk(input) {
      return bulk.apply(input);
    },
    async cancelBulk() {
      return bulk.cancel();
    },
  };
}
