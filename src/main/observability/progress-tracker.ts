/**
 * ProgressTracker: the live, in-memory progress of every job, merged from both
 * protocol spellings. No I/O: persistence takes snapshot()s, the UI reads
 * getAll()/getAggregateProgress(), and the job lifecycle calls markCompleted /
 * markFailed / reset.
 *
 * The documented spelling sends every entity type per message with
 * `overall_completion`; the crawler spelling sends one entity type per message
 * and no completion. So entities are merged by entity type across messages, and
 * completion is estimated from the merged counts when the crawler sends none.
 *
 * update() is the hot path (up to ~100k calls/s): O(entities in the message),
 * no parsing (input is already validated), no allocation once a job's entity
 * types are known. Returned JobProgress objects are live views, updated in
 * place: read them, do not mutate them, and take snapshot() to keep a copy.
 */
import { EventEmitter } from 'node:events';
import type { JobProgressData } from '../../shared/protocol';
import { MILESTONE_PERCENTAGES } from '../../shared/progress';
import type {
  AggregateProgress,
  EntityProgress,
  JobProgress,
  JobProgressState,
  MilestonePercentage,
} from '../../shared/progress';
import type { ProgressTrackerEventMap, ProgressTrackerOptions } from './progress-types';

const DEFAULTS = {
  retainFinishedMs: 60_000,
  maxJobs: 50_000,
  stallAfterMs: 120_000,
  rateWindowMs: 30_000,
  rateSamples: 20,
  sweepIntervalMs: 1_000,
} as const;

/**
 * A completion estimated from counts stops short of 1: totals are only what has
 * been discovered so far (the crawler spelling reveals entity types one at a
 * time), so "everything known is processed" is not "done". Only the crawler's
 * own overall_completion or markCompleted() reach 1 (and the 100 % milestone).
 */
const ESTIMATE_CAP = 0.99;

type Counts = Readonly<Record<string, number>>;

interface JobRecord {
  view: JobProgress;
  index: Map<string, EntityProgress>;
  /** Σ total over entity types with a known total, how many those are, and Σ min(processed, total) over them. */
  knownTotal: number;
  knownCount: number;
  knownProcessed: number;
  /**
   * Expected sizes per entity type (a discovery's estimated_size), and the sum of
   * those for types not reported yet: a crawler that names one entity type at a
   * time (the crawler spelling) does not look finished when its first type is.
   */
  expected: Map<string, number> | null;
  expectedUnseen: number;
  /** Rate samples as a ring of [time, processed] pairs; released once the job finishes. */
  samples: Float64Array | null;
  sampleTail: number;
  sampleCount: number;
  estimatedRate: number | null;
}

const isFinished = (s: JobProgressState): boolean => s === 'completed' || s === 'failed';
const isActive = (s: JobProgressState): boolean => s === 'running' || s === 'stalled';

export class ProgressTracker extends EventEmitter<ProgressTrackerEventMap> {
  private readonly jobs = new Map<string, JobRecord>();
  /** Finished jobs by finish time, oldest first (Map keeps insertion order): eviction reads from the front. */
  private readonly finished = new Map<string, number>();
  private readonly now: () => number;
  private readonly retainFinishedMs: number;
  private readonly maxJobs: number;
  private readonly stallAfterMs: number;
  private readonly rateWindowMs: number;
  private readonly rateSamples: number;
  private readonly sampleIntervalMs: number;
  private readonly sweepIntervalMs: number;
  private lastSweep: number;

  constructor(options: ProgressTrackerOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.retainFinishedMs = options.retainFinishedMs ?? DEFAULTS.retainFinishedMs;
    this.maxJobs = Math.max(1, options.maxJobs ?? DEFAULTS.maxJobs);
    this.stallAfterMs = options.stallAfterMs ?? DEFAULTS.stallAfterMs;
    this.rateWindowMs = options.rateWindowMs ?? DEFAULTS.rateWindowMs;
    this.rateSamples = Math.max(2, options.rateSamples ?? DEFAULTS.rateSamples);
    // Spread the samples over the window, so a burst of updates cannot push the window's start out of the ring.
    this.sampleIntervalMs = this.rateWindowMs / this.rateSamples;
    this.sweepIntervalMs = options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs;
    this.lastSweep = this.now();
  }

