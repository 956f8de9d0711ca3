import { afterEach, describe, expect, it } from 'vitest';
import type { JobDto } from '../../src/shared/jobs';
import { type TestConsole, now, startTestConsole } from '../helpers/console';
import type { Peer } from '../helpers/peer';

let t: TestConsole;
afterEach(async () => {
  await t?.close();
});

const TOKEN = 'glpat-lifecycle-secret-0001';

type Spelling = 'documented' | 'crawler';
/** Crawler → console messages in either spelling, written as a crawler would. */
const say = {
  started: (s: Spelling, id: string) =>
    s === 'documented'
      ? { type: 'job_started', timestamp: now(), job_id: id, data: { job_type: 'crawl_project', entity_id: '42' } }
      : { type: 'job_started', timestamp: now(), jobId: id, data: { entityType: 'project', entityId: '42' } },
  progress: (s: Spelling, id: string, processed: number, total = 100, resume?: { page: number; last: string }) =>
    s === 'documented'
      ? {
          type: 'job_progress',
          timestamp: now(),
          job_id: id,
          data: { progress: [{ entity_type: 'issue', total_discovered: total, total_processed: processed }], overall_completion: processed / total, time_elapsed: 1000 },
        }
      : {
          type: 'job_progress',
          timestamp: now(),
          jobId: id,
          data: { stage: 'fetching', entityType: 'issue', processed, total, ...(resume && { resumeState: { currentPage: resume.page, lastEntityId: resume.last } }) },
        },
  completed: (s: Spelling, id: string, success = true) =>
    s === 'documented'
      ? { type: 'job_completed', timestamp: now(), job_id: id, data: { success, final_counts: { issue: 100 } } }
      : { type: 'job_completed', timestamp: now(), jobId: id, data: { success, finalCounts: { issue: 100 } } },
  failed: (s: Spelling, id: string, recoverable: boolean, resume?: Record<string, unknown>) =>
    s === 'documented'
      ? { type: 'job_failed', timestamp: now(), job_id: id, data: { error: 'HTTP 502', is_recoverable: recoverable, ...(resume && { resume_state: resume }) } }
      : { type: 'job_failed', timestamp: now(), jobId: id, data: { error: 'HTTP 502', isRecoverable: recoverable, ...(resume && { resumeState: resume }) } },
};

async function job(id: string): Promise<JobDto> {
  return (await t.api.getJob({ job_id: id })).job;
}
async function kinds(id: string): Promise<string[]> {
  return (await t.api.getJob({ job_id: id })).events.map((e) => e.kind).filter((k) => k !== 'progress_milestone');
}
async function create(extra: Record<string, unknown> = {}): Promise<JobDto> {
  return (await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: TOKEN, entity_id: '42', priority: 1, ...extra })).job;
}
const data = (m: Record<string, unknown>) => m.data as Record<string, unknown>;

