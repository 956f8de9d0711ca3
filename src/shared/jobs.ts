/**
 * The console's job records as the API and the UI see them: statuses, origins,
 * history events and per-entity progress. Pure zod, shared by every layer.
 *
 * Times are epoch milliseconds (numbers), everywhere.
 */
import { z } from 'zod';
import { CountsSchema, ResumeStateSchema } from './protocol/common';

export const JOB_STATUSES = ['queued', 'assigned', 'running', 'completed', 'failed', 'cancelled', 'waiting_credentials'] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** Statuses a job never leaves on its own (an operator retry starts it again). */
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
/** Statuses in which a job belongs to a crawler (`leased_to`). */
export const HELD_JOB_STATUSES: readonly JobStatus[] = ['assigned', 'running', 'waiting_credentials'];
export const isFinalJobStatus = (s: JobStatus): boolean => FINAL_JOB_STATUSES.includes(s);

/** Who made the job: an operator, a discovery job, or a crawler that reported a job the console did not know. */
export const JobOriginSchema = z.enum(['operator', 'discovery', 'crawler']);
export type JobOrigin = z.infer<typeof JobOriginSchema>;

/** What a job history entry records. Open for additions; the database does not restrict it. */
export const JOB_EVENT_KINDS = [
  'created',
  'adopted',
  'assigned',
  'started',
  'progress_milestone',
  'requeued',
  'retry_scheduled',
  'retried',
  'completed',
  'failed',
  'cancelled',
  'priority_changed',
  'waiting_credentials',
  'credentials_provided',
  'lease_expired',
  'jobs_discovered',
  'updated',
] as const;
export const JobEventKindSchema = z.enum(JOB_EVENT_KINDS);
export type JobEventKind = z.infer<typeof JobEventKindSchema>;

/**
 * A job as the API and UI see it. `job_type` is open text: jobs adopted from a
 * crawler may carry a type the console has no name for; jobs the console makes
 * use the protocol's four job types.
 */
export const JobDtoSchema = z.object({
  job_id: z.string().min(1),
  job_type: z.string().min(1),
  /** '' when unknown (a job adopted from a crawler that did not say). */
  gitlab_host: z.string(),
  entity_id: z.string().nullable(),
  namespace_path: z.string().nullable(),
  entity_name: z.string().nullable(),
  /** Higher runs first. */
  priority: z.number().int(),
  status: JobStatusSchema,
  /** Attempts started so far (counted when a lease is lost or a recoverable failure is retried). */
  attempts: z.number().int().nonnegative(),
  parent_job_id: z.string().nullable(),
  origin: JobOriginSchema,
  /** The crawler the job is leased to, if any. */
  crawler_id: z.string().nullable(),
  lease_expires_at: z.number().nullable(),
  credential_id: z.string().nullable(),
  resume_state: ResumeStateSchema.nullable(),
  resume: z.boolean(),
  estimated_size: CountsSchema.nullable(),
  /** Not dispatched before this time (retry backoff). */
  not_before: z.number().nullable(),
  last_error: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
  started_at: z.number().nullable(),
  finished_at: z.number().nullable(),
  overall_completion: z.number().min(0).max(1).nullable(),
  stage: z.string().nullable(),
  message: z.string().nullable(),
  last_progress_at: z.number().nullable(),
  /** ms, as the crawler last reported. */
  time_elapsed: z.number().nullable(),
  /** ms, as the crawler last reported. */
  estimated_time_remaining: z.number().nullable(),
});
export type JobDto = z.infer<typeof JobDtoSchema>;

/** One entry of a job's history. */
export const JobEventDtoSchema = z.object({
  id: z.number().int(),
  job_id: z.string(),
  at: z.number(),
  kind: z.string(),
  from_status: JobStatusSchema.nullable(),
  to_status: JobStatusSchema.nullable(),
  crawler_id: z.string().nullable(),
  reason: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type JobEventDto = z.infer<typeof JobEventDtoSchema>;

/** Stored progress of one entity type of a job (the last values reported). */
export const JobEntityProgressDtoSchema = z.object({
  job_id: z.string(),
  entity_type: z.string(),
  total_discovered: z.number().nullable(),
  total_processed: z.number().nullable(),
  current_page: z.number().nullable(),
  items_per_page: z.number().nullable(),
  sub_collection: z.string().nullable(),
  processing_rate: z.number().nullable(),
  estimated_time_remaining: z.number().nullable(),
  item_counts: CountsSchema.nullable(),
  /** Fields the crawler sent that the console does not model. */
  extras: z.record(z.string(), z.unknown()).nullable(),
  updated_at: z.number(),
});
export type JobEntityProgressDto = z.infer<typeof JobEntityProgressDtoSchema>;

export const JOB_SORT_FIELDS = [
  'created_at',
  'updated_at',
  'priority',
  'status',
  'job_type',
  'namespace_path',
  'entity_name',
  'started_at',
  'finished_at',
  'overall_completion',
  'attempts',
] as const;
export const JobSortFieldSchema = z.enum(JOB_SORT_FIELDS);
export type JobSortField = z.infer<typeof JobSortFieldSchema>;

export const MAX_LIST_LIMIT = 1000;

/** A job list query: filters (all optional, combined with AND), sort and page. */
export const ListJobsQuerySchema = z.object({
  status: z.array(JobStatusSchema).optional(),
  job_type: z.array(z.string()).optional(),
  origin: z.array(JobOriginSchema).optional(),
  /** Jobs leased to this crawler. */
  crawler: z.string().optional(),
  parent_job_id: z.string().optional(),
  /** Case-insensitive substring of the job id, entity id, namespace path or entity name. */
  text: z.string().max(500).optional(),
  sort: JobSortFieldSchema.default('created_at'),
  dir: z.enum(['asc', 'desc']).default('desc'),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).default(100),
  offset: z.number().int().min(0).default(0),
  /**
   * Keyset paging: the `next_cursor` of the previous page (same filters and
   * sort). The page starts right after that row, so a deep page costs what the
   * first one does. `offset` then counts from there.
   */
  after: z.string().min(1).max(2000).optional(),
});
export type ListJobsQuery = z.input<typeof ListJobsQuerySchema>;
