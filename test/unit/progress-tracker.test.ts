import { describe, expect, it } from 'vitest';
import { decodeCrawlerMessage, type JobProgressData } from '../../src/shared/protocol';
import { AggregateProgressSchema, JobProgressSchema } from '../../src/shared/progress';
import { ProgressTracker } from '../../src/main/observability/progress-tracker';
import type { ProgressEvent, ProgressTrackerOptions } from '../../src/main/socket/types/progress';

const T0 = 1_700_000_000_000;

/** Real wire messages through the real decoder, so both spellings reach the tracker as they will in the console. */
function decodeProgress(envelope: Record<string, unknown>): JobProgressData {
  const result = decodeCrawlerMessage({ type: 'job_progress', timestamp: '2024-01-15T10:30:15Z', ...envelope });
  if (!result.ok) throw new Error(`decode failed: ${result.error.message}`);
  if (result.message.type !== 'job_progress') throw new Error(`decoded as ${result.message.type}`);
  return result.message.data;
}
const documented = (data: Record<string, unknown>): JobProgressData => decodeProgress({ job_id: 'j', data });
const crawler = (data: Record<string, unknown>): JobProgressData => decodeProgress({ jobId: 'j', data });

function setup(options: ProgressTrackerOptions = {}) {
  const clock = { t: T0 };
  const tracker = new ProgressTracker({ now: () => clock.t, ...options });
  const events: ProgressEvent[] = [];
  tracker.on('state_changed', (e) => events.push(e));
  tracker.on('milestone_reached', (e) => events.push(e));
  const milestones = (jobId?: string) =>
    events.flatMap((e) => (e.type === 'milestone_reached' && (jobId === undefined || e.jobId === jobId) ? [e.milestone.percentage] : []));
  const states = (jobId?: string) =>
    events.flatMap((e) =>
      e.type === 'state_changed' && (jobId === undefined || e.jobId === jobId) ? [`${e.previousState}->${e.newState}`] : [],
    );
  return { clock, tracker, events, milestones, states };
}

describe('ProgressTracker: both spellings become one model', () => {
  it('takes the documented multi-entity message as sent', () => {
    const { tracker, events, states } = setup();
    const p = tracker.update(
      'job-123',
      documented({
        progress: [
          { entity_type: 'projects', total_discovered: 150, total_processed: 45, current_page: 5, items_per_page: 10 },
          { entity_type: 'issues', total_discovered: 1200, total_processed: 350 },
        ],
        overall_completion: 0.35,
        time_elapsed: 45000,
        estimated_time_remaining: 90000,
      }),
      T0,
    );
    expect(p.state).toBe('running');
    expect(p.entities).toHaveLength(2);
    expect(p.entities[0]).toMatchObject({ entity_type: 'projects', processed: 45, discovered: 150, total: 150, current_page: 5, items_per_page: 10 });
    expect(p.entities[1]).toMatchObject({ entity_type: 'issues', processed: 350, total: 1200 });
    expect(p.processed).toBe(395);
    expect(p.total).toBe(1350);
    expect(p.overall_completion).toBe(0.35);
    expect(p.time_elapsed).toBe(45000);
    expect(p.eta_ms).toBe(90000);
    expect(states()).toEqual(['null->running']);
    expect(events.filter((e) => e.type === 'milestone_reached').map((e) => e.type === 'milestone_reached' && e.milestone)).toEqual([
      { name: '25%', percentage: 25 },
    ]);
    // What the tracker produces is what the shared schema (and so the UI) accepts.
    expect(JobProgressSchema.safeParse(tracker.snapshot('job-123')).success).toBe(true);
  });

  it('merges single-entity crawler messages by entity type', () => {
    const { clock, tracker } = setup();
    tracker.update('j', crawler({ stage: 'discovering', entityType: 'project', processed: 10, total: 40 }), clock.t);
    clock.t += 1000;
    tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 100, total: 200, message: 'issues of group/a' }), clock.t);
    clock.t += 1000;
    const p = tracker.update(
      'j',
      crawler({ stage: 'fetching', entityType: 'project', processed: 40, resumeState: { currentPage: 4, entityType: 'project' } }),
      clock.t,
    );

    expect(p.entities.map((e) => [e.entity_type, e.processed, e.total, e.stage])).toEqual([
      ['project', 40, 40, 'fetching'], // total kept from the first message, which was the last to send one
      ['issue', 100, 200, 'fetching'],
    ]);
    expect(p.entities[0]!.current_page).toBe(4);
    expect(p.processed).toBe(140);
    expect(p.total).toBe(240);
    expect(p.overall_completion).toBeCloseTo(140 / 240, 10);
    expect(p.stage).toBe('fetching');
    expect(p.message).toBe('issues of group/a');
    expect(p.time_elapsed).toBe(2000); // measured by the console: this spelling sends none
    expect(p.started_at).toBe(T0);
    expect(JobProgressSchema.safeParse(tracker.snapshot('j')).success).toBe(true);
  });

  it('uses processed + estimated_remaining as the total when it exceeds what was discovered', () => {
    const { tracker } = setup();
    const p = tracker.update(
      'j',
      documented({
        progress: [{ entity_type: 'commits', total_discovered: 100, total_processed: 80, estimated_remaining: 120 }],
        overall_completion: 0.4,
        time_elapsed: 1000,
      }),
    );
    expect(p.entities[0]).toMatchObject({ discovered: 100, total: 200 });
    expect(p.total).toBe(200);
  });
});