describe('the whole lifecycle', () => {
  for (const spelling of ['documented', 'crawler'] as const) {
    it(`queued → assigned → running → completed, ${spelling} spelling`, async () => {
      t = await startTestConsole();
      const c = await t.crawler({ crawler_id: `c-${spelling}`, max_concurrent_jobs: 1 });
      const j = await create();
      const assignment = await c.nextOfType('job_assignment');
      expect(data(assignment)).toMatchObject({ job_id: j.job_id, job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: TOKEN, entity_id: '42', resume: false });
      expect((await job(j.job_id)).status).toBe('assigned');
      c.send(say.started(spelling, j.job_id));
      for (let i = 10; i <= 100; i += 10) c.send(say.progress(spelling, j.job_id, i));
      c.send(say.completed(spelling, j.job_id));
      await expect.poll(async () => (await job(j.job_id)).status).toBe('completed');
      const detail = await t.api.getJob({ job_id: j.job_id });
      expect(detail.job).toMatchObject({ crawler_id: `c-${spelling}`, overall_completion: 1 });
      expect(detail.progress).toEqual([expect.objectContaining({ entity_type: 'issue', total_processed: 100, total_discovered: 100 })]);
      expect(await kinds(j.job_id)).toEqual(['created', 'assigned', 'started', 'completed']);
      expect(c.received.filter((m) => m.type === 'error')).toEqual([]);
    });
  }

  it('history is in the order things happened: a job that jumps from 60 % to completed ends with "completed", no milestone after it', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'c-order', max_concurrent_jobs: 1 });
    const j = await create();
    await c.nextOfType('job_assignment');
    c.send(say.started('documented', j.job_id));
    c.send(say.progress('documented', j.job_id, 60));
    c.send(say.completed('documented', j.job_id));
    await expect.poll(async () => (await job(j.job_id)).status).toBe('completed');
    const events = (await t.api.getJob({ job_id: j.job_id })).events;
    expect(events.map((e) => e.kind)).toEqual(['created', 'assigned', 'started', 'progress_milestone', 'progress_milestone', 'completed']);
    expect(events.filter((e) => e.kind === 'progress_milestone').map((e) => e.details?.percentage)).toEqual([25, 50]);
    // Oldest first by the order written (ids), times never decreasing.
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    expect(events.every((e, i) => i === 0 || e.at >= events[i - 1]!.at)).toBe(true);
  });

  it('job_completed with success false is failed, not completed', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'c1' });
    const j = await create();
    await c.nextOfType('job_assignment');
    c.send(say.started('crawler', j.job_id));
    c.send(say.completed('crawler', j.job_id, false));
    await expect.poll(async () => (await job(j.job_id)).status).toBe('failed');
  });

  it('refuses what does not fit the job state, and changes nothing', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'c1' });
    const other = await t.crawler({ crawler_id: 'c2', max_concurrent_jobs: 1 });
    const j = await create({ crawler_id: 'c1' });
    await c.nextOfType('job_assignment');
    c.send(say.started('documented', j.job_id));
    // Another connected crawler reporting on c1's job.
    other.send(say.progress('crawler', j.job_id, 5));
    expect(data(await other.nextOfType('error'))).toMatchObject({ code: 'job_not_leased', job_id: j.job_id });
    c.send(say.completed('documented', j.job_id));
    await expect.poll(async () => (await job(j.job_id)).status).toBe('completed');
    const before = await kinds(j.job_id);
    c.send(say.completed('documented', j.job_id));
    expect(data(await c.nextOfType('error'))).toMatchObject({ code: 'invalid_transition' });
    c.send(say.progress('documented', j.job_id, 50));
    expect(data(await c.nextOfType('error'))).toMatchObject({ code: 'invalid_transition' });
    expect(await kinds(j.job_id)).toEqual(before);
    expect((await job(j.job_id)).status).toBe('completed');
    // Recorded on the errors screen too (identical ones within a minute are one row with a count, issue 11).
    const occurrences = async () => (await t.api.listErrors({ job_id: j.job_id })).errors.reduce((n, e) => n + (e.count ?? 1), 0);
    await expect.poll(occurrences).toBeGreaterThanOrEqual(3);
  });
});

