/**
 * The contract between the core and any UI: every command with its input and
 * output schema. The Electron IPC handlers, the preload, the HTTP routes and the
 * renderer's client are all derived from this one table.
 */
import { z } from 'zod';
import { JobTypeSchema, WebAppMessageInputSchema } from '../protocol';
import {
  JobDtoSchema,
  JobEntityProgressDtoSchema,
  JobEventDtoSchema,
  JobStatusSchema,
  ListJobsQuerySchema,
  MAX_LIST_LIMIT,
} from '../jobs';
import { CrawlerSchema, CredentialSchema, ErrorRecordSchema } from '../records';
import { ConnectionInfoSchema, ConnectionStatsSchema } from '../connection';
import { AggregateProgressSchema, JobProgressSchema } from '../progress';
import { ErrorCategorySchema, ErrorSeveritySchema } from '../errors';
import { SocketServerConfigShape } from '../config';
import { LivenessLimitsSchema, LivenessSchema } from '../liveness';
import type { EventBatch } from './events';
import {
  CreateScheduleInputSchema,
  DispatchStateSchema,
  ErrorGroupSchema,
  ErrorGroupsQuerySchema,
  HistoryPointSchema,
  HistoryRangeSchema,
  RunScheduleResultSchema,
  ScheduleRefSchema,
  ScheduleSchema,
  UpdateScheduleInputSchema,
} from '../ops';
import { HeartbeatPointSchema, JobResultSchema } from '../power-views';
import { BulkApplyInputSchema, BulkCancelResultSchema, BulkPreviewSchema, BulkSummarySchema, BulkTargetSchema } from '../bulk';

const Empty = z.object({}).prefault({});
const JobRef = z.object({ job_id: z.string().min(1, 'job_id is required') });

/** The configuration as the UI sees it: the auth token replaced by whether one is set. */
export const PublicConfigSchema = z
  .object(SocketServerConfigShape)
  .omit({ authToken: true })
  .extend({ auth_token_set: z.boolean() });
export type PublicConfig = z.infer<typeof PublicConfigSchema>;

/** A background step's progress: rows still to do (capped: `backlogExact` false beyond the cap) and why its last step failed, if it did. */
const BacklogStatusSchema = z.object({ backlog: z.number().int(), backlogExact: z.boolean(), failure: z.string().optional() });

/** The seed's ServerStatus, as the seed spells it, plus what the console adds. */
export const ServerStatusSchema = z.object({
  isRunning: z.boolean(),
  connections: z.number().int(),
  activeConnections: z.number().int(),
  uptime: z.number(),
  config: PublicConfigSchema,
  connectionStats: ConnectionStatsSchema,
  socketPath: z.string(),
  tcp: z.object({ host: z.string(), port: z.number() }).nullable(),
  /** How tokens are kept at rest (e.g. "aes-256-gcm-file", "electron-safe-storage"), and whether that is secure. */
  tokenStorage: z.object({ kind: z.string(), secure: z.boolean() }),
  dataDir: z.string(),
  /** The TCP listener's TLS certificate: the SHA-256 fingerprint crawlers pin (null when TCP is off or plain). */
  tls: z.object({ fingerprint256: z.string(), certPath: z.string(), selfSigned: z.boolean() }).nullable().optional(),
  /** TCP peers waiting to authenticate and what failed before authentication. */
  preAuth: z
    .object({ pending: z.number().int(), failures: z.number().int(), byReason: z.record(z.string(), z.number()), lockedAddresses: z.number().int(), refusedWhileLocked: z.number().int() })
    .optional(),
  /** Whether the console can write its database and its log; a full or read-only disk is reported here. */
  storage: z
    .object({
      ok: z.boolean(),
      problems: z.array(z.object({ part: z.enum(['database', 'log']), message: z.string(), since: z.number() })),
    })
    .optional(),
  /** The limits the console judges crawler liveness by (from the heartbeat settings in force). */
  liveness: LivenessLimitsSchema,
  /** The console's clock when it answered: the page measures ages against it, not its own. */
  serverTime: z.number(),
  /** Connections refused since the console started: over the connection limit, or with a missing/wrong auth token. */
  refused: z.object({ server_full: z.number().int(), auth_failed: z.number().int(), last_at: z.number().nullable() }),
  /**
   * Jobs not yet in the text-search index (filled in the background after a big discovery): searches stay
   * exact meanwhile, only slower. Counted no further than a cap: `backlogExact` is false when there are more.
   */
  searchIndex: BacklogStatusSchema.optional(),
  /** The path sort's own order (job_path_order), filled in the background like the search index: sorting by path is exact meanwhile, only slower. */
  pathOrder: BacklogStatusSchema.optional(),
  /** The name sort's own order (job_name_order), filled the same way. */
  nameOrder: BacklogStatusSchema.optional(),
});
export type ServerStatus = z.infer<typeof ServerStatusSchema>;

