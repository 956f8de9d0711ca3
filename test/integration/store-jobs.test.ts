import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiscoveredJob } from '../../src/shared/protocol';
import { createFileKeyCipher, openStore, StoreError, toJobDto, type Store } from '../../src/main/store';

let dir: string;
let store: Store;
let clock: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-jobs-'));
  clock = 1_700_000_000_000;
  store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir), now: () => clock });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tick = (ms = 1) => (clock += ms);

describe('insertJob / getJob', () => {
  it('stores a job with defaults and a "created" history entry', () => {
    const job = store.jobs.insertJob({
      job_type: 'crawl_project',
      gitlab_host: 'gitlab.example.com',
      entity_id: '1234',
      namespace_path: 'group/project',
      resume_state: { last_entity_id: '99', current_page: 3 },
      estimated_size: { issues: 10 },
    });
    expect(job).toMatchObject({
      job_type: 'crawl_project',
      status: 'queued',
      priority: 1,
      attempts: 0,
      origin: 'operator',
      resume: false,
      leased_to: null,
      resume_state: { last_entity_id: '99', current_page: 3 },
      estimated_size: { issues: 10 },
      created_at: clock,
      updated_at: clock,
    });
    expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.jobs.getJob(job.id)).toEqual(job);
    expect(store.events.listJobEvents(job.id)).toMatchObject([{ kind: 'created', from_status: null, to_status: 'queued', at: clock }]);
    expect(toJobDto(job)).toMatchObject({ job_id: job.id, crawler_id: null, job_type: 'crawl_project' });
    expect(toJobDto(job)).not.toHaveProperty('id');
  });

  it('records a job adopted from a crawler as "adopted", and refuses a duplicate id', () => {
    const job = store.jobs.insertJob({ id: 'crawler-42', job_type: 'crawl_group', gitlab_host: 'gitlab.example.com', origin: 'crawler', status: 'running', leased_to: 'c1' });
    expect(store.events.listJobEvents(job.id)).toMatchObject([{ kind: 'adopted', to_status: 'running' }]);
    expect(() => store.jobs.insertJob({ id: 'crawler-42', job_type: 'crawl_group', gitlab_host: 'gitlab.example.com' })).toThrow(
      expect.objectContaining({ code: 'conflict' }),
    );
  });

  it('refuses bad input and unknown references with StoreError', () => {
    expect(() => store.jobs.insertJob({ job_type: '' })).toThrow(StoreError);
    expect(() => store.jobs.insertJob({ job_type: 'crawl_user', gitlab_host: 'gitlab.example.com', priority: 1.5 })).toThrow(/invalid job/);
    expect(() => store.jobs.insertJob({ job_type: 'crawl_user', gitlab_host: 'gitlab.example.com', parent_job_id: 'missing' })).toThrow(
      expect.objectContaining({ code: 'invalid' }),
    );
    expect(store.jobs.countByStatus().queued).toBe(0);
  });
});

