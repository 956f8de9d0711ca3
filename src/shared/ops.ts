/**
 * Operator power, as every layer sees it: recurring crawls (schedules), paused
 * dispatch and quieted crawlers, per-minute history samples, and error groups.
 * Times are epoch milliseconds.
 */
import { z } from 'zod';
import { JobTypeSchema } from './protocol';
import { JobStatusSchema } from './jobs';
import { ErrorRecordSchema } from './records';

// ───────────────────────────── schedules ─────────────────────────────

export const MIN_SCHEDULE_INTERVAL_MS = 1_000;
export const MAX_SCHEDULE_INTERVAL_MS = 366 * 24 * 3_600_000;

/** What a schedule fires: a job template (the fields of createJob that describe the work). */
export const ScheduleTemplateShape = {
  job_type: JobTypeSchema,
  gitlab_host: z.string().trim().min(1, 'GitLab host is required').max(255),
  /** A saved credential; null uses the newest one saved for the host when the job is created. */
  credential_id: z.string().min(1).nullable().default(null),
  entity_id: z.string().trim().max(200).nullable().default(null),
  namespace_path: z.string().trim().max(1000).nullable().default(null),
  priority: z.number().int().min(-1000).max(1000).default(1),
};

/** When it fires: a cron expression (5 or 6 fields, checked by the core's cron parser) or a fixed interval. */
export const ScheduleTimingShape = {
  cron: z.string().trim().min(1).max(200).nullable().default(null),
  interval_ms: z.number().int().min(MIN_SCHEDULE_INTERVAL_MS, 'an interval is at least one second').max(MAX_SCHEDULE_INTERVAL_MS).nullable().default(null),
  /** IANA time zone for cron expressions (default: the console machine's). */
  timezone: z.string().trim().min(1).max(64).nullable().default(null),
};

export const ScheduleOutcomeSchema = z.enum(['created', 'skipped', 'failed']);
export type ScheduleOutcome = z.infer<typeof ScheduleOutcomeSchema>;

