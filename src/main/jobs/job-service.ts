/**
 * The job lifecycle: what happens to a job from creation to its final state,
 * kept in SQLite so nothing is lost when the console, a crawler or the machine
 * stops. Implements the socket layer's CrawlerBackend (crawler messages) and
 * the operator's job commands.
 *
 *   queued → assigned (leased to one crawler) → running → completed | failed | cancelled
 *                                     ↘ waiting_credentials ↗
 *
 * Every change is a compare-and-set in SQL with its history entry, committed
 * before the crawler is answered. Progress is coalesced (ProgressBuffer) and is
 * flushed before any lifecycle change, so history stays in message order.
 */
import type {
  CrawlerMessageOf,
  JobAssignment,
  JobResponseJob,
  WebAppMessage,
} from '../../shared/protocol';
import type { JobStatus } from '../../shared/jobs';
import type { ConsoleEvent } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import type { SocketServerConfig } from '../../shared/config';
import type { CrawlerBackend, TokenRefreshAnswer } from '../socket/backend';
import type { SocketConnection } from '../socket/connection/socket-connection';
import type { MessageProcessingResult } from '../socket/types/router';
import type { ProgressTracker } from '../socket/progress/progress-tracker';
import type { Logger } from '../socket/logger';
import { type Job, type Store, toJobDto } from '../store';
import type { EventInput } from '../store/events-repo';
import type { HeartbeatRow } from '../store/crawlers-repo';
import { ProgressBuffer } from './progress-buffer';
import { mayRetry, retryDelayFor } from './retry-policy';
import { entityTypeOf, gitlabUrlOf, jobTypeOf } from './job-types';

/** What the service needs of the socket server (bound after both exist). */
export interface ConnectionDirectory {
  getConnection(crawlerId: string): SocketConnection | undefined;
  /** Crawler ids with an open, authenticated connection. */
  connectedCrawlerIds(): string[];
}

export interface JobServiceOptions {
  store: Store;
  config: () => SocketServerConfig;
  tracker: ProgressTracker;
  emit: (event: ConsoleEvent) => void;
  logger: Logger;
  now?: () => number;
}

const HELD: readonly JobStatus[] = ['assigned', 'running', 'waiting_credentials'];
const NON_FINAL: readonly JobStatus[] = ['queued', 'assigned', 'running', 'waiting_credentials'];

const ok: MessageProcessingResult = { success: true };
const refuse = (code: NonNullable<MessageProcessingResult['code']>, error: string): MessageProcessingResult => ({ success: false, code, error });

/** A job a crawler holds, cached so that progress (the hot path) needs no database read. */
interface HeldJob {
  status: JobStatus;
  crawler: string | null;
}

/** How long past its grace time a stopping crawler is still taken at its word. */
const STOPPING_MARGIN_MS = 5_000;

export class JobService implements CrawlerBackend {
  private readonly store: Store;
  private readonly config: () => SocketServerConfig;
  private readonly tracker: ProgressTracker;
  private readonly emit: (event: ConsoleEvent) => void;
  private readonly logger: Logger;
  private readonly now: () => number;
  readonly progress: ProgressBuffer;
  private directory: ConnectionDirectory | null = null;
  private readonly held = new Map<string, HeldJob>();
  private heartbeats = new Map<string, HeartbeatRow>();
  private dispatching: Promise<void> | null = null;
  private dispatchAgain = false;
  /** Until then, jobs held by crawlers that have not reconnected since a restart stay theirs. */
  private recoveryDeadline = 0;
  /**
   * Crawlers stopping (asked by the operator, or saying so), until when: the jobs they hand back are
   * requeued without spending an attempt, and they get no new work. One that outstays its grace time
   * without leaving is treated as working again.
   */
  private readonly stoppingUntil = new Map<string, number>();
  /** Stopping crawlers that have begun handing jobs back: they are given no new work. */
  private readonly handingBack = new Set<string>();
  private isStopping(crawlerId: string): boolean {
    const until = this.stoppingUntil.get(crawlerId);
    if (until === undefined) return false;
    if (until >= this.now()) return true;
    this.stoppingUntil.delete(crawlerId);
    return false;
  }

