/**
 * Job progress: the last reported values per job and entity type, and the
 * job-level summary (completion, stage, message …) on the job row. Written in
 * batches: one transaction however many rows, so a stream of progress never
 * becomes a transaction per message.
 */
import type Database from 'better-sqlite3';
import type { ProgressEntity } from '../../shared/protocol/crawler-messages';
import { JobProgressRecordSchema, rowDecoder, toJson, type Job, type JobProgressRecord } from './records';
import { redactResumeState, redactSecrets, scrubSecretText } from './redact';
import { isStorageFailure } from './storage-failure';

export { isStorageFailure };

/**
 * One entity type's progress of a job. Absent (or null) values keep what was
 * stored before; `extras` (fields the crawler sent that the console does not
 * model) replaces the stored ones when given.
 */
export type ProgressRow = Pick<JobProgressRecord, 'job_id' | 'entity_type'> &
  Partial<Omit<JobProgressRecord, 'job_id' | 'entity_type'>>;

/** Job-level progress written to the job row. Absent (or null) values keep what was stored before. */
export type JobProgressSummary = { job_id: string } &
  Partial<Pick<Job, 'overall_completion' | 'stage' | 'message' | 'time_elapsed' | 'estimated_time_remaining' | 'resume_state'>> & {
    /** When the progress was reported (becomes the job's `last_progress_at`). */
    at?: number;
    /** The seed's SocketJobProgress status and milestones (see socket-database-operations). */
    progress_status?: string | null;
    milestones?: readonly Record<string, unknown>[] | null;
  };

export interface ProgressBatchResult {
  /** Entity rows written. */
  written: number;
  /** Entity rows skipped because their job does not exist. */
  skipped: number;
  jobs_updated: number;
  jobs_skipped: number;
  /** Rows refused on their own (a value that cannot be stored); the rest of the batch was committed. */
  failed: ProgressRowFailure[];
}

/** One row of a batch that could not be written, and why. `entity_type` is null for the job-level summary. */
export interface ProgressRowFailure {
  job_id: string;
  entity_type: string | null;
  message: string;
}

const failureMessage = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);

/** The per-entity columns besides the key; anything else a crawler sends goes to `extras`. */
const VALUE_COLUMNS = [
  'total_discovered',
  'total_processed',
  'current_page',
  'items_per_page',
  'sub_collection',
  'processing_rate',
  'estimated_time_remaining',
  'item_counts',
] as const;
const MODELLED: ReadonlySet<string> = new Set(['entity_type', ...VALUE_COLUMNS]);

/** A progress entry of a message (internal model) as a row; unmodelled fields go to `extras`. */
export function progressRowFromEntity(jobId: string, entity: ProgressEntity, at?: number): ProgressRow {
  const extras: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entity)) if (!MODELLED.has(k) && v !== undefined) extras[k] = v;
  return {
    job_id: jobId,
    entity_type: entity.entity_type,
    total_discovered: entity.total_discovered,
    total_processed: entity.total_processed,
    current_page: entity.current_page,
    items_per_page: entity.items_per_page,
    sub_collection: entity.sub_collection,
    processing_rate: entity.processing_rate,
    estimated_time_remaining: entity.estimated_time_remaining,
    item_counts: entity.item_counts,
    extras: Object.keys(extras).length ? extras : undefined,
    ...(at !== undefined && { updated_at: at }),
  };
}

const decode = rowDecoder(JobProgressRecordSchema, ['item_counts', 'extras']);

const clamp01 = (v: number | null | undefined): number | null =>
  v === null || v === undefined || Number.isNaN(v) ? null : Math.min(1, Math.max(0, v));

export class ProgressRepo {
  private readonly upsertStmt: Database.Statement;
  private readonly summaryStmt: Database.Statement;
  private readonly getStmt: Database.Statement;

  /**
   * Writes many rows in one transaction. A row whose job does not exist is
   * skipped and counted, never an exception that loses the rest of the batch.
   * Status is not looked at: deciding which progress to accept is the caller's.
   */
  readonly upsertProgressBatch: (rows: readonly ProgressRow[], jobs?: readonly JobProgressSummary[]) => ProgressBatchResult;

