/**
 * The job lifecycle: what happens to a job from creation to its final state,
 * kept in SQLite so nothing is lost when the console, a crawler or the machine
 * stops. Its crawler-message methods are the console's handlers, registered on
 * the socket router (console-handlers.ts); the rest are the operator's job commands.
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
import type { ResolvedSocketConfig } from '../../shared/config';
import type { TokenRefreshAnswer } from '../socket/types/messages';
import type { ErrorCode } from '../../shared/protocol';
import type { SocketConnection } from '../socket/connection/socket-connection';
import type { MessageProcessingResult } from '../socket/types/router';
import type { ProgressTracker } from '../socket/progress/progress-tracker';
import type { Logger } from '../socket/logger';
import { type Credential, type Job, type Store, toJobDto } from '../store';
import type { StoredHandout } from '../store/credentials-repo';
import type { EventInput } from '../store/events-repo';
import type { HeartbeatRow } from '../store/crawlers-repo';
import { sqliteCode } from '../store/validate';
import { ProgressBuffer } from './progress-buffer';
import { mayRetry, retryDelayFor } from './retry-policy';
import { entityTypeOf, gitlabUrlOf, isKnownTask, jobTypeOf } from './job-types';

/** What the service needs of the socket server (bound after both exist). */
export interface ConnectionDirectory {
  getConnection(crawlerId: string): SocketConnection | undefined;
  /** Crawler ids with an open, authenticated connection. */
  connectedCrawlerIds(): string[];
}

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

/** A token refresh the console will not answer with a token (not the asker's job): replied to with `error`. */
export interface TokenRefreshRefusal {
  refused: { code: ErrorCode; error: string };
}

const HELD: readonly JobStatus[] = ['assigned', 'running', 'waiting_credentials'];
const NON_FINAL: readonly JobStatus[] = ['queued', 'assigned', 'running', 'waiting_credentials'];

const ok: MessageProcessingResult = { success: true };
const refuse = (code: NonNullable<MessageProcessingResult['code']>, error: string): MessageProcessingResult => ({ success: false, code, error });

/** A job's token, or why it has none it may be given (shown with the job while it waits). */
type TokenResolution = { token: string; credential: Credential } | { reason: string };
/** A leased job with the token it is handed. */
interface Leased {
  job: Job;
  token: string;
  credential: Credential;
}
/** One hour: a refreshed token's assumed life when its credential has no known expiry. */
const ASSUMED_TOKEN_LIFE_MS = 3_600_000;
/** Bounds the jobs one request may move to waiting_credentials while looking for work with a token. */
const MAX_PARKED_PER_LEASE = 200;

/** A job a crawler holds, cached so that progress (the hot path) needs no database read. */
interface HeldJob {
  status: JobStatus;
  crawler: string | null;
}

/** How long past its grace time a stopping crawler is still taken at its word. */
const STOPPING_MARGIN_MS = 5_000;