describe('dispatch and leases', () => {
  it('answers job_request with leased jobs, highest priority first then oldest', async () => {
    t = await startTestConsole();
    const low = await create({ priority: 1, entity_id: 'acme/low' });
    const high = await create({ priority: 5, entity_id: 'acme/high' });
    const low2 = await create({ priority: 1, entity_id: 'acme/low2' });
    const c = await t.crawler(); // no hello: gets work only by asking
    c.send({ type: 'job_request', timestamp: now(), data: { max_jobs: 2 } });
    const r = await c.nextOfType('job_response');
    const jobs = data(r).jobs as Record<string, unknown>[];
    expect(jobs.map((x) => x.id)).toEqual([high.job_id, low.job_id]);
    expect(jobs[0]).toMatchObject({ entityType: 'project', entityId: 'acme/high', gitlabUrl: 'https://gitlab.example.com', accessToken: TOKEN });
    expect((await job(low2.job_id)).status).toBe('queued');
    expect((await job(high.job_id)).status).toBe('assigned');
  });

  it('never leases one job to two crawlers asking at once', async () => {
    t = await startTestConsole({ maxConcurrentJobs: 50 });
    for (let i = 0; i < 60; i++) await create({ entity_id: `acme/e${i}` });
    const a = await t.crawler();
    const b = await t.crawler();
    for (let i = 0; i < 10; i++) {
      a.send({ type: 'job_request', timestamp: now(), data: { max_jobs: 3 } });
      b.send({ type: 'job_request', timestamp: now(), data: { max_jobs: 3 } });
    }
    const got: string[][] = [[], []];
    for (const [i, p] of [a, b].entries()) {
      for (let k = 0; k < 10; k++) got[i]!.push(...((data(await p.nextOfType('job_response')).jobs as { id: string }[]).map((x) => x.id)));
    }
    const all = [...got[0]!, ...got[1]!];
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(60);
  });

  it('pushes queued jobs to a crawler with free capacity that said hello', async () => {
    t = await startTestConsole();
    const j1 = await create({ entity_id: 'acme/a' });
    const j2 = await create({ entity_id: 'acme/b' });
    const j3 = await create({ entity_id: 'acme/c' });
    const c = await t.crawler({ crawler_id: 'pushed', max_concurrent_jobs: 2 });
    const ids = [data(await c.nextOfType('job_assignment')).job_id, data(await c.nextOfType('job_assignment')).job_id];
    expect(ids).toEqual([j1.job_id, j2.job_id]);
    expect((await job(j3.job_id)).status).toBe('queued');
    c.send(say.started('documented', j1.job_id));
    c.send(say.completed('documented', j1.job_id));
    // Capacity freed: the third job follows.
    expect(data(await c.nextOfType('job_assignment')).job_id).toBe(j3.job_id);
  });

  it('assigns to a chosen crawler at once, and refuses one that is gone or full', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'chosen', max_concurrent_jobs: 1 });
    const j = await create({ crawler_id: 'chosen' });
    expect(j.status).toBe('assigned');
    expect(data(await c.nextOfType('job_assignment')).job_id).toBe(j.job_id);
    await expect(create({ crawler_id: 'chosen' })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/full/) });
    await expect(create({ crawler_id: 'nobody' })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/not connected/) });
    expect((await t.api.listJobs({})).total).toBe(1);
  });

  it('returns a lease that sees no job_started in time to the queue', async () => {
    t = await startTestConsole({ leaseTimeout: 200 });
    const j = await create();
    const c = await t.crawler();
    c.send({ type: 'job_request', timestamp: now(), data: {} });
    await c.nextOfType('job_response');
    expect((await job(j.job_id)).status).toBe('assigned');
    await expect.poll(async () => (await job(j.job_id)).status, { timeout: 3000 }).toBe('queued');
    expect(await kinds(j.job_id)).toContain('lease_expired');
  });
});

describe('crawlers that go away', () => {
  it('requeues a disconnected crawler’s jobs with their resume state and the reason', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'leaver', max_concurrent_jobs: 1 });
    const j = await create();
    await c.nextOfType('job_assignment');
    c.send(say.started('crawler', j.job_id));
    c.send(say.progress('crawler', j.job_id, 30, 100, { page: 3, last: '300' }));
    await expect.poll(async () => (await job(j.job_id)).overall_completion).toBeGreaterThan(0);
    c.destroy();
    await expect.poll(async () => (await job(j.job_id)).status).toBe('queued');
    const after = await job(j.job_id);
    expect(after).toMatchObject({ attempts: 1, resume: true, crawler_id: null, resume_state: { current_page: 3, last_entity_id: '300' } });
    const requeued = (await t.api.getJob({ job_id: j.job_id })).events.find((e) => e.kind === 'requeued');
    expect(requeued?.reason).toMatch(/leaver disconnected/);
    // The next crawler resumes it.
    const next = await t.crawler({ crawler_id: 'next' });
    const a = data(await next.nextOfType('job_assignment'));
    expect(a).toMatchObject({ job_id: j.job_id, resume: true, resume_state: { current_page: 3, last_entity_id: '300' } });
  });

  it('requeues on heartbeat timeout, and fails the job once retryAttempts are spent', async () => {
    t = await startTestConsole({ heartbeatInterval: 50, heartbeatTimeout: 250, healthCheckInterval: 50, retryAttempts: 1 });
    const j = await create();
    for (let round = 1; round <= 2; round++) {
      const c = await t.crawler({ crawler_id: `silent-${round}` });
      await c.nextOfType('job_assignment');
      c.send(say.started('documented', j.job_id));
      // Then silence: the console must notice on its own.
      await c.waitClosed(3000);
    }
    await expect.poll(async () => (await job(j.job_id)).status).toBe('failed');
    const detail = await t.api.getJob({ job_id: j.job_id });
    expect(detail.events.map((e) => e.kind)).toContain('requeued');
    expect(detail.job.last_error).toMatch(/lost/);
    expect(detail.events.at(-1)?.reason).toMatch(/no retries left/);
  });
});

