/**
 * Bulk actions by filter (issue 15): one server-side command acts on every job
 * a Jobs-screen filter matches (or every job named by the errors an Errors-screen
 * filter matches), however many; never one call per job.
 *
 * Two steps, so that what the operator confirms is what is done:
 * 1. `previewBulk` counts the matches (`matched`) and returns a `snapshot`: the
 *    highest job row (jobs scope) or error id (errors scope) that exists now.
 * 2. `applyBulk` takes the same target, the action, `expected` (the N the
 *    operator confirmed) and that `snapshot`. Only rows up to the snapshot are
 *    considered, so jobs created after the preview are never touched. Jobs that
 *    left the filter meanwhile are skipped ("no longer match"); when more rows up
 *    to the snapshot match now than were confirmed (a job entered the filter
 *    meanwhile), the command refuses and asks to confirm again; and it never acts
 *    on more than `expected` jobs.
 */
import { z } from 'zod';
import { JobStatusSchema, ListJobsQuerySchema } from './jobs';
import { ErrorCategorySchema, ErrorSeveritySchema } from './errors';

/** The Jobs screen's filter, as listJobs takes it (without paging and sort). */
export const BulkJobFilterSchema = ListJobsQuerySchema.pick({ status: true, job_type: true, origin: true, crawler: true, parent_job_id: true, text: true });
export type BulkJobFilter = z.infer<typeof BulkJobFilterSchema>;

/** The Errors screen's filter, as listErrors takes it (without paging). */
export const BulkErrorFilterSchema = z.object({
  category: ErrorCategorySchema.optional(),
  severity: ErrorSeveritySchema.optional(),
  crawler_id: z.string().optional(),
  job_id: z.string().optional(),
  since: z.number().optional(),
});
export type BulkErrorFilter = z.infer<typeof BulkErrorFilterSchema>;

/** What a bulk action acts on: the jobs a filter matches, or the jobs named by the errors a filter matches. */
export const BulkTargetSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('jobs'), filter: BulkJobFilterSchema.prefault({}) }),
  z.object({ scope: z.literal('errors'), filter: BulkErrorFilterSchema.prefault({}) }),
]);
export type BulkTarget = z.input<typeof BulkTargetSchema>;

export const BulkActionKindSchema = z.enum(['cancel', 'retry', 'priority', 'move_credential']);

export const BulkActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cancel'), reason: z.string().trim().max(500).optional() }),
  z.object({ kind: z.literal('retry') }),
  z.object({ kind: z.literal('priority'), priority: z.number().int().min(-1000).max(1000) }),
  z.object({ kind: z.literal('move_credential'), credential_id: z.string().min(1, 'credential_id is required') }),
]);
export type BulkAction = z.infer<typeof BulkActionSchema>;
export type BulkActionKind = BulkAction['kind'];

export const BulkPreviewSchema = z.object({
  /** Jobs the target matches now (errors scope: distinct jobs named by the matching errors). */
  matched: z.number().int(),
  /** Pass to applyBulk: rows above it (created after this preview) are left alone. */
  snapshot: z.number().int(),
  /** The matched jobs by status (a confirmation can say how many an action will skip). */
  by_status: z.partialRecord(JobStatusSchema, z.number().int()),
  /** Errors scope: the matching errors, and the jobs they name that no longer exist. */
  errors_matched: z.number().int().optional(),
  missing_jobs: z.number().int().optional(),
});
export type BulkPreview = z.infer<typeof BulkPreviewSchema>;

export const BulkApplyInputSchema = z.object({
  target: BulkTargetSchema,
  action: BulkActionSchema,
  /** The N the operator confirmed (previewBulk's `matched`). */
  expected: z.number().int().min(0),
  /** previewBulk's `snapshot`. */
  snapshot: z.number().int().min(0),
});

export const BulkSummarySchema = z.object({
  scope: z.enum(['jobs', 'errors']),
  action: BulkActionSchema,
  /** What the operator confirmed. */
  expected: z.number().int(),
  /** Jobs the action was applied to. */
  done: z.number().int(),
  /** Jobs left as they were, by reason, most first ("412 already completed"). */
  skipped: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  skipped_total: z.number().int(),
  took_ms: z.number(),
  at: z.number(),
  /**
   * Set when the action stopped before its end, between two slices: the operator cancelled it
   * (cancelBulk), or a write failed (that slice was rolled back whole; `error` says why).
   * `not_reached`: confirmed jobs it never got to (untouched).
   */
  stopped: z
    .object({
      because: z.enum(['cancelled', 'failed']),
      error: z.string().optional(),
      not_reached: z.number().int(),
    })
    .optional(),
});
export type BulkSummary = z.infer<typeof BulkSummarySchema>;

/** cancelBulk's answer: the running action that will stop after its current slice, and how far it got. */
export const BulkCancelResultSchema = z.object({
  action: BulkActionKindSchema,
  processed: z.number().int(),
  expected: z.number().int(),
});
export type BulkCancelResult = z.infer<typeof BulkCancelResultSchema>;

/** What `done` means for each action: "1,200 queued again". */
export const BULK_ACTION_DONE: Record<BulkActionKind, string> = {
  cancel: 'cancelled',
  retry: 'queued again',
  priority: 'reprioritized',
  move_credential: 'moved',
};

/** "1,200 queued again; 412 skipped: 400 already completed, 12 still running" (and, when it stopped early, "; cancelled: 3,000 not reached"). */
export function describeBulkSummary(s: BulkSummary): string {
  let text = `${s.done.toLocaleString('en-US')} ${BULK_ACTION_DONE[s.action.kind]}`;
  if (s.skipped_total > 0) {
    const why = s.skipped.map((r) => `${r.count.toLocaleString('en-US')} ${r.reason}`).join(', ');
    text += `; ${s.skipped_total.toLocaleString('en-US')} skipped: ${why}`;
  }
  return s.stopped ? `${text}; ${describeBulkStop(s.stopped)}` : text;
}

/** "cancelled: 3,000 not reached" / "stopped by a failed write (disk full): 3,000 not reached". */
export function describeBulkStop(stopped: NonNullable<BulkSummary['stopped']>): string {
  const how = stopped.because === 'cancelled' ? 'cancelled' : `stopped by a failed write${stopped.error ? ` (${stopped.error})` : ''}`;
  return `${how}: ${stopped.not_reached.toLocaleString('en-US')} not reached`;
}
