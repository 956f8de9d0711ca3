/**
 * Keeps a bounded series of each job's progress for its results chart.
 * A sample is taken at most every `step` ms per job; once a job has `max`
 * samples its series is halved and its step doubled, so a job that runs for
 * a week keeps as many points as one that runs for an hour, spread evenly.
 * The last report before a job finishes is always kept (a report inside a
 * step waits as `unsampled` and is written when the next sample or the finish
 * comes), so a short job charts its start, its last report and its end
 * whichever of the finish's two events arrives first. Writes are batched: the
 * core flushes on its tick, in one transaction.
 */
import type { JobProgress } from '../../shared/progress';
import type { ProgressSamplesRepo, SampleRow } from '../store/progress-samples-repo';

export interface ProgressSamplerOptions {
  /** The first spacing between samples, ms. Default 5 s. */
  stepMs?: number;
  /** Samples per job before its series is thinned. Default 120. */
  max?: number;
  /** Jobs followed at once (the oldest is forgotten beyond). Default 10,000. */
  maxJobs?: number;
}

interface Follow {
  lastAt: number;
  step: number;
  count: number;
  /** The last report, sampled or not: a job's finish is written with it. */
  processed: number;
  completion: number | null;
  /** A report that fell inside the step: written before the next sample or the finish. */
  unsampled: SampleRow | null;
}

export class ProgressSampler {
  private readonly follows = new Map<string, Follow>();
  /** Jobs whose finish is written: the other of the finish's two events (progress, job_changed) adds nothing. */
  private readonly done = new Set<string>();
  private pending: SampleRow[] = [];
  private readonly stepMs: number;
  private readonly max: number;
  private readonly maxJobs: number;

  constructor(
    private readonly repo: ProgressSamplesRepo,
    options: ProgressSamplerOptions = {},
  ) {
    this.stepMs = options.stepMs ?? 5_000;
    this.max = Math.max(4, options.max ?? 120);
    this.maxJobs = options.maxJobs ?? 10_000;
  }

  record(p: JobProgress): void {
    const finished = p.state === 'completed' || p.state === 'failed' || p.finished_at !== null;
    if (finished && this.done.has(p.job_id)) return;
    // A report of a running job: a new run (a retry) is followed afresh.
    if (!finished) this.done.delete(p.job_id);
    const at = p.updated_at;
    let f = this.follows.get(p.job_id);
    if (!f) {
      f = { lastAt: -Infinity, step: this.stepMs, count: -1, processed: 0, completion: null, unsampled: null };
      this.follows.set(p.job_id, f);
      if (this.follows.size > this.maxJobs) this.follows.delete(this.follows.keys().next().value!);
    }
    const completion = p.total === null && p.overall_completion === 0 ? null : p.overall_completion;
    f.processed = p.processed;
    f.completion = completion;
    if (!finished && at - f.lastAt < f.step) {
      // Most reports fall inside the step: the held one is updated in place (not yet handed to `pending`).
      const u = f.unsampled;
      if (u === null) f.unsampled = { job_id: p.job_id, at, completion, processed: p.processed };
      else {
        u.at = at;
        u.completion = completion;
        u.processed = p.processed;
      }
      return;
    }
    this.takeUnsampled(f);
    f.lastAt = Math.max(at, f.lastAt + 1);
    this.pending.push({ job_id: p.job_id, at: f.lastAt, completion, processed: p.processed });
    if (finished) this.finish(p.job_id);
  }

  private takeUnsampled(f: Follow): void {
    if (f.unsampled === null) return;
    this.pending.push(f.unsampled);
    f.lastAt = f.unsampled.at;
    f.unsampled = null;
  }

  private finish(jobId: string): void {
    this.follows.delete(jobId);
    this.done.add(jobId);
    if (this.done.size > this.maxJobs) this.done.delete(this.done.values().next().value!);
  }

  /**
   * The job finished (its status changed to completed, failed or cancelled): its last
   * point is written at that time — with completion 1 for a completed job, whose
   * crawler may not have reported the last stretch. Jobs that never reported progress get none.
   */
  finished(jobId: string, at: number, completion: number | null): void {
    const f = this.follows.get(jobId);
    if (!f) return;
    this.takeUnsampled(f);
    this.finish(jobId);
    this.pending.push({ job_id: jobId, at: Math.max(at, f.lastAt + 1), completion: completion ?? f.completion, processed: f.processed });
  }

  /** Writes what was sampled since the last flush, thinning series that grew past the bound. */
  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.repo.insert(rows);
    const added = new Map<string, number>();
    for (const r of rows) added.set(r.job_id, (added.get(r.job_id) ?? 0) + 1);
    for (const [jobId, n] of added) {
      const f = this.follows.get(jobId);
      // A job seen for the first time since start (or after a restart) learns its count from the table once.
      let count = f && f.count >= 0 ? f.count + n : this.repo.count(jobId);
      while (count > this.max) {
        count = this.repo.thin(jobId);
        if (f) f.step *= 2;
      }
      if (f) f.count = count;
    }
  }
}
