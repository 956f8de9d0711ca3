/** Job history: one row per lifecycle change, with its reason. */
import type Database from 'better-sqlite3';
import type { JobEventKind, JobStatus } from '../../shared/jobs';
import { JobEventSchema, rowDecoder, toJson, type JobEvent } from './records';
import { redactSecrets, scrubSecretText } from './redact';

/** What a caller says about a change; the store fills in the job, time and statuses. */
export interface EventInput {
  kind: JobEventKind;
  reason?: string | null;
  crawler_id?: string | null;
  details?: Record<string, unknown> | null;
  at?: number;
}

const decode = rowDecoder(JobEventSchema, ['details']);

export class EventsRepo {
  private readonly insertStmt: Database.Statement;
  private readonly appendStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly lastFinishStmt: Database.Statement;
  private readonly countKindStmt: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    const cols = 'job_id, at, kind, from_status, to_status, crawler_id, reason, details';
    const vals = '@job_id, @at, @kind, @from_status, @to_status, @crawler_id, @reason, @details';
    this.insertStmt = db.prepare(`INSERT INTO job_events (${cols}) VALUES (${vals})`);
    // For events without a status change: written only if the job exists.
    this.appendStmt = db.prepare(
      `INSERT INTO job_events (${cols}) SELECT ${vals} WHERE EXISTS (SELECT 1 FROM jobs WHERE id = @job_id)`,
    );
    this.listStmt = db.prepare('SELECT * FROM job_events WHERE job_id = ? ORDER BY id LIMIT ?');
    // Both walk the (job_id, id) index of one job: a job's result reads two rows' worth, however long its history.
    this.lastFinishStmt = db.prepare(
      "SELECT * FROM job_events WHERE job_id = ? AND to_status IN ('completed', 'failed', 'cancelled') ORDER BY id DESC LIMIT 1",
    );
    this.countKindStmt = db.prepare('SELECT count(*) AS n FROM job_events WHERE job_id = ? AND kind = ?');
  }

  /** Internal: writes an event for a job known to exist (callers are inside their transaction). */
  insert(jobId: string, ev: EventInput, from: JobStatus | null, to: JobStatus | null): void {
    this.insertStmt.run(this.params(jobId, ev, from, to));
  }

  /** Adds a history entry that changes no status (a milestone, a note). False if the job does not exist. */
  appendEvent(jobId: string, ev: EventInput): boolean {
    return this.appendStmt.run(this.params(jobId, ev, null, null)).changes === 1;
  }

  /** The entry that finished a job last (a retried job may have finished more than once), or null. */
  lastFinish(jobId: string): JobEvent | null {
    const row = this.lastFinishStmt.get(jobId);
    return row === undefined ? null : decode(row);
  }

  /** How many entries of one kind a job's history holds. */
  countKind(jobId: string, kind: JobEventKind): number {
    return (this.countKindStmt.get(jobId, kind) as { n: number }).n;
  }

  /** A job's history, oldest first. */
  listJobEvents(jobId: string, limit = 10_000): JobEvent[] {
    return this.listStmt.all(jobId, limit).map(decode);
  }

  private params(jobId: string, ev: EventInput, from: JobStatus | null, to: JobStatus | null) {
    return {
      job_id: jobId,
      at: ev.at ?? this.now(),
      kind: ev.kind,
      from_status: from,
      to_status: to,
      crawler_id: ev.crawler_id ?? null,
      reason: ev.reason == null ? null : scrubSecretText(ev.reason),
      details: toJson(ev.details == null ? null : redactSecrets(ev.details)),
    };
  }
}
