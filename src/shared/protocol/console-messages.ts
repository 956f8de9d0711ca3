/**
 * Console → crawler messages. The internal form is the seed's `WebAppMessage`
 * (documented spelling, `job_id` top-level where a job is meant); `encode`
 * writes it in the spelling of the connection it goes to, `decode` reads
 * either spelling back (for the crawler client).
 */
import { z } from 'zod';
import {
  CrawlerResumeStateSchema,
  ErrorCodeSchema,
  IsoTimestamp,
  JobIdSchema,
  JobTypeSchema,
  ResumeStateSchema,
  type Spelling,
} from './common';
import { summarizeIssues } from './crawler-messages';

export const JobAssignmentSchema = z.object({
  job_id: z.string().min(1),
  job_type: JobTypeSchema,
  entity_id: z.string().optional(),
  namespace_path: z.string().optional(),
  gitlab_host: z.string().min(1),
  access_token: z.string(),
  priority: z.number().int().default(1),
  resume: z.boolean().default(false),
  resume_state: ResumeStateSchema.optional(),
});
export type JobAssignment = z.infer<typeof JobAssignmentSchema>;

export const JobResponseJobSchema = z.object({
  id: z.string().min(1),
  entityType: z.string(),
  entityId: z.string(),
  gitlabUrl: z.string(),
  accessToken: z.string(),
  resumeState: CrawlerResumeStateSchema.optional(),
});
export type JobResponseJob = z.infer<typeof JobResponseJobSchema>;

export const TokenRefreshResponseDataSchema = z.object({
  access_token: z.string(),
  expires_at: z.string().optional(),
  refresh_successful: z.boolean(),
});

export const ShutdownDataSchema = z.object({
  graceful: z.boolean().default(true),
  timeout_seconds: z.number().nonnegative().max(86_400).default(30),
  reason: z.string().max(500).optional(),
});

export const WelcomeDataSchema = z.object({
  crawler_id: z.string(),
  protocol_version: z.string(),
  heartbeat_interval_ms: z.number().int().positive(),
});

export const ErrorDataSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  ref_type: z.string().optional(),
  job_id: z.string().optional(),
});
export type ErrorData = z.infer<typeof ErrorDataSchema>;

export const JobCancelDataSchema = z.object({ job_id: z.string().min(1), reason: z.string().max(500).optional() });

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    type: z.literal(type),
    timestamp: IsoTimestamp,
    job_id: z.string().optional(),
    data,
  });

/** The seed's WebAppMessage: everything the console sends, documented spelling. */
export const WebAppMessageSchema = z.discriminatedUnion('type', [
  envelope('job_assignment', JobAssignmentSchema),
  envelope('job_response', z.object({ jobs: z.array(JobResponseJobSchema) })),
  envelope('token_refresh_response', TokenRefreshResponseDataSchema),
  envelope('shutdown', ShutdownDataSchema),
  envelope('welcome', WelcomeDataSchema),
  envelope('error', ErrorDataSchema),
  envelope('job_cancel', JobCancelDataSchema),
]);
export type WebAppMessage = z.output<typeof WebAppMessageSchema>;
export type WebAppMessageType = WebAppMessage['type'];
export type WebAppMessageOf<T extends WebAppMessageType> = Extract<WebAppMessage, { type: T }>;

const fillTimestamp = (input: unknown): unknown =>
  typeof input === 'object' && input !== null && !Array.isArray(input) && (input as { timestamp?: unknown }).timestamp === undefined
    ? { ...input, timestamp: new Date().toISOString() }
    : input;

/**
 * What a caller hands to `broadcast`/`sendToCrawler`: a WebAppMessage whose
 * `timestamp` may be left out (filled in with the current time) and whose
 * defaults (priority, graceful, timeout_seconds …) apply.
 */
export const WebAppMessageInputSchema = z.preprocess(fillTimestamp, WebAppMessageSchema);
export type WebAppMessageInput = z.input<typeof WebAppMessageSchema>;

/** Validates a caller's message and fills in `timestamp`. Throws a ZodError on bad input. */
export const completeWebAppMessage = (input: unknown): WebAppMessage => WebAppMessageInputSchema.parse(input);

/** Writes a console message in a connection's spelling. */
export function encodeConsoleMessage(msg: WebAppMessage, spelling: Spelling): Record<string, unknown> {
  const { job_id, ...rest } = msg;
  if (spelling === 'documented') return job_id === undefined ? rest : { type: msg.type, timestamp: msg.timestamp, job_id, data: msg.data };
  const out: Record<string, unknown> = { type: msg.type, timestamp: msg.timestamp };
  if (job_id !== undefined) out.jobId = job_id;
  if (msg.type === 'token_refresh_response') {
    const d = msg.data;
    out.data = {
      accessToken: d.access_token,
      ...(d.expires_at !== undefined && { expiresAt: d.expires_at }),
      refreshSuccessful: d.refresh_successful,
    };
  } else {
    out.data = msg.data;
  }
  return out;
}

const CrawlerTokenRefreshResponse = z.object({
  accessToken: z.string(),
  expiresAt: z.string().optional(),
  refreshSuccessful: z.boolean(),
});

export type ConsoleDecodeResult = { ok: true; message: WebAppMessage } | { ok: false; error: string };

/** Reads a console message in either spelling (for crawler clients). */
export function decodeConsoleMessage(value: unknown): ConsoleDecodeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'not an object' };
  const v = value as Record<string, unknown>;
  const jobId = v.job_id ?? v.jobId;
  let data = v.data;
  if (v.type === 'token_refresh_response' && typeof data === 'object' && data !== null && 'accessToken' in data) {
    const c = CrawlerTokenRefreshResponse.safeParse(data);
    if (!c.success) return { ok: false, error: summarizeIssues(c.error.issues) };
    data = { access_token: c.data.accessToken, expires_at: c.data.expiresAt, refresh_successful: c.data.refreshSuccessful };
  }
  const parsed = WebAppMessageSchema.safeParse({
    type: v.type,
    timestamp: v.timestamp,
    ...(jobId !== undefined && { job_id: JobIdSchema.safeParse(jobId).data }),
    data,
  });
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, error: summarizeIssues(parsed.error.issues) };
}

