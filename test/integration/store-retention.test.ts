import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileKeyCipher,
  openStore,
  retentionBatch,
  runRetention,
  startRetention,
  type RetentionResult,
  type Store,
} from '../../src/main/store';

const DAY = 86_400_000;
let dir: string;
let store: Store;
let clock: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-retention-'));
  clock = 1_700_000_000_000;
  store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir), now: () => clock });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Old and new jobs and errors: `old` are 10 days old, the rest 1 day. */
function seed(oldCompleted: number, oldErrors: number, prefix = '') {
  const old = clock - 10 * DAY;
  const recent = clock - DAY;
  store.transaction(() => {
    for (let i = 0; i < oldCompleted; i++) {
      const j = store.jobs.insertJob({ id: `${prefix}old-${i}`, job_type: 'crawl_project', status: 'completed' });
      store.db.prepare('UPDATE jobs SET finished_at = ? WHERE id = ?').run(old, j.id);
      store.progress.upsertProgressBatch([{ job_id: j.id, entity_type: 'issue', total_processed: 1 }]);
    }
    for (let i = 0; i < 20; i++) {
      const j = store.jobs.insertJob({ id: `${prefix}recent-${i}`, job_type: 'crawl_project', status: 'completed' });
      store.db.prepare('UPDATE jobs SET finished_at = ? WHERE id = ?').run(recent, j.id);
    }
    for (const status of ['failed', 'cancelled', 'queued', 'running'] as const) {
      const j = store.jobs.insertJob({ id: `${prefix}old-${status}`, job_type: 'crawl_project', status });
      store.db.prepare('UPDATE jobs SET finished_at = ?, updated_at = ? WHERE id = ?').run(old, old, j.id);
    }
    // completed without finished_at: aged by updated_at
    const j = store.jobs.insertJob({ id: `${prefix}old-no-finish`, job_type: 'crawl_project', status: 'completed' });
    store.db.prepare('UPDATE jobs SET updated_at = ? WHERE id = ?').run(old, j.id);
    store.errors.recordErrors(Array.from({ length: oldErrors }, (_, i) => ({ category: 'internal' as const, severity: 'low' as const, message: `old ${i}`, at: old })));
    store.errors.recordErrors(Array.from({ length: 15 }, (_, i) => ({ category: 'internal' as const, severity: 'low' as const, message: `new ${i}`, at: recent })));
  });
}

const count = (table: string) => (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('retention', () => {
  it('deletes old completed jobs (with their progress and events) and old errors, batch by batch', () => {
    seed(1_199, 1_100);
    const opts = { maxJobAge: 7 * DAY, maxErrorLogAge: 7 * DAY, now: clock, batchSize: 500 };
    expect(retentionBatch(store, opts)).toEqual({ jobs: 500, errors: 500, more: true });
    expect(retentionBatch(store, opts)).toEqual({ jobs: 500, errors: 500, more: true });
    expect(retentionBatch(store, opts)).toEqual({ jobs: 200, errors: 100, more: false });
    expect(retentionBatch(store, opts)).toEqual({ jobs: 0, errors: 0, more: false });

    const left = store.jobs.listJobs({ limit: 1000 }).jobs.map((j) => j.id);
    expect(left.filter((id) => id.startsWith('recent-'))).toHaveLength(20);
    // Only completed jobs go: failed/cancelled stay for the operator, unfinished ones are never touched.
    expect(left.filter((id) => id.startsWith('old-')).sort()).toEqual(['old-cancelled', 'old-failed', 'old-queued', 'old-running']);
    expect(count('job_progress')).toBe(0);
    expect(count('job_events')).toBe(24); // one "created" per remaining job
    expect(store.errors.listErrors().total).toBe(15);
  });

  it('runRetention does every batch and returns the totals; widening to failed/cancelled is an option', () => {
    seed(1_234, 777);
    expect(runRetention(store, { maxJobAge: 7 * DAY, maxErrorLogAge: 7 * DAY, now: clock, batchSize: 100 })).toEqual({ jobs: 1_235, errors: 777 });
    expect(runRetention(store, { maxJobAge: 7 * DAY, maxErrorLogAge: Infinity, now: clock, jobStatuses: ['failed', 'cancelled'] })).toEqual({
      jobs: 2,
      errors: 0,
    });
    expect(runRetention(store, { maxJobAge: Infinity, maxErrorLogAge: 0, now: clock + 1 })).toEqual({ jobs: 0, errors: 15 });
    // Unfinished jobs are never deleted by age (and jobs_retention holds finished ones only): asked to, it says so.
    store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com' });
    const queued = store.jobs.countByStatus().queued;
    expect(queued).toBeGreaterThan(0);
    expect(() => runRetention(store, { maxJobAge: 0, maxErrorLogAge: Infinity, now: clock + DAY, jobStatuses: ['completed', 'queued'] })).toThrow(
      expect.objectContaining({ code: 'invalid', message: expect.stringMatching(/finished jobs only .*not queued/) }),
    );
    expect(store.jobs.countByStatus().queued).toBe(queued);
  });

  it('startRetention works through the backlog one batch per event-loop turn, and stops', async () => {
    seed(1_000, 1_000);
    const runs: RetentionResult[] = [];
    const stop = startRetention(
      store,
      { maxJobAge: 7 * DAY, maxErrorLogAge: 7 * DAY, batchSize: 100 },
      { interval: 60_000, now: () => clock, onRun: (r) => runs.push(r) },
    );
    // One turn of the event loop: exactly one batch has run, the rest waits for later turns.
    await new Promise((r) => setImmediate(r));
    expect(store.errors.listErrors().total).toBe(1_015 - 100);
    expect(runs).toEqual([]);
    for (let i = 0; i < 500 && runs.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(runs).toEqual([{ jobs: 1_001, errors: 1_000 }]);
    expect(store.errors.listErrors().total).toBe(15);
    stop();

    // After stop(), nothing more runs even when more is due.
    seed(300, 0, 'second-');
    await new Promise((r) => setTimeout(r, 30));
    expect(runs).toHaveLength(1);
    expect(store.jobs.countByStatus().completed).toBe(20 + 300 + 20 + 1);
  });

  it('startRetention runs again every interval and survives a closed store', async () => {
    const runs: RetentionResult[] = [];
    const errors: unknown[] = [];
    const stop = startRetention(
      store,
      { maxJobAge: DAY, maxErrorLogAge: DAY },
      { interval: 20, runAtStart: false, now: () => clock, onRun: (r) => runs.push(r), onError: (e) => errors.push(e) },
    );
    try {
      store.errors.recordError({ category: 'internal', severity: 'low', message: 'old', at: clock - 2 * DAY });
      for (let i = 0; i < 200 && runs.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(runs).toEqual([{ jobs: 0, errors: 1 }]);
      store.close();
      await new Promise((r) => setTimeout(r, 60));
      expect(errors).toEqual([]);
    } finally {
      stop();
    }
  });
});