  constructor(options: JobServiceOptions) {
    this.store = options.store;
    this.config = options.config;
    this.tracker = options.tracker;
    this.emit = options.emit;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.progress = new ProgressBuffer(this.store);
  }

  /** Binds the socket server and recovers state after a restart. */
  attach(directory: ConnectionDirectory): void {
    this.directory = directory;
    this.store.crawlers.markAllDisconnected('console restarted');
    for (let offset = 0; ; offset += 1000) {
      const page = this.store.jobs.listJobs({ status: [...HELD], limit: 1000, offset, sort: 'created_at', dir: 'asc' }).jobs;
      for (const job of page) this.held.set(job.id, { status: job.status, crawler: job.leased_to });
      if (page.length < 1000) break;
    }
    // After a crash, crawlers get one heartbeat timeout to reconnect and keep their jobs.
    this.recoveryDeadline = this.now() + this.config().heartbeatTimeout;
  }

  /** Periodic work: flush coalesced writes, expire leases, requeue orphans, dispatch due jobs. */
  tick(): void {
    this.flush();
    const now = this.now();
    for (const job of this.store.jobs.expiredLeases(now)) {
      this.change(job.id, ['assigned'], { status: 'queued', leased_to: null, lease_expires_at: null }, {
        kind: 'lease_expired',
        crawler_id: job.leased_to,
        reason: `no job_started from ${job.leased_to} within the lease (${this.config().leaseTimeout} ms)`,
      });
    }
    if (this.recoveryDeadline && now >= this.recoveryDeadline) {
      this.recoveryDeadline = 0;
      const connected = new Set(this.directory?.connectedCrawlerIds() ?? []);
      const orphaned = new Set<string>();
      for (const [, h] of this.held) if (h.crawler && !connected.has(h.crawler)) orphaned.add(h.crawler);
      for (const crawler of orphaned) {
        this.requeueHeldBy(crawler, `crawler ${crawler} did not reconnect within the heartbeat timeout after the console restarted`);
      }
    }
    void this.dispatch();
  }

  /** Writes pending progress and heartbeats (one transaction each). */
  flush(): void {
    this.progress.flush();
    if (this.heartbeats.size > 0) {
      const rows = [...this.heartbeats.values()];
      this.heartbeats = new Map();
      this.store.crawlers.recordHeartbeats(rows);
    }
  }

  // ─────────────────────────── crawler connections ───────────────────────────

  /**
   * A crawler is remembered once it says something: a connection that says
   * hello first is stored under its own id, never under the generated one.
   */
  private readonly remembered = new WeakSet<SocketConnection>();
  private remember(c: SocketConnection): void {
    if (this.remembered.has(c)) return;
    this.remembered.add(c);
    this.store.crawlers.upsertCrawler({ id: c.crawlerId, spelling: c.spelling, connected_at: c.connectedAt });
  }

  crawlerIdentified(c: SocketConnection): void {
    this.remembered.add(c);
    this.stoppingUntil.delete(c.crawlerId); // back after a shutdown: it takes work again
    this.handingBack.delete(c.crawlerId);
    const m = c.metadata;
    this.store.crawlers.upsertCrawler({
      id: c.crawlerId,
      name: m.name ?? null,
      version: m.version ?? null,
      host: m.host ?? null,
      pid: m.pid ?? null,
      spelling: c.spelling,
      capabilities: m.capabilities ?? null,
      max_concurrent_jobs: m.maxConcurrentJobs ?? null,
      connected_at: c.connectedAt,
    });
    void this.dispatch();
  }

  /** The operator sent `shutdown` with this grace time to these crawlers (all connected ones when omitted). */
  shutdownSent(graceMs: number, crawlerIds: readonly string[] = this.directory?.connectedCrawlerIds() ?? []): void {
    const until = this.now() + graceMs + STOPPING_MARGIN_MS;
    for (const id of crawlerIds) this.stoppingUntil.set(id, until);
  }