describe('retries', () => {
  it('retries a recoverable failure after retryDelay, growing by the backoff, up to retryAttempts', async () => {
    t = await startTestConsole({ retryAttempts: 2, retryDelay: 200, retryBackoffMultiplier: 2, maxRetryDelay: 10_000 });
    const c = await t.crawler({ crawler_id: 'flaky', max_concurrent_jobs: 1 });
    const j = await create();
    const seenAt: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const a = data(await c.nextOfType('job_assignment', 5000));
      seenAt.push(Date.now());
      expect(a.job_id).toBe(j.job_id);
      if (attempt > 1) expect(a).toMatchObject({ resume: true, resume_state: { current_page: attempt } });
      c.send(say.started('crawler', j.job_id));
      const before = Date.now();
      c.send(say.failed('crawler', j.job_id, true, { currentPage: attempt + 1 }));
      if (attempt < 3) {
        await expect.poll(async () => (await job(j.job_id)).status).toBe('queued');
        const q = await job(j.job_id);
        expect(q.not_before! - before).toBeGreaterThanOrEqual(200 * 2 ** (attempt - 1) - 50);
      }
    }
    await expect.poll(async () => (await job(j.job_id)).status).toBe('failed');
    expect(seenAt[2]! - seenAt[1]!).toBeGreaterThanOrEqual(400 - 50);
    const ev = (await t.api.getJob({ job_id: j.job_id })).events.filter((e) => e.kind === 'retry_scheduled');
    expect(ev.map((e) => e.reason)).toEqual([expect.stringMatching(/retry 1 of 2 in 200 ms/), expect.stringMatching(/retry 2 of 2 in 400 ms/)]);
  });

  it('fails a non-recoverable failure at once', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'c' });
    const j = await create();
    await c.nextOfType('job_assignment');
    c.send(say.started('documented', j.job_id));
    c.send(say.failed('documented', j.job_id, false));
    await expect.poll(async () => (await job(j.job_id)).status).toBe('failed');
    expect((await job(j.job_id)).last_error).toBe('HTTP 502');
    // On the errors screen as well, with the job and crawler named.
    const { errors } = await t.api.listErrors({ job_id: j.job_id });
    expect(errors).toEqual([expect.objectContaining({ category: 'job_processing', severity: 'high', message: 'HTTP 502', crawler_id: 'c' })]);
  });
});

