/**
 * The console's progress model: what a job's progress looks like once both
 * protocol spellings have been merged (see src/main/observability/progress-tracker.ts). Shared so
 * that the UI validates and types what the main process sends it.
 *
 * Units: counts are items, rates are items per second, times are epoch ms,
 * durations are ms.
 */
import { z } from 'zod';
import { CountsSchema, ProgressStageSchema } from './protocol';

/** The milestones the tracker announces, once each per job attempt. */
export const MILESTONE_PERCENTAGES = [25, 50, 75, 100] as const;
export const MilestonePercentageSchema = z.literal(MILESTONE_PERCENTAGES);
export type MilestonePercentage = z.infer<typeof MilestonePercentageSchema>;

export const ProgressMilestoneSchema = z.object({
  name: z.templateLiteral([MilestonePercentageSchema, '%']),
  percentage: MilestonePercentageSchema,
});
export type ProgressMilestone = z.infer<typeof ProgressMilestoneSchema>;

/**
 * A job's progress state, as the tracker sees it (the job store has the full
 * lifecycle; this is only what progress tells):
 * - `pending`: known but not (yet, or again after a retry reset) reporting.
 * - `running`: reporting progress.
 * - `stalled`: running, but silent for longer than the tracker's stall limit;
 *   the next progress message makes it `running` again.
 * - `completed` / `failed`: finished; later progress is ignored until a reset.
 */
export const JobProgressStateSchema = z.enum(['pending', 'running', 'stalled', 'completed', 'failed']);
export type JobProgressState = z.infer<typeof JobProgressStateSchema>;

/** Progress of one entity type within a job, merged across messages. */
export const EntityProgressSchema = z.object({
  entity_type: z.string().min(1),
  processed: z.number().nonnegative(),
  /** How many the crawler has discovered so far (`total_discovered` / `total`). */
  discovered: z.number().nonnegative().optional(),
  /** Best known total: discovered, or processed + the crawler's estimated remaining when larger. */
  total: z.number().nonnegative().optional(),
  current_page: z.number().nonnegative().optional(),
  items_per_page: z.number().nonnegative().optional(),
  /** The crawler's last reported rate for this entity type (items/s). */
  rate: z.number().nonnegative().optional(),
  /** The stage of the last message that reported this entity type (crawler spelling). */
  stage: ProgressStageSchema.optional(),
  item_counts: CountsSchema.optional(),
  updated_at: z.number(),
});
export type EntityProgress = z.infer<typeof EntityProgressSchema>;

/** One job's progress. */
export const JobProgressSchema = z.object({
  job_id: z.string().min(1),
  state: JobProgressStateSchema,
  stage: ProgressStageSchema.nullable(),
  message: z.string().nullable(),
  entities: z.array(EntityProgressSchema),
  /** 0..1; never goes backwards within one attempt of a job. */
  overall_completion: z.number().min(0).max(1),
  /** Sum of processed over entity types. */
  processed: z.number().nonnegative(),
  /** Sum of totals of the entity types whose total is known; null when none is. */
  total: z.number().nonnegative().nullable(),
  /** Items/s: the crawler's when it sends one, else estimated from recent samples; null while unknown. */
  rate: z.number().nonnegative().nullable(),
  /** ms left: the crawler's when it sends one, else (total - processed) / rate; null while unknown. */
  eta_ms: z.number().nonnegative().nullable(),
  /** ms since the job started: the crawler's when it sends one, else measured by the console. */
  time_elapsed: z.number().nonnegative(),
  started_at: z.number(),
  updated_at: z.number(),
  finished_at: z.number().nullable(),
  milestones_reached: z.array(MilestonePercentageSchema),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** Progress across all active (running or stalled) jobs: the seed's getAggregateProgress(). */
export const AggregateProgressSchema = z.object({
  /** Completion weighted by job totals when every active job has one, else the mean of the jobs' completions. */
  overall_completion: z.number().min(0).max(1),
  active_jobs: z.number().int().nonnegative(),
  stalled_jobs: z.number().int().nonnegative(),
  total_processed: z.number().nonnegative(),
  /** Sum of the known job totals; null when no active job knows its total. */
  total_items: z.number().nonnegative().nullable(),
  /** Sum of the active jobs' rates (items/s). */
  rate: z.number().nonnegative(),
  /** The longest job ETA when every active job has one (they run in parallel), else null. */
  eta_ms: z.number().nonnegative().nullable(),
  /** Active jobs per stage; jobs that sent no stage count as `unknown`. */
  jobs_by_stage: z.record(z.string(), z.number().int().nonnegative()),
  updated_at: z.number(),
});
export type AggregateProgress = z.infer<typeof AggregateProgressSchema>;
