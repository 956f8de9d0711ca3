/**
 * Crawler → console messages: the wire schemas of both spellings and the one
 * internal model they are normalised into (documented, snake_case names, one
 * job id field). Unknown fields are never dropped: they travel in `extras`.
 */
import { z } from 'zod';
import {
  CountsSchema,
  CrawlerResumeStateSchema,
  IsoTimestamp,
  JobTypeSchema,
  ResumeStateSchema,
  type ResumeState,
} from './common';
import { fastCrawlerHeartbeat, fastCrawlerJobProgress, fastDiscoveredJob, fastDocHeartbeat, fastDocJobProgress, fastJobsDiscovered } from './fast-wire';

// ───────────────────────────── internal model ─────────────────────────────

export const SystemStatusSchema = z.enum(['idle', 'discovering', 'crawling', 'error']);
export type SystemStatus = z.infer<typeof SystemStatusSchema>;

export const HeartbeatDataSchema = z.object({
  active_jobs: z.number().int().nonnegative(),
  system_status: SystemStatusSchema,
  last_activity: IsoTimestamp.optional(),
  total_processed: z.number().nonnegative().optional(),
  memory_usage: z.unknown().optional(),
  uptime: z.number().nonnegative().optional(),
});
export type HeartbeatData = z.infer<typeof HeartbeatDataSchema>;

export const JobStartedDataSchema = z.object({
  job_type: JobTypeSchema.optional(),
  entity_type: z.string().optional(),
  entity_id: z.string().optional(),
  namespace_path: z.string().optional(),
});
export type JobStartedData = z.infer<typeof JobStartedDataSchema>;

/** One entity type's progress. The documented ProgressData, with every count optional but `total_processed`. */
export const ProgressEntitySchema = z.looseObject({
  entity_type: z.string().min(1),
  total_processed: z.number().nonnegative(),
  total_discovered: z.number().nonnegative().optional(),
  current_page: z.number().nonnegative().optional(),
  items_per_page: z.number().nonnegative().optional(),
  sub_collection: z.string().optional(),
  estimated_remaining: z.number().optional(),
  item_counts: CountsSchema.optional(),
  processing_rate: z.number().optional(),
  estimated_time_remaining: z.number().optional(),
});
export type ProgressEntity = z.infer<typeof ProgressEntitySchema>;

export const ProgressStageSchema = z.enum(['discovering', 'fetching', 'completed', 'failed']);
export type ProgressStage = z.infer<typeof ProgressStageSchema>;

export const JobProgressDataSchema = z.object({
  progress: z.array(ProgressEntitySchema),
  overall_completion: z.number().min(0).max(1).optional(),
  time_elapsed: z.number().nonnegative().optional(),
  estimated_time_remaining: z.number().optional(),
  stage: ProgressStageSchema.optional(),
  message: z.string().optional(),
  resume_state: ResumeStateSchema.optional(),
});
export type JobProgressData = z.infer<typeof JobProgressDataSchema>;

export const JobCompletedDataSchema = z.object({
  success: z.boolean(),
  final_counts: CountsSchema.optional(),
  output_files: z.array(z.string()).optional(),
  summary: z.unknown().optional(),
  message: z.string().optional(),
});
export type JobCompletedData = z.infer<typeof JobCompletedDataSchema>;

export const JobFailedDataSchema = z.object({
  error: z.string(),
  error_type: z.string().optional(),
  is_recoverable: z.boolean(),
  resume_state: ResumeStateSchema.optional(),
  partial_counts: CountsSchema.optional(),
});
export type JobFailedData = z.infer<typeof JobFailedDataSchema>;

export const DiscoveredJobSchema = z.looseObject({
  job_type: JobTypeSchema,
  entity_id: z.union([z.string().min(1), z.number()]).transform(String),
  namespace_path: z.string(),
  entity_name: z.string(),
  priority: z.number().int().default(1),
  estimated_size: CountsSchema.optional(),
});
export type DiscoveredJob = z.infer<typeof DiscoveredJobSchema>;

/**
 * A discovered item's entity id as the store keys it (DiscoveredJobSchema's transform: numbers as text),
 * read from an item as sent, so anything goes: '' when it has none (validation refuses it later). The
 * order in which the console creates a whole discovery's jobs (DiscoverySplitter's `orderBy`).
 */
export const discoveredEntityKey = (item: unknown): string => {
  if (typeof item !== 'object' || item === null) return '';
  const id = (item as { entity_id?: unknown }).entity_id;
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : '';
};

