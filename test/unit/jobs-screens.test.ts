/**
 * The pure rules behind the job screens: the table's paging window and cache
 * bound, client-side filter matching (when to re-query), the history in words,
 * and the Assign form's validation with the core's own schema.
 */
import { describe, expect, it } from 'vitest';
import { JOB_SORT_FIELDS, JOB_STATUSES, type JobDto, type JobEventDto } from '../../src/shared/jobs';
import {
  EMPTY_FILTERS,
  PAGE_SIZE,
  filtersFromParams,
  matchesFilters,
  pagesForRange,
  pagesToEvict,
  rangeBetween,
  sortFromParams,
  sortToParams,
  toQuery,
} from '../../src/renderer/screens/jobs/page-window';
import { mergeJobDetail, withJobChange, withJobProgress } from '../../src/renderer/query/updates';
import type { JobDetail } from '../../src/shared/contract';
import type { JobProgress } from '../../src/shared/progress';
import { describeEvent, timeline } from '../../src/renderer/screens/jobs/timeline';
import { INITIAL_FORM, fieldErrorsFromDetails, sameHost, toInput, validate } from '../../src/renderer/screens/jobs/assign-form';
import { formatDuration, formatPercent, shortId } from '../../src/renderer/screens/jobs/format';
import { newJobIds } from '../../src/main/store/job-id';
import { credentialLabel, figuresDisagree } from '../../src/renderer/screens/jobs/detail-facts';
import { jobDto } from '../helpers/job-dto';

const job = (over: Partial<JobDto> = {}): JobDto =>
  jobDto({ job_id: '6f3b06cb-5397-46f4-aa2d-400cdc9d23bd', namespace_path: 'acme/platform/api', entity_name: 'api', ...over });

const event = (over: Partial<JobEventDto>): JobEventDto => ({
  id: 1,
  job_id: 'j',
  at: 1000,
  kind: 'created',
  from_status: null,
  to_status: 'queued',
  crawler_id: null,
  reason: null,
  details: null,
  ...over,
});