describe('operator actions', () => {
  it('cancel sends job_cancel; later progress gets an error; retry resumes', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'c', max_concurrent_jobs: 1 });
    const j = await create();
    await c.nextOfType('job_assignment');
    c.send(say.started('crawler', j.job_id));
    c.send(say.progress('crawler', j.job_id, 10, 100, { page: 2, last: '9' }));
    await expect.poll(async () => (await job(j.job_id)).resume_state).not.toBeNull();
    const cancelled = await t.api.cancelJob({ job_id: j.job_id, reason: 'wrong project' });
    expect(cancelled.job.status).toBe('cancelled');
    const cancel = await c.nextOfType('job_cancel');
    expect(cancel).toMatchObject({ jobId: j.job_id, data: { job_id: j.job_id, reason: 'wrong project' } });
    c.send(say.progress('crawler', j.job_id, 20));
    expect(data(await c.nextOfType('error'))).toMatchObject({ code: 'job_cancelled', job_id: j.job_id });
    await expect(t.api.cancelJob({ job_id: j.job_id })).rejects.toMatchObject({ code: 'conflict' });
    const retried = await t.api.retryJob({ job_id: j.job_id });
    expect(retried.job).toMatchObject({ status: 'queued', resume: true });
    // The crawler has capacity again (the cancelled job no longer counts): it gets the job back, resuming.
    expect(data(await c.nextOfType('job_assignment'))).toMatchObject({ job_id: j.job_id, resume: true, resume_state: { current_page: 2 } });
  });

  it('changes priority, and refuses unknown jobs with not_found', async () => {
    t = await startTestConsole();
    const j = await create();
    expect((await t.api.setJobPriority({ job_id: j.job_id, priority: 9 })).job.priority).toBe(9);
    expect(await kinds(j.job_id)).toContain('priority_changed');
    await expect(t.api.getJob({ job_id: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.api.retryJob({ job_id: j.job_id })).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('adoption and discovery', () => {
  it('adopts jobs it did not create, marked as started by the crawler', async () => {
    t = await startTestConsole();
    const c = await t.crawler();
    c.send(say.progress('crawler', 'external-1', 5));
    c.send({ type: 'job_started', timestamp: now(), job_id: 'external-2', data: { job_type: 'crawl_group', namespace_path: 'acme' } });
    await expect.poll(async () => (await t.api.listJobs({ origin: ['crawler'] })).total).toBe(2);
    const a = await job('external-1');
    // The crawler spelling names its task in progress: a finer task (`issue`) is kept as the job's type.
    expect(a).toMatchObject({ origin: 'crawler', status: 'running', job_type: 'issue', crawler_id: expect.stringMatching(/^crawler-/) });
    expect(await job('external-2')).toMatchObject({ job_type: 'crawl_group', namespace_path: 'acme' });
    expect(await kinds('external-1')).toEqual(['adopted']);
  });

  it('never hands out a job no crawler can do (an adopted job without a GitLab host), and leases nothing by mistake', async () => {
    t = await startTestConsole();
    const first = await t.crawler({ crawler_id: 'first' });
    first.send({ type: 'job_started', timestamp: now(), job_id: 'adopted-1', data: { job_type: 'crawl_project', entity_id: '9' } });
    await expect.poll(async () => (await job('adopted-1')).status).toBe('running');
    first.destroy();
    await expect.poll(async () => (await job('adopted-1')).status).toBe('queued');
    const real = await create();
    const next = await t.crawler({ crawler_id: 'next', max_concurrent_jobs: 5 });
    expect(data(await next.nextOfType('job_assignment')).job_id).toBe(real.job_id);
    next.send({ type: 'job_request', timestamp: now(), data: {} });
    expect(data(await next.nextOfType('job_response')).jobs).toEqual([]);
    expect(await job('adopted-1')).toMatchObject({ status: 'queued', crawler_id: null, gitlab_host: '' });
  });

  it('creates one queued child per valid discovered item, reports bad ones, and never duplicates', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'disc', max_concurrent_jobs: 1 });
    const parent = await create({ job_type: 'discover_namespaces', entity_id: undefined });
    await c.nextOfType('job_assignment');
    c.send(say.started('documented', parent.job_id));
    const msg = {
      type: 'jobs_discovered',
      timestamp: now(),
      job_id: parent.job_id,
      data: {
        discovered_jobs: [
          { job_type: 'crawl_project', entity_id: '1', namespace_path: 'acme/api', entity_name: 'api', priority: 3, estimated_size: { issues: 10 } },
          { job_type: 'crawl_spaceship', entity_id: '2', namespace_path: 'acme/x', entity_name: 'x' },
          { job_type: 'crawl_group', entity_id: '3', namespace_path: 'acme', entity_name: 'acme' },
        ],
        discovery_summary: { total_projects: 1, total_groups: 1 },
      },
    };
    c.send(msg);
    const err = await c.nextOfType('error');
    expect(data(err)).toMatchObject({ code: 'invalid_message', job_id: parent.job_id });
    expect(String(data(err).message)).toMatch(/discovered_jobs\[1\]/);
    await expect.poll(async () => (await t.api.listJobs({ parent_job_id: parent.job_id })).total).toBe(2);
    c.send(msg); // the same discovery again
    await c.nextOfType('error');
    const children = await t.api.listJobs({ parent_job_id: parent.job_id, sort: 'priority', dir: 'desc' });
    expect(children.total).toBe(2);
    expect(children.jobs[0]).toMatchObject({ job_type: 'crawl_project', entity_id: '1', priority: 3, status: 'queued', origin: 'discovery', gitlab_host: 'gitlab.example.com', estimated_size: { issues: 10 } });
    expect((await t.api.getJob({ job_id: parent.job_id })).children_total).toBe(2);
  });
});

describe('token refresh', () => {
  it('a refresh for the token the job was handed is refused (it failed); a token saved since is a success', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'c' });
    const j = await create();
    await c.nextOfType('job_assignment');
    c.send({ type: 'token_refresh_request', timestamp: now(), jobId: j.job_id, data: { current_token_expired: true } });
    const r = await c.nextOfType('token_refresh_response');
    expect(r).toMatchObject({ jobId: j.job_id, data: { accessToken: '', refreshSuccessful: false } });
    expect(Date.parse(data(r).expiresAt as string)).toBeLessThanOrEqual(Date.now());
    await expect.poll(async () => (await job(j.job_id)).status).toBe('waiting_credentials');
    // The operator replaces the token in place: the crawler gets it unasked, with an hour's assumed life.
    const credId = (await job(j.job_id)).credential_id!;
    const saved = await t.api.replaceCredentialToken({ id: credId, access_token: 'glpat-replaced-token-0003' });
    expect(saved.answered_refresh_requests).toBe(1);
    const later = await c.nextOfType('token_refresh_response');
    expect(later).toMatchObject({ jobId: j.job_id, data: { accessToken: 'glpat-replaced-token-0003', refreshSuccessful: true } });
    expect(Date.parse(data(later).expiresAt as string)).toBeGreaterThan(Date.now() + 3_500_000);
    expect((await job(j.job_id)).status).toBe('running');
  });

  it('without a token the job is never handed out: it waits for credentials, and a saved token sends it', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'c' });
    const j = (await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.other.org', entity_id: '7', priority: 1 })).job;
    await expect.poll(async () => (await job(j.job_id)).status).toBe('waiting_credentials');
    expect((await job(j.job_id)).last_error).toMatch(/no token saved for gitlab\.other\.org/);
    expect((await job(j.job_id)).attempts).toBe(0);
    expect(c.received.filter((m) => m.type === 'job_assignment')).toEqual([]);
    const expires = Date.now() + 30 * 86_400_000;
    const saved = await t.api.saveCredential({ gitlab_host: 'https://gitlab.other.org/', access_token: 'glpat-later-token-0002', expires_at: expires });
    expect(saved.requeued_jobs).toBe(1);
    expect(saved.credential).toMatchObject({ token_hint: '••••0002', expires_at: expires });
    expect(data(await c.nextOfType('job_assignment'))).toMatchObject({ job_id: j.job_id, access_token: 'glpat-later-token-0002' });
    // A refresh now has the credential's known expiry.
    c.send(say.started('documented', j.job_id));
    c.send({ type: 'token_refresh_request', timestamp: now(), job_id: j.job_id, data: {} });
    const r = await c.nextOfType('token_refresh_response');
    expect(r).toMatchObject({ job_id: j.job_id, data: { refresh_successful: false, expires_at: new Date(expires).toISOString() } });
  });
});

/** Keeps `Peer` imported for type use in helpers. */
export type { Peer };