export const DiscoverySummarySchema = z.looseObject({
  total_users: z.number().optional(),
  total_groups: z.number().optional(),
  total_projects: z.number().optional(),
  hierarchy_depth: z.number().optional(),
});

/** A discovered item that failed validation: reported, while the valid ones are accepted. */
export const RejectedItemSchema = z.object({ index: z.number().int(), error: z.string() });
export type RejectedItem = z.infer<typeof RejectedItemSchema>;

export const JobsDiscoveredDataSchema = z.object({
  discovered_jobs: z.array(DiscoveredJobSchema),
  rejected_items: z.array(RejectedItemSchema),
  discovery_summary: DiscoverySummarySchema.optional(),
});
export type JobsDiscoveredData = z.infer<typeof JobsDiscoveredDataSchema>;

export const TokenRefreshRequestDataSchema = z.looseObject({
  current_token_expired: z.boolean().optional(),
  last_successful_request: z.string().optional(),
  error_details: z.string().optional(),
});
export type TokenRefreshRequestData = z.infer<typeof TokenRefreshRequestDataSchema>;

export const JobRequestDataSchema = z.object({ max_jobs: z.number().int().positive().optional() });
export type JobRequestData = z.infer<typeof JobRequestDataSchema>;

export const DiscoveryEntitySchema = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  parent_id: z.string().optional(),
});
export const DiscoveryDataSchema = z.object({ entity_type: z.string(), entities: z.array(DiscoveryEntitySchema) });
export type DiscoveryData = z.infer<typeof DiscoveryDataSchema>;

export const HelloDataSchema = z.object({
  crawler_id: z.string().min(1).max(128).regex(/^[\w.:@-]+$/, 'letters, digits and . _ : @ - only').optional(),
  name: z.string().max(200).optional(),
  version: z.string().max(100).optional(),
  host: z.string().max(255).optional(),
  pid: z.number().int().nonnegative().optional(),
  max_concurrent_jobs: z.number().int().positive().max(1000).optional(),
  capabilities: z.array(z.string()).optional(),
  auth_token: z.string().optional(),
});
export type HelloData = z.infer<typeof HelloDataSchema>;

/** The internal data model of each crawler → console message type. */
export const CrawlerDataSchemas = {
  heartbeat: HeartbeatDataSchema,
  job_started: JobStartedDataSchema,
  job_progress: JobProgressDataSchema,
  job_completed: JobCompletedDataSchema,
  job_failed: JobFailedDataSchema,
  jobs_discovered: JobsDiscoveredDataSchema,
  token_refresh_request: TokenRefreshRequestDataSchema,
  job_request: JobRequestDataSchema,
  discovery: DiscoveryDataSchema,
  hello: HelloDataSchema,
} as const;
export type CrawlerMessageType = keyof typeof CrawlerDataSchemas;
export const CRAWLER_MESSAGE_TYPES = Object.keys(CrawlerDataSchemas) as CrawlerMessageType[];

/** The message types that need a top-level job id. */
const JOB_ID_TYPES = [
  'job_started',
  'job_progress',
  'job_completed',
  'job_failed',
  'jobs_discovered',
  'token_refresh_request',
] as const satisfies readonly CrawlerMessageType[];
export type JobIdRequiredType = (typeof JOB_ID_TYPES)[number];
export const JOB_ID_REQUIRED: ReadonlySet<CrawlerMessageType> = new Set(JOB_ID_TYPES);

type DataOf<T extends CrawlerMessageType> = z.infer<(typeof CrawlerDataSchemas)[T]>;

/**
 * A normalised crawler message: one job id field (required where the protocol
 * requires it), documented names, unknown fields kept in `extras`.
 */
export type CrawlerMessageOf<T extends CrawlerMessageType> = {
  type: T;
  timestamp: string;
  data: DataOf<T>;
  /** The spelling this message showed, or null when both spellings write it the same. */
  spelling: 'documented' | 'crawler' | null;
  /** Fields the console does not model, as the crawler sent them (never dropped). */
  extras: Record<string, unknown>;
} & (T extends JobIdRequiredType ? { job_id: string } : { job_id?: string });
export type CrawlerMessage = { [T in CrawlerMessageType]: CrawlerMessageOf<T> }[CrawlerMessageType];

// ───────────────────────────── wire: documented ─────────────────────────────