describe('ProgressTracker: rate and ETA', () => {
  it('estimates the rate from processed-count samples on the injected clock', () => {
    const { clock, tracker } = setup();
    let p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 0, total: 1000 }), clock.t);
    expect(p.rate).toBeNull(); // one sample says nothing about speed
    expect(p.eta_ms).toBeNull();
    clock.t += 1000;
    p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 50, total: 1000 }), clock.t);
    expect(p.rate).toBeCloseTo(50, 10);
    clock.t += 1000;
    p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 150, total: 1000 }), clock.t);
    expect(p.rate).toBeCloseTo(75, 10); // 150 items over 2 s
    expect(p.eta_ms).toBeCloseTo((850 / 75) * 1000, 6);
  });

  it('forgets samples older than the window', () => {
    const { clock, tracker } = setup({ rateWindowMs: 30_000, rateSamples: 20 });
    let processed = 0;
    let p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed }), clock.t);
    for (let s = 1; s <= 40; s++) {
      processed += 10; // 10 items/s for 40 s
      clock.t += 1000;
      p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed }), clock.t);
    }
    expect(p.rate).toBeCloseTo(10, 6);
    for (let s = 1; s <= 40; s++) {
      processed += 100; // then 100 items/s for 40 s
      clock.t += 1000;
      p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed }), clock.t);
    }
    expect(p.rate).toBeCloseTo(100, 6);
  });

  it('keeps the window when updates come in a burst', () => {
    const { clock, tracker } = setup({ rateWindowMs: 30_000, rateSamples: 20 });
    tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 0 }), clock.t);
    const start = clock.t;
    // 500 updates 1 ms apart, far more than the ring holds: a fast first batch, then nothing new. They must
    // not squeeze the window down to the last few milliseconds (which would show ~190/s).
    for (let i = 1; i <= 500; i++) tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 900 }), start + i);
    const p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 1000 }), start + 1000);
    expect(p.rate).toBeCloseTo(1000, 6); // 1000 items in the 1 s since the first sample
  });

  it("prefers the crawler's own rate and ETA when a message carries them", () => {
    const { clock, tracker } = setup();
    tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 0, total: 1000 }), clock.t);
    clock.t += 1000;
    let p = tracker.update(
      'j',
      crawler({ stage: 'fetching', entityType: 'issue', processed: 100, total: 1000, processingRate: 12.5, estimatedTimeRemaining: 4000 }),
      clock.t,
    );
    expect(p.rate).toBe(12.5); // the samples say 100/s
    expect(p.eta_ms).toBe(4000);
    expect(p.entities[0]!.rate).toBe(12.5);
    clock.t += 1000;
    p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 200, total: 1000 }), clock.t);
    expect(p.rate).toBeCloseTo(100, 10); // not sent this time: the estimate
    expect(p.eta_ms).toBeCloseTo(8000, 6);

    const d = tracker.update(
      'doc',
      documented({
        progress: [
          { entity_type: 'projects', total_discovered: 10, total_processed: 5, processing_rate: 10 },
          { entity_type: 'issues', total_discovered: 10, total_processed: 5, processing_rate: 5 },
        ],
        overall_completion: 0.5,
        time_elapsed: 1000,
      }),
      clock.t,
    );
    expect(d.rate).toBe(15); // the entity types' rates add up
    expect(d.eta_ms).toBeCloseTo((10 / 15) * 1000, 6);
  });

  it('has no ETA while no total is known', () => {
    const { clock, tracker } = setup();
    tracker.update('j', crawler({ stage: 'discovering', entityType: 'project', processed: 0 }), clock.t);
    clock.t += 1000;
    const p = tracker.update('j', crawler({ stage: 'discovering', entityType: 'project', processed: 30 }), clock.t);
    expect(p.rate).toBeCloseTo(30, 10);
    expect(p.total).toBeNull();
    expect(p.eta_ms).toBeNull();
    expect(p.overall_completion).toBe(0);
  });
});