  crawlerDisconnected(c: SocketConnection, reason: string, lost: boolean): void {
    this.flush();
    // A crawler that reconnected (same id, new connection) keeps its jobs.
    if (this.directory?.getConnection(c.crawlerId)) return;
    const stopped = this.isStopping(c.crawlerId) && !lost;
    this.stoppingUntil.delete(c.crawlerId);
    this.handingBack.delete(c.crawlerId);
    if (!this.remembered.has(c)) return; // never said anything: nothing to record or requeue
    // The spelling is known only once the crawler has sent something in it (hello is the same in both).
    this.store.crawlers.upsertCrawler({ id: c.crawlerId, spelling: c.spelling });
    this.store.crawlers.markDisconnected(c.crawlerId, { reason });
    const why = lost ? `crawler ${c.crawlerId} lost: ${reason}` : `crawler ${c.crawlerId} disconnected: ${reason}`;
    this.requeueHeldBy(c.crawlerId, why, stopped);
  }

  /**
   * Every job a crawler holds goes back to the queue with its resume state (or
   * fails, past retryAttempts). After a shutdown the operator asked for, that is
   * no failure: no attempt is spent and no error recorded.
   */
  private requeueHeldBy(crawlerId: string, reason: string, stopped = false): void {
    for (const job of this.store.jobs.jobsLeasedTo(crawlerId)) {
      if (stopped) {
        this.handBack(job, crawlerId, `${reason} (shut down by the operator)`);
        continue;
      }
      const failures = job.attempts + 1;
      if (!mayRetry(failures, this.config())) {
        this.finish(job, 'failed', { increment_attempts: true, last_error: reason }, { kind: 'failed', crawler_id: crawlerId, reason: `${reason}; no retries left (${this.config().retryAttempts})` });
        continue;
      }
      this.change(job.id, HELD, {
        status: 'queued',
        leased_to: null,
        lease_expires_at: null,
        increment_attempts: true,
        resume: job.resume_state !== null,
        last_error: reason,
      }, { kind: 'requeued', crawler_id: crawlerId, reason });
      this.tracker.reset(job.id);
    }
    void this.dispatch();
  }

  // ─────────────────────────── crawler messages ───────────────────────────

  heartbeat(c: SocketConnection, m: CrawlerMessageOf<'heartbeat'>): MessageProcessingResult {
    this.remember(c);
    this.heartbeats.set(c.crawlerId, { crawler_id: c.crawlerId, at: this.now(), data: m.data });
    return ok;
  }

  jobStarted(c: SocketConnection, m: CrawlerMessageOf<'job_started'>): MessageProcessingResult {
    const id = m.job_id!;
    const job = this.ownOrAdopt(c, id, m.data.job_type ?? m.data.entity_type, m.data);
    if ('error' in job) return job.error;
    if (job.status === 'running') return ok; // a re-report after a reconnect: nothing changes
    this.change(id, [job.status], { status: 'running', leased_to: c.crawlerId, lease_expires_at: null, started_at: job.started_at ?? this.now() }, {
      kind: 'started',
      crawler_id: c.crawlerId,
      reason: job.status === 'queued' ? `picked up by ${c.crawlerId}` : null,
    });
    if (job.estimated_size) this.tracker.setExpectedTotals(id, job.estimated_size);
    this.tracker.start(id);
    return ok;
  }

  jobProgress(c: SocketConnection, m: CrawlerMessageOf<'job_progress'>): MessageProcessingResult {
    const id = m.job_id!;
    const h = this.held.get(id);
    // Hot path: the job is running and held by this crawler (no database read).
    if (!h || h.status !== 'running' || h.crawler !== c.crawlerId) {
      // Progress names the entity type being fetched (issues …), not the job's type: adopted as unknown.
      const job = this.ownOrAdopt(c, id, undefined, {});
      if ('error' in job) return job.error;
      if (job.status !== 'running') {
        this.change(id, [job.status], { status: 'running', leased_to: c.crawlerId, lease_expires_at: null, started_at: job.started_at ?? this.now() }, {
          kind: 'started',
          crawler_id: c.crawlerId,
          reason: 'first progress report',
        });
        if (job.estimated_size) this.tracker.setExpectedTotals(id, job.estimated_size);
      }
    }
    const at = this.now();
    const live = this.tracker.update(id, m.data, at);
    this.progress.add(id, m.data, live.overall_completion, at);
    this.emit({ type: 'progress', progress: live });
    return ok;
  }

