/**
 * A graceful shutdown is no failure: jobs a crawler hands back because the
 * operator asked it to stop (or because it says it is stopping), and jobs it
 * still holds when it leaves after that shutdown, go back to the queue without
 * spending an attempt and without an error per job.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JobDto } from '../../src/shared/jobs';
import { type TestConsole, now, startTestConsole } from '../helpers/console';

let t: TestConsole;
afterEach(async () => {
  await t?.close();
});

const TOKEN = 'glpat-handback-secret-0001';
const create = async (): Promise<JobDto> =>
  (await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: TOKEN, entity_id: '42', priority: 1 })).job;
const job = async (id: string): Promise<JobDto> => (await t.api.getJob({ job_id: id })).job;
const jobErrors = async (id: string): Promise<number> => (await t.api.listErrors({ job_id: id })).total;

describe('graceful shutdown hands jobs back', () => {
  it('after the operator’s shutdown: handed-back and still-held jobs are requeued, no attempt spent, no error recorded', async () => {
    t = await startTestConsole({ retryAttempts: 3 });
    const c = await t.crawler({ crawler_id: 'stopper', max_concurrent_jobs: 2 });
    const a = await create();
    const b = await create();
    await c.nextOfType('job_assignment');
    await c.nextOfType('job_assignment');
    for (const j of [a, b]) c.send({ type: 'job_started', timestamp: now(), job_id: j.job_id, data: { job_type: 'crawl_project', entity_id: '42' } });
    await expect.poll(async () => (await job(b.job_id)).status).toBe('running');

    expect((await t.api.broadcast({ type: 'shutdown', data: { graceful: true, timeout_seconds: 5, reason: 'maintenance' } })).delivered).toBe(1);
    await c.nextOfType('shutdown');
    // One job handed back with its resume state (in words that do not say "interrupted"); the other still held when it leaves.
    c.send({ type: 'job_failed', timestamp: now(), job_id: a.job_id, data: { error: 'stopping', is_recoverable: true, resume_state: { current_page: 4 } } });
    await expect.poll(async () => (await job(a.job_id)).status).toBe('queued');
    await c.close();
    await expect.poll(async () => (await job(b.job_id)).status).toBe('queued');

    for (const j of [a, b]) {
      const after = await job(j.job_id);
      expect(after).toMatchObject({ attempts: 0, crawler_id: null });
      expect(after.last_error ?? null).toBeNull();
      expect(await jobErrors(j.job_id)).toBe(0);
    }
    expect(await job(a.job_id)).toMatchObject({ resume: true, resume_state: { current_page: 4 } });
  });

  it('a crawler that says it is stopping (error_type interrupted) hands back without an attempt and gets no new work; another crawler’s recoverable failure still spends one', async () => {
    t = await startTestConsole({ retryAttempts: 3 });
    const c = await t.crawler({ crawler_id: 'self-stopper', max_concurrent_jobs: 1 });
    const a = await create();
    await c.nextOfType('job_assignment');
    c.send({ type: 'job_failed', timestamp: now(), job_id: a.job_id, data: { error: 'crawler stopping', error_type: 'interrupted', is_recoverable: true } });
    await expect.poll(async () => (await job(a.job_id)).status).toBe('queued');
    expect((await job(a.job_id)).attempts).toBe(0);
    expect(await jobErrors(a.job_id)).toBe(0);

    const other = await t.crawler({ crawler_id: 'flaky', max_concurrent_jobs: 1 });
    const handed = await other.nextOfType('job_assignment'); // the handed-back job goes elsewhere, not back to the stopping crawler
    expect((handed.data as { job_id: string }).job_id).toBe(a.job_id);
    other.send({ type: 'job_failed', timestamp: now(), job_id: a.job_id, data: { error: 'HTTP 502', is_recoverable: true } });
    await expect.poll(async () => (await job(a.job_id)).attempts).toBe(1);
    expect(await jobErrors(a.job_id)).toBe(1);
  });
});
