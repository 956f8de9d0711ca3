/**
 * The job service: the one object the rest of the console calls about jobs.
 * Its crawler-message methods are the console's handlers, registered on the
 * socket router (console-handlers.ts); the rest are the operator's job commands
 * and the periodic work. It delegates to small parts:
 *
 *   lifecycle.ts        the transition table (state × event → state), pure
 *   job-ledger.ts       every status change, through the table, with its history
 *   crawler-sessions.ts which connection is which crawler, stopping, the orphan sweep
 *   dispatcher.ts       which job goes to which crawler (leases, handovers, avoidance)
 *   token-grants.ts     which token a job may be given, refresh, jobs waiting for one
 *   reclaim.ts          jobs taken back: holder gone, handed back, past jobTimeout
 *   crawler-reports.ts  what started/progress/completed/failed/discovered do
 *
 * Every change is a compare-and-set in SQL with its history entry, committed
 * before the crawler is answered. Progress is coalesced (ProgressBuffer) and is
 * flushed before any lifecycle change, so history stays in message order.
 */
import type { CrawlerMessageOf, JobResponseJob } from '../../shared/protocol';
import type { ConsoleEvent } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import type { ResolvedSocketConfig } from '../../shared/config';
import type { JobStatus } from '../../shared/jobs';
import type { TokenRefreshAnswer } from '../socket/types/messages';
import type { SocketConnection } from '../socket/connection/socket-connection';
import type { MessageProcessingResult } from '../socket/types/router';
import type { ProgressTracker } from '../observability/progress-tracker';
import type { Logger } from '../observability/logger';
import { type Job, type Store, toJobDto } from '../store';
import { isDuplicateEntity } from '../store/validate';
import { CrawlerReports } from './crawler-reports';
import { type ConnectionDirectory, CrawlerSessions } from './crawler-sessions';
import { Dispatcher } from './dispatcher';
import type { JobContext } from './job-context';
import { JobLedger } from './job-ledger';
import { ProgressBuffer } from './progress-buffer';
import { Reclaim } from './reclaim';
import { TokenGrants, type TokenRefreshRefusal } from './token-grants';


export interface JobServiceOptions {
  store: Store;
  config: () => ResolvedSocketConfig;
  tracker: ProgressTracker;
  emit: (event: ConsoleEvent) => void;
  logger: Logger;
  now?: () => number;
  /** Whether a crawler may be handed new work now (dispatch paused, crawler quiet); by default always. */
  mayHandOut?: (crawlerId: string) => boolean;
}

const HELD: readonly JobStatus[] = ['assigned', 'running', 'waiting_credentials'];
const NON_FINAL: readonly JobStatus[] = ['queued', 'assigned', 'running', 'waiting_credentials'];

export class JobService {
  private readonly store: Store;
  private readonly config: () => ResolvedSocketConfig;
  private readonly tracker: ProgressTracker;
  private readonly emit: (event: ConsoleEvent) => void;
  private readonly logger: Logger;
  private readonly now: () => number;
  readonly progress: ProgressBuffer;
  private readonly ledger: JobLedger;
  private readonly sessions: CrawlerSessions;
  private readonly tokens: TokenGrants;
  private readonly dispatcher: Dispatcher;
  private readonly reclaim: Reclaim;
  private readonly reports: CrawlerReports;
  private flushFailure: string | null = null;