  jobCompleted(c: SocketConnection, m: CrawlerMessageOf<'job_completed'>): MessageProcessingResult {
    const id = m.job_id!;
    const job = this.ownOrAdopt(c, id, undefined, {});
    if ('error' in job) return job.error;
    this.flush();
    const counts = m.data.final_counts ? { final_counts: m.data.final_counts } : {};
    if (m.data.final_counts) {
      // The final counts are the last word on each entity type: the stored bars end full.
      const at = this.now();
      this.store.progress.upsertProgressBatch(
        Object.entries(m.data.final_counts).map(([entity_type, n]) => ({ job_id: id, entity_type, total_processed: n, total_discovered: n, updated_at: at })),
      );
    }
    if (m.data.success) {
      this.finish(job, 'completed', { overall_completion: 1, message: m.data.message ?? null }, { kind: 'completed', crawler_id: c.crawlerId, details: counts });
      this.tracker.markCompleted(id, m.data.final_counts);
    } else {
      const reason = m.data.message ?? 'the crawler reported job_completed with success: false';
      this.recordError({ category: 'job_processing', severity: 'high', code: 'job_unsuccessful', message: reason, context: counts, crawler_id: c.crawlerId, job_id: id });
      this.finish(job, 'failed', { last_error: reason }, { kind: 'failed', crawler_id: c.crawlerId, reason, details: counts });
      this.tracker.markFailed(id);
    }
    void this.dispatch();
    return ok;
  }

  jobFailed(c: SocketConnection, m: CrawlerMessageOf<'job_failed'>): MessageProcessingResult {
    const id = m.job_id!;
    const job = this.ownOrAdopt(c, id, undefined, {});
    if ('error' in job) return job.error;
    this.flush();
    const d = m.data;
    // A job handed back because its crawler is stopping (asked to by the operator, or saying so itself) is not a failure.
    if (d.is_recoverable && (this.isStopping(c.crawlerId) || d.error_type === 'interrupted')) {
      if (!this.isStopping(c.crawlerId)) this.stoppingUntil.set(c.crawlerId, this.now() + STOPPING_MARGIN_MS);
      this.handingBack.add(c.crawlerId);
      this.handBack(job, c.crawlerId, `handed back by ${c.crawlerId}: ${d.error}`, d.resume_state);
      void this.dispatch();
      return ok;
    }
    const failures = job.attempts + 1;
    const details = { error_type: d.error_type ?? null, partial_counts: d.partial_counts ?? null, recoverable: d.is_recoverable, ...m.extras };
    // A crawler's failure belongs on the errors screen too, with what it sent about it.
    this.recordError({
      category: 'job_processing',
      severity: d.is_recoverable ? 'medium' : 'high',
      code: d.error_type ?? 'job_failed',
      message: d.error,
      context: details,
      crawler_id: c.crawlerId,
      job_id: id,
    });
    if (d.is_recoverable && mayRetry(failures, this.config())) {
      const delay = retryDelayFor(failures, this.config());
      this.change(id, [job.status], {
        status: 'queued',
        leased_to: null,
        lease_expires_at: null,
        increment_attempts: true,
        not_before: this.now() + delay,
        resume_state: d.resume_state ?? job.resume_state,
        resume: (d.resume_state ?? job.resume_state) !== null,
        last_error: d.error,
      }, { kind: 'retry_scheduled', crawler_id: c.crawlerId, reason: `${d.error} (retry ${failures} of ${this.config().retryAttempts} in ${delay} ms)`, details });
      this.tracker.reset(id);
    } else {
      const why = d.is_recoverable ? `${d.error}; no retries left (${this.config().retryAttempts})` : d.error;
      this.finish(job, 'failed', { increment_attempts: true, last_error: d.error, ...(d.resume_state && { resume_state: d.resume_state }) }, {
        kind: 'failed',
        crawler_id: c.crawlerId,
        reason: why,
        details,
      });
      this.tracker.markFailed(id);
    }
    void this.dispatch();
    return ok;
  }