describe('transition (compare-and-set)', () => {
  it('changes status only from the given statuses, and writes the event with it', () => {
    const job = store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com' });
    tick(10);
    const ok = store.jobs.transition(
      job.id,
      ['queued'],
      { status: 'running', leased_to: 'c1', started_at: clock, increment_attempts: true },
      { kind: 'started', crawler_id: 'c1', reason: 'job_started received' },
    );
    expect(ok).toBe(true);
    expect(store.jobs.getJob(job.id)).toMatchObject({ status: 'running', leased_to: 'c1', started_at: clock, attempts: 1, updated_at: clock });
    expect(store.events.listJobEvents(job.id).at(-1)).toMatchObject({
      kind: 'started',
      from_status: 'queued',
      to_status: 'running',
      crawler_id: 'c1',
      reason: 'job_started received',
      at: clock,
    });
  });

  it('refuses a wrong from-status: nothing changes and no event is written', () => {
    const job = store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com' });
    store.jobs.transition(job.id, ['queued'], { status: 'completed', finished_at: clock }, { kind: 'completed' });
    const before = store.jobs.getJob(job.id);
    const eventsBefore = store.events.listJobEvents(job.id);
    tick();
    // A second job_completed, or progress for a finished job:
    expect(store.jobs.transition(job.id, ['assigned', 'running'], { status: 'completed' }, { kind: 'completed' })).toBe(false);
    expect(store.jobs.transition(job.id, ['running'], { overall_completion: 0.5 }, { kind: 'progress_milestone' })).toBe(false);
    expect(store.jobs.getJob(job.id)).toEqual(before);
    expect(store.events.listJobEvents(job.id)).toEqual(eventsBefore);
  });

  it('returns false for an unknown job and validates the patch', () => {
    expect(store.jobs.transition('nope', ['queued'], { status: 'running' }, { kind: 'started' })).toBe(false);
    const job = store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com' });
    expect(() => store.jobs.transition(job.id, ['queued'], { overall_completion: 2 }, { kind: 'updated' })).toThrow(StoreError);
    expect(store.jobs.getJob(job.id)?.overall_completion).toBeNull();
  });

  it('stores resume state, resume flag and clears fields with null', () => {
    const job = store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', leased_to: 'c1', status: 'running' });
    const ok = store.jobs.transition(
      job.id,
      ['running'],
      { status: 'queued', leased_to: null, resume: true, resume_state: { last_entity_id: '5', entity_type: 'issue' }, not_before: clock + 5000 },
      { kind: 'requeued', reason: 'crawler disconnected' },
    );
    expect(ok).toBe(true);
    expect(store.jobs.getJob(job.id)).toMatchObject({
      status: 'queued',
      leased_to: null,
      resume: true,
      resume_state: { last_entity_id: '5', entity_type: 'issue' },
      not_before: clock + 5000,
    });
  });

  it('never stores a token that slips into last_error or event details', () => {
    const token = 'glpat-AbCdEfGhIjKlMnOpQrSt';
    const job = store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', status: 'running' });
    store.jobs.transition(
      job.id,
      ['running'],
      { status: 'failed', last_error: `401 with token ${token}` },
      { kind: 'failed', reason: `auth failed for ${token}`, details: { access_token: 'plain-secret-value', nested: { note: token } } },
    );
    const after = store.jobs.getJob(job.id);
    expect(after?.last_error).toBe('401 with token [redacted]');
    const ev = store.events.listJobEvents(job.id).at(-1);
    expect(ev?.reason).toBe('auth failed for [redacted]');
    expect(ev?.details).toEqual({ access_token: '[redacted]', nested: { note: '[redacted]' } });
  });
});