  constructor(options: JobServiceOptions) {
    this.store = options.store;
    this.config = options.config;
    this.tracker = options.tracker;
    this.emit = options.emit;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.ledger = new JobLedger(this.store, this.emit, this.now);
    const ctx: JobContext = {
      store: this.store,
      config: this.config,
      tracker: this.tracker,
      emit: this.emit,
      logger: this.logger,
      now: this.now,
      ledger: this.ledger,
      flush: () => this.flush(),
      recordError: (input) => this.recordError(input),
      dispatchSoon: () => void this.dispatch(),
    };
    this.progress = new ProgressBuffer(this.store, {
      onRowError: (f) =>
        this.recordError({
          category: 'database',
          severity: 'medium',
          code: 'progress_not_stored',
          message: `Progress of job ${f.job_id}${f.entity_type ? ` (${f.entity_type})` : ''} was not stored: ${f.message}`,
          job_id: f.job_id,
        }),
    });
    this.sessions = new CrawlerSessions(ctx);
    this.tokens = new TokenGrants(ctx, this.sessions);
    this.dispatcher = new Dispatcher(ctx, this.sessions, this.tokens, options.mayHandOut ?? (() => true));
    this.reclaim = new Reclaim(ctx, this.sessions, this.dispatcher);
    this.reports = new CrawlerReports(ctx, this.sessions, this.reclaim, this.progress);
  }

  /** Binds the socket server and recovers state after a restart. */
  attach(directory: ConnectionDirectory): void {
    this.sessions.attach(directory);
    for (let offset = 0; ; offset += 1000) {
      const page = this.store.jobs.listJobs({ status: [...HELD], limit: 1000, offset, sort: 'created_at', dir: 'asc' }).jobs;
      for (const job of page) this.ledger.track(job);
      if (page.length < 1000) break;
    }
    this.sessions.startRecovery();
  }

  /** Periodic work: flush coalesced writes, expire leases, requeue orphans, dispatch due jobs. */
  tick(): void {
    try {
      this.flush();
      this.flushFailure = null;
    } catch (err) {
      // The database refused the writes (disk full …): leases must still expire; said once, not every tick.
      const why = (err as Error).message;
      if (why !== this.flushFailure) this.logger.error({ err }, 'flushing progress and heartbeats failed');
      this.flushFailure = why;
    }
    const now = this.now();
    for (const job of this.store.jobs.expiredLeases(now)) this.dispatcher.expireLease(job, now);
    for (const loss of this.sessions.orphans(now)) this.reclaim.holderLost(loss);
    for (const loss of this.sessions.notReconnected(now)) this.reclaim.holderLost(loss);
    this.reclaim.expireOverdue(now);
    void this.dispatch();
  }

  /** Writes pending progress and heartbeats (one transaction each). */
  flush(): void {
    this.progress.flush();
    this.sessions.flushHeartbeats();
  }

  // ─────────────────────────── crawler connections ───────────────────────────

  crawlerIdentified(c: SocketConnection, previousId?: string): void {
    this.sessions.identified(c, previousId);
    void this.dispatch();
  }

  /** The operator sent `shutdown` with this grace time to these crawlers (all connected ones when omitted). */
  shutdownSent(graceMs: number, crawlerIds?: readonly string[]): void {
    this.sessions.shutdownSent(graceMs, crawlerIds);
  }

  crawlerDisconnected(c: SocketConnection, reason: string, lost: boolean): void {
    const loss = this.sessions.disconnected(c, reason, lost);
    if (loss) this.reclaim.holderLost(loss);
  }

  // ─────────────────────────── crawler messages ───────────────────────────

  heartbeat(c: SocketConnection, m: CrawlerMessageOf<'heartbeat'>): MessageProcessingResult {
    this.sessions.heartbeat(c, m);
    return { success: true };
  }

  jobStarted(c: SocketConnection, m: CrawlerMessageOf<'job_started'>): MessageProcessingResult {
    return this.reports.jobStarted(c, m);
  }

  jobProgress(c: SocketConnection, m: CrawlerMessageOf<'job_progress'>): MessageProcessingResult {
    return this.reports.jobProgress(c, m);
  }

  jobCompleted(c: SocketConnection, m: CrawlerMessageOf<'job_completed'>): MessageProcessingResult {
    return this.reports.jobCompleted(c, m);
  }