  /** Back to the queue at once, resuming where it stopped: no attempt spent, no error recorded, last_error untouched. */
  private handBack(job: Job, crawlerId: string, reason: string, resumeState?: Job['resume_state']): void {
    const resume_state = resumeState ?? job.resume_state ?? null;
    this.change(
      job.id,
      [job.status],
      { status: 'queued', leased_to: null, lease_expires_at: null, resume_state, resume: resume_state !== null },
      { kind: 'requeued', crawler_id: crawlerId, reason },
    );
    this.tracker.reset(job.id);
  }

  jobsDiscovered(c: SocketConnection, m: CrawlerMessageOf<'jobs_discovered'>): MessageProcessingResult {
    const id = m.job_id!;
    const job = this.ownOrAdopt(c, id, 'discover_namespaces', {});
    if ('error' in job) return job.error;
    const result = this.store.jobs.insertDiscoveredJobs(id, m.data.discovered_jobs, { crawler_id: c.crawlerId });
    for (const created of result.created) this.emit({ type: 'job_changed', job: toJobDto(created) });
    for (const bad of m.data.rejected_items) {
      const message = `discovered_jobs[${bad.index}] refused: ${bad.error}`;
      void c.send(errorReply('invalid_message', message, id)).catch(() => undefined);
      this.recordError({ category: 'message_validation', severity: 'low', code: 'invalid_message', message, crawler_id: c.crawlerId, job_id: id });
    }
    if (result.created.length > 0) void this.dispatch();
    return { success: true, data: { created: result.created.length, duplicates: result.duplicates, rejected: m.data.rejected_items.length } };
  }

  discovery(c: SocketConnection, m: CrawlerMessageOf<'discovery'>): MessageProcessingResult {
    this.store.entities.upsertDiscovery(m.data, { job_id: m.job_id ?? null, crawler_id: c.crawlerId });
    return ok;
  }

  requestJobs(c: SocketConnection, m: CrawlerMessageOf<'job_request'>): JobResponseJob[] {
    this.remember(c);
    const free = this.freeCapacity(c);
    const n = Math.min(free, m.data.max_jobs ?? free);
    if (n <= 0) return [];
    return this.lease(c.crawlerId, n).map((job) => {
      const token = this.tokenFor(job);
      return {
        id: job.id,
        entityType: entityTypeOf(job.job_type),
        entityId: job.entity_id ?? job.namespace_path ?? '',
        gitlabUrl: gitlabUrlOf(job.gitlab_host),
        accessToken: token ?? '',
        ...(job.resume_state && { resumeState: toCrawlerResume(job.resume_state) }),
      };
    });
  }

  refreshToken(c: SocketConnection, m: CrawlerMessageOf<'token_refresh_request'>): TokenRefreshAnswer {
    const id = m.job_id!;
    const job = this.store.jobs.getJob(id);
    if (!job) return { access_token: '', refresh_successful: false };
    const token = this.tokenFor(job);
    if (token !== null) return { access_token: token, refresh_successful: true };
    this.flush();
    if (job.status === 'assigned' || job.status === 'running') {
      this.change(id, [job.status], { status: 'waiting_credentials' }, {
        kind: 'waiting_credentials',
        crawler_id: c.crawlerId,
        reason: `no token saved for ${job.gitlab_host || 'this job’s GitLab host'}; save one to let the crawler go on`,
      });
    }
    return { access_token: '', refresh_successful: false };
  }