describe('leaseNextJobs', () => {
  it('leases queued jobs by priority (highest first) then age, marking them assigned with a lease', () => {
    const low = store.jobs.insertJob({ id: 'low', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', priority: 1 });
    tick();
    const highOld = store.jobs.insertJob({ id: 'high-old', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', priority: 5 });
    tick();
    const highNew = store.jobs.insertJob({ id: 'high-new', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', priority: 5 });
    tick();
    const mid = store.jobs.insertJob({ id: 'mid', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', priority: 3 });
    store.jobs.insertJob({ id: 'running', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', priority: 99, status: 'running' });

    const leased = store.jobs.leaseNextJobs('c1', 3, 30_000);
    expect(leased.map((j) => j.id)).toEqual([highOld.id, highNew.id, mid.id]);
    for (const j of leased) {
      expect(j).toMatchObject({ status: 'assigned', leased_to: 'c1', lease_expires_at: clock + 30_000 });
      expect(store.events.listJobEvents(j.id).at(-1)).toMatchObject({ kind: 'assigned', from_status: 'queued', to_status: 'assigned', crawler_id: 'c1' });
    }
    expect(store.jobs.leaseNextJobs('c1', 10, 30_000).map((j) => j.id)).toEqual([low.id]);
    expect(store.jobs.leaseNextJobs('c1', 10, 30_000)).toEqual([]);
    expect(store.jobs.leaseNextJobs('c1', 0, 30_000)).toEqual([]);
  });

  it('leases only work a crawler can do: a protocol job type and a GitLab host', () => {
    store.jobs.insertJob({ id: 'no-host', job_type: 'crawl_project' });
    store.jobs.insertJob({ id: 'odd-type', job_type: 'unknown', gitlab_host: 'gitlab.example.com' });
    store.jobs.insertJob({ id: 'fine', job_type: 'crawl_user', gitlab_host: 'gitlab.example.com' });
    expect(store.jobs.leaseNextJobs('c1', 10, 30_000).map((j) => j.id)).toEqual(['fine']);
    expect(store.jobs.getJob('no-host')?.status).toBe('queued');
    expect(store.jobs.getJob('odd-type')?.status).toBe('queued');
  });

  it('gives each job to one crawler only when two crawlers ask alternately', () => {
    for (let i = 0; i < 200; i++) {
      store.jobs.insertJob({ id: `j${String(i).padStart(3, '0')}`, job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', priority: i % 7 });
      if (i % 10 === 0) tick();
    }
    const got: Record<string, string[]> = { a: [], b: [] };
    for (let round = 0; round < 100; round++) {
      for (const c of ['a', 'b'] as const) got[c]!.push(...store.jobs.leaseNextJobs(c, 1 + (round % 3), 60_000).map((j) => j.id));
    }
    const all = [...got.a!, ...got.b!];
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    expect(got.a!.filter((id) => got.b!.includes(id))).toEqual([]);
    // The database agrees with what each crawler was told.
    expect(store.jobs.jobsLeasedTo('a').map((j) => j.id).sort()).toEqual([...got.a!].sort());
    expect(store.jobs.jobsLeasedTo('b').map((j) => j.id).sort()).toEqual([...got.b!].sort());
    expect(store.jobs.countByStatus()).toMatchObject({ queued: 0, assigned: 200 });
  });

  it('respects not_before (retry backoff)', () => {
    store.jobs.insertJob({ id: 'later', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', priority: 10, not_before: clock + 5_000 });
    store.jobs.insertJob({ id: 'now', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', priority: 1, not_before: clock });
    expect(store.jobs.leaseNextJobs('c1', 10, 1_000).map((j) => j.id)).toEqual(['now']);
    tick(4_999);
    expect(store.jobs.leaseNextJobs('c1', 10, 1_000)).toEqual([]);
    tick(1);
    expect(store.jobs.leaseNextJobs('c1', 10, 1_000).map((j) => j.id)).toEqual(['later']);
  });

  it('finds expired leases (assigned only) and the jobs a crawler holds', () => {
    store.jobs.insertJob({ id: 'a', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com' });
    store.jobs.insertJob({ id: 'b', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com' });
    store.jobs.leaseNextJobs('c1', 2, 1_000);
    store.jobs.transition('b', ['assigned'], { status: 'running', lease_expires_at: null }, { kind: 'started', crawler_id: 'c1' });
    store.jobs.insertJob({ id: 'done', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', status: 'completed', leased_to: 'c1' });
    expect(store.jobs.expiredLeases(clock + 999)).toEqual([]);
    expect(store.jobs.expiredLeases(clock + 1_000).map((j) => j.id)).toEqual(['a']);
    expect(store.jobs.jobsLeasedTo('c1').map((j) => j.id)).toEqual(['a', 'b']);
    expect(store.jobs.jobsLeasedTo('c2')).toEqual([]);
  });
});

describe('insertDiscoveredJobs', () => {
  const item = (id: string, extra: Partial<DiscoveredJob> = {}): DiscoveredJob => ({
    job_type: 'crawl_project',
    entity_id: id,
    namespace_path: `group/p${id}`,
    entity_name: `Project ${id}`,
    priority: 2,
    ...extra,
  });

  it('creates one queued child per item, inheriting host and credential, and nothing new when re-sent', () => {
    const cred = store.credentials.saveCredential({ gitlab_host: 'gitlab.example.com', label: 'x', token: 'glpat-0123456789abcdefghij' });
    const parent = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com', credential_id: cred.id, status: 'running' });
    const items = [item('1', { estimated_size: { issues: 5 } }), item('2'), item('3', { job_type: 'crawl_group' })];

    const first = store.jobs.insertDiscoveredJobs(parent.id, items, { crawler_id: 'c1' });
    expect(first.duplicates).toBe(0);
    // The rows as stored, read back.
    const firstJobs = first.created.map((id) => store.jobs.getJob(id)!);
    expect(firstJobs.map((j) => j.entity_id)).toEqual(['1', '2', '3']);
    for (const j of firstJobs) {
      expect(j).toMatchObject({
        status: 'queued',
        origin: 'discovery',
        parent_job_id: parent.id,
        gitlab_host: 'gitlab.example.com',
        credential_id: cred.id,
        priority: 2,
      });
    }
    expect(firstJobs[0]!.estimated_size).toEqual({ issues: 5 });

    tick();
    const again = store.jobs.insertDiscoveredJobs(parent.id, [...items, item('4')], { crawler_id: 'c1' });
    expect(again.created.map((id) => store.jobs.getJob(id)!.entity_id)).toEqual(['4']);
    expect(again.duplicates).toBe(3);
    expect(store.jobs.insertDiscoveredJobs(parent.id, items)).toEqual({ created: [], duplicates: 3 });
    expect(store.jobs.childJobs(parent.id).map((j) => j.entity_id)).toEqual(['1', '2', '3', '4']);
    expect(store.jobs.countByStatus().queued).toBe(4);

    // The same entity found again by another discovery of the host: no second unfinished job (issue 10) …
    const other = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
    expect(store.jobs.insertDiscoveredJobs(other.id, [item('1')])).toEqual({ created: [], duplicates: 1 });
    // … until the first one is finished: then a new discovery makes a new job.
    const firstChild = first.created[0]!;
    expect(store.jobs.transition(firstChild, ['queued'], { status: 'completed', finished_at: clock }, { kind: 'completed' })).toBe(true);
    expect(store.jobs.insertDiscoveredJobs(other.id, [item('1')]).created).toHaveLength(1);

    const parentEvents = store.events.listJobEvents(parent.id).filter((e) => e.kind === 'jobs_discovered');
    expect(parentEvents.map((e) => e.details)).toEqual([
      { created: 3, duplicates: 0 },
      { created: 1, duplicates: 3 },
    ]);
  });

  it('keeps the cached counts and the parent’s history entry exactly as the rows say', () => {
    const parent = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com', status: 'running' });
    store.jobs.insertDiscoveredJobs(parent.id, [item('1'), item('2', { job_type: 'crawl_group' }), item('1'), item('3', { job_type: 'crawl_user' })], {
      crawler_id: 'c7',
    });
    store.jobs.insertDiscoveredJobs(parent.id, [item('2', { job_type: 'crawl_group' }), item('4')]);
    const cached = store.db.prepare('SELECT status, job_type, origin, n FROM job_counts WHERE n > 0 ORDER BY 1, 2, 3').all();
    const actual = store.db.prepare('SELECT status, job_type, origin, count(*) AS n FROM jobs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').all();
    expect(cached).toEqual(actual);
    expect(store.db.prepare('SELECT n FROM job_children WHERE parent_job_id = ?').pluck().get(parent.id)).toBe(4);
    expect(store.events.listJobEvents(parent.id).filter((e) => e.kind === 'jobs_discovered')).toEqual([
      expect.objectContaining({ crawler_id: 'c7', from_status: 'running', to_status: 'running', at: clock, details: { created: 3, duplicates: 1 } }),
      expect.objectContaining({ crawler_id: null, details: { created: 1, duplicates: 1 } }),
    ]);
  });

  it('is all or nothing: a batch that fails midway leaves no job, count or history entry, alone or inside a transaction', () => {
    const parent = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
    // A fault on the third row (a full disk, a bug): the statement fails after writing two jobs.
    store.db.exec("CREATE TEMP TRIGGER fault AFTER INSERT ON jobs WHEN new.entity_id = 'boom' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    const snapshot = () => ({
      jobs: store.db.prepare('SELECT count(*) FROM jobs').pluck().get(),
      counts: store.db.prepare('SELECT * FROM job_counts ORDER BY 1, 2, 3').all(),
      children: store.db.prepare('SELECT * FROM job_children').all(),
      events: store.db.prepare('SELECT count(*) FROM job_events').pluck().get(),
    });
    const before = snapshot();
    expect(() => store.jobs.insertDiscoveredJobs(parent.id, [item('1'), item('2'), item('boom'), item('4')])).toThrow('disk I/O error');
    expect(snapshot()).toEqual(before);
    expect(store.db.inTransaction).toBe(false);

    // Inside a caller's transaction: the failed batch is undone alone; what the transaction wrote before it stays.
    const outer = store.db.transaction(() => {
      const ok = store.jobs.insertDiscoveredJobs(parent.id, [item('5')]);
      expect(() => store.jobs.insertDiscoveredJobs(parent.id, [item('6'), item('boom')])).toThrow('disk I/O error');
      return ok;
    });
    const { created } = outer();
    expect(store.jobs.childJobs(parent.id).map((j) => j.entity_id)).toEqual(['5']);
    expect(store.jobs.getJob(created[0]!)).not.toBeNull();
    expect(store.db.prepare('SELECT n FROM job_children WHERE parent_job_id = ?').pluck().get(parent.id)).toBe(1);
    expect(store.events.listJobEvents(parent.id).filter((e) => e.kind === 'jobs_discovered')).toHaveLength(1);
  });

  it('dedupes within one message too, and refuses an unknown parent', () => {
    const parent = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
    expect(store.jobs.insertDiscoveredJobs(parent.id, [item('1'), item('1')])).toMatchObject({ duplicates: 1 });
    expect(() => store.jobs.insertDiscoveredJobs('missing', [item('1')])).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});

describe('listJobs', () => {
  beforeEach(() => {
    const rows = [
      { id: 'job-a', job_type: 'crawl_project', namespace_path: 'alpha/one', entity_name: 'One', entity_id: '101', priority: 1 },
      { id: 'job-b', job_type: 'crawl_group', namespace_path: 'alpha', entity_name: 'Alpha', entity_id: '5', priority: 3 },
      { id: 'job-c', job_type: 'crawl_project', namespace_path: 'beta/two', entity_name: 'Two_100%', entity_id: '102', priority: 2 },
      { id: 'job-d', job_type: 'crawl_user', namespace_path: 'carol', entity_name: 'Carol', entity_id: '9', priority: 2 },
      { id: 'job-e', job_type: 'crawl_project', namespace_path: 'beta/three', entity_name: 'Three', entity_id: '103', priority: 5 },
    ];
    for (const r of rows) {
      store.jobs.insertJob({ ...r, gitlab_host: 'gitlab.example.com' });
      tick(10);
    }
    store.jobs.leaseNextJobs('crawler-1', 2, 60_000); // job-e, job-b
    store.jobs.transition('job-d', ['queued'], { status: 'failed' }, { kind: 'failed' });
  });

  it('lists newest first by default with the total', () => {
    const { jobs, total } = store.jobs.listJobs();
    expect(total).toBe(5);
    expect(jobs.map((j) => j.id)).toEqual(['job-e', 'job-d', 'job-c', 'job-b', 'job-a']);
  });

  it('filters by status, job type, crawler and text, combined', () => {
    expect(store.jobs.listJobs({ status: ['assigned'] }).jobs.map((j) => j.id).sort()).toEqual(['job-b', 'job-e']);
    expect(store.jobs.listJobs({ status: ['queued', 'failed'] }).total).toBe(3);
    expect(store.jobs.listJobs({ status: [] }).total).toBe(5);
    expect(store.jobs.listJobs({ job_type: ['crawl_project'] }).total).toBe(3);
    expect(store.jobs.listJobs({ crawler: 'crawler-1' }).jobs.map((j) => j.id).sort()).toEqual(['job-b', 'job-e']);
    expect(store.jobs.listJobs({ job_type: ['crawl_project'], crawler: 'crawler-1' }).jobs.map((j) => j.id)).toEqual(['job-e']);
    // text matches id, entity id, namespace path and entity name, case-insensitively
    expect(store.jobs.listJobs({ text: 'ALPHA' }).jobs.map((j) => j.id).sort()).toEqual(['job-a', 'job-b']);
    expect(store.jobs.listJobs({ text: '10' }).total).toBe(3);
    expect(store.jobs.listJobs({ text: 'job-d' }).jobs.map((j) => j.id)).toEqual(['job-d']);
    // LIKE wildcards in the text are literal
    expect(store.jobs.listJobs({ text: '_100%' }).jobs.map((j) => j.id)).toEqual(['job-c']);
    expect(store.jobs.listJobs({ text: '%' }).jobs.map((j) => j.id)).toEqual(['job-c']);
  });

  it('sorts by a field in either direction and pages with a stable total', () => {
    expect(store.jobs.listJobs({ sort: 'priority', dir: 'desc' }).jobs.map((j) => j.priority)).toEqual([5, 3, 2, 2, 1]);
    expect(store.jobs.listJobs({ sort: 'namespace_path', dir: 'asc' }).jobs.map((j) => j.namespace_path)).toEqual([
      'alpha',
      'alpha/one',
      'beta/three',
      'beta/two',
      'carol',
    ]);
    const page1 = store.jobs.listJobs({ sort: 'created_at', dir: 'asc', limit: 2, offset: 0 });
    const page2 = store.jobs.listJobs({ sort: 'created_at', dir: 'asc', limit: 2, offset: 2 });
    const page3 = store.jobs.listJobs({ sort: 'created_at', dir: 'asc', limit: 2, offset: 4 });
    expect([page1, page2, page3].map((p) => p.total)).toEqual([5, 5, 5]);
    expect([...page1.jobs, ...page2.jobs, ...page3.jobs].map((j) => j.id)).toEqual(['job-a', 'job-b', 'job-c', 'job-d', 'job-e']);
  });

  it('refuses a limit above 1000 and an unknown sort field', () => {
    expect(() => store.jobs.listJobs({ limit: 1001 })).toThrow(expect.objectContaining({ code: 'invalid' }));
    // @ts-expect-error: not a sort field (e.g. SQL from a caller)
    expect(() => store.jobs.listJobs({ sort: 'id; DROP TABLE jobs' })).toThrow(StoreError);
    expect(store.jobs.listJobs({ limit: 1000 }).total).toBe(5);
  });
});

describe('setPriority and countByStatus', () => {
  it('changes the priority with a history entry; unknown job or excluded status is false', () => {
    const job = store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', priority: 1 });
    expect(store.jobs.setPriority(job.id, 7, { reason: 'operator' })).toBe(true);
    expect(store.jobs.getJob(job.id)?.priority).toBe(7);
    expect(store.events.listJobEvents(job.id).at(-1)).toMatchObject({
      kind: 'priority_changed',
      from_status: 'queued',
      to_status: 'queued',
      reason: 'operator',
      details: { from: 1, to: 7 },
    });
    expect(store.jobs.setPriority('missing', 3)).toBe(false);
    expect(store.jobs.setPriority(job.id, 9, { fromStatuses: ['running'] })).toBe(false);
    expect(store.jobs.getJob(job.id)?.priority).toBe(7);
    expect(() => store.jobs.setPriority(job.id, 1.5)).toThrow(StoreError);
  });

  it('counts every status, zero for absent ones', () => {
    store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com' });
    store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com' });
    store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', status: 'waiting_credentials' });
    expect(store.jobs.countByStatus()).toEqual({
      queued: 2,
      assigned: 0,
      running: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      waiting_credentials: 1,
    });
  });
});

describe('events', () => {
  it('appends an event without a status change only for an existing job', () => {
    const job = store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com' });
    expect(store.events.appendEvent(job.id, { kind: 'progress_milestone', details: { percentage: 50 } })).toBe(true);
    expect(store.events.appendEvent('missing', { kind: 'progress_milestone' })).toBe(false);
    expect(store.events.listJobEvents(job.id).map((e) => e.kind)).toEqual(['created', 'progress_milestone']);
  });

  it('deleting a job removes its events and progress, and detaches its children', () => {
    const parent = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
    const { created } = store.jobs.insertDiscoveredJobs(parent.id, [
      { job_type: 'crawl_project', entity_id: '1', namespace_path: 'a/b', entity_name: 'b', priority: 1 },
    ]);
    store.progress.upsertProgressBatch([{ job_id: parent.id, entity_type: 'project', total_processed: 1 }]);
    store.db.prepare('DELETE FROM jobs WHERE id = ?').run(parent.id);
    expect(store.events.listJobEvents(parent.id)).toEqual([]);
    expect(store.progress.getProgress(parent.id)).toEqual([]);
    expect(store.jobs.getJob(created[0]!)?.parent_job_id).toBeNull();
  });
});