describe('the table’s paging window', () => {
  it('asks for the pages under the visible rows, widened by a margin, never past the end', () => {
    expect(pagesForRange(0, 25, 100_000)).toEqual([0]);
    // Near a page boundary the next page is fetched before it shows.
    expect(pagesForRange(PAGE_SIZE - 30, PAGE_SIZE - 5, 100_000)).toEqual([0, 1]);
    expect(pagesForRange(50_100, 50_125, 100_000)).toEqual([250]);
    expect(pagesForRange(50_000, 50_025, 100_000)).toEqual([249, 250]);
    expect(pagesForRange(99_990, 99_999, 100_000)).toEqual([499]);
    expect(pagesForRange(0, 20, 0)).toEqual([]);
    expect(pagesForRange(0, 10, 5)).toEqual([0]);
  });

  it('forgets the least recently used pages beyond the bound, never those on screen', () => {
    const used = new Map<number, number>([
      [0, 10],
      [1, 5],
      [2, 30],
      [3, 1],
      [4, 20],
    ]);
    expect(pagesToEvict(used, new Set([3]), 3)).toEqual([1, 0]);
    expect(pagesToEvict(used, new Set(), 10)).toEqual([]);
    // Whatever is on screen stays even if that exceeds the bound.
    expect(pagesToEvict(used, new Set([0, 1, 2, 3, 4]), 2)).toEqual([]);
  });

  it('turns the filter bar into a listJobs query, leaving out what is empty', () => {
    expect(toQuery(EMPTY_FILTERS, { field: 'created_at', dir: 'desc' })).toEqual({ sort: 'created_at', dir: 'desc' });
    expect(
      toQuery({ status: ['failed', 'cancelled'], job_type: 'crawl_group', crawler: 'c1', text: '  acme ', parent_job_id: 'p' }, { field: 'priority', dir: 'asc' }),
    ).toEqual({ status: ['failed', 'cancelled'], job_type: ['crawl_group'], crawler: 'c1', text: 'acme', parent_job_id: 'p', sort: 'priority', dir: 'asc' });
  });

  it('matches a job against the filters as the store does (case-insensitive text over id, entity, path, name)', () => {
    const j = job({ status: 'running', crawler_id: 'c1' });
    expect(matchesFilters(j, EMPTY_FILTERS)).toBe(true);
    expect(matchesFilters(j, { ...EMPTY_FILTERS, status: ['running', 'failed'] })).toBe(true);
    expect(matchesFilters(j, { ...EMPTY_FILTERS, status: ['failed'] })).toBe(false);
    expect(matchesFilters(j, { ...EMPTY_FILTERS, text: 'PLATFORM' })).toBe(true);
    expect(matchesFilters(j, { ...EMPTY_FILTERS, text: '6f3b06cb' })).toBe(true);
    expect(matchesFilters(j, { ...EMPTY_FILTERS, text: 'nowhere' })).toBe(false);
    expect(matchesFilters(j, { ...EMPTY_FILTERS, crawler: 'c2' })).toBe(false);
    expect(matchesFilters(j, { ...EMPTY_FILTERS, job_type: 'crawl_user' })).toBe(false);
  });

  it('reads presets from a link, ignoring states that do not exist', () => {
    expect(filtersFromParams({ status: 'failed, bogus,cancelled', crawler: 'sim-1' }, JOB_STATUSES)).toEqual({
      ...EMPTY_FILTERS,
      status: ['failed', 'cancelled'],
      crawler: 'sim-1',
    });
  });

  it('reads the sort from the address and writes it back; the default sort leaves the address plain', () => {
    expect(sortFromParams({}, JOB_SORT_FIELDS)).toEqual({ field: 'created_at', dir: 'desc' });
    expect(sortToParams({ field: 'created_at', dir: 'desc' })).toEqual({});
    expect(sortToParams({ field: 'priority', dir: 'asc' })).toEqual({ sort: 'priority', dir: 'asc' });
    expect(sortFromParams({ sort: 'priority', dir: 'asc' }, JOB_SORT_FIELDS)).toEqual({ field: 'priority', dir: 'asc' });
    // A field without a direction takes its own first direction; nonsense falls back to the default.
    expect(sortFromParams({ sort: 'namespace_path' }, JOB_SORT_FIELDS)).toEqual({ field: 'namespace_path', dir: 'asc' });
    expect(sortFromParams({ sort: 'drop table', dir: 'sideways' }, JOB_SORT_FIELDS)).toEqual({ field: 'created_at', dir: 'desc' });
    expect(sortFromParams({ sort: 'created_at', dir: 'asc' }, JOB_SORT_FIELDS)).toEqual({ field: 'created_at', dir: 'asc' });
  });

  it('orders a shift-click range and clamps it to the list', () => {
    expect(rangeBetween(7, 3, 100)).toEqual([3, 7]);
    expect(rangeBetween(-2, 500, 10)).toEqual([0, 9]);
  });
});

describe('the history in words', () => {
  it('says who took the job, why it was retried and how it ended', () => {
    expect(describeEvent(event({ kind: 'assigned', crawler_id: 'sim-1', from_status: 'queued', to_status: 'assigned' }))).toMatchObject({
      title: 'Assigned to sim-1',
      transition: 'queued → assigned',
    });
    const retry = describeEvent(event({ kind: 'retry_scheduled', crawler_id: 'sim-2', reason: 'HTTP 502 (retry 1 of 3 in 300 ms)', details: { error_type: 'http' } }));
    expect(retry).toMatchObject({ title: 'Failed on sim-2 (http); a retry is scheduled', reason: 'HTTP 502 (retry 1 of 3 in 300 ms)', tone: 'warn' });
    expect(describeEvent(event({ kind: 'completed', crawler_id: 'sim-1', details: { final_counts: { issue: 1200, commit: 3 } } }))).toMatchObject({
      title: 'Completed on sim-1',
      reason: 'final counts: 1,200 issue, 3 commit',
      tone: 'ok',
    });
    expect(describeEvent(event({ kind: 'failed', reason: 'HTTP 404', crawler_id: 'c' })).tone).toBe('bad');
    expect(describeEvent(event({ kind: 'priority_changed', details: { from: 1, to: 7 } })).title).toBe('Priority changed from 1 to 7');
    expect(describeEvent(event({ kind: 'created', reason: 'created by the operator for sim-1' }))).toMatchObject({ title: 'Created by the operator for sim-1', reason: null });
    expect(describeEvent(event({ kind: 'created', crawler_id: 'sim-3', details: { parent_job_id: '6f3b06cb-5397-46f4-aa2d-400cdc9d23bd' } })).title).toBe(
      'Discovered by job 6f3b06cb on sim-3; queued',
    );
    expect(describeEvent(event({ kind: 'something_new' })).title).toBe('something new');
  });

  it('reads oldest first', () => {
    const t = timeline([event({ id: 3, at: 30, kind: 'completed' }), event({ id: 1, at: 10, kind: 'created' }), event({ id: 2, at: 10, kind: 'assigned' })]);
    expect(t.map((e) => e.kind)).toEqual(['created', 'assigned', 'completed']);
  });

  it('keeps the order the console wrote (ids), even when the times tie or step back', () => {
    const t = timeline([
      event({ id: 5, at: 900, kind: 'completed' }),
      event({ id: 4, at: 1000, kind: 'progress_milestone', details: { percentage: 75 } }),
      event({ id: 3, at: 1000, kind: 'started' }),
    ]);
    expect(t.map((e) => e.title)).toEqual(['Started on a crawler', '75% done', 'Completed']);
  });
});

