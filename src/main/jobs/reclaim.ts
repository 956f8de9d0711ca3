/**
 * Taking jobs back from crawlers: every job of a crawler that left (or is an
 * orphan), a job handed back by a stopping crawler, and a job running past
 * jobTimeout. Each goes back to the queue with its resume state and the reason,
 * or fails once its retries are spent.
 */
import type { Job } from '../store';
import type { CrawlerSessions, HolderLoss } from './crawler-sessions';
import type { Dispatcher } from './dispatcher';
import type { JobContext } from './job-context';
import { mayRetry } from './retry-policy';

export class Reclaim {
  private nextTimeoutCheck = 0;

  constructor(
    private readonly ctx: JobContext,
    private readonly sessions: CrawlerSessions,
    private readonly dispatcher: Dispatcher,
  ) {}

  /**
   * Every job a crawler holds goes back to the queue with its resume state (or
   * fails, past retryAttempts). After a shutdown the operator asked for, that is
   * no failure: no attempt is spent and no error recorded.
   */
  holderLost({ crawlerId, reason, stopped }: HolderLoss): void {
    const { ledger, store, tracker } = this.ctx;
    const neverHanded = this.dispatcher.forgetHandovers(crawlerId);
    for (const job of store.jobs.jobsLeasedTo(crawlerId)) {
      if (job.status === 'waiting_credentials') {
        // It waits for a token, not for this crawler: still waiting, for whichever crawler asks next.
        ledger.change(job.id, 'release_waiting', { leased_to: null }, { crawler_id: crawlerId, reason: `${reason}; still waiting for a token` });
        continue;
      }
      if (neverHanded?.has(job.id)) {
        ledger.change(job.id, 'requeue', { leased_to: null, lease_expires_at: null }, {
          crawler_id: crawlerId,
          reason: `${reason} before it asked for work; the job was never handed over`,
        }, ['assigned']);
        continue;
      }
      if (stopped) {
        this.handBack(job, crawlerId, `${reason} (shut down by the operator)`);
        continue;
      }
      const failures = job.attempts + 1;
      if (!mayRetry(failures, this.ctx.config())) {
        ledger.finish(job, 'fail', { increment_attempts: true, last_error: reason }, { crawler_id: crawlerId, reason: `${reason}; no retries left (${this.ctx.config().retryAttempts})` });
        continue;
      }
      ledger.change(job.id, 'requeue', {
        leased_to: null,
        lease_expires_at: null,
        increment_attempts: true,
        resume: job.resume_state !== null,
        last_error: reason,
      }, { crawler_id: crawlerId, reason });
      tracker.reset(job.id);
    }
    this.ctx.dispatchSoon();
  }

  /** Back to the queue at once, resuming where it stopped: no attempt spent, no error recorded, last_error untouched. */
  handBack(job: Job, crawlerId: string, reason: string, resumeState?: Job['resume_state']): void {
    const resume_state = resumeState ?? job.resume_state ?? null;
    this.ctx.ledger.change(
      job.id,
      'hand_back',
      { leased_to: null, lease_expires_at: null, resume_state, resume: resume_state !== null },
      { crawler_id: crawlerId, reason },
      [job.status],
    );
    this.ctx.tracker.reset(job.id);
  }

  /**
   * jobTimeout: a job running longer than this since it started goes back to the
   * queue with that reason (or fails, once its retries are spent), and its
   * crawler is told to stop. 0 means no limit.
   */
  expireOverdue(now: number): void {
    const { ledger, store, tracker } = this.ctx;
    const limit = this.ctx.config().jobTimeout;
    // Once a second at most: a job read per running job is not for every 100 ms tick.
    if (limit <= 0 || now < this.nextTimeoutCheck) return;
    this.nextTimeoutCheck = now + Math.min(1000, limit);
    for (const [id, h] of ledger.held) {
      if (h.status !== 'running') continue;
      const job = store.jobs.getJob(id);
      if (!job || job.status !== 'running' || job.started_at === null || now - job.started_at <= limit) continue;
      const reason = `ran longer than jobTimeout (${limit} ms)`;
      const holder = job.leased_to ? this.sessions.getConnection(job.leased_to) : undefined;
      this.ctx.flush();
      if (mayRetry(job.attempts + 1, this.ctx.config())) {
        ledger.change(id, 'requeue', { leased_to: null, lease_expires_at: null, increment_attempts: true, resume: job.resume_state !== null, last_error: reason }, {
          crawler_id: job.leased_to,
          reason,
        }, ['running']);
        tracker.reset(id);
      } else {
        ledger.finish(job, 'fail', { increment_attempts: true, last_error: reason }, { crawler_id: job.leased_to, reason: `${reason}; no retries left (${this.ctx.config().retryAttempts})` });
        tracker.markFailed(id);
      }
      this.ctx.recordError({ category: 'timeout', severity: 'medium', code: 'job_timeout', message: `job ${id} ${reason}`, crawler_id: job.leased_to, job_id: id });
      if (holder) {
        if (!holder.post({ type: 'job_cancel', timestamp: new Date(now).toISOString(), job_id: id, data: { job_id: id, reason } })) {
          this.ctx.logger.warn({ jobId: id }, 'job_cancel not delivered: the crawler is not reading');
        }
      }
    }
  }
}