const DocHeartbeat = z.looseObject({
  active_jobs: z.number().int().nonnegative(),
  last_activity: IsoTimestamp,
  system_status: SystemStatusSchema,
});
const DocJobStarted = z.looseObject({
  job_type: JobTypeSchema.optional(),
  entity_id: z.union([z.string(), z.number()]).transform(String).optional(),
  namespace_path: z.string().optional(),
});
const DocProgressData = ProgressEntitySchema.extend({ total_discovered: z.number().nonnegative() });
const DocJobProgress = z.looseObject({
  progress: z.array(DocProgressData),
  overall_completion: z.number().min(0).max(1),
  time_elapsed: z.number().nonnegative(),
  estimated_time_remaining: z.number().optional(),
});
const DocJobCompleted = z.looseObject({
  success: z.boolean(),
  final_counts: CountsSchema.optional(),
  output_files: z.array(z.string()).optional(),
  summary: z.unknown().optional(),
});
const DocJobFailed = z
  .looseObject({
    error: z.string().optional(),
    error_message: z.string().optional(),
    error_type: z.string().optional(),
    is_recoverable: z.boolean().optional(),
    resume_state: ResumeStateSchema.optional(),
    partial_counts: CountsSchema.optional(),
  })
  .refine((d) => d.error !== undefined || d.error_message !== undefined, {
    message: 'job_failed needs `error` or `error_message`',
    path: ['error'],
  });

// ───────────────────────────── wire: crawler ─────────────────────────────

const CrawlerHeartbeat = z.looseObject({
  activeJobs: z.number().int().nonnegative(),
  totalProcessed: z.number().nonnegative(),
  systemStatus: z.enum(['idle', 'discovering', 'processing', 'error']),
  memoryUsage: z.unknown().optional(),
  uptime: z.number().nonnegative().optional(),
});
const CrawlerJobStarted = z.looseObject({
  entityType: z.string().optional(),
  entityId: z.union([z.string(), z.number()]).transform(String).optional(),
});
const CrawlerJobProgress = z.looseObject({
  stage: ProgressStageSchema,
  entityType: z.string().min(1),
  processed: z.number().nonnegative(),
  total: z.number().nonnegative().optional(),
  message: z.string().optional(),
  resumeState: CrawlerResumeStateSchema.optional(),
  // Extras crawlers send today; modelled because the console shows them.
  itemCounts: CountsSchema.optional(),
  processingRate: z.number().optional(),
  estimatedTimeRemaining: z.number().optional(),
  currentPage: z.number().nonnegative().optional(),
});
const CrawlerJobCompleted = z.looseObject({
  success: z.boolean(),
  finalCounts: CountsSchema,
  message: z.string().optional(),
  outputFiles: z.array(z.string()).optional(),
});
const CrawlerJobFailed = z.looseObject({
  error: z.string(),
  errorType: z.string().optional(),
  isRecoverable: z.boolean(),
  resumeState: CrawlerResumeStateSchema.optional(),
  partialCounts: CountsSchema.optional(),
});

// ─────────────────────── wire: the same in both spellings ───────────────────────

const JobsDiscoveredWire = z.looseObject({
  discovered_jobs: z.array(z.unknown()),
  discovery_summary: DiscoverySummarySchema.optional(),
  /**
   * A part of a larger message (the console's own split of an oversized jobs_discovered, discovery-splitter.ts):
   * the index each item had in the whole message, so refused items are named by that index.
   */
  items_index: z.array(z.number().int().nonnegative()).optional(),
});
const DiscoveryWire = z.looseObject({
  entityType: z.string().min(1),
  entities: z.array(
    z.looseObject({
      id: z.union([z.string(), z.number()]).transform(String),
      name: z.string(),
      path: z.string(),
      parentId: z.union([z.string(), z.number()]).transform(String).optional(),
    }),
  ),
});

export const toResumeState = (r: z.infer<typeof CrawlerResumeStateSchema>): ResumeState => {
  // Per progress message: the common form (only the three modelled keys) without spreads.
  let onlyModelled = true;
  for (const k in r) {
    if (k !== 'lastEntityId' && k !== 'currentPage' && k !== 'entityType') {
      onlyModelled = false;
      break;
    }
  }
  if (onlyModelled) {
    const out: ResumeState = {};
    if (r.lastEntityId !== undefined) out.last_entity_id = r.lastEntityId;
    if (r.currentPage !== undefined) out.current_page = r.currentPage;
    if (r.entityType !== undefined) out.entity_type = r.entityType;
    return out;
  }
  const { lastEntityId, currentPage, entityType, ...rest } = r;
  return {
    ...rest,
    ...(lastEntityId !== undefined && { last_entity_id: lastEntityId }),
    ...(currentPage !== undefined && { current_page: currentPage }),
    ...(entityType !== undefined && { entity_type: entityType }),
  };
};