  /**
   * Merges one `job_progress` message into the job's progress. `at` is when the
   * console received it. Progress for a completed or failed job is ignored
   * (the job lifecycle refuses it first; a retry calls reset()).
   */
  update(jobId: string, data: JobProgressData, at: number = this.now()): Readonly<JobProgress> {
    this.maybeSweep();
    let r = this.jobs.get(jobId);
    let previous: JobProgressState | null;
    if (r === undefined) {
      r = this.create(jobId, at);
      previous = null;
    } else {
      previous = r.view.state;
      if (isFinished(previous)) return r.view;
      if (previous === 'pending') this.restart(r, at);
    }
    const v = r.view;
    v.state = 'running';

    let sentRate = -1;
    for (const p of data.progress) {
      let e = r.index.get(p.entity_type);
      if (e === undefined) e = this.addEntity(r, p.entity_type, at);
      let total = e.total;
      if (p.total_discovered !== undefined) total = e.discovered = p.total_discovered;
      if (p.estimated_remaining !== undefined && p.estimated_remaining > 0) {
        const estimated = p.total_processed + p.estimated_remaining;
        if (total === undefined || estimated > total) total = estimated;
      }
      this.setCounts(r, e, p.total_processed, total);
      if (p.current_page !== undefined) e.current_page = p.current_page;
      if (p.items_per_page !== undefined) e.items_per_page = p.items_per_page;
      if (p.item_counts !== undefined) e.item_counts = p.item_counts;
      if (p.processing_rate !== undefined && p.processing_rate >= 0) {
        e.rate = p.processing_rate;
        sentRate = (sentRate < 0 ? 0 : sentRate) + p.processing_rate;
      }
      if (data.stage !== undefined) e.stage = data.stage;
      e.updated_at = at;
    }

    if (data.stage !== undefined) v.stage = data.stage;
    if (data.message !== undefined) v.message = data.message;
    v.time_elapsed = data.time_elapsed ?? Math.max(0, at - v.started_at);
    v.updated_at = at;

    // The crawler's rate when this message carries one; the estimate is kept up to date either way.
    const estimated = this.sampleRate(r, at, v.processed);
    v.rate = sentRate >= 0 ? sentRate : estimated;

    const sentEta = data.estimated_time_remaining;
    if (sentEta !== undefined && sentEta >= 0) v.eta_ms = sentEta;
    else if (v.rate !== null && v.rate > 0 && r.knownCount > 0)
      v.eta_ms = (Math.max(0, r.knownTotal + r.expectedUnseen - r.knownProcessed) / v.rate) * 1000;
    else v.eta_ms = null;

    // Completion is a high-water mark within one attempt of a job: totals grow as
    // the crawler discovers more (and, in the crawler spelling, as entity types
    // first appear), so the raw ratio can dip while the work only moves forward.
    // A bar that runs backwards reads as lost work, and milestones must not fire
    // twice; reset() (a retry) is the one way down.
    let c = v.overall_completion;
    if (data.overall_completion !== undefined) c = data.overall_completion;
    else if (r.knownTotal + r.expectedUnseen > 0) c = Math.min(r.knownProcessed / (r.knownTotal + r.expectedUnseen), ESTIMATE_CAP);
    if (c > v.overall_completion) v.overall_completion = c > 1 ? 1 : c;

    if (previous !== 'running') this.emitState(jobId, previous, 'running', at);
    this.reachMilestones(r, at);
    return v;
  }

  /**
   * Registers a job as running before its first progress (`job_started`), so
   * that it counts as active. A pending (reset) job starts a new attempt.
   */
  /**
   * What a job is expected to hold per entity type (a discovered job's
   * estimated_size): until a type is reported, its expected size counts toward
   * the job's total, so an estimated completion does not run ahead.
   */
  setExpectedTotals(jobId: string, totals: Readonly<Record<string, number>>, at: number = this.now()): void {
    let r = this.jobs.get(jobId);
    if (r === undefined) r = this.create(jobId, at);
    r.expected = new Map(Object.entries(totals).filter(([, n]) => Number.isFinite(n) && n > 0));
    let unseen = 0;
    for (const [type, n] of r.expected) if (!r.index.has(type)) unseen += n;
    r.expectedUnseen = unseen;
  }

  start(jobId: string, at: number = this.now()): Readonly<JobProgress> {
    this.maybeSweep();
    const r = this.jobs.get(jobId);
    if (r === undefined) {
      const created = this.create(jobId, at);
      created.view.state = 'running';
      this.emitState(jobId, null, 'running', at);
      return created.view;
    }
    const previous = r.view.state;
    if (previous === 'pending' || previous === 'stalled') {
      if (previous === 'pending') this.restart(r, at);
      r.view.state = 'running';
      r.view.updated_at = at;
      this.emitState(jobId, previous, 'running', at);
    }
    return r.view;
  }