/** A crawler as the console shows it: what the store remembers plus its live connection, if any. */
export const CrawlerViewSchema = CrawlerSchema.extend({
  crawler_id: z.string(),
  connection: ConnectionInfoSchema.nullable(),
  /** Jobs leased to it now (assigned, running or waiting for credentials). */
  active_jobs: z.number().int(),
  /** Its capacity: max_concurrent_jobs from hello, else the console's maxConcurrentJobs. */
  capacity: z.number().int(),
  /** The console made its id up: it never said hello with one (the crawler in the wild reconnects under a new id each time). */
  anonymous: z.boolean().optional(),
  /** The console's verdict while connected (null when not). */
  liveness: LivenessSchema.nullable(),
}).omit({ id: true });
export type CrawlerView = z.infer<typeof CrawlerViewSchema>;

/** A GitLab host as an operator types it: `gitlab.example.com`, with an optional scheme, port or path. */
export const GitlabHostSchema = z
  .string()
  .trim()
  .min(1, 'GitLab host is required')
  .max(255)
  .regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?(\/[^\s]*)?$/, 'a host name such as gitlab.example.com');

export const CreateJobInputSchema = z
  .object({
    job_type: JobTypeSchema,
    gitlab_host: GitlabHostSchema,
    /** A saved credential to use … */
    credential_id: z.string().min(1).optional(),
    /** … or a token to save (encrypted) and use. */
    access_token: z.string().trim().min(8, 'a GitLab token is at least 8 characters').max(512).optional(),
    credential_label: z.string().trim().max(100).optional(),
    entity_id: z.string().trim().max(200).optional(),
    namespace_path: z.string().trim().max(1000).optional(),
    priority: z.number().int().min(-1000).max(1000).default(1),
    /** Assign to this connected crawler now (else the job is queued). */
    crawler_id: z.string().min(1).optional(),
  })
  .refine((v) => !(v.credential_id && v.access_token), { message: 'choose a saved credential or enter a token, not both', path: ['access_token'] })
  .refine((v) => v.job_type === 'discover_namespaces' || (v.entity_id ?? '') !== '' || (v.namespace_path ?? '') !== '', {
    message: 'an entity id or a namespace path is required for this job type',
    path: ['entity_id'],
  })
  .superRefine((v, ctx) => {
    const problem = v.entity_id ? entityIdProblem(v.job_type, v.entity_id) : null;
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['entity_id'], input: v.entity_id });
  });

/** What a GitLab entity id looks like for each job type: its numeric id, or its path (a user's username). */
const ENTITY_ID_RULES: Record<z.infer<typeof JobTypeSchema>, { what: string; path: RegExp; example: string }> = {
  crawl_project: { what: 'a project', path: /^[\w.-]+(\/[\w.-]+)+$/, example: '4100 or acme/platform/api' },
  crawl_group: { what: 'a group', path: /^[\w.-]+(\/[\w.-]+)*$/, example: '77 or acme/platform' },
  crawl_user: { what: 'a user', path: /^[\w.-]+$/, example: '9001 or grace.hopper' },
  discover_namespaces: { what: 'a namespace', path: /^[\w.-]+(\/[\w.-]+)*$/, example: '77 or acme' },
};

/** Null when `id` fits the job type; else the sentence to show. */
export function entityIdProblem(jobType: z.infer<typeof JobTypeSchema>, id: string): string | null {
  const rule = ENTITY_ID_RULES[jobType];
  if (/^[1-9]\d{0,17}$/.test(id) || rule.path.test(id)) return null;
  return `Entity id for ${rule.what} is its GitLab numeric id or its path, e.g. ${rule.example}`;
}
export type CreateJobInput = z.input<typeof CreateJobInputSchema>;

export const ListErrorsQuerySchema = z.object({
  category: ErrorCategorySchema.optional(),
  severity: ErrorSeveritySchema.optional(),
  crawler_id: z.string().optional(),
  job_id: z.string().optional(),
  /** Errors at or after this time (epoch ms). */
  since: z.number().optional(),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).default(100),
  offset: z.number().int().min(0).default(0),
});