  jobFailed(c: SocketConnection, m: CrawlerMessageOf<'job_failed'>): MessageProcessingResult {
    return this.reports.jobFailed(c, m);
  }

  jobsDiscovered(c: SocketConnection, m: CrawlerMessageOf<'jobs_discovered'>): MessageProcessingResult {
    return this.reports.jobsDiscovered(c, m);
  }

  discovery(c: SocketConnection, m: CrawlerMessageOf<'discovery'>): MessageProcessingResult {
    return this.reports.discovery(c, m);
  }

  requestJobs(c: SocketConnection, m: CrawlerMessageOf<'job_request'>): JobResponseJob[] {
    return this.dispatcher.requestJobs(c, m);
  }

  /** A crawler's request for a new token: answered only for an unfinished job leased to the asking connection. */
  refreshToken(c: SocketConnection, m: CrawlerMessageOf<'token_refresh_request'>): TokenRefreshAnswer | TokenRefreshRefusal {
    return this.tokens.refresh(c, m);
  }

  /** After a token is saved or replaced: jobs waiting for credentials that now have a usable token go on. */
  resumeWaitingJobs(): Promise<{ answered: number; requeued: number }> {
    return this.tokens.resumeWaitingJobs();
  }

  /**
   * The operator moves unfinished jobs to another credential; the waiting ones among them go on.
   * `resumeWaiting: false`: the caller resumes them itself, once (a bulk move, after its last chunk).
   */
  moveJobsToCredential(jobIds: readonly string[], credentialId: string, options: { resumeWaiting?: boolean } = {}): Promise<{ moved: number; skipped: string[]; answered: number; requeued: number }> {
    return this.tokens.moveJobsToCredential(jobIds, credentialId, options);
  }

  /** The move alone, synchronously (a bulk action's slice, inside its transaction); the caller resumes waiting jobs. */
  moveJobsToCredentialNow(jobIds: readonly string[], credentialId: string): { moved: number; skipped: string[] } {
    return this.tokens.moveJobsNow(jobIds, credentialId);
  }

  // ─────────────────────────── operator actions ───────────────────────────

  async createJob(input: {
    job_type: string;
    gitlab_host: string;
    credential_id: string | null;
    entity_id?: string | undefined;
    namespace_path?: string | undefined;
    priority: number;
    crawler_id?: string | undefined;
  }): Promise<Job & { handover?: 'pushed' | 'on_next_request' }> {
    const limit = this.config().jobQueueSize;
    const queued = limit > 0 ? this.store.jobs.countByStatus().queued : 0;
    if (limit > 0 && queued >= limit) {
      throw new ApiError('conflict', `the queue already holds ${queued} jobs (jobQueueSize ${limit}); wait until crawlers take some, or raise jobQueueSize`);
    }
    let target: SocketConnection | undefined;
    if (input.crawler_id) {
      target = this.sessions.getConnection(input.crawler_id);
      if (!target) throw new ApiError('unavailable', `crawler ${input.crawler_id} is not connected`);
      if (this.dispatcher.freeCapacity(target) <= 0) {
        throw new ApiError('unavailable', `crawler ${input.crawler_id} is full (${this.heldCount(target.crawlerId)} of ${this.capacityOf(target)} jobs)`);
      }
    }
    const job = this.store.jobs.insertJob(
      {
        job_type: input.job_type,
        gitlab_host: input.gitlab_host,
        entity_id: input.entity_id || null,
        namespace_path: input.namespace_path || null,
        priority: input.priority,
        credential_id: input.credential_id,
        origin: 'operator',
      },
      { kind: 'created', reason: target ? `created by the operator for ${target.crawlerId}` : 'created by the operator' },
    );
    this.emit({ type: 'job_changed', job: toJobDto(job) });
    if (!target) {
      void this.dispatch();
      return job;
    }
    return this.dispatcher.assignTo(target, job);
  }

