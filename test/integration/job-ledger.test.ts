/**
 * The ledger writes every status change through the lifecycle table, against a
 * real SQLite store: a legal change is written with the table's status and
 * history kind; a change the table does not allow is refused with a clear
 * error and leaves the job and its history as they were.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleEvent } from '../../src/shared/contract';
import { createFileKeyCipher, openStore, type Store } from '../../src/main/store';
import { JobLedger } from '../../src/main/jobs/job-ledger';
import { LifecycleError } from '../../src/main/jobs/lifecycle';

let dir: string;
let store: Store;
let ledger: JobLedger;
let events: ConsoleEvent[];
const clock = 1_700_000_000_000;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'job-ledger-'));
  store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir), now: () => clock });
  events = [];
  ledger = new JobLedger(store, (e) => events.push(e), () => clock);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const newJob = () => store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: '1', origin: 'operator' });

describe('JobLedger', () => {
  it('writes a legal change with the table’s status and kind, caches the holder and tells the UI', () => {
    const job = newJob();
    expect(ledger.change(job.id, 'lease', { leased_to: 'c1', lease_expires_at: clock + 1000 }, { crawler_id: 'c1', reason: 'because' })).toBe(true);
    const now = store.jobs.getJob(job.id)!;
    expect(now.status).toBe('assigned');
    expect(now.leased_to).toBe('c1');
    const last = store.events.listJobEvents(job.id).at(-1)!;
    expect(last).toMatchObject({ kind: 'assigned', from_status: 'queued', to_status: 'assigned', reason: 'because', crawler_id: 'c1' });
    expect(ledger.held.get(job.id)).toEqual({ status: 'assigned', crawler: 'c1' });
    expect(ledger.heldCount('c1')).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['job_changed']);

    // A change into a final status leaves the held cache.
    expect(ledger.finish(now, 'complete', {}, { crawler_id: 'c1' })).toBe(true);
    expect(store.jobs.getJob(job.id)).toMatchObject({ status: 'completed', finished_at: clock, lease_expires_at: null });
    expect(ledger.held.has(job.id)).toBe(false);
  });

  it('refuses a change the table does not allow: nothing written, no history, no event', () => {
    const job = newJob();
    const before = store.events.listJobEvents(job.id);
    expect(() => ledger.change(job.id, 'start', { leased_to: 'c1' }, { reason: 'x' }, ['completed'])).toThrow(LifecycleError);
    expect(() => ledger.change(job.id, 'retry', {}, { reason: 'x' }, ['queued'])).toThrow(
      `job ${job.id} is queued: retry (the operator runs a failed or cancelled job again) happens only to failed, cancelled jobs`,
    );
    expect(store.jobs.getJob(job.id)).toEqual(job);
    expect(store.events.listJobEvents(job.id)).toEqual(before);
    expect(events).toEqual([]);
  });

  it('is a compare-and-set: a job no longer in the expected status is left alone (false, not thrown)', () => {
    const job = newJob();
    expect(ledger.change(job.id, 'lease_expired', { leased_to: null }, { reason: 'late' })).toBe(false);
    expect(store.jobs.getJob(job.id)!.status).toBe('queued');
    expect(events).toEqual([]);
  });
});
