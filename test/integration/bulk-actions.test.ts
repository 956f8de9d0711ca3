/**
 * Bulk actions by filter (issue 15) on a real console core: a real SQLite file,
 * a real Unix socket and raw crawler peers. Each action's rules and summary,
 * the preview/apply guard, the errors scope, and 100,000 jobs in one command
 * with the event stream bounded and crawlers answered meanwhile.
 */
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleEvent } from '../../src/shared/contract';
import type { BulkSummary } from '../../src/shared/bulk';
import { describeBulkSummary } from '../../src/shared/bulk';
import { createFileKeyCipher, openStore } from '../../src/main/store';
import type { NewJob } from '../../src/main/store/jobs-repo';
import { refusalReason, skipReason } from '../../src/main/jobs/bulk-actions';
import { ApiError } from '../../src/shared/contract/errors';
import { now, startTestConsole, type TestConsole } from '../helpers/console';

let t: TestConsole | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Writes jobs through a second connection to the console's database file (as an import would), one transaction. */
function seed(dir: string, jobs: readonly NewJob[]): void {
  const s = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
  try {
    s.db.transaction(() => {
      for (const j of jobs) s.jobs.insertJob(j);
    })();
  } finally {
    s.close();
  }
}

const job = (id: string, status: NewJob['status'], extra: Partial<NewJob> = {}): NewJob => ({ id, job_type: 'crawl_project', entity_id: id, namespace_path: `${id.split('-')[0]}/${id}`, status, ...extra });
const skipped = (s: BulkSummary): Record<string, number> => Object.fromEntries(s.skipped.map((r) => [r.reason, r.count]));
const statusOf = async (id: string) => (await t!.api.getJob({ job_id: id })).job.status;
const eventsSince = (mark: number, type: ConsoleEvent['type']) => t!.events.slice(mark).filter((e) => e.type === type);