export const ScheduleSchema = z.object({
  id: z.string(),
  name: z.string(),
  ...ScheduleTemplateShape,
  ...ScheduleTimingShape,
  paused: z.boolean(),
  /** When it fires next (null while paused). */
  next_run_at: z.number().nullable(),
  last_run_at: z.number().nullable(),
  last_outcome: ScheduleOutcomeSchema.nullable(),
  /** Why the last run was skipped or failed, or which job it created. */
  last_message: z.string().nullable(),
  last_job_id: z.string().nullable(),
  /** The last created job's status now (null when it is gone or there is none). */
  last_job_status: JobStatusSchema.nullable(),
  runs: z.number().int(),
  skips: z.number().int(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

const timingRequired = (v: { cron?: string | null | undefined; interval_ms?: number | null | undefined }) => (v.cron ?? null) !== null !== ((v.interval_ms ?? null) !== null);
const timingMessage = { message: 'give either a cron expression or an interval, not both', path: ['cron'] };
const targetRequired = (v: { job_type?: string | undefined; entity_id?: string | null | undefined; namespace_path?: string | null | undefined }) =>
  v.job_type === undefined || v.job_type === 'discover_namespaces' || (v.entity_id ?? '') !== '' || (v.namespace_path ?? '') !== '';
const targetMessage = { message: 'an entity id or a namespace path is required for this job type', path: ['entity_id'] };

export const CreateScheduleInputSchema = z
  .object({ name: z.string().trim().min(1, 'a name is required').max(100), ...ScheduleTemplateShape, ...ScheduleTimingShape, paused: z.boolean().default(false) })
  .refine(timingRequired, timingMessage)
  .refine(targetRequired, targetMessage);
export type CreateScheduleInput = z.input<typeof CreateScheduleInputSchema>;

/** An edit: the fields given replace the schedule's (timing is replaced as a whole when either is given). */
export const UpdateScheduleInputSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().trim().min(1).max(100).optional(),
    job_type: ScheduleTemplateShape.job_type.optional(),
    gitlab_host: ScheduleTemplateShape.gitlab_host.optional(),
    credential_id: z.string().min(1).nullable().optional(),
    entity_id: z.string().trim().max(200).nullable().optional(),
    namespace_path: z.string().trim().max(1000).nullable().optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    cron: ScheduleTimingShape.cron.unwrap().optional(),
    interval_ms: ScheduleTimingShape.interval_ms.unwrap().optional(),
    timezone: ScheduleTimingShape.timezone.unwrap().optional(),
  })
  .refine((v) => (v.cron === undefined && v.interval_ms === undefined) || timingRequired(v), timingMessage);
export type UpdateScheduleInput = z.input<typeof UpdateScheduleInputSchema>;

export const ScheduleRefSchema = z.object({ id: z.string().min(1, 'a schedule id is required') });

export const RunScheduleResultSchema = z.object({
  schedule: ScheduleSchema,
  outcome: ScheduleOutcomeSchema,
  job_id: z.string().nullable(),
  message: z.string(),
});
export type RunScheduleResult = z.infer<typeof RunScheduleResultSchema>;

// ───────────────────────────── pause and quiet ─────────────────────────────

export const QuietCrawlerSchema = z.object({ crawler_id: z.string(), since: z.number() });

export const DispatchStateSchema = z.object({
  /** No crawler is handed new work (job_assignment or job_response); running jobs go on. */
  paused: z.boolean(),
  paused_at: z.number().nullable(),
  reason: z.string().nullable(),
  /** Crawlers that finish what they hold and get nothing new. */
  quiet: z.array(QuietCrawlerSchema),
});
export type DispatchState = z.infer<typeof DispatchStateSchema>;

// ───────────────────────────── history ─────────────────────────────

export const HistoryRangeSchema = z.enum(['15m', '6h', '7d']);
export type HistoryRange = z.infer<typeof HistoryRangeSchema>;
export const HISTORY_RANGE_MS: Record<HistoryRange, number> = { '15m': 15 * 60_000, '6h': 6 * 3_600_000, '7d': 7 * 86_400_000 };
/** Points are summed into buckets this wide, so a 7-day chart is about a thousand points, not ten thousand. */
export const HISTORY_BUCKET_MS: Record<HistoryRange, number> = { '15m': 60_000, '6h': 60_000, '7d': 600_000 };

/** One stored sample: what happened during `interval_ms` up to `at`, and the state at `at`. */
export const MetricSampleSchema = z.object({
  at: z.number(),
  interval_ms: z.number().int(),
  messages: z.number().int(),
  items: z.number().int(),
  errors: z.record(z.string(), z.number().int()),
  queue: z.record(z.string(), z.number().int()),
  crawlers_connected: z.number().int(),
});
export type MetricSample = z.infer<typeof MetricSampleSchema>;

/** One chart point: per-second rates over a bucket, and the last state in it. */
export const HistoryPointSchema = z.object({
  at: z.number(),
  messages_per_s: z.number(),
  items_per_s: z.number(),
  errors: z.number().int(),
  queued: z.number().int(),
  running: z.number().int(),
  crawlers_connected: z.number().int(),
});
export type HistoryPoint = z.infer<typeof HistoryPointSchema>;

// ───────────────────────────── error groups ─────────────────────────────

export const ErrorGroupBySchema = z.enum(['code', 'category', 'crawler', 'host']);
export type ErrorGroupBy = z.infer<typeof ErrorGroupBySchema>;

export const ErrorGroupsQuerySchema = z.object({
  by: ErrorGroupBySchema.default('code'),
  /** Words that must all appear in the message (case-insensitive). */
  q: z.string().trim().max(200).optional(),
  since: z.number().optional(),
  until: z.number().optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
export type ErrorGroupsQuery = z.input<typeof ErrorGroupsQuerySchema>;

export const ErrorGroupSchema = z.object({
  /** The group's value (null: errors without a code, crawler or known host). */
  key: z.string().nullable(),
  count: z.number().int(),
  first_at: z.number(),
  last_at: z.number(),
  /** The newest error of the group. */
  latest: ErrorRecordSchema,
});
export type ErrorGroup = z.infer<typeof ErrorGroupSchema>;