export const JobDetailSchema = z.object({
  job: JobDtoSchema,
  progress: z.array(JobEntityProgressDtoSchema),
  /** Live progress (rate, remaining time) while the job runs. */
  live: JobProgressSchema.nullable(),
  events: z.array(JobEventDtoSchema),
  errors: z.array(ErrorRecordSchema),
  children: z.array(JobDtoSchema),
  children_total: z.number().int(),
  parent: JobDtoSchema.nullable(),
});
export type JobDetail = z.infer<typeof JobDetailSchema>;

const ExportFilterSchema = ListJobsQuerySchema.omit({ limit: true, offset: true, after: true });

/**
 * The options without their defaults: a partial update must leave out what the
 * caller left out (with the defaults, `.partial()` would fill every missing
 * option back to its default and reset the whole configuration).
 */
type WithoutDefaults<T> = { [K in keyof T]: T[K] extends z.ZodDefault<infer Inner> ? Inner : T[K] };
const ConfigPatchShape = Object.fromEntries(
  Object.entries(SocketServerConfigShape).map(([key, schema]) => [key, schema instanceof z.ZodDefault ? schema.unwrap() : schema]),
) as WithoutDefaults<typeof SocketServerConfigShape>;

/** A token's expiry: epoch ms, in the future. */
const TokenExpirySchema = z
  .number()
  .int()
  .positive()
  .refine((t) => t > Date.now(), 'the expiry must be in the future');

const CredentialSavedSchema = z.object({
  credential: CredentialSchema,
  /** Crawlers waiting on a token that were sent the new one (token_refresh_response). */
  answered_refresh_requests: z.number().int(),
  /** Jobs waiting for credentials that went back to the queue with the new token. */
  requeued_jobs: z.number().int().optional(),
});

const command = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, description: string) => ({ input, output, description });

