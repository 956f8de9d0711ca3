/**
 * The message protocol's types, as the seed's API reference writes them.
 *
 * Two families:
 * - The seed's message interfaces (`HeartbeatMessage`, `JobProgressMessage`, …):
 *   the documented spelling, for building messages and for `processMessage`.
 * - `CrawlerMessage`: what handlers and middleware receive. Every line a crawler
 *   sends, in either spelling, is decoded into it (src/shared/protocol): one
 *   `job_id` field, required where the protocol requires it, the spelling it
 *   came in and its unknown fields in `extras`. Where the crawler researchers run
 *   sends less than the seed documents (no `overall_completion`, no
 *   `last_activity`: see PROTOCOL.md), the field is optional here — a handler
 *   that casts to the seed's interface asserts the documented spelling.
 */
import type {
  CrawlerMessage as DecodedCrawlerMessage,
  CrawlerMessageOf,
  CrawlerMessageType,
  JobType,
  ResumeState,
  WebAppMessageInput,
  WebAppMessage as WireWebAppMessage,
} from '../../../shared/protocol';

// ───────────────────────────── crawler → web app ─────────────────────────────

export interface HeartbeatMessage {
  type: 'heartbeat';
  timestamp: string;
  job_id?: string;
  data: {
    active_jobs: number;
    last_activity: string;
    system_status: 'idle' | 'discovering' | 'crawling' | 'error';
  };
}

export interface JobProgressMessage {
  type: 'job_progress';
  timestamp: string;
  job_id: string;
  data: {
    progress: ProgressData[];
    /** 0-1 */
    overall_completion: number;
    /** milliseconds */
    time_elapsed: number;
    /** milliseconds */
    estimated_time_remaining?: number;
  };
}

export interface ProgressData {
  entity_type: string;
  total_discovered: number;
  total_processed: number;
  current_page?: number;
  items_per_page?: number;
  sub_collection?: string;
  estimated_remaining?: number;
}

export interface JobsDiscoveredMessage {
  type: 'jobs_discovered';
  timestamp: string;
  /** Required for discovery messages. */
  job_id: string;
  data: {
    discovered_jobs: DiscoveredJob[];
    discovery_summary: DiscoverySummary;
  };
}

export interface DiscoveredJob {
  job_type: JobType;
  entity_id: string;
  namespace_path: string;
  entity_name: string;
  priority: number;
  estimated_size?: Record<string, number>;
}

/** The seed uses it without writing it out; these are the fields its example sends. */
export interface DiscoverySummary {
  total_users?: number;
  total_groups?: number;
  total_projects?: number;
  hierarchy_depth?: number;
}

// The documented messages the seed's reference names but does not write out (PROTOCOL.md has them).

export interface JobStartedMessage {
  type: 'job_started';
  timestamp: string;
  job_id: string;
  data?: { job_type?: JobType; entity_id?: string; namespace_path?: string };
}

export interface JobCompletedMessage {
  type: 'job_completed';
  timestamp: string;
  job_id: string;
  data: { success: boolean; final_counts?: Record<string, number>; output_files?: string[]; summary?: unknown };
}

export interface JobFailedMessage {
  type: 'job_failed';
  timestamp: string;
  job_id: string;
  data: {
    error: string;
    error_type?: string;
    is_recoverable: boolean;
    resume_state?: ResumeState;
    partial_counts?: Record<string, number>;
  };
}

export interface TokenRefreshRequestMessage {
  type: 'token_refresh_request';
  timestamp: string;
  job_id: string;
  data?: { current_token_expired?: boolean; last_successful_request?: string; error_details?: string };
}

export interface JobRequestMessage {
  type: 'job_request';
  timestamp: string;
  data?: { max_jobs?: number };
}

/** A crawler message written the seed's way (documented spelling): what `processMessage` also accepts. */
export type DocumentedCrawlerMessage =
  | HeartbeatMessage
  | JobStartedMessage
  | JobProgressMessage
  | JobCompletedMessage
  | JobFailedMessage
  | JobsDiscoveredMessage
  | TokenRefreshRequestMessage
  | JobRequestMessage;

/**
 * A crawler message as handlers and middleware receive it (decoded from either
 * spelling; see the module comment). Discriminated by `type`.
 */
export type CrawlerMessage = DecodedCrawlerMessage;
export type { CrawlerMessageOf, CrawlerMessageType };

/** What `processMessage` takes: a decoded message, or one written the seed's way. */
export type CrawlerMessageInput = CrawlerMessage | DocumentedCrawlerMessage;

// ───────────────────────────── web app → crawler ─────────────────────────────

export interface JobAssignmentMessage {
  type: 'job_assignment';
  timestamp: string;
  data: JobAssignment;
}

export interface JobAssignment {
  job_id: string;
  job_type: JobType;
  entity_id?: string;
  namespace_path?: string;
  gitlab_host: string;
  access_token: string;
  priority: number;
  resume: boolean;
  /** Console extension: where a resumed job left off. */
  resume_state?: ResumeState;
}

export interface TokenRefreshResponseMessage {
  type: 'token_refresh_response';
  timestamp: string;
  job_id?: string;
  data: {
    access_token: string;
    expires_at?: string;
    refresh_successful: boolean;
  };
}

/** What the console answers a `token_refresh_request` with. */
export type TokenRefreshAnswer = TokenRefreshResponseMessage['data'];

export interface ShutdownMessage {
  type: 'shutdown';
  timestamp: string;
  data: { graceful: boolean; timeout_seconds: number; reason?: string };
}

/** Everything the console sends (the seed's messages plus welcome, error, job_response and job_cancel). */
export type WebAppMessage = WireWebAppMessage;
export type WebAppMessageType = WebAppMessage['type'];

/**
 * What `sendToCrawler`/`broadcast` take: a WebAppMessage whose defaults
 * (priority, resume, graceful, timeout_seconds) and `timestamp` may be left out.
 */
export type OutgoingMessage = WebAppMessageInput extends infer M
  ? M extends { timestamp: string }
    ? Omit<M, 'timestamp'> & { timestamp?: string }
    : never
  : never;

// The seed's interfaces and the wire schemas describe the same messages: checked here, at compile time.
type Assignable<A, B> = [A] extends [B] ? true : false;
const _sameMessages: [
  Assignable<JobAssignmentMessage, WebAppMessage>,
  Assignable<TokenRefreshResponseMessage, WebAppMessage>,
  Assignable<ShutdownMessage, WebAppMessage>,
  Assignable<Extract<WebAppMessage, { type: 'job_assignment' }>['data'], JobAssignment>,
  Assignable<CrawlerMessageOf<'job_started'>, { job_id: string }>,
] = [true, true, true, true, true];
void _sameMessages;
