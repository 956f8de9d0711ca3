/**
 * Retention: finished jobs older than `maxJobAge` and errors older than
 * `maxErrorLogAge` are deleted in bounded batches, one short transaction each,
 * so the event loop (message handling) is never held for long.
 *
 * Which jobs: `completed` only by default, as the issue says. Failed and
 * cancelled jobs stay until an operator deals with them (they can be retried);
 * pass `jobStatuses` to widen it. A job's age counts from `finished_at` (or its
 * last update when that is missing). Deleting a job deletes its progress and
 * history (cascade); its child jobs stay, with `parent_job_id` set to null.
 */
import type Database from 'better-sqlite3';
import { isFinalJobStatus, type JobStatus } from '../../shared/jobs';
import { StoreError } from './errors';
import type { Store } from './store';

export interface RetentionConfig {
  /** ms; Infinity keeps jobs forever. */
  maxJobAge: number;
  /** ms; Infinity keeps errors forever. */
  maxErrorLogAge: number;
  /** Rows of each kind deleted per transaction. Default 500. */
  batchSize?: number;
  /** Default ['completed']. Finished statuses only: an unfinished job is never deleted by age. */
  jobStatuses?: readonly JobStatus[];
}

export interface RetentionOptions extends RetentionConfig {
  /** Epoch ms the ages are measured from. */
  now: number;
}

export interface RetentionResult {
  jobs: number;
  errors: number;
}

export interface RetentionBatchResult extends RetentionResult {
  /** True when a batch was full, so more rows may be due. */
  more: boolean;
}

const statements = new WeakMap<Database.Database, { jobs: Map<string, Database.Statement>; errors: Database.Statement }>();

function statementsFor(db: Database.Database) {
  let s = statements.get(db);
  if (s === undefined) {
    s = {
      jobs: new Map(),
      errors: db.prepare('DELETE FROM errors WHERE id IN (SELECT id FROM errors WHERE at < ? ORDER BY at LIMIT ?)'),
    };
    statements.set(db, s);
  }
  return s;
}

function jobDeleteStatement(db: Database.Database, statuses: readonly JobStatus[]): Database.Statement {
  const s = statementsFor(db);
  const key = [...statuses].sort().join(',');
  let stmt = s.jobs.get(key);
  if (stmt === undefined) {
    // coalesce(finished_at, updated_at) matches the jobs_retention index expression, and the
    // literal status list its WHERE (SQLite reads a partial index only for a query that says so).
    stmt = db.prepare(`
      DELETE FROM jobs WHERE id IN (
        SELECT id FROM jobs
        WHERE status IN ('completed', 'failed', 'cancelled') AND status IN (${statuses.map(() => '?').join(', ')})
          AND coalesce(finished_at, updated_at) < ?
        LIMIT ?)`);
    s.jobs.set(key, stmt);
  }
  return stmt;
}

/** Deletes at most one batch of due jobs and one of due errors, each in its own transaction. */
export function retentionBatch(store: Store, options: RetentionOptions): RetentionBatchResult {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
  const statuses = options.jobStatuses ?? ['completed'];
  let jobs = 0;
  let errors = 0;
  const unfinished = statuses.filter((s) => !isFinalJobStatus(s));
  if (unfinished.length > 0) {
    throw new StoreError('invalid', `retention deletes finished jobs only (completed, failed, cancelled), not ${unfinished.join(', ')}`);
  }
  if (Number.isFinite(options.maxJobAge) && statuses.length > 0) {
    const stmt = jobDeleteStatement(store.db, statuses);
    jobs = store.transaction(() => stmt.run(...statuses, options.now - options.maxJobAge, batchSize).changes);
  }
  if (Number.isFinite(options.maxErrorLogAge)) {
    const stmt = statementsFor(store.db).errors;
    errors = store.transaction(() => stmt.run(options.now - options.maxErrorLogAge, batchSize).changes);
  }
  // `changes` counts the jobs deleted, not the progress and events rows that went with them.
  return { jobs, errors, more: jobs >= batchSize || errors >= batchSize };
}

/** Deletes everything due, batch after batch, synchronously. Returns the counts. */
export function runRetention(store: Store, options: RetentionOptions): RetentionResult {
  const total: RetentionResult = { jobs: 0, errors: 0 };
  for (;;) {
    const r = retentionBatch(store, options);
    total.jobs += r.jobs;
    total.errors += r.errors;
    if (!r.more) return total;
  }
}

export interface StartRetentionOptions {
  /** ms between runs (the seed's `cleanupInterval`). */
  interval: number;
  /** Run once right away too. Default true. */
  runAtStart?: boolean;
  now?: () => number;
  /** Called after each run that deleted something, with that run's totals. */
  onRun?: (result: RetentionResult) => void;
  onError?: (err: unknown) => void;
}

/**
 * Runs retention every `interval`: one batch per turn of the event loop
 * (setImmediate between batches) so messages are handled in between. Timers
 * are unref'd (they never keep the process alive). Returns stop().
 */
export function startRetention(store: Store, config: RetentionConfig, options: StartRetentionOptions): () => void {
  const now = options.now ?? Date.now;
  let stopped = false;
  let running = false;
  let pending: NodeJS.Immediate | undefined;
  let totals: RetentionResult = { jobs: 0, errors: 0 };

  const finish = () => {
    running = false;
    if (totals.jobs + totals.errors > 0) options.onRun?.(totals);
  };
  const step = () => {
    pending = undefined;
    if (stopped || !store.isOpen) return void (running = false);
    try {
      const r = retentionBatch(store, { ...config, now: now() });
      totals = { jobs: totals.jobs + r.jobs, errors: totals.errors + r.errors };
      if (r.more) {
        pending = setImmediate(step);
        pending.unref();
        return;
      }
    } catch (err) {
      options.onError?.(err);
    }
    finish();
  };
  const run = () => {
    if (stopped || running || !store.isOpen) return;
    running = true;
    totals = { jobs: 0, errors: 0 };
    step();
  };

  const timer = setInterval(run, options.interval);
  timer.unref();
  if (options.runAtStart ?? true) {
    pending = setImmediate(run);
    pending.unref();
  }
  return () => {
    stopped = true;
    clearInterval(timer);
    if (pending !== undefined) clearImmediate(pending);
    running = false;
  };
}