describe('ProgressTracker: milestones and states', () => {
  it('fires every milestone passed, once each and in order, and 100 on completion', () => {
    const { clock, tracker, milestones, states } = setup();
    const at = (c: number) => documented({ progress: [], overall_completion: c, time_elapsed: 0 });
    tracker.update('j', at(0.1), clock.t);
    expect(milestones()).toEqual([]);
    tracker.update('j', at(0.8), clock.t);
    expect(milestones()).toEqual([25, 50, 75]);
    tracker.update('j', at(0.85), clock.t);
    tracker.update('j', at(0.8), clock.t);
    expect(milestones()).toEqual([25, 50, 75]);
    const done = tracker.markCompleted('j', undefined, clock.t);
    expect(done.overall_completion).toBe(1);
    expect(done.milestones_reached).toEqual([25, 50, 75, 100]);
    expect(milestones()).toEqual([25, 50, 75, 100]);
    tracker.markCompleted('j', undefined, clock.t);
    tracker.update('j', at(1), clock.t);
    expect(milestones()).toEqual([25, 50, 75, 100]);
    expect(states()).toEqual(['null->running', 'running->completed']);
  });

  it('does not reach 100 % from counts alone: only the crawler or completion says done', () => {
    const { tracker, milestones } = setup();
    const p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'project', processed: 40, total: 40 }));
    expect(p.overall_completion).toBe(0.99);
    expect(milestones()).toEqual([25, 50, 75]);
    tracker.update('k', documented({ progress: [], overall_completion: 1, time_elapsed: 5 }));
    expect(milestones('k')).toEqual([25, 50, 75, 100]);
  });

  it('never lets completion go backwards within an attempt; reset (a retry) starts afresh', () => {
    const { clock, tracker, milestones, states } = setup();
    tracker.update('j', crawler({ stage: 'fetching', entityType: 'project', processed: 5, total: 10 }), clock.t);
    // A new entity type appears: the raw ratio drops to 5/100, the shown completion does not.
    let p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 0, total: 90 }), clock.t);
    expect(p.overall_completion).toBe(0.5);
    p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 70, total: 90 }), clock.t);
    expect(p.overall_completion).toBeCloseTo(0.75, 10); // (5 + 70) / 100 passes the floor
    p = tracker.update('j', documented({ progress: [], overall_completion: 0.4, time_elapsed: 9 }), clock.t);
    expect(p.overall_completion).toBeCloseTo(0.75, 10); // a lower figure from the crawler does not pull it down either
    expect(milestones()).toEqual([25, 50, 75]);

    tracker.markFailed('j', undefined, clock.t);
    clock.t += 5000;
    p = tracker.reset('j', clock.t)!;
    expect(p).toMatchObject({ state: 'pending', overall_completion: 0, processed: 0, total: null, entities: [], milestones_reached: [] });
    p = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 30, total: 100 }), clock.t + 1000);
    expect(p.overall_completion).toBeCloseTo(0.3, 10);
    expect(p.started_at).toBe(clock.t + 1000);
    expect(milestones()).toEqual([25, 50, 75, 25]);
    expect(states()).toEqual(['null->running', 'running->failed', 'failed->pending', 'pending->running']);
  });

  it('reports state changes: stalled when silent, running again on progress, failed, ignored after', () => {
    const { clock, tracker, events, states } = setup({ stallAfterMs: 10_000 });
    tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 1 }), clock.t);
    clock.t += 9_999;
    expect(tracker.getAll()[0]!.state).toBe('running');
    clock.t += 1;
    expect(tracker.getAll()[0]!.state).toBe('stalled');
    expect(tracker.get('j')!.rate).toBe(0);
    tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 2 }), clock.t);
    const failed = tracker.markFailed('j', { issue: 7 }, clock.t);
    expect(failed).toMatchObject({ state: 'failed', processed: 7, rate: 0, eta_ms: null, finished_at: clock.t });
    const before = events.length;
    const after = tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 99 }), clock.t);
    expect(after.processed).toBe(7);
    expect(events.length).toBe(before);
    expect(states()).toEqual(['null->running', 'running->stalled', 'stalled->running', 'running->failed']);
    const changed = events.find((e) => e.type === 'state_changed' && e.newState === 'stalled');
    expect(changed).toMatchObject({ type: 'state_changed', jobId: 'j', previousState: 'running', newState: 'stalled' });
    expect(changed!.timestamp.getTime()).toBe(T0 + 10_000);
  });

  it('start() makes a job active before its first progress', () => {
    const { tracker, states } = setup();
    tracker.start('j');
    expect(tracker.getAggregateProgress()).toMatchObject({ active_jobs: 1, total_processed: 0, overall_completion: 0 });
    tracker.update('j', crawler({ stage: 'fetching', entityType: 'issue', processed: 1 }));
    expect(states()).toEqual(['null->running']);
  });

  it('completes a job it never saw, with final counts as totals', () => {
    const { tracker, milestones, states } = setup();
    const p = tracker.markCompleted('x', { issues: 500, merge_requests: 200 });
    expect(p).toMatchObject({ state: 'completed', processed: 700, total: 700, overall_completion: 1, eta_ms: 0 });
    expect(states()).toEqual(['null->completed']);
    expect(milestones()).toEqual([25, 50, 75, 100]);
  });
});