/**
 * Marks the internal objects built from wire data. Absent optional fields stay
 * as `undefined` properties rather than being deleted: on the message path a
 * fixed object shape is much cheaper for V8, and `undefined` means "not sent".
 */
const undefinedFree = <T extends Record<string, unknown>>(o: T): T => o;

/**
 * One wire form of a message type: its schema, the keys it models (everything
 * else is an extra) and how its data becomes the internal model.
 */
interface WireForm<T extends CrawlerMessageType> {
  schema: z.ZodType<Record<string, unknown>>;
  known: ReadonlySet<string>;
  toInternal: (data: Record<string, unknown>) => DataOf<T>;
  /**
   * A hand-checked stand-in for `schema.safeParse` on the common shape (see
   * fast-wire.ts): the schema's output, or undefined when the schema must decide.
   */
  fast?: (data: Record<string, unknown>) => Record<string, unknown> | undefined;
}

const form = <T extends CrawlerMessageType, S extends z.ZodType<Record<string, unknown>>>(
  schema: S,
  known: readonly string[],
  toInternal: (data: z.output<S>) => DataOf<T>,
  fast?: (data: Record<string, unknown>) => Record<string, unknown> | undefined,
): WireForm<T> => ({
  schema,
  known: new Set(known),
  toInternal: toInternal as (data: Record<string, unknown>) => DataOf<T>,
  ...(fast && { fast }),
});

export interface MessageForms<T extends CrawlerMessageType> {
  documented: WireForm<T>;
  /** Absent where both spellings write the message the same way. */
  crawler?: WireForm<T>;
  /** Data keys that only the crawler spelling uses: evidence of it. */
  crawlerKeys?: readonly string[];
}

