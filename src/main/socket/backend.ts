/**
 * What the socket layer needs from the rest of the console. The router's
 * default handlers call these; the job service (persistence, leases, retries)
 * implements them. `MemoryBackend` is the stand-alone default: no storage,
 * no work to hand out, progress tracked in memory.
 */
import type {
  CrawlerMessageOf,
  ErrorCode,
  JobResponseJob,
  WebAppMessageOf,
} from '../../shared/protocol';
import type { SocketConnection } from './connection/socket-connection';
import type { MessageProcessingResult } from './types/router';
import type { ProgressTracker } from './progress/progress-tracker';

export type TokenRefreshAnswer = WebAppMessageOf<'token_refresh_response'>['data'];
/** A token refresh the console will not answer with a token (not the asker's job): replied to with `error`. */
export interface TokenRefreshRefusal {
  refused: { code: ErrorCode; error: string };
}

export interface CrawlerBackend {
  /** A connection was accepted (Unix) or authenticated (TCP). */
  crawlerConnected?(connection: SocketConnection): void;
  /**
   * A crawler said hello (its id and capacity are now known). `previousId`: the
   * id the connection had until this hello, when the hello changed it.
   */
  crawlerIdentified?(connection: SocketConnection, previousId?: string): void;
  /** A connection ended, after every line it sent was handled. `lost`: it went silent. */
  crawlerDisconnected?(connection: SocketConnection, reason: string, lost: boolean): void;

  heartbeat(connection: SocketConnection, message: CrawlerMessageOf<'heartbeat'>): MaybePromise<MessageProcessingResult>;
  jobStarted(connection: SocketConnection, message: CrawlerMessageOf<'job_started'>): MaybePromise<MessageProcessingResult>;
  jobProgress(connection: SocketConnection, message: CrawlerMessageOf<'job_progress'>): MaybePromise<MessageProcessingResult>;
  jobCompleted(connection: SocketConnection, message: CrawlerMessageOf<'job_completed'>): MaybePromise<MessageProcessingResult>;
  jobFailed(connection: SocketConnection, message: CrawlerMessageOf<'job_failed'>): MaybePromise<MessageProcessingResult>;
  jobsDiscovered(connection: SocketConnection, message: CrawlerMessageOf<'jobs_discovered'>): MaybePromise<MessageProcessingResult>;
  discovery(connection: SocketConnection, message: CrawlerMessageOf<'discovery'>): MaybePromise<MessageProcessingResult>;
  /** Jobs to hand out in a `job_response` (leased to this crawler); empty means no work. */
  requestJobs(connection: SocketConnection, message: CrawlerMessageOf<'job_request'>): MaybePromise<JobResponseJob[]>;
  /** The answer to a `token_refresh_request`; resolves once an answer exists. */
  refreshToken(connection: SocketConnection, message: CrawlerMessageOf<'token_refresh_request'>): MaybePromise<TokenRefreshAnswer | TokenRefreshRefusal>;
}

type MaybePromise<T> = T | Promise<T>;

const ok: MessageProcessingResult = { success: true };

/** The stand-alone backend: accepts every well-formed report, stores nothing, has no work and no tokens. */
export class MemoryBackend implements CrawlerBackend {
  constructor(private readonly progress?: ProgressTracker) {}

  heartbeat(): MessageProcessingResult {
    return ok;
  }
  jobStarted(): MessageProcessingResult {
    return ok;
  }
  jobProgress(_c: SocketConnection, message: CrawlerMessageOf<'job_progress'>): MessageProcessingResult {
    this.progress?.update(message.job_id!, message.data);
    return ok;
  }
  jobCompleted(_c: SocketConnection, message: CrawlerMessageOf<'job_completed'>): MessageProcessingResult {
    if (message.data.success) this.progress?.markCompleted(message.job_id!);
    else this.progress?.markFailed(message.job_id!);
    return ok;
  }
  jobFailed(_c: SocketConnection, message: CrawlerMessageOf<'job_failed'>): MessageProcessingResult {
    this.progress?.markFailed(message.job_id!);
    return ok;
  }
  jobsDiscovered(_c: SocketConnection, message: CrawlerMessageOf<'jobs_discovered'>): MessageProcessingResult {
    return { success: true, data: { accepted: message.data.discovered_jobs.length, rejected: message.data.rejected_items } };
  }
  discovery(): MessageProcessingResult {
    return ok;
  }
  requestJobs(): JobResponseJob[] {
    return [];
  }
  refreshToken(): TokenRefreshAnswer {
    return { access_token: '', refresh_successful: false };
  }
}
