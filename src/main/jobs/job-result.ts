/**
 * A finished job's result (issue 15): what its crawler reported in
 * job_completed — final counts, output files, summary — kept in the history
 * entry that finished it, read back with its duration, attempts and the
 * progress series the sampler kept.
 */
import type { JobCompletedData } from '../../shared/protocol';
import type { JobResult } from '../../shared/power-views';
import type { Job, Store } from '../store';
import type { ProgressSamplesRepo } from '../store/progress-samples-repo';

/** At most this many output file names are kept (a crawler may list thousands). */
export const MAX_OUTPUT_FILES = 1_000;
/** A summary larger than this (as JSON) is kept as a note saying so, not stored whole. */
export const MAX_SUMMARY_BYTES = 32 * 1024;

/** What a finishing history entry keeps of job_completed's data (the store redacts it). */
export function completedDetails(d: JobCompletedData): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  if (d.message) details.message = d.message;
  if (d.final_counts) details.final_counts = d.final_counts;
  if (d.output_files && d.output_files.length > 0) {
    details.output_files = d.output_files.slice(0, MAX_OUTPUT_FILES);
    if (d.output_files.length > MAX_OUTPUT_FILES) details.output_files_total = d.output_files.length;
  }
  if (d.summary !== undefined) {
    const json = JSON.stringify(d.summary) ?? 'null';
    details.summary = Buffer.byteLength(json) <= MAX_SUMMARY_BYTES ? d.summary : { note: `summary of ${Buffer.byteLength(json)} bytes not kept (limit ${MAX_SUMMARY_BYTES})` };
  }
  return details;
}

const isCounts = (v: unknown): v is Record<string, number> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((n) => typeof n === 'number');

export function readJobResult(store: Store, samples: ProgressSamplesRepo, job: Job): JobResult {
  const last = store.events.lastFinish(job.id);
  const details = last?.details ?? {};
  const counts = isCounts(details.final_counts) ? details.final_counts : isCounts(details.partial_counts) ? details.partial_counts : null;
  const files = Array.isArray(details.output_files) ? details.output_files.filter((f): f is string => typeof f === 'string') : [];
  const finished = job.finished_at ?? null;
  const series = samples.list(job.id);
  // A completed job's last point carries its final counts: the crawler's last progress report may fall short of them.
  const tail = series.at(-1);
  if (job.status === 'completed' && counts && tail) {
    const total = Object.values(counts).reduce((n, v) => n + v, 0);
    series[series.length - 1] = { ...tail, processed: Math.max(tail.processed, total) };
  }
  const started = job.started_at ?? null;
  return {
    job_id: job.id,
    finished_at: finished,
    started_at: started,
    duration_ms: finished !== null && started !== null ? Math.max(0, finished - started) : null,
    // Runs, counted from the history (the job's own counter counts retries, not the first run).
    attempts: Math.max(store.events.countKind(job.id, 'started'), job.started_at !== null ? 1 : 0),
    final_counts: counts,
    output_files: files,
    output_files_total: typeof details.output_files_total === 'number' ? details.output_files_total : files.length,
    summary: details.summary ?? null,
    message: typeof details.message === 'string' ? details.message : (last?.reason ?? job.last_error ?? null),
    series,
  };
}