describe('a job’s detail', () => {
  it('says when a crawler’s completion and its item counts contradict each other', () => {
    expect(figuresDisagree(0.99, 608, 1168)).toEqual({ itemsFraction: 608 / 1168 });
    expect(figuresDisagree(0.52, 608, 1168)).toBeNull();
    // Behind the counts is no contradiction: types not reached yet are missing from the total.
    expect(figuresDisagree(0.429, 5640, 6520)).toBeNull();
    expect(figuresDisagree(1, 1168, 1168)).toBeNull();
    expect(figuresDisagree(0.99, 608, null)).toBeNull();
    expect(figuresDisagree(null, 608, 1168)).toBeNull();
    expect(figuresDisagree(0.5, 10, 0)).toBeNull();
  });

  it('names a credential by its label and host, never its id', () => {
    const text = credentialLabel({ label: 'research bot', gitlab_host: 'gitlab.example.com', token_hint: '••••6789' });
    expect(text).toBe('research bot (gitlab.example.com, ••••6789)');
  });
});

describe('the Assign job form', () => {
  const filled = { ...INITIAL_FORM, gitlab_host: 'gitlab.example.com', credential_mode: 'token' as const, access_token: 'glpat-0123456789', entity_id: '42' };

  it('accepts a complete form and builds createJob’s input from the chosen sources only', () => {
    const v = validate(filled);
    expect(v.ok).toBe(true);
    expect(v.ok && v.input).toEqual({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: 'glpat-0123456789', entity_id: '42', priority: 1 });
    // A saved credential and a target crawler replace the token and the queue.
    expect(toInput({ ...filled, credential_mode: 'saved', credential_id: 'cred-1', target: 'crawler', crawler_id: 'sim-1' })).toEqual({
      job_type: 'crawl_project',
      gitlab_host: 'gitlab.example.com',
      credential_id: 'cred-1',
      entity_id: '42',
      priority: 1,
      crawler_id: 'sim-1',
    });
  });

  it('puts the core schema’s messages next to the fields they concern', () => {
    const v = validate({ ...filled, gitlab_host: 'not a host!', access_token: 'short', entity_id: '' });
    expect(v.ok).toBe(false);
    expect(v.errors).toMatchObject({
      gitlab_host: 'GitLab host: a host name such as gitlab.example.com.',
      access_token: 'GitLab token: a GitLab token is at least 8 characters.',
    });
    // The entity rule is a refinement: it speaks once the fields themselves are valid.
    expect(validate({ ...filled, entity_id: '' }).errors).toEqual({ entity_id: 'Entity id: an entity id or a namespace path is required for this job type.' });
    expect(validate({ ...filled, entity_id: 'no such path!' }).errors.entity_id).toMatch(/^Entity id for a \w+ is its GitLab numeric id or its path, e\.g\. /);
    expect(validate({ ...filled, entity_id: '', job_type: 'discover_namespaces' }).ok).toBe(true);
  });

  it('asks for the choices only the form has: which credential, which crawler, a whole-number priority', () => {
    expect(validate({ ...filled, credential_mode: 'saved' }).errors.credential_id).toMatch(/choose a saved credential/);
    expect(validate({ ...filled, target: 'crawler' }).errors.crawler_id).toMatch(/choose a crawler/);
    expect(validate({ ...filled, priority: '2.5' }).errors.priority).toMatch(/whole number/);
    expect(validate({ ...filled, priority: '5000' }).errors.priority).toBe('Priority is a whole number from −1000 to 1000.');
    expect(validate({ ...filled, credential_mode: 'auto' }).ok).toBe(true);
  });

  it('maps the server’s invalid_input details to fields', () => {
    expect(fieldErrorsFromDetails([{ path: 'gitlab_host', message: 'bad host' }, { path: '', message: 'whole input' }, { nope: 1 }])).toEqual({
      gitlab_host: 'bad host',
      form: 'whole input',
    });
    expect(fieldErrorsFromDetails(undefined)).toEqual({});
  });

  it('compares hosts as the console does', () => {
    expect(sameHost('https://GitLab.example.com/', 'gitlab.example.com')).toBe(true);
    expect(sameHost('gitlab.example.com', 'gitlab.other.com')).toBe(false);
  });
});