  /**
   * The job finished successfully: completion 1, every milestone not yet
   * reached fires (in order, ending with 100). `finalCounts` (entity type →
   * processed) replace the reported counts; an entity type with no known total
   * gets its final count as total. A job the tracker never saw is recorded.
   */
  markCompleted(jobId: string, finalCounts?: Counts, at: number = this.now()): Readonly<JobProgress> {
    return this.finish(jobId, 'completed', finalCounts, at);
  }

  /** The job failed: its progress is kept as it was (plus `partialCounts`), rate 0, no ETA. */
  markFailed(jobId: string, partialCounts?: Counts, at: number = this.now()): Readonly<JobProgress> {
    return this.finish(jobId, 'failed', partialCounts, at);
  }

  /**
   * A retry: the job goes back to `pending` with no counts, completion 0 and no
   * milestones, so the next attempt's progress and milestones start afresh.
   * Returns undefined for a job the tracker does not hold.
   */
  reset(jobId: string, at: number = this.now()): Readonly<JobProgress> | undefined {
    const r = this.jobs.get(jobId);
    if (r === undefined) return undefined;
    const previous = r.view.state;
    const v = r.view;
    v.entities.length = 0;
    r.index.clear();
    r.knownTotal = r.knownCount = r.knownProcessed = 0;
    r.expectedUnseen = sumValues(r.expected);
    r.samples = null;
    r.sampleTail = r.sampleCount = 0;
    r.estimatedRate = null;
    Object.assign(v, {
      state: 'pending',
      stage: null,
      message: null,
      overall_completion: 0,
      processed: 0,
      total: null,
      rate: null,
      eta_ms: null,
      time_elapsed: 0,
      started_at: at,
      updated_at: at,
      finished_at: null,
    } satisfies Partial<JobProgress>);
    v.milestones_reached.length = 0;
    this.finished.delete(jobId);
    if (previous !== 'pending') this.emitState(jobId, previous, 'pending', at);
    return v;
  }

  /** Forgets a job. Returns whether it was held. */
  remove(jobId: string): boolean {
    this.finished.delete(jobId);
    return this.jobs.delete(jobId);
  }

  /** The job's live progress view, or undefined. */
  get(jobId: string): Readonly<JobProgress> | undefined {
    return this.jobs.get(jobId)?.view;
  }

  /** Every held job's live view (running, stalled, pending, and finished ones within their retention). */
  getAll(): Readonly<JobProgress>[] {
    this.sweep();
    return Array.from(this.jobs.values(), (r) => r.view);
  }

  /** A deep copy of the job's progress, for persistence; undefined for an unknown job. */
  snapshot(jobId: string): JobProgress | undefined {
    const v = this.jobs.get(jobId)?.view;
    if (v === undefined) return undefined;
    return {
      ...v,
      entities: v.entities.map((e) => ({ ...e, ...(e.item_counts && { item_counts: { ...e.item_counts } }) })),
      milestones_reached: [...v.milestones_reached],
    };
  }

  /**
   * Puts back a persisted snapshot (after a console restart), replacing what
   * the tracker held for that job. Its completion stays the floor and its
   * milestones are not fired again. No events.
   */
  restore(snapshot: JobProgress): Readonly<JobProgress> {
    this.remove(snapshot.job_id);
    const r = this.create(snapshot.job_id, snapshot.started_at);
    const v = r.view;
    Object.assign(v, snapshot, { entities: [], milestones_reached: [...snapshot.milestones_reached], processed: 0, total: null });
    for (const e of snapshot.entities) {
      const copy = this.addEntity(r, e.entity_type, e.updated_at);
      Object.assign(copy, e, { processed: 0, total: undefined, item_counts: e.item_counts && { ...e.item_counts } });
      this.setCounts(r, copy, e.processed, e.total);
    }
    if (isFinished(v.state)) {
      r.samples = null;
      this.finished.set(v.job_id, v.finished_at ?? v.updated_at);
    }
    return v;
  }

