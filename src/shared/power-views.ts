/**
 * What the crawler page and a finished job's results show (issue 15):
 * a crawler's recent heartbeats, and a job's result as its crawler reported it
 * with the progress it made over time. Times are epoch milliseconds.
 */
import { z } from 'zod';
import { CountsSchema, SystemStatusSchema } from './protocol';

/** One heartbeat as the crawler page charts it. */
export const HeartbeatPointSchema = z.object({
  at: z.number(),
  /** Time since the crawler's previous heartbeat (null for the first one heard). */
  gap_ms: z.number().nullable(),
  active_jobs: z.number().int(),
  /** What the crawler reported as its memory use, in bytes (null when it reports none). */
  memory_bytes: z.number().nullable(),
  system_status: SystemStatusSchema,
});
export type HeartbeatPoint = z.infer<typeof HeartbeatPointSchema>;

/**
 * A heartbeat's free-form memory_usage read as bytes: a number, or an object like
 * Node's process.memoryUsage() (its rss, else heapUsed, used, heap_used, total),
 * with the key it came from. One reading for the chart and for every screen's text.
 */
export function memoryReading(memory: unknown): { bytes: number; key: string | null } | null {
  if (typeof memory === 'number' && Number.isFinite(memory) && memory >= 0) return { bytes: memory, key: null };
  if (memory && typeof memory === 'object') {
    const m = memory as Record<string, unknown>;
    for (const key of ['rss', 'heapUsed', 'used', 'heap_used', 'total']) {
      const v = m[key];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return { bytes: v, key };
    }
  }
  return null;
}

/** Bytes from a heartbeat's memory_usage (null when it reports none). */
export const memoryBytes = (memory: unknown): number | null => memoryReading(memory)?.bytes ?? null;

/** A heartbeat as a chart point: the gap since the previous one, memory, active jobs. */
export function heartbeatPoint(previousAt: number | null, at: number, data: { active_jobs: number; system_status: HeartbeatPoint['system_status']; memory_usage?: unknown }): HeartbeatPoint {
  return {
    at,
    gap_ms: previousAt !== null ? Math.max(0, at - previousAt) : null,
    active_jobs: data.active_jobs,
    memory_bytes: memoryBytes(data.memory_usage),
    system_status: data.system_status,
  };
}

/** One sample of a job's progress over time. */
export const ProgressSampleSchema = z.object({
  at: z.number(),
  /** 0..1, null when the crawler reported no total. */
  completion: z.number().nullable(),
  /** Items processed so far, over every entity type. */
  processed: z.number(),
});
export type ProgressSample = z.infer<typeof ProgressSampleSchema>;

/** A job's result: what its crawler reported when it finished, and how it got there. */
export const JobResultSchema = z.object({
  job_id: z.string(),
  /** Null while the job has not finished. */
  finished_at: z.number().nullable(),
  started_at: z.number().nullable(),
  /** finished_at − started_at (null when either is unknown). */
  duration_ms: z.number().nullable(),
  /** How many times a crawler started it (1 for a job that ran once). */
  attempts: z.number().int(),
  /** Per entity type, as the crawler's job_completed (or job_failed's partial counts) said; null when it sent none. */
  final_counts: CountsSchema.nullable(),
  /** The files it listed (at most the first 1,000 are kept) … */
  output_files: z.array(z.string()),
  /** … and how many it listed. */
  output_files_total: z.number().int(),
  /** The crawler's free-form summary, redacted; null when it sent none. */
  summary: z.unknown(),
  message: z.string().nullable(),
  /** Progress over time, oldest first (bounded: long jobs are thinned, not cut). */
  series: z.array(ProgressSampleSchema),
});
export type JobResult = z.infer<typeof JobResultSchema>;