describe('formatting', () => {
  it('shortens UUIDs, formats durations and percentages', () => {
    expect(shortId('6f3b06cb-5397-46f4-aa2d-400cdc9d23bd')).toBe('6f3b06cb');
    // The console's own ids (UUID v7) begin with their creation time: jobs created together differ only at the end.
    const together = newJobIds(1000, Date.UTC(2026, 11, 2));
    expect(new Set(together.map((id) => id.slice(0, 8))).size).toBe(1);
    expect(new Set(together.map(shortId)).size).toBeGreaterThan(990);
    expect(shortId(together[0]!)).toBe(together[0]!.slice(-8));
    expect(shortId('load-discovery')).toBe('load-discovery');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(null)).toBe('—');
    expect(formatPercent(0.417)).toBe('41.7%');
    expect(formatPercent(1)).toBe('100%');
  });
});

describe('a job page in the query cache, written by events', () => {
  const live = (over: Partial<JobProgress> = {}): JobProgress => ({
    job_id: 'job-1',
    state: 'running',
    stage: null,
    message: null,
    entities: [],
    overall_completion: 0.5,
    processed: 5,
    total: 10,
    rate: 1,
    eta_ms: 5_000,
    time_elapsed: 5_000,
    started_at: 1,
    updated_at: 20,
    finished_at: null,
    milestones_reached: [],
    ...over,
  });
  const detail = (job: Partial<JobDto> = {}, over: Partial<JobDetail> = {}): JobDetail => ({
    job: jobDto({ job_id: 'job-1', status: 'running', updated_at: 10, ...job }),
    progress: [],
    live: null,
    events: [],
    errors: [],
    children: [],
    children_total: 0,
    parent: null,
    ...over,
  });

  it('takes the newer job of an event and drops the live figures when the job goes back to the queue', () => {
    const d = detail({}, { live: live() });
    expect(withJobChange(d, jobDto({ job_id: 'job-1', status: 'running', updated_at: 5 }))).toBe(d);
    expect(withJobChange(d, jobDto({ job_id: 'job-2', status: 'failed', updated_at: 50 }))).toBe(d);
    expect(withJobChange(d, jobDto({ job_id: 'job-1', status: 'completed', updated_at: 30 })).job.status).toBe('completed');
    expect(withJobChange(d, jobDto({ job_id: 'job-1', status: 'queued', updated_at: 30 })).live).toBeNull();
  });

  it('shows live progress while the job runs, never an older report, none once it finished', () => {
    const d = detail({}, { live: live({ updated_at: 20 }) });
    expect(withJobProgress(d, live({ updated_at: 30, processed: 7 })).live?.processed).toBe(7);
    expect(withJobProgress(d, live({ updated_at: 15 }))).toBe(d);
    expect(withJobProgress(detail({ status: 'completed' }), live({ updated_at: 30 })).live).toBeNull();
  });

  it('keeps what events brought that a fresh snapshot predates', () => {
    const cached = detail({ status: 'completed', updated_at: 40 }, { live: null });
    const fresh = detail({ status: 'running', updated_at: 30 }, { live: live({ updated_at: 25 }), children_total: 3 });
    const merged = mergeJobDetail(cached, fresh);
    expect(merged.job.status).toBe('completed');
    expect(merged.children_total).toBe(3);
    // A finished job's live figures are the console's (the cache's may be from before it finished).
    expect(merged.live).toEqual(fresh.live);
    const running = mergeJobDetail(detail({}, { live: live({ updated_at: 50, processed: 9 }) }), detail({ updated_at: 11 }, { live: live({ updated_at: 25 }) }));
    expect(running.live?.processed).toBe(9);
    expect(running.job.updated_at).toBe(11);
    expect(mergeJobDetail(undefined, fresh)).toBe(fresh);
  });
});