  /**
   * Progress across every running or stalled job, or null when none is.
   * Jobs run in parallel: rates add up, and the ETA is the longest one.
   */
  getAggregateProgress(): AggregateProgress | null {
    this.sweep();
    let active = 0;
    let stalled = 0;
    let processed = 0;
    let totalItems = 0;
    let allTotalsKnown = true;
    let anyTotalKnown = false;
    let weighted = 0;
    let completionSum = 0;
    let rate = 0;
    let eta = 0;
    let allEtasKnown = true;
    let updatedAt = 0;
    const jobsByStage: Record<string, number> = {};
    for (const { view: v } of this.jobs.values()) {
      if (!isActive(v.state)) continue;
      active++;
      if (v.state === 'stalled') stalled++;
      processed += v.processed;
      if (v.total === null) allTotalsKnown = false;
      else {
        anyTotalKnown = true;
        totalItems += v.total;
        weighted += v.overall_completion * v.total;
      }
      completionSum += v.overall_completion;
      rate += v.rate ?? 0;
      if (v.eta_ms === null) allEtasKnown = false;
      else if (v.eta_ms > eta) eta = v.eta_ms;
      const stage = v.stage ?? 'unknown';
      jobsByStage[stage] = (jobsByStage[stage] ?? 0) + 1;
      if (v.updated_at > updatedAt) updatedAt = v.updated_at;
    }
    if (active === 0) return null;
    const completion = allTotalsKnown && totalItems > 0 ? weighted / totalItems : completionSum / active;
    return {
      overall_completion: Math.min(1, Math.max(0, completion)),
      active_jobs: active,
      stalled_jobs: stalled,
      total_processed: processed,
      total_items: anyTotalKnown ? totalItems : null,
      rate,
      eta_ms: allEtasKnown ? eta : null,
      jobs_by_stage: jobsByStage,
      updated_at: updatedAt,
    };
  }

  /**
   * Drops finished jobs older than the retention and marks silent running jobs
   * stalled. Runs lazily (from update() at most once per sweep interval, and
   * from getAll()/getAggregateProgress()); no timers.
   */
  sweep(now: number = this.now()): void {
    this.lastSweep = now;
    for (const [jobId, finishedAt] of this.finished) {
      if (now - finishedAt < this.retainFinishedMs) break;
      this.finished.delete(jobId);
      this.jobs.delete(jobId);
    }
    if (this.stallAfterMs <= 0) return;
    for (const [jobId, r] of this.jobs) {
      const v = r.view;
      if (v.state !== 'running' || now - v.updated_at < this.stallAfterMs) continue;
      v.state = 'stalled';
      v.rate = 0;
      v.eta_ms = null;
      this.emitState(jobId, 'running', 'stalled', now);
    }
  }

  /** How many jobs are held. */
  get size(): number {
    return this.jobs.size;
  }

  // ───────────────────────────── internals ─────────────────────────────

  private maybeSweep(): void {
    const now = this.now();
    if (now - this.lastSweep >= this.sweepIntervalMs) this.sweep(now);
  }

  /** A new, silent (no event), `pending` record; makes room first. */
  private create(jobId: string, at: number): JobRecord {
    this.makeRoom();
    const r: JobRecord = {
      view: {
        job_id: jobId,
        state: 'pending',
        stage: null,
        message: null,
        entities: [],
        overall_completion: 0,
        processed: 0,
        total: null,
        rate: null,
        eta_ms: null,
        time_elapsed: 0,
        started_at: at,
        updated_at: at,
        finished_at: null,
        milestones_reached: [],
      },
      index: new Map(),
      knownTotal: 0,
      knownCount: 0,
      knownProcessed: 0,
      expected: null,
      expectedUnseen: 0,
      samples: null,
      sampleTail: 0,
      sampleCount: 0,
      estimatedRate: null,
    };
    this.jobs.set(jobId, r);
    return r;
  }

  /** A pending job starts a new attempt now. */
  private restart(r: JobRecord, at: number): void {
    r.view.started_at = at;
    r.view.time_elapsed = 0;
  }

  /** Keeps the live set under maxJobs: the oldest finished job goes first, else the least recently updated. */
  private makeRoom(): void {
    while (this.jobs.size >= this.maxJobs) {
      const oldestFinished = this.finished.keys().next();
      if (!oldestFinished.done) {
        this.remove(oldestFinished.value);
        continue;
      }
      // Rare (the cap is far above any real number of live jobs): a linear scan is fine.
      let victim: string | undefined;
      let oldest = Infinity;
      for (const [jobId, r] of this.jobs) {
        if (r.view.updated_at < oldest) {
          oldest = r.view.updated_at;
          victim = jobId;
        }
      }
      if (victim === undefined) return;
      this.remove(victim);
    }
  }

  private addEntity(r: JobRecord, entityType: string, at: number): EntityProgress {
    // Every field present from the start: one object shape for all entities.
    const e: EntityProgress = {
      entity_type: entityType,
      processed: 0,
      discovered: undefined,
      total: undefined,
      current_page: undefined,
      items_per_page: undefined,
      rate: undefined,
      stage: undefined,
      item_counts: undefined,
      updated_at: at,
    };
    r.index.set(entityType, e);
    r.view.entities.push(e);
    const expected = r.expected?.get(entityType);
    if (expected !== undefined) r.expectedUnseen -= expected;
    return e;
  }

