/**
 * Which job goes to which crawler, and when: leases (committed before anyone is
 * told), a token resolved before a job is handed out, a crawler's own capacity,
 * the dispatch pause and quiet crawlers (mayHandOut), jobs whose lease a crawler
 * let expire offered to others first, and the operator's assignments held for a
 * crawler that never said hello until it asks for work.
 */
import type { CrawlerMessageOf, JobAssignment, JobResponseJob, WebAppMessage } from '../../shared/protocol';
import { ApiError } from '../../shared/contract/errors';
import type { SocketConnection } from '../socket/connection/socket-connection';
import { type Credential, type Job, toJobDto } from '../store';
import type { CrawlerSessions } from './crawler-sessions';
import type { JobContext } from './job-context';
import { entityTypeOf, gitlabUrlOf } from './job-types';
import { mayRetry } from './retry-policy';
import type { TokenGrants } from './token-grants';

/** A leased job with the token it is handed. */
interface Leased {
  job: Job;
  token: string;
  credential: Credential;
}

/** Bounds the jobs one request may move to waiting_credentials while looking for work with a token. */
const MAX_PARKED_PER_LEASE = 200;

export class Dispatcher {
  private dispatching: Promise<void> | null = null;
  private dispatchAgain = false;
  /** Jobs whose lease a crawler let expire: offered to others first until `until`. */
  private readonly avoid = new Map<string, { crawler: string; until: number }>();
  /**
   * Jobs the operator assigned to a crawler that never said hello (it ignores
   * job_assignment): held for it, handed over in its next job_response.
   */
  private readonly awaitingHandover = new Map<string, Set<string>>();

