import { afterEach, describe, expect, it } from 'vitest';
import { EventBatcher } from '../../src/main/core/event-batcher';
import type { ConsoleEvent, EventBatch } from '../../src/shared/contract';
import type { JobProgress } from '../../src/shared/progress';
import type { ErrorRecord } from '../../src/shared/records';
import type { JobDto } from '../../src/shared/jobs';
import { jobDto } from '../helpers/job-dto';

const progress = (jobId: string, processed: number, at: number): ConsoleEvent => {
  const p: JobProgress = {
    job_id: jobId,
    state: 'running',
    stage: 'fetching',
    message: null,
    entities: [{ entity_type: 'issue', processed, total: 100_000, updated_at: at }],
    overall_completion: processed / 100_000,
    processed,
    total: 100_000,
    rate: null,
    eta_ms: null,
    time_elapsed: 0,
    started_at: 0,
    updated_at: at,
    finished_at: null,
    milestones_reached: [],
  };
  return { type: 'progress', progress: p };
};

const error = (id: number): ConsoleEvent => {
  const e: ErrorRecord = { id, at: id, category: 'network', severity: 'low', code: null, message: `e${id}`, context: null, crawler_id: null, job_id: null };
  return { type: 'error', error: e };
};

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

const batchers: EventBatcher[] = [];
const make = (deliver: (b: EventBatch) => boolean | void, opts: { intervalMs?: number; maxUnkeyed?: number } = {}) => {
  const b = new EventBatcher({ deliver, ...opts });
  batchers.push(b);
  return b;
};
afterEach(() => {
  for (const b of batchers.splice(0)) b.close();
});

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await tick(5);
  }
}