  /** Sets an entity's counts, keeping the job's running sums exact without rescanning its entities. */
  private setCounts(r: JobRecord, e: EntityProgress, processed: number, total: number | undefined): void {
    const v = r.view;
    v.processed += processed - e.processed;
    if (e.total !== undefined) {
      r.knownTotal -= e.total;
      r.knownProcessed -= Math.min(e.processed, e.total);
      r.knownCount--;
    }
    e.processed = processed;
    e.total = total;
    if (total !== undefined) {
      r.knownTotal += total;
      r.knownProcessed += Math.min(processed, total);
      r.knownCount++;
    }
    v.total = r.knownCount > 0 ? r.knownTotal : null;
  }

  /**
   * Records a (time, processed) sample and returns the rate over the window:
   * from the oldest sample still inside it (or, after a long silence, the last
   * one before it) to now. Samples are at least windowMs / samples apart, so the
   * ring always spans the window whatever the update frequency.
   */
  private sampleRate(r: JobRecord, at: number, processed: number): number | null {
    const cap = this.rateSamples;
    const s = (r.samples ??= new Float64Array(cap * 2));
    while (r.sampleCount > 1 && at - s[r.sampleTail * 2]! > this.rateWindowMs) {
      r.sampleTail = (r.sampleTail + 1) % cap;
      r.sampleCount--;
    }
    if (r.sampleCount > 0) {
      const dt = at - s[r.sampleTail * 2]!;
      if (dt > 0) r.estimatedRate = Math.max(0, ((processed - s[r.sampleTail * 2 + 1]!) / dt) * 1000);
    }
    const newest = (r.sampleTail + r.sampleCount - 1) % cap;
    if (r.sampleCount === 0 || at - s[newest * 2]! >= this.sampleIntervalMs) {
      let slot: number;
      if (r.sampleCount < cap) {
        slot = (r.sampleTail + r.sampleCount) % cap;
        r.sampleCount++;
      } else {
        slot = r.sampleTail;
        r.sampleTail = (r.sampleTail + 1) % cap;
      }
      s[slot * 2] = at;
      s[slot * 2 + 1] = processed;
    }
    return r.estimatedRate;
  }

  private finish(jobId: string, state: 'completed' | 'failed', counts: Counts | undefined, at: number): JobProgress {
    this.maybeSweep();
    let r = this.jobs.get(jobId);
    let previous: JobProgressState | null;
    if (r === undefined) {
      r = this.create(jobId, at);
      previous = null;
    } else {
      previous = r.view.state;
      if (isFinished(previous)) return r.view;
    }
    const v = r.view;
    if (counts !== undefined) {
      for (const entityType in counts) {
        const n = counts[entityType];
        if (n === undefined || !(n >= 0)) continue;
        const e = r.index.get(entityType) ?? this.addEntity(r, entityType, at);
        this.setCounts(r, e, n, e.total);
        e.updated_at = at;
      }
    }
    if (state === 'completed') {
      for (const e of v.entities) if (e.total === undefined) this.setCounts(r, e, e.processed, e.processed);
      v.overall_completion = 1;
      v.eta_ms = 0;
    } else {
      v.eta_ms = null;
    }
    v.rate = 0;
    v.state = state;
    v.time_elapsed = Math.max(v.time_elapsed, at - v.started_at);
    v.updated_at = v.finished_at = at;
    r.samples = null;
    this.finished.delete(jobId);
    this.finished.set(jobId, at);
    this.emitState(jobId, previous, state, at);
    this.reachMilestones(r, at);
    return v;
  }

  /** Fires, in order, every milestone the job's completion has reached and that has not fired in this attempt. */
  private reachMilestones(r: JobRecord, at: number): void {
    const v = r.view;
    const percent = v.overall_completion * 100 + 1e-9;
    for (let i = v.milestones_reached.length; i < MILESTONE_PERCENTAGES.length; i++) {
      const percentage: MilestonePercentage = MILESTONE_PERCENTAGES[i]!;
      if (percent < percentage) return;
      v.milestones_reached.push(percentage);
      this.emit('milestone_reached', {
        type: 'milestone_reached',
        jobId: v.job_id,
        milestone: { name: `${percentage}%`, percentage },
        timestamp: new Date(at),
      });
    }
  }

  private emitState(jobId: string, previousState: JobProgressState | null, newState: JobProgressState, at: number): void {
    this.emit('state_changed', { type: 'state_changed', jobId, previousState, newState, timestamp: new Date(at) });
  }
}

function sumValues(m: ReadonlyMap<string, number> | null): number {
  let sum = 0;
  if (m) for (const n of m.values()) sum += n;
  return sum;
}