  /**
   * After a token is saved for a host: every job waiting for credentials there
   * whose crawler is connected gets its token and runs again. Returns how many.
   */
  async answerWaitingCrawlers(host: string): Promise<number> {
    let answered = 0;
    const waiting = this.store.jobs.listJobs({ status: ['waiting_credentials'], limit: 1000 }).jobs;
    for (const job of waiting) {
      const token = this.tokenFor(job);
      const conn = job.leased_to ? this.directory?.getConnection(job.leased_to) : undefined;
      if (token === null || !conn || normalize(job.gitlab_host) !== normalize(host)) continue;
      this.change(job.id, ['waiting_credentials'], { status: 'running' }, { kind: 'credentials_provided', crawler_id: conn.crawlerId, reason: `token saved for ${host}` });
      try {
        await conn.send({ type: 'token_refresh_response', timestamp: new Date(this.now()).toISOString(), job_id: job.id, data: { access_token: token, refresh_successful: true } });
        answered++;
      } catch (err) {
        this.logger.warn({ err, jobId: job.id }, 'could not answer a waiting crawler');
      }
    }
    return answered;
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
  }): Promise<Job> {
    let target: SocketConnection | undefined;
    if (input.crawler_id) {
      target = this.directory?.getConnection(input.crawler_id);
      if (!target) throw new ApiError('unavailable', `crawler ${input.crawler_id} is not connected`);
      if (this.freeCapacity(target) <= 0) {
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
    const [leased] = this.lease(target.crawlerId, 1, job.id);
    if (!leased) throw new ApiError('conflict', `job ${job.id} was taken before it could be assigned`);
    try {
      await target.send(this.assignmentFor(leased));
    } catch (err) {
      this.change(job.id, ['assigned'], { status: 'queued', leased_to: null, lease_expires_at: null }, { kind: 'requeued', reason: `could not reach ${target.crawlerId}: ${(err as Error).message}` });
      throw new ApiError('unavailable', `crawler ${target.crawlerId} could not be reached; the job was queued instead`);
    }
    return this.store.jobs.getJob(job.id)!;
  }

  async cancelJob(jobId: string, reason?: string): Promise<Job> {
    this.flush();
    const job = this.requireJob(jobId);
    if (!NON_FINAL.includes(job.status)) throw new ApiError('conflict', `job ${jobId} is already ${job.status}`);
    const why = reason ?? 'cancelled by the operator';
    if (!this.finish(job, 'cancelled', {}, { kind: 'cancelled', crawler_id: job.leased_to, reason: why })) {
      throw new ApiError('conflict', `job ${jobId} changed while cancelling; try again`);
    }
    this.tracker.markFailed(jobId);
    this.progress.discard(jobId);
    const conn = job.leased_to ? this.directory?.getConnection(job.leased_to) : undefined;
    if (conn) {
      await conn
        .send({ type: 'job_cancel', timestamp: new Date(this.now()).toISOString(), job_id: jobId, data: { job_id: jobId, reason: why } })
        .catch((err: Error) => this.logger.warn({ err, jobId }, 'job_cancel not delivered'));
    }
    return this.store.jobs.getJob(jobId)!;
  }

  retryJob(jobId: string): Job {
    const job = this.requireJob(jobId);
    if (job.status !== 'failed' && job.status !== 'cancelled') {
      throw new ApiError('conflict', `only failed or cancelled jobs can be retried; job ${jobId} is ${job.status}`);
    }
    this.change(jobId, [job.status], {
      status: 'queued',
      attempts: 0,
      leased_to: null,
      not_before: null,
      finished_at: null,
      resume: job.resume_state !== null,
    }, { kind: 'retried', reason: job.resume_state ? 'retried by the operator, resuming from its last state' : 'retried by the operator' });
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
    let n = 0;
    for (const h of this.held.values()) if (h.crawler === crawlerId) n++;
    return n;
  }

  capacityOf(c: SocketConnection): number {
    return c.metadata.maxConcurrentJobs ?? this.config().maxConcurrentJobs;
  }

  recordError(input: Parameters<Store['errors']['recordError']>[0]): void {
    const record = this.store.errors.recordError(input);
    this.emit({ type: 'error', error: record });
  }

  // ─────────────────────────── dispatch ───────────────────────────

  /**
   * Pushes queued jobs to crawlers that said hello and have free capacity, by
   * `job_assignment`. Not re-entrant: a call during a run schedules one more run.
   */
  dispatch(): Promise<void> {
    if (this.dispatching) {
      this.dispatchAgain = true;
      return this.dispatching;
    }
    this.dispatching = (async () => {
      // Yield first, so `dispatching` is set before the body can finish and clear it.
      await Promise.resolve();
      try {
        do {
          this.dispatchAgain = false;
          for (const id of this.directory?.connectedCrawlerIds() ?? []) {
            const conn = this.directory?.getConnection(id);
            if (!conn || !conn.metadata.saidHello || (this.handingBack.has(id) && this.isStopping(id))) continue; // a crawler handing work back takes none
            const free = this.freeCapacity(conn);
            if (free <= 0) continue;
            for (const job of this.lease(id, free)) {
              await conn.send(this.assignmentFor(job)).catch((err: Error) => {
                this.logger.warn({ err, jobId: job.id }, 'job_assignment not delivered; requeued');
                this.change(job.id, ['assigned'], { status: 'queued', leased_to: null, lease_expires_at: null }, { kind: 'requeued', reason: `could not reach ${id}` });
              });
            }
          }
        } while (this.dispatchAgain);
      } finally {
        this.dispatching = null;
      }
    })();
    return this.dispatching;
  }

  private freeCapacity(c: SocketConnection): number {
    return this.capacityOf(c) - this.heldCount(c.crawlerId);
  }

  /** Leases up to n queued jobs (or one given job) to a crawler: committed before anyone is told. */
  private lease(crawlerId: string, n: number, onlyJobId?: string): Job[] {
    const now = this.now();
    const leaseMs = this.config().leaseTimeout;
    let leased: Job[];
    if (onlyJobId) {
      const okLease = this.store.jobs.transition(onlyJobId, ['queued'], { status: 'assigned', leased_to: crawlerId, lease_expires_at: now + leaseMs }, { kind: 'assigned', crawler_id: crawlerId, reason: 'assigned by the operator' });
      leased = okLease ? [this.store.jobs.getJob(onlyJobId)!] : [];
    } else {
      // The store hands out only dispatchable jobs (a protocol job type and a GitLab host).
      leased = this.store.jobs.leaseNextJobs(crawlerId, n, leaseMs, now);
    }
    for (const job of leased) {
      this.held.set(job.id, { status: 'assigned', crawler: crawlerId });
      this.emit({ type: 'job_changed', job: toJobDto(job) });
    }
    return leased;
  }

  private assignmentFor(job: Job): WebAppMessage {
    const data: JobAssignment = {
      job_id: job.id,
      job_type: job.job_type as JobAssignment['job_type'],
      gitlab_host: job.gitlab_host,
      access_token: this.tokenFor(job) ?? '',
      priority: job.priority,
      resume: job.resume,
      ...(job.entity_id !== null && { entity_id: job.entity_id }),
      ...(job.namespace_path !== null && { namespace_path: job.namespace_path }),
      ...(job.resume && job.resume_state && { resume_state: job.resume_state }),
    };
    return { type: 'job_assignment', timestamp: new Date(this.now()).toISOString(), data };
  }

  // ─────────────────────────── state changes ───────────────────────────

  /** A compare-and-set state change with its history entry; updates the cache and tells the UI. */
  private change(jobId: string, from: readonly JobStatus[], patch: Parameters<Store['jobs']['transition']>[2], event: EventInput): boolean {
    const changed = this.store.jobs.transition(jobId, from, patch, event);
    if (!changed) return false;
    const job = this.store.jobs.getJob(jobId)!;
    if (HELD.includes(job.status)) this.held.set(jobId, { status: job.status, crawler: job.leased_to });
    else this.held.delete(jobId);
    this.emit({ type: 'job_changed', job: toJobDto(job) });
    return true;
  }

  private finish(job: Job, status: 'completed' | 'failed' | 'cancelled', patch: Parameters<Store['jobs']['transition']>[2], event: EventInput): boolean {
    return this.change(job.id, NON_FINAL, { ...patch, status, finished_at: this.now(), lease_expires_at: null }, event);
  }

  /**
   * The job a crawler reports on, if it may: its own, a queued one it picks up,
   * one held by a crawler that is gone (transferred), or an unknown one (adopted).
   * Finished jobs and jobs another connected crawler holds are refused.
   */
  private ownOrAdopt(
    c: SocketConnection,
    id: string,
    typeHint: string | undefined,
    data: { entity_id?: string | undefined; namespace_path?: string | undefined },
  ): Job | { error: MessageProcessingResult } {
    this.remember(c);
    let job = this.store.jobs.getJob(id);
    if (!job) {
      this.flush();
      job = this.store.jobs.insertJob(
        {
          id,
          job_type: jobTypeOf(typeHint),
          entity_id: data.entity_id ?? null,
          namespace_path: data.namespace_path ?? null,
          status: 'running',
          origin: 'crawler',
          leased_to: c.crawlerId,
          started_at: this.now(),
        },
        { kind: 'adopted', crawler_id: c.crawlerId, reason: `reported by ${c.crawlerId}; the console did not create it` },
      );
      this.held.set(id, { status: 'running', crawler: c.crawlerId });
      this.tracker.start(id);
      this.emit({ type: 'job_changed', job: toJobDto(job) });
      return job;
    }
    if (job.status === 'cancelled') return { error: refuse('job_cancelled', `job ${id} was cancelled by the operator; stop working on it`) };
    if (job.status === 'completed' || job.status === 'failed') return { error: refuse('invalid_transition', `job ${id} is already ${job.status}`) };
    if (job.leased_to && job.leased_to !== c.crawlerId) {
      if (this.directory?.getConnection(job.leased_to)) {
        return { error: refuse('job_not_leased', `job ${id} is leased to crawler ${job.leased_to}, not to ${c.crawlerId}`) };
      }
      // Its holder is gone (a crawler that reconnected under a new id): the reporter takes it over.
      this.flush();
      this.change(id, [job.status], { leased_to: c.crawlerId }, { kind: 'updated', crawler_id: c.crawlerId, reason: `taken over from ${job.leased_to}, which is not connected` });
      job = this.store.jobs.getJob(id)!;
    }
    return job;
  }

  private requireJob(jobId: string): Job {
    const job = this.store.jobs.getJob(jobId);
    if (!job) throw new ApiError('not_found', `there is no job ${jobId}`);
    return job;
  }

  /** The plaintext token for a job: its credential, else the newest saved for its host. Never logged. */
  private tokenFor(job: Job): string | null {
    const credId = job.credential_id ?? (job.gitlab_host ? this.store.credentials.findCredentialForHost(job.gitlab_host)?.id : undefined);
    if (!credId) return null;
    try {
      return this.store.credentials.getCredentialToken(credId);
    } catch (err) {
      this.logger.error({ jobId: job.id, credentialId: credId, err: (err as Error).message }, 'token could not be decrypted');
      return null;
    }
  }
}

const normalize = (host: string): string => host.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase();

function errorReply(code: 'invalid_message', message: string, jobId: string): WebAppMessage {
  return { type: 'error', timestamp: new Date().toISOString(), job_id: jobId, data: { code, message, job_id: jobId } };
}

function toCrawlerResume(r: NonNullable<Job['resume_state']>): JobResponseJob['resumeState'] {
  const { last_entity_id, current_page, entity_type, ...rest } = r;
  return {
    ...rest,
    ...(last_entity_id !== undefined && { lastEntityId: last_entity_id }),
    ...(current_page !== undefined && { currentPage: current_page }),
    ...(entity_type !== undefined && { entityType: entity_type }),
  };
}