describe('ProgressTracker: aggregate', () => {
  it('is null when nothing runs', () => {
    const { tracker } = setup();
    expect(tracker.getAggregateProgress()).toBeNull();
    tracker.update('a', documented({ progress: [], overall_completion: 0.5, time_elapsed: 1 }));
    tracker.markCompleted('a');
    tracker.update('b', documented({ progress: [], overall_completion: 0.5, time_elapsed: 1 }));
    tracker.reset('b');
    expect(tracker.getAggregateProgress()).toBeNull(); // one finished, one pending: none running
  });

  it('sums across running jobs and weights completion by totals', () => {
    const { tracker } = setup();
    tracker.update(
      'a',
      documented({
        progress: [{ entity_type: 'issues', total_discovered: 100, total_processed: 50, processing_rate: 10 }],
        overall_completion: 0.5,
        time_elapsed: 1,
        estimated_time_remaining: 5000,
      }),
    );
    tracker.update(
      'b',
      crawler({ stage: 'discovering', entityType: 'project', processed: 30, total: 300, processingRate: 5, estimatedTimeRemaining: 54000 }),
    );
    tracker.update('done', documented({ progress: [{ entity_type: 'x', total_discovered: 9, total_processed: 9 }], overall_completion: 1, time_elapsed: 1 }));
    tracker.markCompleted('done');

    const agg = tracker.getAggregateProgress()!;
    expect(AggregateProgressSchema.safeParse(agg).success).toBe(true);
    expect(agg).toMatchObject({
      active_jobs: 2,
      stalled_jobs: 0,
      total_processed: 80,
      total_items: 400,
      rate: 15,
      eta_ms: 54000,
      jobs_by_stage: { unknown: 1, discovering: 1 },
    });
    expect(agg.overall_completion).toBeCloseTo((0.5 * 100 + 0.1 * 300) / 400, 10);

    // A job with no known total: the plain mean of completions, and no overall ETA.
    tracker.update('c', crawler({ stage: 'fetching', entityType: 'user', processed: 3 }));
    const mixed = tracker.getAggregateProgress()!;
    expect(mixed.active_jobs).toBe(3);
    expect(mixed.total_items).toBe(400);
    expect(mixed.total_processed).toBe(83);
    expect(mixed.overall_completion).toBeCloseTo((0.5 + 0.1 + 0) / 3, 10);
    expect(mixed.eta_ms).toBeNull();
  });
});

