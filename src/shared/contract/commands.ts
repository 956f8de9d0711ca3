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
import type { EventBatch } from './events';

const Empty = z.object({}).prefault({});
const JobRef = z.object({ job_id: z.string().min(1, 'job_id is required') });

/** The configuration as the UI sees it: the auth token replaced by whether one is set. */
export const PublicConfigSchema = z
  .object(SocketServerConfigShape)
  .omit({ authToken: true })
  .extend({ auth_token_set: z.boolean() });
export type PublicConfig = z.infer<typeof PublicConfigSchema>;

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
  });
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

const command = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, description: string) => ({ input, output, description });

export const commands = {
  getStatus: command(Empty, ServerStatusSchema, 'The server status (the seed’s ServerStatus) and where the console listens.'),
  listCrawlers: command(
    z.object({ include_disconnected: z.boolean().default(true) }).prefault({}),
    z.object({ crawlers: z.array(CrawlerViewSchema) }),
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
  createJob: command(CreateJobInputSchema, z.object({ job: JobDtoSchema }), 'Create a job; queue it or assign it to a connected crawler now.'),
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
    }),
    z.object({ credential: CredentialSchema, answered_refresh_requests: z.number().int() }),
    'Save a token (encrypted); crawlers waiting for a token for that host are answered.',
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