  async cancelJob(jobId: string, reason?: string): Promise<Job> {
    const { job, notify } = this.cancelJobNow(jobId, reason);
    notify();
    return job;
  }

  /**
   * cancelJob, synchronously, without telling the crawler yet: a bulk action calls it inside its
   * slice's transaction, so a write that fails throws there and rolls the slice back whole (a
   * rejected promise would not), and calls `notify` (job_cancel to the crawler holding the job)
   * only once the slice is committed.
   */
  cancelJobNow(jobId: string, reason?: string): { job: Job; notify: () => void } {
    this.flush();
    const job = this.requireJob(jobId);
    if (!NON_FINAL.includes(job.status)) throw new ApiError('conflict', `job ${jobId} is already ${job.status}`);
    const why = reason ?? 'cancelled by the operator';
    if (!this.ledger.finish(job, 'cancel', {}, { crawler_id: job.leased_to, reason: why })) {
      throw new ApiError('conflict', `job ${jobId} changed while cancelling; try again`);
    }
    this.tracker.markFailed(jobId);
    this.progress.discard(jobId);
    const notify = () => {
      const conn = job.leased_to ? this.sessions.getConnection(job.leased_to) : undefined;
      if (conn && !conn.post({ type: 'job_cancel', timestamp: new Date(this.now()).toISOString(), job_id: jobId, data: { job_id: jobId, reason: why } })) {
        this.logger.warn({ jobId }, 'job_cancel not delivered: the crawler is not reading');
      }
    };
    return { job: this.store.jobs.getJob(jobId)!, notify };
  }

  retryJob(jobId: string): Job {
    const job = this.requireJob(jobId);
    if (job.status !== 'failed' && job.status !== 'cancelled') {
      throw new ApiError('conflict', `only failed or cancelled jobs can be retried; job ${jobId} is ${job.status}`);
    }
    this.requeueOrExplain(jobId, () => this.ledger.change(jobId, 'retry', {
      attempts: 0,
      leased_to: null,
      not_before: null,
      finished_at: null,
      resume: job.resume_state !== null,
    }, { reason: job.resume_state ? 'retried by the operator, resuming from its last state' : 'retried by the operator' }, [job.status]));
    this.tracker.reset(jobId);
    void this.dispatch();
    return this.store.jobs.getJob(jobId)!;
  }

  setPriority(jobId: string, priority: number): Job {
    this.requireJob(jobId);
    this.store.jobs.setPriority(jobId, priority, { reason: 'changed by the operator' });
    const job = this.store.jobs.getJob(jobId)!;
    this.emit({ type: 'job_changed', job: toJobDto(job) });
    return job;
  }

  /** Jobs a crawler holds now. */
  heldCount(crawlerId: string): number {
    return this.ledger.heldCount(crawlerId);
  }

  capacityOf(c: SocketConnection): number {
    return this.dispatcher.capacityOf(c);
  }

  recordError(input: Parameters<Store['errors']['recordError']>[0]): void {
    const record = this.store.errors.recordError(input);
    this.emit({ type: 'error', error: record });
  }

  /**
   * Pushes queued jobs to crawlers that said hello and have free capacity, by
   * `job_assignment`. Not re-entrant: a call during a run schedules one more run.
   */
  dispatch(): Promise<void> {
    return this.dispatcher.dispatch();
  }

  private requireJob(jobId: string): Job {
    const job = this.store.jobs.getJob(jobId);
    if (!job) throw new ApiError('not_found', `there is no job ${jobId}`);
    return job;
  }

  /** A state change that a second unfinished job for the same discovered entity would break: said, not thrown raw. */
  private requeueOrExplain(jobId: string, run: () => boolean): boolean {
    try {
      return run();
    } catch (err) {
      if (isDuplicateEntity(err)) {
        throw new ApiError('conflict', `job ${jobId} cannot run again: another unfinished job already covers the same entity on this host`);
      }
      throw err;
    }
  }
}