  constructor(
    private readonly ctx: JobContext,
    private readonly sessions: CrawlerSessions,
    private readonly tokens: TokenGrants,
    /** Whether a crawler may be handed new work now (dispatch paused, crawler quiet). */
    private readonly mayHandOut: (crawlerId: string) => boolean,
  ) {}

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
          for (const id of this.sessions.connectedCrawlerIds()) {
            const conn = this.sessions.getConnection(id);
            if (!conn || !conn.metadata.saidHello || !this.mayHandOut(id) || this.sessions.takesNoWork(id)) continue;
            const free = this.freeCapacity(conn);
            if (free <= 0) continue;
            const leased = this.lease(id, free);
            this.tokens.recordHandouts(leased);
            for (const l of leased) {
              // Queued, never awaited: a crawler that does not read cannot stall dispatch to the others.
              if (!conn.post(this.assignmentFor(l))) {
                this.ctx.logger.warn({ jobId: l.job.id }, 'job_assignment not delivered; requeued');
                this.ctx.ledger.change(l.job.id, 'requeue', { leased_to: null, lease_expires_at: null }, { reason: `could not reach ${id}: it is not reading its socket` }, ['assigned']);
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

  /** A crawler's job_request: the operator's assignments held for it, then new work up to its free capacity. */
  requestJobs(c: SocketConnection, m: CrawlerMessageOf<'job_request'>): JobResponseJob[] {
    this.sessions.remember(c);
    // The operator's own assignments still go out while dispatch is paused or the crawler is quiet; new work does not.
    const handed = this.takeHeldFor(c);
    const free = this.mayHandOut(c.crawlerId) ? this.freeCapacity(c) : 0;
    const wanted = m.data.max_jobs === undefined ? free : Math.max(0, m.data.max_jobs - handed.length);
    const n = Math.min(free, wanted);
    if (n > 0) handed.push(...this.lease(c.crawlerId, n));
    this.tokens.recordHandouts(handed);
    return handed.map(({ job, token }) => ({
      id: job.id,
      entityType: entityTypeOf(job.job_type),
      entityId: job.entity_id ?? job.namespace_path ?? '',
      gitlabUrl: gitlabUrlOf(job.gitlab_host),
      accessToken: token,
      ...(job.resume_state && { resumeState: toCrawlerResume(job.resume_state) }),
    }));
  }

  /**
   * A job the operator created for this crawler. One that never said hello ignores
   * job_assignment (the crawler in the wild logs "Unknown message type"): the job is
   * held for it and goes out in its next job_response. Others get it pushed now.
   */
  assignTo(target: SocketConnection, job: Job): Job & { handover: 'pushed' | 'on_next_request' } {
    const jobs = this.ctx.store.jobs;
    if (!target.metadata.saidHello) {
      this.sessions.remember(target); // so that its leaving gives the job back
      const moved = this.ctx.ledger.change(job.id, 'lease', { leased_to: target.crawlerId, lease_expires_at: null }, {
        crawler_id: target.crawlerId,
        reason: `assigned by the operator; will be handed over when ${target.crawlerId} next asks for work`,
      });
      if (!moved) throw new ApiError('conflict', `job ${job.id} was taken before it could be assigned`);
      let ids = this.awaitingHandover.get(target.crawlerId);
      if (!ids) this.awaitingHandover.set(target.crawlerId, (ids = new Set()));
      ids.add(job.id);
      return { ...jobs.getJob(job.id)!, handover: 'on_next_request' };
    }
    const [leased] = this.lease(target.crawlerId, 1, job.id);
    if (!leased) {
      const now = jobs.getJob(job.id)!;
      if (now.status === 'waiting_credentials') {
        throw new ApiError('conflict', `job ${job.id} was created but waits for credentials: ${now.last_error ?? 'no usable token'}`);
      }
      throw new ApiError('conflict', `job ${job.id} was taken before it could be assigned`);
    }
    this.tokens.recordHandouts([leased]);
    // Never waits on the crawler: one that is not reading does not hold the operator's call.
    if (!target.post(this.assignmentFor(leased))) {
      this.ctx.ledger.change(job.id, 'requeue', { leased_to: null, lease_expires_at: null }, { reason: `could not reach ${target.crawlerId}: it is not reading its socket` }, ['assigned']);
      throw new ApiError('unavailable', `crawler ${target.crawlerId} could not be reached; the job was queued instead`);
    }
    return { ...jobs.getJob(job.id)!, handover: 'pushed' };
  }

  /** The assignments held for a crawler that left before asking for work (they were never handed over). */
  forgetHandovers(crawlerId: string): ReadonlySet<string> | undefined {
    const ids = this.awaitingHandover.get(crawlerId);
    this.awaitingHandover.delete(crawlerId);
    return ids;
  }

  /**
   * A lease that ran out without job_started counts as an attempt (a crawler
   * that takes work and never starts it burns the job's retries, not forever),
   * and the job is offered to other crawlers first for a while.
   */
  expireLease(job: Job, now: number): void {
    const holder = job.leased_to;
    const reason = `no job_started from ${holder} within the lease (${this.ctx.config().leaseTimeout} ms)`;
    if (!mayRetry(job.attempts + 1, this.ctx.config())) {
      this.ctx.ledger.finish(job, 'lease_expired_final', { increment_attempts: true, leased_to: null, last_error: reason }, {
        crawler_id: holder,
        reason: `${reason}; no retries left (${this.ctx.config().retryAttempts})`,
      });
      this.avoid.delete(job.id);
      return;
    }
    const changed = this.ctx.ledger.change(job.id, 'lease_expired', { leased_to: null, lease_expires_at: null, increment_attempts: true, last_error: reason }, {
      crawler_id: holder,
      reason,
    });
    // For a heartbeat timeout at least: long enough for the others to ask for work.
    const c = this.ctx.config();
    if (changed && holder) this.avoid.set(job.id, { crawler: holder, until: now + Math.max(c.leaseTimeout, c.heartbeatTimeout) });
  }

  freeCapacity(c: SocketConnection): number {
    return this.capacityOf(c) - this.ctx.ledger.heldCount(c.crawlerId);
  }

  capacityOf(c: SocketConnection): number {
    return c.metadata.maxConcurrentJobs ?? this.ctx.config().maxConcurrentJobs;
  }

  /** The operator's assignments held for this crawler until it asked for work: its lease starts now. */
  private takeHeldFor(c: SocketConnection): Leased[] {
    const ids = this.awaitingHandover.get(c.crawlerId);
    if (!ids) return [];
    this.awaitingHandover.delete(c.crawlerId);
    const out: Leased[] = [];
    for (const id of ids) {
      const job = this.ctx.store.jobs.getJob(id);
      if (!job || job.status !== 'assigned' || job.leased_to !== c.crawlerId) continue;
      const t = this.tokens.resolve(job);
      if ('reason' in t) {
        this.tokens.waitForToken(job, t.reason, c.crawlerId);
        continue;
      }
      this.ctx.ledger.change(id, 'hand_over', { lease_expires_at: this.ctx.now() + this.ctx.config().leaseTimeout }, {
        crawler_id: c.crawlerId,
        reason: `handed over in the job_response to ${c.crawlerId}`,
      });
      out.push({ job: this.ctx.store.jobs.getJob(id)!, token: t.token, credential: t.credential });
    }
    return out;
  }

  /** Jobs `crawlerId` should not be offered now, while another crawler could take them. */
  private avoidedBy(crawlerId: string, now: number): Set<string> | undefined {
    if (this.avoid.size === 0) return undefined;
    const others = this.sessions.connectedCrawlerIds().some((id) => id !== crawlerId);
    let out: Set<string> | undefined;
    for (const [jobId, a] of this.avoid) {
      if (a.until <= now) this.avoid.delete(jobId);
      else if (others && a.crawler === crawlerId) (out ??= new Set()).add(jobId);
    }
    return out;
  }

  /**
   * Leases up to n queued jobs (or one given job) to a crawler: committed before
   * anyone is told. A job without a usable token is never handed out: it moves to
   * waiting_credentials (with the reason) and the next queued job is tried.
   */
  private lease(crawlerId: string, n: number, onlyJobId?: string): Leased[] {
    const { store, ledger } = this.ctx;
    const now = this.ctx.now();
    const leaseMs = this.ctx.config().leaseTimeout;
    const out: Leased[] = [];
    let parked = 0;
    while (out.length < n) {
      let leased: Job[];
      if (onlyJobId) {
        const okLease = ledger.write(onlyJobId, 'lease', { leased_to: crawlerId, lease_expires_at: now + leaseMs }, { crawler_id: crawlerId, reason: 'assigned by the operator' });
        leased = okLease ? [store.jobs.getJob(onlyJobId)!] : [];
      } else {
        // The store hands out only dispatchable jobs (a protocol job type and a GitLab host); its batch
        // lease is the table's `lease` from queued, in one statement.
        leased = store.jobs.leaseNextJobs(crawlerId, n - out.length, leaseMs, now, this.avoidedBy(crawlerId, now));
      }
      for (const job of leased) {
        this.avoid.delete(job.id);
        ledger.held.set(job.id, { status: 'assigned', crawler: crawlerId });
        const t = this.tokens.resolve(job);
        if ('reason' in t) {
          parked++;
          this.tokens.waitForToken(job, t.reason, crawlerId);
          continue;
        }
        this.ctx.emit({ type: 'job_changed', job: toJobDto(job) });
        out.push({ job, token: t.token, credential: t.credential });
      }
      if (onlyJobId || leased.length === 0 || parked >= MAX_PARKED_PER_LEASE) break;
    }
    return out;
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
    return { type: 'job_assignment', timestamp: new Date(this.ctx.now()).toISOString(), data };
  }
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
