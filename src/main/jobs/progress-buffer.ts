/**
 * Coalesces progress before it reaches SQLite: per job and entity type only the
 * latest values are kept, and everything pending is written in one transaction
 * per flush (every `intervalMs`, and before any lifecycle change of a job), so a
 * stream of progress never becomes one transaction per message.
 *
 * One bad row never fails a flush: the store writes each row on its own inside
 * the transaction and reports the ones it refused (`onRowError`), so one
 * crawler's unstorable progress cannot block another's completion. A failure of
 * the database itself (disk full) fails the flush and keeps everything pending.
 */
import type { JobProgressData, ProgressEntity } from '../../shared/protocol';
import type { Store } from '../store';
import { progressRowFromEntity, type JobProgressSummary, type ProgressRow, type ProgressRowFailure } from '../store/progress-repo';

interface PendingJob {
  /** Latest values per entity type, merged field by field (a crawler may send only some). */
  entities: Map<string, Record<string, unknown>>;
  at: Map<string, number>;
  summary: JobProgressSummary;
}

export class ProgressBuffer {
  private pending = new Map<string, PendingJob>();
  private messages = 0;
  /** Totals since start, for the benchmark and the status screen. */
  readonly stats = { flushes: 0, messages: 0, rowsWritten: 0, rowsFailed: 0 };

  constructor(
    private readonly store: Store,
    private readonly options: { onRowError?: (failure: ProgressRowFailure) => void } = {},
  ) {}

  get size(): number {
    return this.pending.size;
  }

  add(jobId: string, data: JobProgressData, overallCompletion: number | undefined, at: number): void {
    let p = this.pending.get(jobId);
    if (!p) {
      p = { entities: new Map(), at: new Map(), summary: { job_id: jobId } };
      this.pending.set(jobId, p);
    }
    // The hot path: merge into one object per entity type; rows are built at flush.
    for (const entity of data.progress) {
      const prev = p.entities.get(entity.entity_type);
      if (prev) {
        for (const k in entity) {
          const v = (entity as Record<string, unknown>)[k];
          if (v !== undefined) prev[k] = v;
        }
      } else {
        p.entities.set(entity.entity_type, { ...entity });
      }
      p.at.set(entity.entity_type, at);
    }
    const s = p.summary;
    s.at = at;
    if (overallCompletion !== undefined) s.overall_completion = overallCompletion;
    if (data.stage !== undefined) s.stage = data.stage;
    if (data.message !== undefined) s.message = data.message;
    if (data.time_elapsed !== undefined) s.time_elapsed = data.time_elapsed;
    if (data.estimated_time_remaining !== undefined) s.estimated_time_remaining = data.estimated_time_remaining;
    if (data.resume_state !== undefined) s.resume_state = data.resume_state;
    this.messages++;
  }

  /** Drops what is pending for a job (it was cancelled or finished: its last progress no longer matters). */
  discard(jobId: string): void {
    this.pending.delete(jobId);
  }

  /** Writes everything pending in one transaction; rows the store refuses are reported, the rest committed. */
  flush(): number {
    if (this.pending.size === 0) return 0;
    const rows: ProgressRow[] = [];
    const summaries: JobProgressSummary[] = [];
    for (const p of this.pending.values()) {
      for (const [type, entity] of p.entities) rows.push(progressRowFromEntity(p.summary.job_id, entity as ProgressEntity, p.at.get(type)));
      summaries.push(p.summary);
    }
    // Throws only when the database itself fails: then nothing is cleared and the next flush retries.
    const result = this.store.progress.upsertProgressBatch(rows, summaries);
    this.pending = new Map();
    this.stats.flushes++;
    this.stats.messages += this.messages;
    this.stats.rowsWritten += result.written;
    this.stats.rowsFailed += result.failed.length;
    this.messages = 0;
    for (const failure of result.failed) this.options.onRowError?.(failure);
    return result.written;
  }
}
