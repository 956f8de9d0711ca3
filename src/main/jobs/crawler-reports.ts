/**
 * What a crawler's reports do to the jobs they name: started, progress,
 * completed, failed, discovered. A crawler may report only on its own jobs, a
 * queued one it picks up, one whose holder is gone, or one the console never
 * made (adopted); finished jobs and other connected crawlers' jobs are refused.
 */
import type { CrawlerMessageOf, WebAppMessage } from '../../shared/protocol';
import type { MessageProcessingResult } from '../socket/types/router';
import type { SocketConnection } from '../socket/connection/socket-connection';
import { type Job, toJobDto } from '../store';
import type { CrawlerSessions } from './crawler-sessions';
import type { JobContext } from './job-context';
import { isKnownTask, jobTypeOf } from './job-types';
import { completedDetails } from './job-result';
import type { ProgressBuffer } from './progress-buffer';
import type { Reclaim } from './reclaim';
import { mayRetry, retryDelayFor } from './retry-policy';

const ok: MessageProcessingResult = { success: true };
const refuse = (code: NonNullable<MessageProcessingResult['code']>, error: string): MessageProcessingResult => ({ success: false, code, error });

export class CrawlerReports {
  constructor(
    private readonly ctx: JobContext,
    private readonly sessions: CrawlerSessions,
    private readonly reclaim: Reclaim,
    private readonly progress: ProgressBuffer,
  ) {}

  jobStarted(c: SocketConnection, m: CrawlerMessageOf<'job_started'>): MessageProcessingResult {
    const id = m.job_id;
    const job = this.ownOrAdopt(c, id, m.data.job_type ?? m.data.entity_type, m.data);
    if ('error' in job) return job.error;
    if (job.status === 'running') return ok; // a re-report after a reconnect: nothing changes
    this.ctx.ledger.change(id, 'start', { leased_to: c.crawlerId, lease_expires_at: null, started_at: job.started_at ?? this.ctx.now() }, {
      crawler_id: c.crawlerId,
      reason: job.status === 'queued' ? `picked up by ${c.crawlerId}` : null,
    }, [job.status]);
    if (job.estimated_size) this.ctx.tracker.setExpectedTotals(id, job.estimated_size);
    this.ctx.tracker.start(id);
    return ok;
  }

  jobProgress(c: SocketConnection, m: CrawlerMessageOf<'job_progress'>): MessageProcessingResult {
    const id = m.job_id;
    const h = this.ctx.ledger.held.get(id);
    // Hot path: the job is running and held by this crawler (no database read).
    if (!h || h.status !== 'running' || h.crawler !== c.crawlerId) {
      // The crawler in the wild names its task in progress (`areas`, `project` …); a job it reports
      // this way without the console having made it is adopted under that task's job type.
      const named = m.data.progress[0]?.entity_type;
      const job = this.ownOrAdopt(c, id, named !== undefined && isKnownTask(named) ? named : undefined, {});
      if ('error' in job) return job.error;
      if (job.status !== 'running') {
        this.ctx.ledger.change(id, 'start', { leased_to: c.crawlerId, lease_expires_at: null, started_at: job.started_at ?? this.ctx.now() }, {
          crawler_id: c.crawlerId,
          reason: 'first progress report',
        }, [job.status]);
        if (job.estimated_size) this.ctx.tracker.setExpectedTotals(id, job.estimated_size);
      }
    }
    const at = this.ctx.now();
    const live = this.ctx.tracker.update(id, m.data, at);
    this.progress.add(id, m.data, live.overall_completion, at);
    this.ctx.emit({ type: 'progress', progress: live });
    return ok;
  }