  constructor(db: Database.Database, now: () => number) {
    const keep = (c: string) => `${c} = coalesce(excluded.${c}, ${c})`;
    this.upsertStmt = db.prepare(`
      INSERT INTO job_progress (job_id, entity_type, total_discovered, total_processed, current_page, items_per_page,
                                sub_collection, processing_rate, estimated_time_remaining, item_counts, extras, updated_at)
      SELECT @job_id, @entity_type, @total_discovered, @total_processed, @current_page, @items_per_page,
             @sub_collection, @processing_rate, @estimated_time_remaining, @item_counts, @extras, @updated_at
      WHERE EXISTS (SELECT 1 FROM jobs WHERE id = @job_id)
      ON CONFLICT (job_id, entity_type) DO UPDATE SET
        ${[...VALUE_COLUMNS, 'extras']
          .map(keep)
          .join(', ')},
        updated_at = excluded.updated_at`);
    const keepJob = (c: string) => `${c} = coalesce(@${c}, ${c})`;
    this.summaryStmt = db.prepare(`
      UPDATE jobs SET
        ${[
          'overall_completion',
          'stage',
          'message',
          'time_elapsed',
          'estimated_time_remaining',
          'resume_state',
          'progress_status',
          'milestones',
        ]
          .map(keepJob)
          .join(', ')},
        last_progress_at = @at, updated_at = @at
      WHERE id = @job_id`);
    this.getStmt = db.prepare('SELECT * FROM job_progress WHERE job_id = ? ORDER BY entity_type');

    // Each row is written on its own inside the one transaction: a row that cannot be stored
    // (a value that does not serialise, a resume state nested too deep) is reported and
    // skipped, and every other crawler's progress still commits.
    const upsertRow = (r: ProgressRow, at: number): boolean =>
      this.upsertStmt.run({
        job_id: r.job_id,
        entity_type: r.entity_type,
        total_discovered: r.total_discovered ?? null,
        total_processed: r.total_processed ?? null,
        current_page: r.current_page ?? null,
        items_per_page: r.items_per_page ?? null,
        sub_collection: r.sub_collection ?? null,
        processing_rate: r.processing_rate ?? null,
        estimated_time_remaining: r.estimated_time_remaining ?? null,
        item_counts: toJson(r.item_counts),
        // Crawlers put anything in extras, even a token: redact before it is stored.
        extras: toJson(r.extras === undefined || r.extras === null ? r.extras : redactSecrets(r.extras)),
        updated_at: r.updated_at ?? at,
      }).changes > 0;
    const updateSummary = (j: JobProgressSummary, at: number): boolean =>
      this.summaryStmt.run({
        job_id: j.job_id,
        at: j.at ?? at,
        overall_completion: clamp01(j.overall_completion),
        stage: j.stage ?? null,
        message: j.message == null ? null : scrubSecretText(j.message),
        time_elapsed: j.time_elapsed ?? null,
        estimated_time_remaining: j.estimated_time_remaining ?? null,
        resume_state: toJson(j.resume_state == null ? j.resume_state : redactResumeState(j.resume_state)),
        progress_status: j.progress_status ?? null,
        milestones: toJson(j.milestones),
      }).changes > 0;
    const isolated = (result: ProgressBatchResult, jobId: string, entityType: string | null, write: () => boolean): boolean | null => {
      try {
        return write();
      } catch (err) {
        if (isStorageFailure(err)) throw err;
        result.failed.push({ job_id: jobId, entity_type: entityType, message: failureMessage(err) });
        return null;
      }
    };

    this.upsertProgressBatch = db.transaction((rows: readonly ProgressRow[], jobs: readonly JobProgressSummary[] = []) => {
      const at = now();
      const result: ProgressBatchResult = { written: 0, skipped: 0, jobs_updated: 0, jobs_skipped: 0, failed: [] };
      for (const r of rows) {
        const ok = isolated(result, r.job_id, r.entity_type, () => upsertRow(r, at));
        if (ok === true) result.written++;
        else if (ok === false) result.skipped++;
      }
      for (const j of jobs) {
        const ok = isolated(result, j.job_id, null, () => updateSummary(j, at));
        if (ok === true) result.jobs_updated++;
        else if (ok === false) result.jobs_skipped++;
      }
      return result;
    });
  }

  /** A job's stored progress, one record per entity type. */
  getProgress(jobId: string): JobProgressRecord[] {
    return this.getStmt.all(jobId).map(decode);
  }
}