export class JobService {
  private readonly store: Store;
  private readonly config: () => ResolvedSocketConfig;
  private readonly tracker: ProgressTracker;
  private readonly emit: (event: ConsoleEvent) => void;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly mayHandOut: (crawlerId: string) => boolean;
  readonly progress: ProgressBuffer;
  private directory: ConnectionDirectory | null = null;
  private readonly held = new Map<string, HeldJob>();
  private heartbeats = new Map<string, HeartbeatRow>();
  private dispatching: Promise<void> | null = null;
  private dispatchAgain = false;
  /** Until then, jobs held by crawlers that have not reconnected since a restart stay theirs. */
  private recoveryDeadline = 0;
  /** Jobs whose lease a crawler let expire: offered to others first until `until`. */
  private readonly avoid = new Map<string, { crawler: string; until: number }>();
  /** Crawler ids holding jobs with no connection, since when (the orphan sweep). */
  private readonly orphanSince = new Map<string, number>();
  /**
   * Jobs the operator assigned to a crawler that never said hello (it ignores
   * job_assignment): held for it, handed over in its next job_response.
   */
  private readonly awaitingHandover = new Map<string, Set<string>>();
  private flushFailure: string | null = null;
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
    this.mayHandOut = options.mayHandOut ?? (() => true);
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
    for (const job of this.store.jobs.expiredLeases(now)) this.expireLease(job, now);
    this.requeueOrphans(now);
    if (this.recoveryDeadline && now >= this.recoveryDeadline) {
      this.recoveryDeadline = 0;
      const connected = new Set(this.directory?.connectedCrawlerIds() ?? []);
      const orphaned = new Set<string>();
      for (const [, h] of this.held) if (h.crawler && !connected.has(h.crawler)) orphaned.add(h.crawler);
      for (const crawler of orphaned) {
        this.requeueHeldBy(crawler, `crawler ${crawler} did not reconnect within the heartbeat timeout after the console restarted`);
      }
    }
    this.expireOverdue(now);
    void this.dispatch();
  }

  /**
   * A lease that ran out without job_started counts as an attempt (a crawler
   * that takes work and never starts it burns the job's retries, not forever),
   * and the job is offered to other crawlers first for a while.
   */
  private expireLease(job: Job, now: number): void {
    const holder = job.leased_to;
    const reason = `no job_started from ${holder} within the lease (${this.config().leaseTimeout} ms)`;
    if (!mayRetry(job.attempts + 1, this.config())) {
      this.finish(job, 'failed', { increment_attempts: true, leased_to: null, last_error: reason }, {
        kind: 'lease_expired',
        crawler_id: holder,
        reason: `${reason}; no retries left (${this.config().retryAttempts})`,
      });
      this.avoid.delete(job.id);
      return;
    }
    const changed = this.change(job.id, ['assigned'], { status: 'queued', leased_to: null, lease_expires_at: null, increment_attempts: true, last_error: reason }, {
      kind: 'lease_expired',
      crawler_id: holder,
      reason,
    });
    // For a heartbeat timeout at least: long enough for the others to ask for work.
    const c = this.config();
    if (changed && holder) this.avoid.set(job.id, { crawler: holder, until: now + Math.max(c.leaseTimeout, c.heartbeatTimeout) });
  }

  /** Jobs `crawlerId` should not be offered now, while another crawler could take them. */
  private avoidedBy(crawlerId: string, now: number): Set<string> | undefined {
    if (this.avoid.size === 0) return undefined;
    const others = (this.directory?.connectedCrawlerIds() ?? []).some((id) => id !== crawlerId);
    let out: Set<string> | undefined;
    for (const [jobId, a] of this.avoid) {
      if (a.until <= now) this.avoid.delete(jobId);
      else if (others && a.crawler === crawlerId) (out ??= new Set()).add(jobId);
    }
    return out;
  }

  /**
   * The sweep behind "no job is leased to an id with no connection": a holder
   * without a connection for longer than heartbeatTimeout loses its jobs to the
   * queue, with the reason. (Disconnects requeue at once; this catches whatever
   * slips past them, e.g. an id that changed under a job.)
   */
  private requeueOrphans(now: number): void {
    if (this.recoveryDeadline || !this.directory) return; // after a restart, crawlers first get their time to reconnect
    const connected = new Set(this.directory.connectedCrawlerIds());
    const holders = new Set<string>();
    for (const h of this.held.values()) if (h.crawler && !connected.has(h.crawler)) holders.add(h.crawler);
    for (const id of this.orphanSince.keys()) if (!holders.has(id)) this.orphanSince.delete(id);
    const limit = this.config().heartbeatTimeout;
    for (const id of holders) {
      const since = this.orphanSince.get(id);
      if (since === undefined) this.orphanSince.set(id, now);
      else if (now - since > limit) {
        this.orphanSince.delete(id);
        this.requeueHeldBy(id, `crawler ${id} holds jobs but has had no connection for more than the heartbeat timeout (${limit} ms)`);
      }
    }
  }

  /**
   * jobTimeout: a job running longer than this since it started goes back to the
   * queue with that reason (or fails, once its retries are spent), and its
   * crawler is told to stop. 0 means no limit.
   */
  private nextTimeoutCheck = 0;
  private expireOverdue(now: number): void {
    const limit = this.config().jobTimeout;
    // Once a second at most: a job read per running job is not for every 100 ms tick.
    if (limit <= 0 || now < this.nextTimeoutCheck) return;
    this.nextTimeoutCheck = now + Math.min(1000, limit);
    for (const [id, h] of this.held) {
      if (h.status !== 'running') continue;
      const job = this.store.jobs.getJob(id);
      if (!job || job.status !== 'running' || job.started_at === null || now - job.started_at <= limit) continue;
      const reason = `ran longer than jobTimeout (${limit} ms)`;
      const holder = job.leased_to ? this.directory?.getConnection(job.leased_to) : undefined;
      this.flush();
      if (mayRetry(job.attempts + 1, this.config())) {
        this.change(id, ['running'], { status: 'queued', leased_to: null, lease_expires_at: null, increment_attempts: true, resume: job.resume_state !== null, last_error: reason }, {
          kind: 'requeued',
          crawler_id: job.leased_to,
          reason,
        });
        this.tracker.reset(id);
      } else {
        this.finish(job, 'failed', { increment_attempts: true, last_error: reason }, { kind: 'failed', crawler_id: job.leased_to, reason: `${reason}; no retries left (${this.config().retryAttempts})` });
        this.tracker.markFailed(id);
      }
      this.recordError({ category: 'timeout', severity: 'medium', code: 'job_timeout', message: `job ${id} ${reason}`, crawler_id: job.leased_to, job_id: id });
      if (holder) {
        if (!holder.post({ type: 'job_cancel', timestamp: new Date(now).toISOString(), job_id: id, data: { job_id: id, reason } })) {
          this.logger.warn({ jobId: id }, 'job_cancel not delivered: the crawler is not reading');
        }
      }
    }
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
    this.store.crawlers.setAnonymous(c.crawlerId, madeUpId(c));
  }

  crawlerIdentified(c: SocketConnection, previousId?: string): void {
    this.remembered.add(c);
    if (previousId) this.moveHeldJobs(previousId, c.crawlerId);
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
    this.store.crawlers.setAnonymous(c.crawlerId, madeUpId(c));
    void this.dispatch();
  }

  /** A connection's crawler id changed (a hello after progress, or a second hello): the jobs it holds go with it. */
  private moveHeldJobs(from: string, to: string): void {
    this.flush();
    for (const job of this.store.jobs.jobsLeasedTo(from)) {
      this.change(job.id, [job.status], { leased_to: to }, { kind: 'updated', crawler_id: to, reason: `its crawler now calls itself ${to} (was ${from})` });
    }
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
    const neverHanded = this.awaitingHandover.get(crawlerId);
    this.awaitingHandover.delete(crawlerId);
    for (const job of this.store.jobs.jobsLeasedTo(crawlerId)) {
      if (job.status === 'waiting_credentials') {
        // It waits for a token, not for this crawler: still waiting, for whichever crawler asks next.
        this.change(job.id, ['waiting_credentials'], { leased_to: null }, { kind: 'updated', crawler_id: crawlerId, reason: `${reason}; still waiting for a token` });
        continue;
      }
      if (neverHanded?.has(job.id)) {
        this.change(job.id, ['assigned'], { status: 'queued', leased_to: null, lease_expires_at: null }, {
          kind: 'requeued',
          crawler_id: crawlerId,
          reason: `${reason} before it asked for work; the job was never handed over`,
        });
        continue;
      }
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
    const id = m.job_id;
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
    const id = m.job_id;
    const h = this.held.get(id);
    // Hot path: the job is running and held by this crawler (no database read).
    if (!h || h.status !== 'running' || h.crawler !== c.crawlerId) {
      // The crawler in the wild names its task in progress (`areas`, `project` …); a job it reports
      // this way without the console having made it is adopted under that task's job type.
      const named = m.data.progress[0]?.entity_type;
      const job = this.ownOrAdopt(c, id, named !== undefined && isKnownTask(named) ? named : undefined, {});
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
    const id = m.job_id;
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
    const id = m.job_id;
    const job = this.ownOrAdopt(c, id, undefined, {});
    if ('error' in job) return job.error;
    this.flush();
    const d = m.data;
    if (job.status === 'waiting_credentials') {
      // The crawler gave up after its refresh was refused: the job keeps waiting for a token (no attempt spent).
      this.recordError({ category: 'job_processing', severity: 'medium', code: d.error_type ?? 'job_failed', message: d.error, crawler_id: c.crawlerId, job_id: id });
      this.change(id, ['waiting_credentials'], { leased_to: null, last_error: d.error }, {
        kind: 'updated',
        crawler_id: c.crawlerId,
        reason: `${c.crawlerId} gave up on it (${d.error}); it runs again once a working token is saved`,
      });
      this.tracker.reset(id);
      return ok;
    }
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
    const id = m.job_id;
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
    // The operator's own assignments still go out while dispatch is paused or the crawler is quiet; new work does not.
    const handed = this.takeHeldFor(c);
    const free = this.mayHandOut(c.crawlerId) ? this.freeCapacity(c) : 0;
    const wanted = m.data.max_jobs === undefined ? free : Math.max(0, m.data.max_jobs - handed.length);
    const n = Math.min(free, wanted);
    if (n > 0) handed.push(...this.lease(c.crawlerId, n));
    this.recordHandouts(handed);
    return handed.map(({ job, token }) => ({
      id: job.id,
      entityType: entityTypeOf(job.job_type),
      entityId: job.entity_id ?? job.namespace_path ?? '',
      gitlabUrl: gitlabUrlOf(job.gitlab_host),
      accessToken: token,
      ...(job.resume_state && { resumeState: toCrawlerResume(job.resume_state) }),
    }));
  }

  /** The operator's assignments held for this crawler until it asked for work: its lease starts now. */
  private takeHeldFor(c: SocketConnection): Leased[] {
    const ids = this.awaitingHandover.get(c.crawlerId);
    if (!ids) return [];
    this.awaitingHandover.delete(c.crawlerId);
    const out: Leased[] = [];
    for (const id of ids) {
      const job = this.store.jobs.getJob(id);
      if (!job || job.status !== 'assigned' || job.leased_to !== c.crawlerId) continue;
      const t = this.resolveToken(job);
      if ('reason' in t) {
        this.waitForToken(job, t.reason, c.crawlerId);
        continue;
      }
      this.change(id, ['assigned'], { lease_expires_at: this.now() + this.config().leaseTimeout }, {
        kind: 'updated',
        crawler_id: c.crawlerId,
        reason: `handed over in the job_response to ${c.crawlerId}`,
      });
      out.push({ job: this.store.jobs.getJob(id)!, token: t.token, credential: t.credential });
    }
    return out;
  }

  /** A token goes only to the connection an unfinished job is leased to; anything else is refused and changes nothing. */
  private refreshRefusal(c: SocketConnection, id: string, job: Job | null): TokenRefreshRefusal | null {
    if (!job) return { refused: { code: 'unknown_job', error: `there is no job ${id}` } };
    if (!HELD.includes(job.status)) {
      return { refused: { code: job.status === 'cancelled' ? 'job_cancelled' : 'job_not_leased', error: `job ${id} is ${job.status}; it is not leased to ${c.crawlerId}` } };
    }
    if (job.leased_to !== c.crawlerId || this.directory?.getConnection(c.crawlerId) !== c) {
      return { refused: { code: 'job_not_leased', error: `job ${id} is not leased to ${c.crawlerId}; only its holder may refresh its token` } };
    }
    return null;
  }

  /**
   * A crawler's request for a new token (GitLab refused the one it has). A token
   * the console already handed to this job is the one that failed: it is marked
   * refused and never offered again; another usable token for the job is a
   * success. Without one the job waits for credentials, and the crawler is told
   * (refreshSuccessful false) — it gets the token unasked once the operator saves one.
   */
  refreshToken(c: SocketConnection, m: CrawlerMessageOf<'token_refresh_request'>): TokenRefreshAnswer | TokenRefreshRefusal {
    const id = m.job_id;
    const job = this.store.jobs.getJob(id);
    // Only the connection an unfinished job is leased to gets a token; anything else changes nothing.
    const refusal = this.refreshRefusal(c, id, job);
    if (refusal || !job) return refusal ?? { refused: { code: 'unknown_job', error: `there is no job ${id}` } };
    this.remember(c);
    const handed = this.store.credentials.handoutOf(id);
    let t = this.resolveToken(job, handed);
    // A crawler may ask ahead of expiry (current_token_expired: false): the token it has is not refused then.
    const failed = m.data.current_token_expired !== false;
    if (failed && 'token' in t && handed && handed.credential_id === t.credential.id && handed.token_version === (t.credential.token_version ?? 1)) {
      const detail = m.data.error_details ? `: ${m.data.error_details}` : '';
      this.store.credentials.refuseHandout(id);
      this.store.credentials.rejectToken(t.credential.id, handed.token_version, `GitLab refused it for job ${id} (${c.crawlerId}${detail})`);
      this.recordError({
        category: 'authentication',
        severity: 'high',
        code: 'token_refused',
        message: `GitLab refused the token of credential “${t.credential.label}” (${t.credential.token_hint}) for job ${id} on ${job.gitlab_host}; the job waits for a new token`,
        crawler_id: c.crawlerId,
        job_id: id,
      });
      t = this.resolveToken(job); // another token saved for the host may still work
    }
    if ('token' in t) {
      this.recordHandouts([{ job, token: t.token, credential: t.credential }]);
      if (job.status === 'waiting_credentials') {
        this.change(id, ['waiting_credentials'], { status: 'running', leased_to: c.crawlerId }, { kind: 'credentials_provided', crawler_id: c.crawlerId, reason: `token of “${t.credential.label}” handed over` });
      }
      return this.refreshAnswer(t.credential, t.token);
    }
    this.flush();
    if (job.status === 'assigned' || job.status === 'running' || job.status === 'waiting_credentials') {
      this.waitForToken(job, t.reason, c.crawlerId, true);
    }
    return this.refreshAnswer(this.credentialOf(job), null);
  }

  /**
   * The expiry always goes with the answer (the crawler in the wild rejects one
   * without): the credential's known expiry, else an hour from now on success and
   * now on failure.
   */
  private refreshAnswer(credential: Credential | null, token: string | null): TokenRefreshAnswer {
    const now = this.now();
    const expires = credential?.expires_at ?? (token !== null ? now + ASSUMED_TOKEN_LIFE_MS : now);
    return { access_token: token ?? '', refresh_successful: token !== null, expires_at: new Date(expires).toISOString() };
  }

  /**
   * After a token is saved, replaced or jobs moved to another credential: every
   * job waiting for credentials that now has a usable token goes on. A job whose
   * crawler is still connected and waiting gets the token unasked
   * (token_refresh_response) and runs again; the others go back to the queue
   * (no attempt spent) and are handed out with the new token.
   */
  async resumeWaitingJobs(): Promise<{ answered: number; requeued: number }> {
    this.flush();
    let answered = 0;
    let requeued = 0;
    const sends: Promise<void>[] = [];
    // Jobs of one credential and host resolve alike: decrypt once per pair, not once per job.
    const resolved = new Map<string, TokenResolution>();
    const resolve = (job: Job): TokenResolution => {
      const handout = this.store.credentials.handoutOf(job.id);
      if (handout?.refused) return this.resolveToken(job, handout); // particular to this job
      const key = `${job.credential_id ?? ''}\u0000${job.gitlab_host}`;
      let t = resolved.get(key);
      if (!t) resolved.set(key, (t = this.resolveToken(job, handout)));
      return t;
    };
    for (let skipped = 0; ; ) {
      const page = this.store.jobs.listJobs({ status: ['waiting_credentials'], limit: 500, offset: skipped, sort: 'created_at', dir: 'asc' }).jobs;
      for (const job of page) {
        const t = resolve(job);
        if ('reason' in t) {
          skipped++;
          continue;
        }
        const conn = job.leased_to ? this.directory?.getConnection(job.leased_to) : undefined;
        if (conn && this.change(job.id, ['waiting_credentials'], { status: 'running', last_error: null }, { kind: 'credentials_provided', crawler_id: conn.crawlerId, reason: `new token of “${t.credential.label}” sent to ${conn.crawlerId}` })) {
          this.recordHandouts([{ job, token: t.token, credential: t.credential }]);
          const msg: WebAppMessage = { type: 'token_refresh_response', timestamp: new Date(this.now()).toISOString(), job_id: job.id, data: this.refreshAnswer(t.credential, t.token) };
          sends.push(
            conn.send(msg).then(
              () => void answered++,
              (err: Error) => this.logger.warn({ err, jobId: job.id }, 'could not answer a waiting crawler'),
            ),
          );
        } else if (this.change(job.id, ['waiting_credentials'], { status: 'queued', leased_to: null, lease_expires_at: null, last_error: null }, { kind: 'credentials_provided', crawler_id: job.leased_to, reason: `a token of “${t.credential.label}” is saved; queued again` })) {
          requeued++;
        } else {
          skipped++;
        }
      }
      if (page.length < 500) break;
    }
    await Promise.all(sends);
    if (requeued > 0) void this.dispatch();
    return { answered, requeued };
  }

  /**
   * The operator moves unfinished jobs to another credential; the waiting ones among them go on.
   * `resumeWaiting: false`: the caller resumes them itself, once (a bulk move, after its last chunk).
   */
  async moveJobsToCredential(jobIds: readonly string[], credentialId: string, options: { resumeWaiting?: boolean } = {}): Promise<{ moved: number; skipped: string[]; answered: number; requeued: number }> {
    const target = this.store.credentials.getCredential(credentialId);
    if (!target) throw new ApiError('not_found', `there is no saved credential ${credentialId}`);
    this.flush();
    let moved = 0;
    const skipped: string[] = [];
    for (const id of jobIds) {
      const job = this.store.jobs.getJob(id);
      if (!job || !NON_FINAL.includes(job.status)) {
        skipped.push(id);
        continue;
      }
      if (job.credential_id === credentialId) continue;
      if (this.change(id, NON_FINAL, { credential_id: credentialId }, { kind: 'updated', reason: `moved to credential “${target.label}” (${target.token_hint}) by the operator` })) moved++;
      else skipped.push(id);
    }
    const resumed = options.resumeWaiting === false ? { answered: 0, requeued: 0 } : await this.resumeWaitingJobs();
    return { moved, skipped, ...resumed };
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
    if (!target.metadata.saidHello) {
      // A crawler that never said hello ignores job_assignment (the crawler in the wild logs
      // "Unknown message type"): the job is held for it and goes out in its next job_response.
      this.remember(target); // so that its leaving gives the job back
      const moved = this.store.jobs.transition(job.id, ['queued'], { status: 'assigned', leased_to: target.crawlerId, lease_expires_at: null }, {
        kind: 'assigned',
        crawler_id: target.crawlerId,
        reason: `assigned by the operator; will be handed over when ${target.crawlerId} next asks for work`,
      });
      if (!moved) throw new ApiError('conflict', `job ${job.id} was taken before it could be assigned`);
      this.held.set(job.id, { status: 'assigned', crawler: target.crawlerId });
      let ids = this.awaitingHandover.get(target.crawlerId);
      if (!ids) this.awaitingHandover.set(target.crawlerId, (ids = new Set()));
      ids.add(job.id);
      const held = this.store.jobs.getJob(job.id)!;
      this.emit({ type: 'job_changed', job: toJobDto(held) });
      return { ...held, handover: 'on_next_request' };
    }
    const [leased] = this.lease(target.crawlerId, 1, job.id);
    if (!leased) {
      const now = this.store.jobs.getJob(job.id)!;
      if (now.status === 'waiting_credentials') {
        throw new ApiError('conflict', `job ${job.id} was created but waits for credentials: ${now.last_error ?? 'no usable token'}`);
      }
      throw new ApiError('conflict', `job ${job.id} was taken before it could be assigned`);
    }
    this.recordHandouts([leased]);
    // Never waits on the crawler: one that is not reading does not hold the operator's call.
    if (!target.post(this.assignmentFor(leased))) {
      this.change(job.id, ['assigned'], { status: 'queued', leased_to: null, lease_expires_at: null }, { kind: 'requeued', reason: `could not reach ${target.crawlerId}: it is not reading its socket` });
      throw new ApiError('unavailable', `crawler ${target.crawlerId} could not be reached; the job was queued instead`);
    }
    return { ...this.store.jobs.getJob(job.id)!, handover: 'pushed' };
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
    if (conn && !conn.post({ type: 'job_cancel', timestamp: new Date(this.now()).toISOString(), job_id: jobId, data: { job_id: jobId, reason: why } })) {
      this.logger.warn({ jobId }, 'job_cancel not delivered: the crawler is not reading');
    }
    return this.store.jobs.getJob(jobId)!;
  }

  retryJob(jobId: string): Job {
    const job = this.requireJob(jobId);
    if (job.status !== 'failed' && job.status !== 'cancelled') {
      throw new ApiError('conflict', `only failed or cancelled jobs can be retried; job ${jobId} is ${job.status}`);
    }
    this.requeueOrExplain(jobId, () => this.change(jobId, [job.status], {
      status: 'queued',
      attempts: 0,
      leased_to: null,
      not_before: null,
      finished_at: null,
      resume: job.resume_state !== null,
    }, { kind: 'retried', reason: job.resume_state ? 'retried by the operator, resuming from its last state' : 'retried by the operator' }));
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
            if (!conn || !conn.metadata.saidHello || !this.mayHandOut(id) || (this.handingBack.has(id) && this.isStopping(id))) continue; // a crawler handing work back takes none
            const free = this.freeCapacity(conn);
            if (free <= 0) continue;
            const leased = this.lease(id, free);
            this.recordHandouts(leased);
            for (const l of leased) {
              // Queued, never awaited: a crawler that does not read cannot stall dispatch to the others.
              if (!conn.post(this.assignmentFor(l))) {
                this.logger.warn({ jobId: l.job.id }, 'job_assignment not delivered; requeued');
                this.change(l.job.id, ['assigned'], { status: 'queued', leased_to: null, lease_expires_at: null }, { kind: 'requeued', reason: `could not reach ${id}: it is not reading its socket` });
              }
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

  /**
   * Leases up to n queued jobs (or one given job) to a crawler: committed before
   * anyone is told. A job without a usable token is never handed out: it moves to
   * waiting_credentials (with the reason) and the next queued job is tried.
   */
  private lease(crawlerId: string, n: number, onlyJobId?: string): Leased[] {
    const now = this.now();
    const leaseMs = this.config().leaseTimeout;
    const out: Leased[] = [];
    let parked = 0;
    while (out.length < n) {
      let leased: Job[];
      if (onlyJobId) {
        const okLease = this.store.jobs.transition(onlyJobId, ['queued'], { status: 'assigned', leased_to: crawlerId, lease_expires_at: now + leaseMs }, { kind: 'assigned', crawler_id: crawlerId, reason: 'assigned by the operator' });
        leased = okLease ? [this.store.jobs.getJob(onlyJobId)!] : [];
      } else {
        // The store hands out only dispatchable jobs (a protocol job type and a GitLab host).
        leased = this.store.jobs.leaseNextJobs(crawlerId, n - out.length, leaseMs, now, this.avoidedBy(crawlerId, now));
      }
      for (const job of leased) {
        this.avoid.delete(job.id);
        this.held.set(job.id, { status: 'assigned', crawler: crawlerId });
        const t = this.resolveToken(job);
        if ('reason' in t) {
          parked++;
          this.waitForToken(job, t.reason, crawlerId);
          continue;
        }
        this.emit({ type: 'job_changed', job: toJobDto(job) });
        out.push({ job, token: t.token, credential: t.credential });
      }
      if (onlyJobId || leased.length === 0 || parked >= MAX_PARKED_PER_LEASE) break;
    }
    return out;
  }

  /**
   * The job waits for a token, visibly, with the reason; no attempt is spent.
   * `keepCrawler`: the crawler asked for the token and is answered unasked once one is saved.
   */
  private waitForToken(job: Job, reason: string, crawlerId: string | null, keepCrawler = false): void {
    if (job.status === 'waiting_credentials' && keepCrawler && job.leased_to === crawlerId && job.last_error === reason) return;
    this.change(job.id, [job.status], { status: 'waiting_credentials', leased_to: keepCrawler ? crawlerId : null, lease_expires_at: null, last_error: reason }, {
      kind: 'waiting_credentials',
      crawler_id: crawlerId,
      reason,
    });
  }

  private recordHandouts(leased: readonly Leased[]): void {
    if (leased.length === 0) return;
    this.store.credentials.recordHandouts(
      leased.map((l) => ({ job_id: l.job.id, credential_id: l.credential.id, token_version: l.credential.token_version ?? 1 })),
    );
  }

  private assignmentFor({ job, token }: Leased): WebAppMessage {
    const data: JobAssignment = {
      job_id: job.id,
      job_type: job.job_type as JobAssignment['job_type'],
      gitlab_host: job.gitlab_host,
      access_token: token,
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

  /** The job's own credential, else the newest saved for its host (possibly unusable), or null. */
  private credentialOf(job: Job): Credential | null {
    if (job.credential_id) return this.store.credentials.getCredential(job.credential_id);
    return job.gitlab_host ? this.store.credentials.findCredentialForHost(job.gitlab_host) : null;
  }

  /**
   * The plaintext token a job may be handed (never logged): its own credential's,
   * else (none, or its own does not work for it) the best one saved for its host;
   * or why there is none. A token past its known expiry, an empty one, one this
   * console cannot decrypt, or the one GitLab refused for this very job is not usable.
   */
  private resolveToken(job: Job, handout: StoredHandout | null = this.store.credentials.handoutOf(job.id)): TokenResolution {
    const own = job.credential_id ? this.store.credentials.getCredential(job.credential_id) : null;
    const refused = handout?.refused ? this.refusedTokenOf(handout) : null;
    const first = own ? this.usableToken(job, own, refused) : null;
    if (first && 'token' in first) return first;
    let fallback: TokenResolution | null = null;
    for (const candidate of job.gitlab_host ? this.store.credentials.usableCredentialsForHost(job.gitlab_host, this.now()) : []) {
      if (candidate.id === own?.id) continue;
      const t = this.usableToken(job, candidate, refused);
      if ('token' in t) return t;
      fallback ??= t;
    }
    if (first) return first;
    const host = job.gitlab_host || 'this job’s GitLab host';
    if (job.credential_id) return { reason: `its credential ${job.credential_id} no longer exists; save a token for ${host} or move the job to another credential` };
    if (fallback) return fallback;
    const any = job.gitlab_host ? this.store.credentials.findCredentialForHost(job.gitlab_host) : null;
    return any ? this.usableToken(job, any, refused) : { reason: `no token saved for ${host}; save one on the Credentials screen` };
  }

  /** The token GitLab refused for a job, while its credential still holds it (compared by value: the same token may be saved twice). */
  private refusedTokenOf(handout: StoredHandout): string | null {
    const c = this.store.credentials.getCredential(handout.credential_id);
    if (!c || (c.token_version ?? 1) !== handout.token_version) return null;
    try {
      return this.store.credentials.getCredentialToken(c.id);
    } catch {
      return null;
    }
  }

  private usableToken(job: Job, credential: Credential, refused: string | null): TokenResolution {
    const name = `credential “${credential.label}” (${credential.token_hint})`;
    if (credential.expires_at && credential.expires_at <= this.now()) {
      return { reason: `the token of ${name} expired at ${new Date(credential.expires_at).toISOString()}; save a new token for it` };
    }
    let token: string | null;
    try {
      token = this.store.credentials.getCredentialToken(credential.id);
    } catch (err) {
      this.logger.error({ jobId: job.id, credentialId: credential.id, err: (err as Error).message }, 'token could not be decrypted');
      return { reason: `the token of ${name} cannot be decrypted here; save it again` };
    }
    if (!token || token.trim() === '') return { reason: `the token of ${name} is empty; save a new token for it` };
    if (refused !== null && token === refused) {
      return { reason: `GitLab refused the token of ${name} for this job; save a new token for it (or for ${job.gitlab_host || 'its host'})` };
    }
    return { token, credential };
  }

  /** A state change that a second unfinished job for the same discovered entity would break: said, not thrown raw. */
  private requeueOrExplain(jobId: string, run: () => boolean): boolean {
    try {
      return run();
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new ApiError('conflict', `job ${jobId} cannot run again: another unfinished job already covers the same entity on this host`);
      }
      throw err;
    }
  }
}

/** The socket layer names a connection `crawler-<first 8 of its uuid>` until the crawler gives an id in hello. */
const madeUpId = (c: SocketConnection): boolean => c.crawlerId === `crawler-${c.id.slice(0, 8)}`;

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