  jobCompleted(c: SocketConnection, m: CrawlerMessageOf<'job_completed'>): MessageProcessingResult {
    const id = m.job_id;
    const job = this.ownOrAdopt(c, id, undefined, {});
    if ('error' in job) return job.error;
    this.ctx.flush();
    const counts = m.data.final_counts ? { final_counts: m.data.final_counts } : {};
    if (m.data.final_counts) {
      // The final counts are the last word on each entity type: the stored bars end full.
      const at = this.ctx.now();
      this.ctx.store.progress.upsertProgressBatch(
        Object.entries(m.data.final_counts).map(([entity_type, n]) => ({ job_id: id, entity_type, total_processed: n, total_discovered: n, updated_at: at })),
      );
    }
    if (m.data.success) {
      this.ctx.ledger.finish(job, 'complete', { overall_completion: 1, message: m.data.message ?? null }, { crawler_id: c.crawlerId, details: completedDetails(m.data) });
      this.ctx.tracker.markCompleted(id, m.data.final_counts);
    } else {
      const reason = m.data.message ?? 'the crawler reported job_completed with success: false';
      this.ctx.recordError({ category: 'job_processing', severity: 'high', code: 'job_unsuccessful', message: reason, context: counts, crawler_id: c.crawlerId, job_id: id });
      this.ctx.ledger.finish(job, 'fail', { last_error: reason }, { crawler_id: c.crawlerId, reason, details: completedDetails(m.data) });
      this.ctx.tracker.markFailed(id);
    }
    this.ctx.dispatchSoon();
    return ok;
  }

  jobFailed(c: SocketConnection, m: CrawlerMessageOf<'job_failed'>): MessageProcessingResult {
    const id = m.job_id;
    const job = this.ownOrAdopt(c, id, undefined, {});
    if ('error' in job) return job.error;
    this.ctx.flush();
    const d = m.data;
    const config = this.ctx.config();
    if (job.status === 'waiting_credentials') {
      // The crawler gave up after its refresh was refused: the job keeps waiting for a token (no attempt spent).
      this.ctx.recordError({ category: 'job_processing', severity: 'medium', code: d.error_type ?? 'job_failed', message: d.error, crawler_id: c.crawlerId, job_id: id });
      this.ctx.ledger.change(id, 'release_waiting', { leased_to: null, last_error: d.error }, {
        crawler_id: c.crawlerId,
        reason: `${c.crawlerId} gave up on it (${d.error}); it runs again once a working token is saved`,
      });
      this.ctx.tracker.reset(id);
      return ok;
    }
    // A job handed back because its crawler is stopping (asked to by the operator, or saying so itself) is not a failure.
    if (d.is_recoverable && (this.sessions.isStopping(c.crawlerId) || d.error_type === 'interrupted')) {
      this.sessions.handsBack(c.crawlerId);
      this.reclaim.handBack(job, c.crawlerId, `handed back by ${c.crawlerId}: ${d.error}`, d.resume_state);
      this.ctx.dispatchSoon();
      return ok;
    }
    const failures = job.attempts + 1;
    const details = { error_type: d.error_type ?? null, partial_counts: d.partial_counts ?? null, recoverable: d.is_recoverable, ...m.extras };
    // A crawler's failure belongs on the errors screen too, with what it sent about it.
    this.ctx.recordError({
      category: 'job_processing',
      severity: d.is_recoverable ? 'medium' : 'high',
      code: d.error_type ?? 'job_failed',
      message: d.error,
      context: details,
      crawler_id: c.crawlerId,
      job_id: id,
    });
    if (d.is_recoverable && mayRetry(failures, config)) {
      const delay = retryDelayFor(failures, config);
      this.ctx.ledger.change(id, 'retry_later', {
        leased_to: null,
        lease_expires_at: null,
        increment_attempts: true,
        not_before: this.ctx.now() + delay,
        resume_state: d.resume_state ?? job.resume_state,
        resume: (d.resume_state ?? job.resume_state) !== null,
        last_error: d.error,
      }, { crawler_id: c.crawlerId, reason: `${d.error} (retry ${failures} of ${config.retryAttempts} in ${delay} ms)`, details }, [job.status]);
      this.ctx.tracker.reset(id);
    } else {
      const why = d.is_recoverable ? `${d.error}; no retries left (${config.retryAttempts})` : d.error;
      this.ctx.ledger.finish(job, 'fail', { increment_attempts: true, last_error: d.error, ...(d.resume_state && { resume_state: d.resume_state }) }, {
        crawler_id: c.crawlerId,
        reason: why,
        details,
      });
      this.ctx.tracker.markFailed(id);
    }
    this.ctx.dispatchSoon();
    return ok;
  }