describe('bulk by filter: rules and summaries', () => {
  it('retries only failed and cancelled jobs; says why the others were skipped; one event for the UI', async () => {
    t = await startTestConsole();
    seed(t.dir, [
      ...['acme-q1', 'acme-q2', 'acme-q3'].map((id) => job(id, 'queued')),
      ...['acme-c1', 'acme-c2'].map((id) => job(id, 'completed')),
      ...['acme-f1', 'acme-f2', 'acme-f3', 'acme-f4'].map((id) => job(id, 'failed', { attempts: 3 })),
      job('acme-x1', 'cancelled'),
      ...['other-f1', 'other-f2'].map((id) => job(id, 'failed')),
    ]);
    // A job a connected crawler runs (reported by it, held by it).
    const crawler = await t.crawler({ crawler_id: 'c1', max_concurrent_jobs: 2 });
    crawler.send({ type: 'job_started', timestamp: now(), job_id: 'acme-r1', data: { job_type: 'crawl_project', namespace_path: 'acme/acme-r1' } });
    await expect.poll(async () => (await t!.api.listJobs({ text: 'acme-r1' })).total).toBe(1);

    const target = { scope: 'jobs' as const, filter: { text: 'acme' } };
    const preview = await t.api.previewBulk({ target });
    expect(preview.matched).toBe(11);
    expect(preview.by_status).toEqual({ queued: 3, completed: 2, failed: 4, cancelled: 1, running: 1 });

    const mark = t.events.length;
    const summary = await t.api.applyBulk({ target, action: { kind: 'retry' }, expected: preview.matched, snapshot: preview.snapshot });
    expect(summary).toMatchObject({ scope: 'jobs', expected: 11, done: 5, skipped_total: 6 });
    expect(skipped(summary)).toEqual({ 'still queued': 3, 'already completed': 2, 'still running': 1 });
    expect(describeBulkSummary(summary)).toBe('5 queued again; 6 skipped: 3 still queued, 2 already completed, 1 still running');
    for (const id of ['acme-f1', 'acme-f4', 'acme-x1']) expect(await statusOf(id)).toBe('queued');
    expect(await statusOf('other-f1')).toBe('failed'); // outside the filter
    expect(await statusOf('acme-c1')).toBe('completed');
    const detail = await t.api.getJob({ job_id: 'acme-f1' });
    expect(detail.job.attempts).toBe(0); // the single retry's rule: attempts start again
    expect(detail.events.at(-1)).toMatchObject({ kind: 'retried', reason: 'retried by the operator' });
    // The UI hears of it once, not once per job.
    expect(eventsSince(mark, 'bulk_applied')).toHaveLength(1);
    expect(eventsSince(mark, 'job_changed')).toHaveLength(0);
  });

  it('cancels unfinished jobs (the crawler holding one is told), reprioritizes and moves to a credential with the same rules', async () => {
    t = await startTestConsole();
    seed(t.dir, [
      ...Array.from({ length: 4 }, (_, i) => job(`acme-q${i}`, 'queued', { priority: i === 0 ? 7 : 1 })),
      job('acme-c1', 'completed'),
      job('acme-w1', 'waiting_credentials', { gitlab_host: 'gitlab.example.org' }),
    ]);
    const crawler = await t.crawler({ crawler_id: 'c1', max_concurrent_jobs: 2 });
    crawler.send({ type: 'job_started', timestamp: now(), job_id: 'acme-r1', data: { job_type: 'crawl_project', namespace_path: 'acme/r1' } });
    await expect.poll(async () => (await t!.api.listJobs({ text: 'acme-r1' })).total).toBe(1);
    const target = { scope: 'jobs' as const, filter: { text: 'acme' } };

    // Priority: finished jobs and jobs already at that priority are left alone.
    let p = await t.api.previewBulk({ target });
    const prio = await t.api.applyBulk({ target, action: { kind: 'priority', priority: 7 }, expected: p.matched, snapshot: p.snapshot });
    expect(prio).toMatchObject({ done: 5 });
    expect(skipped(prio)).toEqual({ 'already completed': 1, 'already at priority 7': 1 });
    expect((await t.api.getJob({ job_id: 'acme-q2' })).job.priority).toBe(7);

    // Move to a credential: the waiting job gets going (resumed once, after the last chunk).
    const { credential } = await t.api.saveCredential({ gitlab_host: 'gitlab.other.org', label: 'other', access_token: 'glpat-bulk-move-0001' });
    p = await t.api.previewBulk({ target });
    const moved = await t.api.applyBulk({ target, action: { kind: 'move_credential', credential_id: credential.id }, expected: p.matched, snapshot: p.snapshot });
    expect(moved).toMatchObject({ done: 6 });
    expect(skipped(moved)).toEqual({ 'already completed': 1 });
    expect((await t.api.getJob({ job_id: 'acme-q1' })).job.credential_id).toBe(credential.id);
    await expect(
      t.api.applyBulk({ target, action: { kind: 'move_credential', credential_id: 'nope' }, expected: p.matched, snapshot: p.snapshot }),
    ).rejects.toMatchObject({ code: 'not_found' });

    // Cancel: everything unfinished; the crawler running one is sent job_cancel with the reason.
    p = await t.api.previewBulk({ target });
    const cancelled = await t.api.applyBulk({ target, action: { kind: 'cancel', reason: 'wrong instance' }, expected: p.matched, snapshot: p.snapshot });
    expect(cancelled).toMatchObject({ done: 6 });
    expect(skipped(cancelled)).toEqual({ 'already completed': 1 });
    const sent = await crawler.next((m) => m.type === 'job_cancel' && m.job_id === 'acme-r1');
    expect(sent).toMatchObject({ job_id: 'acme-r1', data: { reason: 'wrong instance' } });
    expect(await statusOf('acme-r1')).toBe('cancelled');
    expect((await t.api.getJob({ job_id: 'acme-q3' })).events.at(-1)).toMatchObject({ kind: 'cancelled', reason: 'wrong instance' });

    // Cancel again: nothing left to do, and it says so.
    p = await t.api.previewBulk({ target });
    const again = await t.api.applyBulk({ target, action: { kind: 'cancel' }, expected: p.matched, snapshot: p.snapshot });
    expect(again).toMatchObject({ done: 0, skipped_total: 7 });
    expect(skipped(again)).toEqual({ 'already cancelled': 6, 'already completed': 1 });
  });

  it('acts on what was confirmed: jobs created after the preview are untouched, more matches than confirmed are refused, fewer are reported', async () => {
    t = await startTestConsole();
    seed(t.dir, Array.from({ length: 5 }, (_, i) => job(`acme-f${i}`, 'failed')));
    const target = { scope: 'jobs' as const, filter: { status: ['failed' as const] } };
    const preview = await t.api.previewBulk({ target });
    expect(preview.matched).toBe(5);

    // A job that fails after the preview is past the snapshot: not counted, not retried.
    seed(t.dir, [job('acme-late', 'failed')]);
    // One of the confirmed jobs leaves the filter meanwhile.
    await t.api.retryJob({ job_id: 'acme-f0' });

    await expect(t.api.applyBulk({ target, action: { kind: 'retry' }, expected: 3, snapshot: preview.snapshot })).rejects.toThrow(
      /now matches 4 jobs, more than the 3 you confirmed/,
    );
    const summary = await t.api.applyBulk({ target, action: { kind: 'retry' }, expected: preview.matched, snapshot: preview.snapshot });
    expect(summary).toMatchObject({ done: 4, skipped_total: 1 });
    expect(skipped(summary)).toEqual({ 'no longer match the filter': 1 });
    expect(await statusOf('acme-late')).toBe('failed');
  });

  it('retries the jobs named by the errors an Errors-screen filter matches', async () => {
    t = await startTestConsole();
    const crawler = await t.crawler({ crawler_id: 'c1' });
    for (const id of ['e-1', 'e-2', 'e-3']) {
      crawler.send({ type: 'job_failed', timestamp: now(), job_id: id, data: { error: `HTTP 404 for ${id}`, error_type: 'not_found', is_recoverable: false } });
    }
    crawler.send({ type: 'job_failed', timestamp: now(), job_id: 'e-1', data: { error: 'again', error_type: 'not_found', is_recoverable: false } });
    await expect.poll(async () => (await t!.api.listJobs({ status: ['failed'] })).total).toBe(3);
    const target = { scope: 'errors' as const, filter: { category: 'job_processing' as const } };
    const preview = await t.api.previewBulk({ target });
    expect(preview).toMatchObject({ matched: 3, by_status: { failed: 3 }, missing_jobs: 0 });
    expect(preview.errors_matched).toBeGreaterThanOrEqual(3);
    const summary = await t.api.applyBulk({ target, action: { kind: 'retry' }, expected: preview.matched, snapshot: preview.snapshot });
    expect(summary).toMatchObject({ scope: 'errors', done: 3, skipped_total: 0 });
    expect(await statusOf('e-2')).toBe('queued');
  });

  it('refuses bad input with a clear error and costs nothing', async () => {
    t = await startTestConsole();
    await expect(t.api.applyBulk({ target: { scope: 'jobs', filter: {} }, action: { kind: 'priority', priority: 5000 }, expected: 1, snapshot: 1 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(t.api.previewBulk({ target: { scope: 'nowhere' } } as never)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('groups refusals by reason without the job id', () => {
    expect(refusalReason(new ApiError('conflict', 'job abc is already completed'), 'abc')).toBe('already completed');
    expect(refusalReason(new ApiError('conflict', 'job abc cannot run again: another unfinished job already covers the same entity on this host'), 'abc')).toBe(
      'cannot run again: another unfinished job already covers the same entity on this host',
    );
    expect(skipReason({ kind: 'retry' }, { status: 'waiting_credentials', priority: 1, credential_id: null })).toBe('still waiting for credentials');
    expect(skipReason({ kind: 'cancel' }, { status: 'assigned', priority: 1, credential_id: null })).toBeNull();
  });
});

describe('bulk by filter at 100,000 jobs', () => {
  it('retries 100,000 failed jobs in one command: bounded events, crawlers answered meanwhile', { timeout: 300_000 }, async () => {
    const N = 100_000;
    t = await startTestConsole();
    const t0 = performance.now();
    // Plain INSERTs (the store's triggers keep counts and the text index): seeding is not what is measured.
    const s = openStore({ dataDir: t.dir, cipher: createFileKeyCipher(t.dir) });
    const insert = s.db.prepare(
      `INSERT INTO jobs (id, job_type, namespace_path, status, origin, attempts, created_at, updated_at) VALUES (?, 'crawl_project', ?, ?, 'operator', 1, ?, ?)`,
    );
    s.db.transaction(() => {
      const at = Date.now();
      for (let i = 0; i < N; i++) insert.run(`bulk-${i}`, `load/p-${i}`, 'failed', at, at);
      for (let i = 0; i < 1000; i++) insert.run(`done-${i}`, `load/d-${i}`, 'completed', at, at);
    })();
    s.close();
    const seeded = performance.now() - t0;

    const target = { scope: 'jobs' as const, filter: { status: ['failed' as const] } };
    const p0 = performance.now();
    const preview = await t.api.previewBulk({ target });
    const previewMs = performance.now() - p0;
    expect(preview.matched).toBe(N);

    // A crawler asks for work while the bulk runs: it is answered before the bulk ends (the main thread is free between chunks).
    const crawler = await t.crawler();
    let ticks = 0;
    let lastTick = performance.now();
    let longestPause = 0;
    const timer = setInterval(() => {
      ticks++;
      const at = performance.now();
      longestPause = Math.max(longestPause, at - lastTick);
      lastTick = at;
    }, 1);
    const mark = t.events.length;
    const a0 = performance.now();
    let answeredAt = 0;
    let finishedAt = 0;
    const applying = t.api.applyBulk({ target, action: { kind: 'retry' }, expected: preview.matched, snapshot: preview.snapshot }).then((s) => {
      finishedAt = performance.now();
      return s;
    });
    crawler.send({ type: 'job_request', timestamp: now(), data: {} });
    void crawler.nextOfType('job_response', 120_000).then(() => (answeredAt = performance.now()));
    const summary = await applying;
    clearInterval(timer);
    const applyMs = performance.now() - a0;

    expect(summary).toMatchObject({ done: N, skipped_total: 0, expected: N });
    expect((await t.api.listJobs({ status: ['queued'], limit: 1 })).total).toBe(N);
    expect((await t.api.listJobs({ status: ['failed'], limit: 1 })).total).toBe(0);
    expect(answeredAt).toBeGreaterThan(0);
    expect(answeredAt).toBeLessThan(finishedAt);
    expect(ticks).toBeGreaterThan(10); // timers ran during the command: it yielded between chunks
    // One summary event for the UI, not 100,000 job_changed.
    const during = t.events.slice(mark);
    expect(during.filter((e) => e.type === 'bulk_applied')).toHaveLength(1);
    expect(during.filter((e) => e.type === 'job_changed').length).toBeLessThan(10);
    // Progress at most every 250 ms, and once at the end: bounded by time, not by jobs.
    const progress = during.filter((e) => e.type === 'bulk_progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(applyMs / 250) + 1);
    expect(progress.at(-1)).toMatchObject({ processed: N, expected: N });
    console.log(
      `[measure] bulk retry of ${N.toLocaleString('en-US')} jobs: seed ${Math.round(seeded)} ms, preview ${Math.round(previewMs)} ms, apply ${Math.round(applyMs)} ms ` +
        `(${Math.round(N / (applyMs / 1000)).toLocaleString('en-US')} jobs/s), ${during.length} events during apply, crawler answered after ${Math.round(answeredAt - a0)} ms, ${ticks} timer ticks, longest main-thread pause ${Math.round(longestPause)} ms`,
    );
  });
});

/** Plain INSERTs of `n` jobs with ids `${prefix}${i}` (the store's triggers keep counts and the text index). */
function seedPlain(dir: string, prefix: string, n: number, status: string): void {
  const s = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
  try {
    const insert = s.db.prepare(
      `INSERT INTO jobs (id, job_type, namespace_path, status, origin, attempts, created_at, updated_at) VALUES (?, 'crawl_project', ?, ?, 'operator', 1, ?, ?)`,
    );
    s.db.transaction(() => {
      const at = Date.now();
      for (let i = 0; i < n; i++) insert.run(`${prefix}${i}`, `load/${prefix}${i}`, status, at, at);
    })();
  } finally {
    s.close();
  }
}

/** Reads the console's database file through a second connection. */
function inspect<T>(dir: string, read: (db: Database.Database) => T): T {
  const s = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
  try {
    return read(s.db);
  } finally {
    s.close();
  }
}

describe('stopping a bulk action', () => {
  it('cancelBulk stops a retry of 100,000 jobs between slices: the summary says so, and no job is half-changed', { timeout: 300_000 }, async () => {
    const N = 100_000;
    t = await startTestConsole();
    seedPlain(t.dir, 'stop-', N, 'failed');
    await expect(t.api.cancelBulk({})).rejects.toMatchObject({ code: 'conflict', message: 'no bulk action is running' });
    const target = { scope: 'jobs' as const, filter: { status: ['failed' as const] } };
    const preview = await t.api.previewBulk({ target });
    expect(preview.matched).toBe(N);

    const mark = t.events.length;
    const applying = t.api.applyBulk({ target, action: { kind: 'retry' }, expected: N, snapshot: preview.snapshot });
    // Cancelled once it is under way (its first progress report).
    await expect.poll(() => eventsSince(mark, 'bulk_progress').length, { timeout: 120_000, interval: 5 }).toBeGreaterThan(0);
    const asked = await t.api.cancelBulk({});
    expect(asked).toMatchObject({ action: 'retry', expected: N });
    const summary = await applying;

    expect(summary.stopped).toMatchObject({ because: 'cancelled' });
    expect(summary.stopped).not.toHaveProperty('error');
    expect(summary.done).toBeGreaterThan(0);
    expect(summary.done).toBeLessThan(N);
    expect(summary.skipped_total).toBe(0);
    expect(summary.done + summary.stopped!.not_reached).toBe(N);
    expect(describeBulkSummary(summary)).toBe(`${summary.done.toLocaleString('en-US')} queued again; cancelled: ${summary.stopped!.not_reached.toLocaleString('en-US')} not reached`);
    expect(eventsSince(mark, 'bulk_applied')).toEqual([{ type: 'bulk_applied', summary }]);

    // Every job is either retried whole (queued, attempts 0, its history says so) or untouched (failed, attempts 1, no new entry):
    // the retried ones are exactly the first `done` in the walk's order, the rest were not reached.
    const db = inspect(t.dir, (db) => ({
      queued: db.prepare(`SELECT count(*) FROM jobs WHERE status = 'queued'`).pluck().get() as number,
      queuedWhole: db.prepare(`SELECT count(*) FROM jobs WHERE status = 'queued' AND attempts = 0 AND finished_at IS NULL`).pluck().get() as number,
      failedUntouched: db.prepare(`SELECT count(*) FROM jobs WHERE status = 'failed' AND attempts = 1`).pluck().get() as number,
      retriedEvents: db.prepare(`SELECT count(*) FROM job_events WHERE kind = 'retried'`).pluck().get() as number,
      lastRetried: db.prepare(`SELECT max(rowid) FROM jobs WHERE status = 'queued'`).pluck().get() as number,
      firstLeft: db.prepare(`SELECT min(rowid) FROM jobs WHERE status = 'failed'`).pluck().get() as number,
    }));
    expect(db).toMatchObject({ queued: summary.done, queuedWhole: summary.done, failedUntouched: N - summary.done, retriedEvents: summary.done });
    expect(db.lastRetried).toBeLessThan(db.firstLeft);
    // Nothing runs any more: a second cancel is refused, a new bulk may start.
    await expect(t.api.cancelBulk({})).rejects.toMatchObject({ code: 'conflict' });
    console.log(`[measure] bulk retry of ${N.toLocaleString('en-US')} jobs cancelled after ${summary.done.toLocaleString('en-US')}, in ${summary.took_ms} ms`);
  });

  it('a write that fails mid-slice rolls that slice back whole, stops the action with the error in its summary, and the console keeps serving', { timeout: 120_000 }, async () => {
    const N = 5_000;
    // Mid-page (pages of 500 in the walk's order), so mid-slice too unless a slice happens to start right at it.
    const FAIL_AT = 3_210;
    t = await startTestConsole();
    seedPlain(t.dir, 'full-', N, 'queued');
    // The disk "fills up" at one job's cancel: a trigger installed through a second connection raises, as SQLITE_FULL would.
    inspect(t.dir, (db) =>
      db.exec(`CREATE TRIGGER test_disk_full BEFORE UPDATE OF status ON jobs WHEN new.id = 'full-${FAIL_AT}' AND new.status = 'cancelled'
               BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`),
    );
    const target = { scope: 'jobs' as const, filter: { status: ['queued' as const] } };
    const preview = await t.api.previewBulk({ target });
    expect(preview.matched).toBe(N);
    const mark = t.events.length;
    const summary = await t.api.applyBulk({ target, action: { kind: 'cancel', reason: 'disk test' }, expected: N, snapshot: preview.snapshot });

    expect(summary.stopped).toMatchObject({ because: 'failed', error: expect.stringContaining('database or disk is full') });
    expect(summary.done).toBeLessThanOrEqual(FAIL_AT);
    expect(summary.done + summary.stopped!.not_reached).toBe(N);
    expect(describeBulkSummary(summary)).toContain('stopped by a failed write (database or disk is full)');
    expect(eventsSince(mark, 'bulk_applied')).toHaveLength(1);
    const db = inspect(t.dir, (db) => ({
      cancelled: db.prepare(`SELECT count(*) FROM jobs WHERE status = 'cancelled'`).pluck().get() as number,
      cancelledEvents: db.prepare(`SELECT count(*) FROM job_events WHERE kind = 'cancelled'`).pluck().get() as number,
      lastCancelled: db.prepare(`SELECT coalesce(max(rowid), 0) FROM jobs WHERE status = 'cancelled'`).pluck().get() as number,
      firstLeft: db.prepare(`SELECT min(rowid) FROM jobs WHERE status = 'queued'`).pluck().get() as number,
      // The jobs after the failing one in its slice: under the old code they were cancelled while the failed one was not.
      afterFailing: db.prepare(`SELECT count(*) FROM jobs WHERE status <> 'queued' AND id IN (${Array.from({ length: 20 }, (_, i) => `'full-${FAIL_AT + 1 + i}'`).join(', ')})`).pluck().get() as number,
    }));
    // The slices before the failing one are committed, the failing one is gone whole: a prefix, status and history alike.
    expect(db.cancelled).toBe(summary.done);
    expect(db.cancelledEvents).toBe(summary.done);
    expect(db.lastCancelled).toBeLessThan(db.firstLeft);
    expect(db.afterFailing).toBe(0);
    expect(await statusOf(`full-${FAIL_AT}`)).toBe('queued');

    // The console keeps serving: reads, a crawler answered, and once the disk has room the rest can be done.
    expect((await t.api.listJobs({ text: `full-${FAIL_AT}` })).jobs.map((j) => j.status)).toEqual(['queued']);
    const crawler = await t.crawler();
    crawler.send({ type: 'job_request', timestamp: now(), data: {} });
    await crawler.nextOfType('job_response');
    inspect(t.dir, (db) => db.exec('DROP TRIGGER test_disk_full'));
    const again = await t.api.previewBulk({ target });
    const rest = await t.api.applyBulk({ target, action: { kind: 'cancel' }, expected: again.matched, snapshot: again.snapshot });
    expect(rest.stopped).toBeUndefined();
    expect(summary.done + rest.done).toBe(N);
    expect(inspect(t.dir, (db) => db.prepare(`SELECT count(*) FROM jobs WHERE status = 'cancelled'`).pluck().get())).toBe(N);
  });
});