export const commands = {
  getStatus: command(Empty, ServerStatusSchema, 'The server status (the seed’s ServerStatus) and where the console listens.'),
  listCrawlers: command(
    z
      .object({
        include_disconnected: z.boolean().default(true),
        /** Anonymous crawlers disconnected longer than this are left out (their history stays). Default 10 minutes. */
        anonymous_retention_ms: z.number().int().min(0).max(365 * 24 * 3_600_000).default(600_000),
      })
      .prefault({}),
    z.object({
      crawlers: z.array(CrawlerViewSchema),
      /** Disconnected anonymous crawlers left out by anonymous_retention_ms. */
      anonymous_pruned: z.number().int().optional(),
    }),
    'Every crawler seen, connected ones first.',
  ),
  listJobs: command(
    ListJobsQuerySchema.prefault({}),
    z.object({
      jobs: z.array(JobDtoSchema),
      total: z.number().int(),
      /** False when `total` is a lower bound (a text search matching very many jobs is not counted to the end). */
      total_exact: z.boolean().optional(),
      /** Pass as `after` for the next page; null on the last page. */
      next_cursor: z.string().nullable().optional(),
    }),
    'A page of jobs, filtered and sorted.',
  ),
  getJob: command(JobRef, JobDetailSchema, 'One job with progress, history, errors and children.'),
  createJob: command(
    CreateJobInputSchema,
    z.object({
      job: JobDtoSchema,
      /**
       * How an assigned job reaches its crawler: pushed now (job_assignment), or held and handed over
       * in the crawler's next job_response (it never said hello, so it ignores job_assignment).
       */
      handover: z.enum(['pushed', 'on_next_request']).optional(),
    }),
    'Create a job; queue it or assign it to a connected crawler now.',
  ),
  cancelJob: command(JobRef.extend({ reason: z.string().max(500).optional() }), z.object({ job: JobDtoSchema }), 'Cancel a job (the crawler holding it gets job_cancel).'),
  retryJob: command(JobRef, z.object({ job: JobDtoSchema }), 'Queue a failed or cancelled job again, resuming from its last state.'),
  setJobPriority: command(JobRef.extend({ priority: z.number().int().min(-1000).max(1000) }), z.object({ job: JobDtoSchema }), 'Change a job’s priority.'),
  broadcast: command(WebAppMessageInputSchema, z.object({ delivered: z.number().int() }), 'Send a console → crawler message to every connected crawler.'),
  sendToCrawler: command(
    z.object({ crawler_id: z.string().min(1), message: WebAppMessageInputSchema }),
    z.object({ delivered: z.literal(true) }),
    'Send a console → crawler message to one crawler.',
  ),
  listErrors: command(ListErrorsQuerySchema.prefault({}), z.object({ errors: z.array(ErrorRecordSchema), total: z.number().int() }), 'Recorded errors, newest first.'),
  getAggregateProgress: command(Empty, AggregateProgressSchema.nullable(), 'Progress across running jobs, or null when none runs.'),
  getConfig: command(
    Empty,
    z.object({ config: PublicConfigSchema, restart_required_fields: z.array(z.string()) }),
    'The runtime configuration (no secrets).',
  ),
  updateConfig: command(
    z.object(ConfigPatchShape).omit({ authToken: true }).partial(),
    z.object({ config: PublicConfigSchema, changed: z.array(z.string()), restart_required: z.array(z.string()) }),
    'Change configuration; says which changes need a restart.',
  ),
  listCredentials: command(Empty, z.object({ credentials: z.array(CredentialSchema) }), 'Saved GitLab credentials, masked.'),
  saveCredential: command(
    z.object({
      gitlab_host: GitlabHostSchema,
      label: z.string().trim().max(100).optional(),
      access_token: z.string().trim().min(8, 'a GitLab token is at least 8 characters').max(512),
      /** When the token expires (epoch ms); GitLab shows it with the token. */
      expires_at: TokenExpirySchema.optional(),
    }),
    CredentialSavedSchema,
    'Save a token (encrypted); crawlers waiting for a token for that host are answered.',
  ),
  replaceCredentialToken: command(
    z.object({
      id: z.string().min(1),
      access_token: z.string().trim().min(8, 'a GitLab token is at least 8 characters').max(512),
      expires_at: TokenExpirySchema.optional(),
    }),
    CredentialSavedSchema,
    'Replace a credential’s token in place: the jobs that use it follow, and waiting crawlers get the new token.',
  ),
  moveJobsToCredential: command(
    z
      .object({
        credential_id: z.string().min(1),
        /** The jobs to move … */
        job_ids: z.array(z.string().min(1)).min(1).max(10_000).optional(),
        /** … or every unfinished job of this credential. */
        from_credential_id: z.string().min(1).optional(),
      })
      .refine((v) => (v.job_ids === undefined) !== (v.from_credential_id === undefined), {
        message: 'give job_ids or from_credential_id, not both',
        path: ['job_ids'],
      }),
    z.object({
      moved: z.number().int(),
      /** Jobs not moved: unknown or already finished. */
      skipped: z.array(z.string()),
      answered_refresh_requests: z.number().int(),
      requeued_jobs: z.number().int(),
    }),
    'Move unfinished jobs to another credential (a way out before deleting one); waiting jobs go on.',
  ),
  deleteCredential: command(z.object({ id: z.string().min(1) }), z.object({ deleted: z.literal(true) }), 'Delete a saved credential.'),
  exportJobs: command(
    z.object({ format: z.enum(['csv', 'json']), filter: ExportFilterSchema.prefault({}) }),
    z.object({ filename: z.string(), content_type: z.string(), content: z.string(), count: z.number().int() }),
    'Export jobs matching a filter as CSV or JSON.',
  ),
  exportErrors: command(
    z.object({ format: z.enum(['csv', 'json']), filter: ListErrorsQuerySchema.omit({ limit: true, offset: true }).prefault({}) }),
    z.object({ filename: z.string(), content_type: z.string(), content: z.string(), count: z.number().int() }),
    'Export errors matching a filter as CSV or JSON.',
  ),
  // ── operator power (issue 15): schedules, pause and quiet, history, error groups ──
  listSchedules: command(Empty, z.object({ schedules: z.array(ScheduleSchema) }), 'Every recurring crawl, by name.'),
  createSchedule: command(CreateScheduleInputSchema, z.object({ schedule: ScheduleSchema }), 'Create a recurring crawl from a job template and a cron expression or interval.'),
  updateSchedule: command(UpdateScheduleInputSchema, z.object({ schedule: ScheduleSchema }), 'Edit a recurring crawl; a new timing starts counting now.'),
  setSchedulePaused: command(ScheduleRefSchema.extend({ paused: z.boolean() }), z.object({ schedule: ScheduleSchema }), 'Pause or resume a recurring crawl.'),
  runScheduleNow: command(ScheduleRefSchema, RunScheduleResultSchema, 'Fire a recurring crawl now (skipped while its previous job is unfinished).'),
  deleteSchedule: command(ScheduleRefSchema, z.object({ deleted: z.literal(true) }), 'Delete a recurring crawl (the jobs it created stay).'),
  getJobSchedule: command(JobRef, z.object({ schedule: ScheduleSchema.nullable() }), 'The recurring crawl that created a job, if any.'),
  getDispatchState: command(Empty, DispatchStateSchema, 'Whether dispatch is paused, and which crawlers are quiet.'),
  pauseDispatch: command(z.object({ reason: z.string().trim().max(200).optional() }).prefault({}), DispatchStateSchema, 'Hand no crawler new work (the queue keeps its jobs; running jobs go on).'),
  resumeDispatch: command(Empty, DispatchStateSchema, 'Hand out work again.'),
  quietCrawler: command(z.object({ crawler_id: z.string().min(1) }), DispatchStateSchema, 'Let one crawler finish what it holds and give it nothing new.'),
  resumeCrawler: command(z.object({ crawler_id: z.string().min(1) }), DispatchStateSchema, 'Give a quieted crawler work again.'),
  getMetricsHistory: command(
    z.object({ range: HistoryRangeSchema }),
    z.object({ points: z.array(HistoryPointSchema), bucket_ms: z.number().int(), since: z.number(), until: z.number(), enabled: z.boolean() }),
    'Per-minute history (throughput, queue, errors, crawlers) over 15 minutes, 6 hours or 7 days.',
  ),
  listErrorGroups: command(
    ErrorGroupsQuerySchema.prefault({}),
    z.object({ groups: z.array(ErrorGroupSchema), total: z.number().int(), groups_total: z.number().int() }),
    'Errors grouped by code, category, crawler or GitLab host, with counts, first/last seen and the newest example.',
  ),
  // ── links and pages (issue 15): a page per crawler, a finished job's results ──
  getCrawler: command(
    z.object({ crawler_id: z.string().min(1, 'crawler_id is required').max(200) }),
    z.object({ crawler: CrawlerViewSchema, heartbeats: z.array(HeartbeatPointSchema), window_ms: z.number().int() }),
    'One crawler (connected or not) with its heartbeats of the last hour.',
  ),
  getJobResult: command(JobRef, JobResultSchema, 'A job’s result as its crawler reported it: final counts, output files, summary, duration, attempts and progress over time.'),
  // ── bulk by filter (issue 15): one command for every job a filter matches ──
  previewBulk: command(
    z.object({ target: BulkTargetSchema }),
    BulkPreviewSchema,
    'How many jobs a Jobs or Errors filter matches now (the N a bulk confirmation states), and the snapshot applyBulk is bound to.',
  ),
  applyBulk: command(
    BulkApplyInputSchema,
    BulkSummarySchema,
    'Cancel, retry, reprioritize or move to another credential every job a filter matched at preview time, in one command; returns what was done and what was skipped, by reason.',
  ),
  cancelBulk: command(
    Empty,
    BulkCancelResultSchema,
    'Stop the running bulk action after its current slice (each slice is done whole or not at all); its applyBulk returns a summary that says it was cancelled and how many jobs it did not reach.',
  ),
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
export type CommandInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type CommandParsedInput<K extends CommandName> = z.output<Commands[K]['input']>;
export type CommandOutput<K extends CommandName> = z.output<Commands[K]['output']>;

/** What a UI calls: every command as an async function (the preload and the HTTP client both implement it). */
export type ConsoleApi = { [K in CommandName]: (input: CommandInput<K>) => Promise<CommandOutput<K>> };

/** What the core implements: inputs already validated. */
export type ConsoleCommandHandlers = { [K in CommandName]: (input: CommandParsedInput<K>) => Promise<CommandOutput<K>> };

/**
 * What the Electron preload exposes as `window.crawlConsole`: one function per
 * command, plus the event stream. Nothing generic (no channel names, no ipcRenderer).
 */
export type ConsoleBridge = ConsoleApi & {
  onEvents(listener: (batch: EventBatch) => void): () => void;
  /** Streams an export into a file the user picks in a save dialog (the whole file never crosses IPC). */
  saveExport(request: ExportRequest): Promise<ExportSaved>;
};

/** An export the UI asks to download: what exportJobs / exportErrors take. */
export type ExportRequest =
  | { kind: 'jobs'; input: CommandInput<'exportJobs'> }
  | { kind: 'errors'; input: CommandInput<'exportErrors'> };
/** Where an export went: the file name (null when the user cancelled) and the rows written (null when the browser saves it). */
export interface ExportSaved {
  filename: string | null;
  count: number | null;
}

export const isCommandName = (name: string): name is CommandName => Object.hasOwn(commands, name);

export { JobStatusSchema };