  jobsDiscovered(c: SocketConnection, m: CrawlerMessageOf<'jobs_discovered'>): MessageProcessingResult {
    const id = m.job_id;
    const job = this.ownOrAdopt(c, id, 'discover_namespaces', {});
    if ('error' in job) return job.error;
    const result = this.ctx.store.jobs.insertDiscoveredJobs(id, m.data.discovered_jobs, { crawler_id: c.crawlerId });
    const created = result.created.length;
    if (created > 0) this.ctx.emit({ type: 'jobs_discovered', parent_job_id: id, crawler_id: c.crawlerId, created, duplicates: result.duplicates });
    for (const bad of m.data.rejected_items) {
      const message = `discovered_jobs[${bad.index}] refused: ${bad.error}`;
      void c.send(errorReply('invalid_message', message, id)).catch(() => undefined);
      this.ctx.recordError({ category: 'message_validation', severity: 'low', code: 'invalid_message', message, crawler_id: c.crawlerId, job_id: id });
    }
    if (created > 0) this.ctx.dispatchSoon();
    return { success: true, data: { created, duplicates: result.duplicates, rejected: m.data.rejected_items.length } };
  }

  discovery(c: SocketConnection, m: CrawlerMessageOf<'discovery'>): MessageProcessingResult {
    this.ctx.store.entities.upsertDiscovery(m.data, { job_id: m.job_id ?? null, crawler_id: c.crawlerId });
    return ok;
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
    const { store, ledger } = this.ctx;
    this.sessions.remember(c);
    let job = store.jobs.getJob(id);
    if (!job) {
      this.ctx.flush();
      // Adopted: created running, as the crawler says it is (the one write with no status to move from).
      job = store.jobs.insertJob(
        {
          id,
          job_type: jobTypeOf(typeHint),
          entity_id: data.entity_id ?? null,
          namespace_path: data.namespace_path ?? null,
          status: 'running',
          origin: 'crawler',
          leased_to: c.crawlerId,
          started_at: this.ctx.now(),
        },
        { kind: 'adopted', crawler_id: c.crawlerId, reason: `reported by ${c.crawlerId}; the console did not create it` },
      );
      ledger.held.set(id, { status: 'running', crawler: c.crawlerId });
      this.ctx.tracker.start(id);
      this.ctx.emit({ type: 'job_changed', job: toJobDto(job) });
      return job;
    }
    if (job.status === 'cancelled') return { error: refuse('job_cancelled', `job ${id} was cancelled by the operator; stop working on it`) };
    if (job.status === 'completed' || job.status === 'failed') return { error: refuse('invalid_transition', `job ${id} is already ${job.status}`) };
    if (job.leased_to && job.leased_to !== c.crawlerId) {
      if (this.sessions.getConnection(job.leased_to)) {
        return { error: refuse('job_not_leased', `job ${id} is leased to crawler ${job.leased_to}, not to ${c.crawlerId}`) };
      }
      // Its holder is gone (a crawler that reconnected under a new id): the reporter takes it over.
      this.ctx.flush();
      ledger.change(id, 'rekey', { leased_to: c.crawlerId }, { crawler_id: c.crawlerId, reason: `taken over from ${job.leased_to}, which is not connected` }, [job.status]);
      job = store.jobs.getJob(id)!;
    }
    return job;
  }
}

function errorReply(code: 'invalid_message', message: string, jobId: string): WebAppMessage {
  return { type: 'error', timestamp: new Date().toISOString(), job_id: jobId, data: { code, message, job_id: jobId } };
}
