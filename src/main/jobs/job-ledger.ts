/**
 * Where every job status change is written: checked against the lifecycle
 * table, a compare-and-set in SQL with its history entry, then mirrored in the
 * cache of held jobs and told to the UI. Nothing else in the job layer calls
 * the store's `transition`.
 */
import type { ConsoleEvent } from '../../shared/contract';
import { HELD_JOB_STATUSES, type JobStatus } from '../../shared/jobs';
import { type Job, type JobPatch, type Store, toJobDto } from '../store';
import type { EventInput } from '../store/events-repo';
import { allowedFrom, LIFECYCLE, type LifecycleEvent, nextState } from './lifecycle';

/** A change's fields; the status comes from the lifecycle table. */
export type ChangePatch = Omit<JobPatch, 'status'>;
/** A change's history entry; its kind comes from the lifecycle table. */
export type ChangeNote = Omit<EventInput, 'kind'>;

/** A job a crawler holds, cached so that progress (the hot path) needs no database read. */
export interface HeldJob {
  status: JobStatus;
  crawler: string | null;
}

export class JobLedger {
  /** Jobs in a held status (assigned, running, waiting_credentials), by id. */
  readonly held = new Map<string, HeldJob>();

  constructor(
    private readonly store: Store,
    private readonly emit: (event: ConsoleEvent) => void,
    private readonly now: () => number,
  ) {}

  /**
   * Writes `event` if the job is in one of `from` (default: every status the
   * table allows it in); false if the job is not (it changed meanwhile). A
   * `from` the table does not allow throws LifecycleError and writes nothing.
   */
  write(jobId: string, event: LifecycleEvent, patch: ChangePatch, note: ChangeNote, from: readonly JobStatus[] = allowedFrom(event)): boolean {
    const to = LIFECYCLE[event].to;
    for (const status of from) nextState(status, event, jobId);
    return this.store.jobs.transition(jobId, from, to === null ? patch : { ...patch, status: to }, { ...note, kind: LIFECYCLE[event].kind });
  }

  /** write(), then the cache and the UI follow. */
  change(jobId: string, event: LifecycleEvent, patch: ChangePatch, note: ChangeNote, from?: readonly JobStatus[]): boolean {
    if (!this.write(jobId, event, patch, note, from)) return false;
    const job = this.store.jobs.getJob(jobId)!;
    this.track(job);
    this.emit({ type: 'job_changed', job: toJobDto(job) });
    return true;
  }

  /** A change into a final status: stamped finished, lease cleared. */
  finish(job: Job, event: 'complete' | 'fail' | 'cancel' | 'lease_expired_final', patch: ChangePatch, note: ChangeNote): boolean {
    return this.change(job.id, event, { ...patch, finished_at: this.now(), lease_expires_at: null }, note);
  }

  /** Mirrors a job's status and holder in the cache of held jobs. */
  track(job: Pick<Job, 'id' | 'status' | 'leased_to'>): void {
    if (HELD_JOB_STATUSES.includes(job.status)) this.held.set(job.id, { status: job.status, crawler: job.leased_to });
    else this.held.delete(job.id);
  }

  /** Jobs a crawler holds now. */
  heldCount(crawlerId: string): number {
    let n = 0;
    for (const h of this.held.values()) if (h.crawler === crawlerId) n++;
    return n;
  }
}
