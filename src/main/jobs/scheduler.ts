/**
 * Recurring crawls: each schedule creates a job from its template through
 * JobService.createJob on a cron expression or an interval, and skips a run
 * while the job it created last is unfinished (a re-crawl never piles up
 * behind a slow one). Driven by the console's periodic tick; the due query is
 * one indexed read. Cron expressions are parsed by croner: maintained, no
 * dependencies, time zones and DST handled, and it computes the next run
 * without starting timers of its own, so the tick stays the one clock.
 */
import { Cron } from 'croner';
import { ApiError } from '../../shared/contract/errors';
import type { JobStatus } from '../../shared/jobs';
import type { RunScheduleResult, Schedule, ScheduleOutcome } from '../../shared/ops';
import type { Logger } from '../observability/logger';
import type { Store } from '../store';
import type { ScheduleFields, SchedulesRepo } from '../store/schedules-repo';
import type { JobService } from './job-service';

const UNFINISHED: readonly JobStatus[] = ['queued', 'assigned', 'running', 'waiting_credentials'];

export interface SchedulerOptions {
  schedules: SchedulesRepo;
  store: Store;
  jobs: Pick<JobService, 'createJob'>;
  onChange: (schedule: Schedule) => void;
  logger: Logger;
  now: () => number;
}

type Timing = Pick<ScheduleFields, 'cron' | 'interval_ms' | 'timezone'>;

/** The cron parser for a timing, or an ApiError a person can act on. */
function cronOf(t: Timing): Cron | null {
  if (t.cron === null) return null;
  try {
    const cron = new Cron(t.cron, { ...(t.timezone !== null && { timezone: t.timezone }), paused: true });
    cron.nextRun(); // an unknown time zone fails here, not at construction
    return cron;
  } catch (err) {
    throw new ApiError('invalid_input', `cron expression "${t.cron}"${t.timezone ? ` (time zone ${t.timezone})` : ''} is not valid: ${(err as Error).message}`, [
      { path: 'cron', message: (err as Error).message },
    ]);
  }
}

/** When a schedule with this timing fires next after `after`. Throws ApiError for a bad cron expression. */
export function nextRunAfter(t: Timing, after: number): number | null {
  const cron = cronOf(t);
  if (cron) return cron.nextRun(new Date(after))?.getTime() ?? null;
  return t.interval_ms === null ? null : after + t.interval_ms;
}

export class Scheduler {
  private readonly firing = new Set<string>();

  constructor(private readonly o: SchedulerOptions) {}

  /** Fires every due schedule (not re-entrant per schedule: a slow createJob cannot fire it twice). */
  tick(): void {
    const now = this.o.now();
    for (const schedule of this.o.schedules.due(now)) {
      if (this.firing.has(schedule.id)) continue;
      void this.fire(schedule, false).catch((err: unknown) => this.o.logger.error({ err, scheduleId: schedule.id }, 'schedule run failed'));
    }
  }

  /** Fires one schedule now, whatever its timing says (its next run stays as it was). */
  async runNow(id: string): Promise<RunScheduleResult> {
    const schedule = this.o.schedules.get(id);
    if (!schedule) throw new ApiError('not_found', `there is no schedule ${id}`);
    if (this.firing.has(id)) throw new ApiError('conflict', `schedule ${schedule.name} is firing right now; try again`);
    return this.fire(schedule, true);
  }

  private async fire(schedule: Schedule, manual: boolean): Promise<RunScheduleResult> {
    this.firing.add(schedule.id);
    try {
      const at = this.o.now();
      const outcome = await this.createJob(schedule);
      // The next run counts from when this one was due, so an interval does not drift; after downtime it restarts from now (no burst of catch-up runs).
      let next: number | null | undefined;
      if (!manual) {
        const from = schedule.next_run_at ?? at;
        next = nextRunAfter(schedule, from);
        if (next !== null && next <= at) next = nextRunAfter(schedule, at);
      }
      const updated = this.o.schedules.recordRun(schedule.id, { ...outcome, at }, next);
      this.o.onChange(updated);
      return { schedule: updated, ...outcome };
    } finally {
      this.firing.delete(schedule.id);
    }
  }

  private async createJob(s: Schedule): Promise<{ outcome: ScheduleOutcome; job_id: string | null; message: string }> {
    const previous = s.last_job_id ? this.o.store.jobs.getJob(s.last_job_id) : null;
    if (previous && UNFINISHED.includes(previous.status)) {
      return { outcome: 'skipped', job_id: null, message: `skipped: the previous run (job ${previous.id}) is still ${previous.status}` };
    }
    try {
      const credentialId = s.credential_id ?? this.o.store.credentials.findCredentialForHost(s.gitlab_host)?.id ?? null;
      const job = await this.o.jobs.createJob({
        job_type: s.job_type,
        gitlab_host: s.gitlab_host,
        credential_id: credentialId,
        entity_id: s.entity_id ?? undefined,
        namespace_path: s.namespace_path ?? undefined,
        priority: s.priority,
      });
      return { outcome: 'created', job_id: job.id, message: `created job ${job.id}` };
    } catch (err) {
      return { outcome: 'failed', job_id: null, message: `could not create a job: ${(err as Error).message}` };
    }
  }
}