describe('EventBatcher', () => {
  it('turns a burst of 10,000 progress events for 50 jobs into a few coalesced batches with the final values', async () => {
    const batches: { at: number; batch: EventBatch }[] = [];
    const b = make((batch) => void batches.push({ at: Date.now(), batch }));
    const last = new Map<string, number>();
    const started = Date.now();
    // The burst arrives over several ticks (as socket reads would), about 300 ms in all.
    for (let chunk = 0; chunk < 20; chunk++) {
      for (let i = 0; i < 500; i++) {
        const n = chunk * 500 + i;
        const job = `job-${n % 50}`;
        b.push(progress(job, n, n));
        last.set(job, n);
      }
      await tick(15);
    }
    await waitFor(() => b.pending === 0);
    const elapsed = Date.now() - started;

    const all = batches.map((x) => x.batch);
    const maxPerBatch = Math.max(...all.map((x) => x.events.length));
    // At most one delivery per 100 ms, plus the first.
    expect(all.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(all.length).toBeGreaterThanOrEqual(1);
    expect(maxPerBatch).toBeLessThanOrEqual(50);
    for (let i = 1; i < batches.length; i++) {
      expect(batches[i]!.at - batches[i - 1]!.at).toBeGreaterThanOrEqual(95);
    }
    // Everything is accounted for: delivered + coalesced away.
    const delivered = all.reduce((s, x) => s + x.events.length, 0);
    const dropped = all.reduce((s, x) => s + x.dropped, 0);
    expect(delivered + dropped).toBe(10_000);
    // Replaying the batches in order gives each job's last value.
    const seen = new Map<string, number>();
    for (const batch of all) for (const e of batch.events) if (e.type === 'progress') seen.set(e.progress.job_id, e.progress.processed);
    expect(seen).toEqual(last);
    expect(all.map((x) => x.seq)).toEqual(all.map((_, i) => i + 1));
  });

  // Issue 13 changed this: the latest event used to take its predecessor's place, which delivered
  // "completed" before the progress that preceded it. Survivors now keep the order they were emitted in.
  it('drops a superseded event and delivers its successor where it was emitted: survivors keep their order', async () => {
    const batches: EventBatch[] = [];
    const b = make((batch) => void batches.push(batch));
    b.push(progress('a', 1, 1));
    b.push(error(1));
    b.push(progress('b', 1, 1));
    b.push(progress('a', 2, 2));
    await waitFor(() => batches.length === 1);
    const [batch] = batches;
    expect(batch!.events.map((e) => (e.type === 'progress' ? `${e.progress.job_id}=${e.progress.processed}` : e.type))).toEqual(['error', 'b=1', 'a=2']);
    expect(batch!.dropped).toBe(1);
  });

  it('delivers running → progress → completed of one job as progress → completed, never completed → progress', async () => {
    const batches: EventBatch[] = [];
    const b = make((batch) => void batches.push(batch));
    const changed = (status: JobDto['status'], at: number): ConsoleEvent => ({ type: 'job_changed', job: jobDto({ job_id: 'j1', status, updated_at: at }) });
    b.push(changed('running', 1));
    b.push(progress('j1', 50, 2));
    b.push(progress('j1', 99, 3));
    b.push(changed('completed', 4));
    await waitFor(() => batches.length === 1);
    const seen = batches[0]!.events.map((e) => (e.type === 'job_changed' ? e.job.status : `${e.type}=${e.type === 'progress' ? e.progress.processed : ''}`));
    expect(seen).toEqual(['progress=99', 'completed']);
    expect(batches[0]!.dropped).toBe(2);
  });

  it('keeps coalescing in order across many supersessions (the backing array stays compact)', async () => {
    const batches: EventBatch[] = [];
    let accept = false;
    const b = make((batch) => {
      batches.push(batch);
      return accept;
    }, { intervalMs: 5 });
    b.push(error(0));
    await waitFor(() => batches.length === 1);
    // Paused: 100,000 updates of three jobs, interleaved (the last ones: b 99,997, c 99,998, a 99,999), then c once more.
    for (let i = 0; i < 100_000; i++) b.push(progress(['a', 'b', 'c'][i % 3]!, i, i));
    b.push(progress('c', 100_000, 100_000));
    expect(b.pending).toBe(3);
    accept = true;
    b.resume();
    await waitFor(() => batches.length === 2);
    expect(batches[1]!.events.map((e) => (e.type === 'progress' ? e.progress.job_id : e.type))).toEqual(['b', 'a', 'c']);
  });

  it('bounds a backlog in bytes: a burst beyond the budget is cut and the client told to resync', async () => {
    const batches: EventBatch[] = [];
    const overflows: { paused: boolean }[] = [];
    const b = new EventBatcher({ deliver: (batch) => void batches.push(batch), maxPendingBytes: 64 * 1024, onOverflow: (i) => overflows.push(i) });
    batchers.push(b);
    // 10,000 distinct jobs (keyed events never coalesce): ~4 MB serialised, all in one tick.
    for (let i = 0; i < 10_000; i++) b.push({ type: 'job_changed', job: jobDto({ job_id: `job-${i}` }) });
    expect(b.pendingBytes).toBeLessThanOrEqual(64 * 1024);
    expect(b.stats.peakBytes).toBeLessThanOrEqual(64 * 1024 + 2048);
    expect(overflows).toEqual([{ paused: false, bytes: expect.any(Number), events: expect.any(Number) }]);
    await waitFor(() => batches.length === 1);
    expect(batches[0]!.resync).toBe(true);
    expect(batches[0]!.events).toHaveLength(0);
    expect(batches[0]!.dropped).toBe(10_000);
    // After the resync the client gets events again as usual.
    b.push(progress('a', 1, 1));
    await waitFor(() => batches.length === 2);
    expect(batches[1]!.resync).toBeUndefined();
    expect(batches[1]!.events).toHaveLength(1);
  });

  it('drops an event that cannot be serialised instead of breaking the stream', async () => {
    const batches: EventBatch[] = [];
    const b = make((batch) => void batches.push(batch));
    const bad = progress('a', 1, 1) as { progress: { stage: unknown } };
    bad.progress.stage = { n: 1n } as unknown;
    b.push(bad as ConsoleEvent);
    b.push(error(1));
    await waitFor(() => batches.length === 1);
    expect(batches[0]!.events.map((e) => e.type)).toEqual(['error']);
    expect(b.stats.unserialisable).toBe(1);
    expect(() => JSON.stringify(batches[0])).not.toThrow();
  });

  it('bounds un-keyed events per batch and counts the dropped ones', async () => {
    const batches: EventBatch[] = [];
    const b = make((batch) => void batches.push(batch), { maxUnkeyed: 10 });
    for (let i = 0; i < 25; i++) b.push(error(i));
    await waitFor(() => batches.length === 1);
    expect(batches[0]!.events).toHaveLength(10);
    expect(batches[0]!.dropped).toBe(15);
    // The next batch starts with a fresh budget.
    b.push(error(99));
    await waitFor(() => batches.length === 2);
    expect(batches[1]!.events).toHaveLength(1);
    expect(batches[1]!.dropped).toBe(0);
  });

  it('holds batches while the client is busy, coalescing meanwhile, and resumes', async () => {
    const batches: EventBatch[] = [];
    let accept = false;
    const b = make((batch) => {
      batches.push(batch);
      return accept;
    }, { intervalMs: 10 });
    b.push(progress('a', 1, 1));
    await waitFor(() => batches.length === 1);
    for (let i = 2; i <= 100; i++) b.push(progress('a', i, i));
    await tick(50);
    expect(batches).toHaveLength(1); // paused: nothing delivered
    accept = true;
    b.resume();
    await waitFor(() => batches.length === 2);
    expect(batches[1]!.events).toHaveLength(1);
    expect(batches[1]!.events[0]).toMatchObject({ type: 'progress', progress: { processed: 100 } });
    expect(batches[1]!.dropped).toBe(98);
  });

  it('delivers nothing after close', async () => {
    const batches: EventBatch[] = [];
    const b = make((batch) => void batches.push(batch), { intervalMs: 10 });
    b.push(error(1));
    b.close();
    b.push(error(2));
    await tick(40);
    expect(batches).toHaveLength(0);
    expect(b.isClosed).toBe(true);
  });
});