describe('ProgressTracker: bounded memory', () => {
  it('drops finished jobs after the retention, lazily, and keeps running ones', () => {
    const { clock, tracker } = setup({ retainFinishedMs: 60_000, stallAfterMs: 0 });
    tracker.update('run', crawler({ stage: 'fetching', entityType: 'issue', processed: 1 }));
    tracker.update('done', crawler({ stage: 'fetching', entityType: 'issue', processed: 1 }));
    tracker.markCompleted('done');
    clock.t += 59_999;
    expect(tracker.getAll().map((p) => p.job_id).sort()).toEqual(['done', 'run']);
    clock.t += 1;
    expect(tracker.getAll().map((p) => p.job_id)).toEqual(['run']);
    expect(tracker.get('done')).toBeUndefined();

    // update() sweeps too (at most once per sweep interval), without anyone calling getAll().
    tracker.update('done2', crawler({ stage: 'fetching', entityType: 'issue', processed: 1 }));
    tracker.markFailed('done2');
    clock.t += 60_000;
    expect(tracker.size).toBe(2);
    tracker.update('run', crawler({ stage: 'fetching', entityType: 'issue', processed: 2 }));
    expect(tracker.size).toBe(1);
  });

  it('caps the live set: the oldest finished job goes first, then the least recently updated', () => {
    const { clock, tracker } = setup({ maxJobs: 3, stallAfterMs: 0 });
    const touch = (id: string) => {
      clock.t += 1;
      tracker.update(id, crawler({ stage: 'fetching', entityType: 'issue', processed: 1 }));
    };
    touch('a');
    touch('b');
    tracker.markCompleted('b');
    touch('c');
    touch('d'); // full: b is finished, so b goes although a is older
    expect(tracker.getAll().map((p) => p.job_id)).toEqual(['a', 'c', 'd']);
    touch('a');
    touch('e'); // full, nothing finished: c is the least recently updated
    expect(tracker.getAll().map((p) => p.job_id)).toEqual(['a', 'd', 'e']);
    expect(tracker.size).toBe(3);
  });
});

describe('ProgressTracker: persistence', () => {
  it('snapshots are copies, and a restored job keeps its floor and milestones', () => {
    const { clock, tracker } = setup();
    tracker.update(
      'j',
      documented({ progress: [{ entity_type: 'issues', total_discovered: 100, total_processed: 60, item_counts: { open: 3 } }], overall_completion: 0.6, time_elapsed: 7 }),
      clock.t,
    );
    const snap = tracker.snapshot('j')!;
    tracker.update(
      'j',
      documented({ progress: [{ entity_type: 'issues', total_discovered: 100, total_processed: 70, item_counts: { open: 4 } }], overall_completion: 0.7, time_elapsed: 8 }),
      clock.t,
    );
    expect(snap.processed).toBe(60);
    expect(snap.entities[0]!.item_counts).toEqual({ open: 3 });
    expect(JobProgressSchema.parse(snap)).toEqual(snap);

    const next = setup();
    const restored = next.tracker.restore(snap);
    expect(restored).toMatchObject({ processed: 60, total: 100, overall_completion: 0.6, milestones_reached: [25, 50] });
    next.tracker.update('j', documented({ progress: [{ entity_type: 'issues', total_discovered: 100, total_processed: 80 }], overall_completion: 0.5, time_elapsed: 9 }));
    expect(next.tracker.get('j')!.overall_completion).toBe(0.6);
    expect(next.tracker.get('j')!.processed).toBe(80);
    next.tracker.update('j', documented({ progress: [], overall_completion: 0.8, time_elapsed: 10 }));
    expect(next.milestones()).toEqual([75]);
  });
});

describe('expected totals (a discovered job’s estimated_size)', () => {
  it('keeps a crawler-spelling job from looking finished when its first entity type is', () => {
    const tracker = new ProgressTracker({ now: () => 1_000 });
    tracker.setExpectedTotals('j', { issue: 100, merge_request: 300 });
    const one = (entity_type: string, processed: number, total: number) =>
      tracker.update('j', { progress: [{ entity_type, total_processed: processed, total_discovered: total }] });
    expect(one('issue', 100, 100).overall_completion).toBeCloseTo(100 / 400);
    expect(one('merge_request', 150, 300).overall_completion).toBeCloseTo(250 / 400);
    // Without the expectation the same reports read as 100 % (capped at 99 %) after the first type.
    const bare = new ProgressTracker({ now: () => 1_000 });
    expect(bare.update('k', { progress: [{ entity_type: 'issue', total_processed: 100, total_discovered: 100 }] }).overall_completion).toBe(0.99);
  });
});