export const WIRE_FORMS: { [T in CrawlerMessageType]: MessageForms<T> } = {
  heartbeat: {
    documented: form(
      DocHeartbeat,
      ['active_jobs', 'last_activity', 'system_status'],
      (d) => undefinedFree({ active_jobs: d.active_jobs, system_status: d.system_status, last_activity: d.last_activity }),
      fastDocHeartbeat,
    ),
    crawler: form(CrawlerHeartbeat, ['activeJobs', 'totalProcessed', 'systemStatus', 'memoryUsage', 'uptime'], (d) =>
      undefinedFree({
        active_jobs: d.activeJobs,
        system_status: d.systemStatus === 'processing' ? 'crawling' : d.systemStatus,
        total_processed: d.totalProcessed,
        memory_usage: d.memoryUsage,
        uptime: d.uptime,
      }),
      fastCrawlerHeartbeat,
    ),
    crawlerKeys: ['activeJobs', 'systemStatus', 'totalProcessed'],
  },
  job_started: {
    documented: form(DocJobStarted, ['job_type', 'entity_id', 'namespace_path'], (d) =>
      undefinedFree({ job_type: d.job_type, entity_id: d.entity_id, namespace_path: d.namespace_path }),
    ),
    crawler: form(CrawlerJobStarted, ['entityType', 'entityId'], (d) =>
      undefinedFree({ entity_type: d.entityType, entity_id: d.entityId }),
    ),
    crawlerKeys: ['entityType', 'entityId'],
  },
  job_progress: {
    documented: form(
      DocJobProgress,
      ['progress', 'overall_completion', 'time_elapsed', 'estimated_time_remaining'],
      (d) =>
        undefinedFree({
          progress: d.progress,
          overall_completion: d.overall_completion,
          time_elapsed: d.time_elapsed,
          estimated_time_remaining: d.estimated_time_remaining,
        }),
      fastDocJobProgress,
    ),
    crawler: form(
      CrawlerJobProgress,
      [
        'stage', 'entityType', 'processed', 'total', 'message', 'resumeState',
        'itemCounts', 'processingRate', 'estimatedTimeRemaining', 'currentPage',
      ],
      (d) =>
        undefinedFree({
          progress: [
            undefinedFree({
              entity_type: d.entityType,
              total_processed: d.processed,
              total_discovered: d.total,
              current_page: d.currentPage ?? d.resumeState?.currentPage,
              item_counts: d.itemCounts,
              processing_rate: d.processingRate,
              estimated_time_remaining: d.estimatedTimeRemaining,
            }),
          ],
          estimated_time_remaining: d.estimatedTimeRemaining,
          stage: d.stage,
          message: d.message,
          resume_state: d.resumeState && toResumeState(d.resumeState),
        }),
      fastCrawlerJobProgress,
    ),
    crawlerKeys: ['entityType', 'processed', 'stage', 'resumeState'],
  },
  job_completed: {
    documented: form(DocJobCompleted, ['success', 'final_counts', 'output_files', 'summary'], (d) =>
      undefinedFree({ success: d.success, final_counts: d.final_counts, output_files: d.output_files, summary: d.summary }),
    ),
    crawler: form(CrawlerJobCompleted, ['success', 'finalCounts', 'message', 'outputFiles'], (d) =>
      undefinedFree({ success: d.success, final_counts: d.finalCounts, output_files: d.outputFiles, message: d.message }),
    ),
    crawlerKeys: ['finalCounts', 'outputFiles'],
  },
  job_failed: {
    documented: form(
      DocJobFailed,
      ['error', 'error_message', 'error_type', 'is_recoverable', 'resume_state', 'partial_counts'],
      (d) =>
        undefinedFree({
          error: (d.error ?? d.error_message) as string,
          error_type: d.error_type,
          is_recoverable: d.is_recoverable ?? false,
          resume_state: d.resume_state,
          partial_counts: d.partial_counts,
        }),
    ),
    crawler: form(CrawlerJobFailed, ['error', 'errorType', 'isRecoverable', 'resumeState', 'partialCounts'], (d) =>
      undefinedFree({
        error: d.error,
        error_type: d.errorType,
        is_recoverable: d.isRecoverable,
        resume_state: d.resumeState && toResumeState(d.resumeState),
        partial_counts: d.partialCounts,
      }),
    ),
    crawlerKeys: ['isRecoverable', 'errorType', 'resumeState', 'partialCounts'],
  },
  jobs_discovered: {
    documented: form(
      JobsDiscoveredWire,
      ['discovered_jobs', 'discovery_summary', 'items_index'],
      (d) => {
        const accepted: DiscoveredJob[] = [];
        const rejected: RejectedItem[] = [];
        d.discovered_jobs.forEach((item, index) => {
          // The common item by hand (the schema's exact result), anything else by the schema, errors included.
          const fast = fastDiscoveredJob(item) as DiscoveredJob | undefined;
          if (fast !== undefined) return void accepted.push(fast);
          const r = DiscoveredJobSchema.safeParse(item);
          if (r.success) accepted.push(r.data);
          else rejected.push({ index: d.items_index?.[index] ?? index, error: summarizeIssues(r.error.issues) });
        });
        return undefinedFree({ discovered_jobs: accepted, rejected_items: rejected, discovery_summary: d.discovery_summary });
      },
      fastJobsDiscovered,
    ),
  },
  token_refresh_request: {
    documented: form(
      TokenRefreshRequestDataSchema,
      ['current_token_expired', 'last_successful_request', 'error_details'],
      (d) => d,
    ),
  },
  job_request: {
    documented: form(z.looseObject({ max_jobs: z.number().int().positive().optional() }), ['max_jobs'], (d) =>
      undefinedFree({ max_jobs: d.max_jobs }),
    ),
  },
  discovery: {
    documented: form(DiscoveryWire, ['entityType', 'entities'], (d) => ({
      entity_type: d.entityType,
      entities: d.entities.map((e) => undefinedFree({ id: e.id, name: e.name, path: e.path, parent_id: e.parentId })),
    })),
  },
  hello: {
    documented: form(
      z.looseObject(HelloDataSchema.shape),
      ['crawler_id', 'name', 'version', 'host', 'pid', 'max_concurrent_jobs', 'capabilities', 'auth_token'],
      (d) => undefinedFree({ ...pick(d, HelloDataSchema.shape) }),
    ),
  },
};

function pick<T extends Record<string, unknown>>(o: T, shape: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(o).filter(([k]) => k in shape)) as T;
}

/** A short, human summary of zod issues: `path: message; …` (at most five). */
export function summarizeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  if (issues.length > 5) parts.push(`… and ${issues.length - 5} more`);
  return parts.join('; ');
}
