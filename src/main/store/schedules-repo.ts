/** Recurring crawls: their templates and timing, what they last did, and which jobs they created. */
import type Database from 'better-sqlite3';
import { ScheduleSchema, type Schedule, type ScheduleOutcome } from '../../shared/ops';
import { StoreError } from './errors';
import { rowDecoder } from './records';

const decode = rowDecoder(ScheduleSchema, [], ['paused']);

/** A schedule as stored (validated by the contract before it gets here). */
export interface ScheduleFields {
  name: string;
  job_type: string;
  gitlab_host: string;
  credential_id: string | null;
  entity_id: string | null;
  namespace_path: string | null;
  priority: number;
  cron: string | null;
  interval_ms: number | null;
  timezone: string | null;
  paused: boolean;
  next_run_at: number | null;
}

export interface RunRecord {
  outcome: ScheduleOutcome;
  message: string;
  job_id: string | null;
  at: number;
}

const SELECT = `
  SELECT s.*, j.status AS last_job_status
  FROM schedules s LEFT JOIN jobs j ON j.id = s.last_job_id`;

export class SchedulesRepo {
  private readonly getStmt: Database.Statement;
  private readonly dueStmt: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.getStmt = db.prepare(`${SELECT} WHERE s.id = ?`);
    this.dueStmt = db.prepare(`${SELECT} WHERE s.paused = 0 AND s.next_run_at <= ? ORDER BY s.next_run_at LIMIT 100`);
  }

  list(): Schedule[] {
    return this.db.prepare(`${SELECT} ORDER BY s.name COLLATE NOCASE, s.created_at`).all().map(decode);
  }

  get(id: string): Schedule | null {
    const row = this.getStmt.get(id);
    return row ? decode(row) : null;
  }

  /** Active schedules whose time has come, oldest due first. */
  due(now: number): Schedule[] {
    return this.dueStmt.all(now).map(decode);
  }

  insert(fields: ScheduleFields): Schedule {
    const id = crypto.randomUUID();
    const at = this.now();
    this.db
      .prepare(
        `INSERT INTO schedules (id, name, job_type, gitlab_host, credential_id, entity_id, namespace_path, priority, cron, interval_ms, timezone, paused, next_run_at, created_at, updated_at)
         VALUES (@id, @name, @job_type, @gitlab_host, @credential_id, @entity_id, @namespace_path, @priority, @cron, @interval_ms, @timezone, @paused, @next_run_at, @at, @at)`,
      )
      .run({ ...fields, paused: fields.paused ? 1 : 0, id, at });
    return this.get(id)!;
  }

  update(id: string, fields: ScheduleFields): Schedule {
    const changed = this.db
      .prepare(
        `UPDATE schedules SET name = @name, job_type = @job_type, gitlab_host = @gitlab_host, credential_id = @credential_id, entity_id = @entity_id,
           namespace_path = @namespace_path, priority = @priority, cron = @cron, interval_ms = @interval_ms, timezone = @timezone, paused = @paused,
           next_run_at = @next_run_at, updated_at = @at
         WHERE id = @id`,
      )
      .run({ ...fields, paused: fields.paused ? 1 : 0, id, at: this.now() }).changes;
    if (changed === 0) throw new StoreError('not_found', `there is no schedule ${id}`);
    return this.get(id)!;
  }

  /** Records a run; a created job is linked back to the schedule. `next_run_at` undefined leaves it (a run-now). */
  recordRun(id: string, run: RunRecord, nextRunAt: number | null | undefined): Schedule {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE schedules SET last_run_at = @at, last_outcome = @outcome, last_message = @message,
             last_job_id = coalesce(@job_id, last_job_id),
             runs = runs + (@outcome = 'created'), skips = skips + (@outcome = 'skipped'),
             next_run_at = CASE WHEN @keep THEN next_run_at ELSE @next END, updated_at = @at
           WHERE id = @id`,
        )
        .run({ id, at: run.at, outcome: run.outcome, message: run.message, job_id: run.job_id, keep: nextRunAt === undefined ? 1 : 0, next: nextRunAt ?? null });
      if (run.job_id) this.db.prepare('INSERT OR IGNORE INTO schedule_jobs (job_id, schedule_id, fired_at) VALUES (?, ?, ?)').run(run.job_id, id, run.at);
    })();
    return this.get(id)!;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
  }

  /** The schedule that created a job, if any. */
  forJob(jobId: string): Schedule | null {
    const row = this.db.prepare(`${SELECT} WHERE s.id = (SELECT schedule_id FROM schedule_jobs WHERE job_id = ?)`).get(jobId);
    return row ? decode(row) : null;
  }

  /** Jobs a schedule created, newest first. */
  jobIds(scheduleId: string, limit = 100): string[] {
    return (this.db.prepare('SELECT job_id FROM schedule_jobs WHERE schedule_id = ? ORDER BY fired_at DESC LIMIT ?').all(scheduleId, limit) as { job_id: string }[]).map((r) => r.job_id);
  }
}
