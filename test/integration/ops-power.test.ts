/**
 * Operator power in the core (issue 15), with a real socket and SQLite file:
 * schedules fire and skip while busy, pause and quiet gate both ways work is
 * handed out, state survives a restart, errors group, /metrics text parses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startTestConsole, now, type TestConsole } from '../helpers/console';
import { tempDir } from '../helpers/peer';

let t: TestConsole | null = null;
const dirs: { cleanup(): void }[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const d of dirs.splice(0)) d.cleanup();
});

const TOKEN = 'glpat-ops-power-0000';
const data = (m: Record<string, unknown>) => m.data as Record<string, unknown>;
const until = async (check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('schedules', () => {
  it('fires on its interval, links its jobs back, and skips while the previous job is unfinished', async () => {
    t = await startTestConsole();
    await t.api.saveCredential({ gitlab_host: 'gitlab.example.com', access_token: TOKEN });
    const { schedule } = await t.api.createSchedule({ name: 'nightly acme', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: '42', interval_ms: 1000 });
    expect(schedule.next_run_at).toBeGreaterThan(Date.now());
    await until(async () => (await t!.api.listSchedules({})).schedules[0]!.runs === 1);
    const first = (await t.api.listSchedules({})).schedules[0]!;
    expect(first.last_job_id).not.toBeNull();
    expect((await t.api.getJobSchedule({ job_id: first.last_job_id! })).schedule?.id).toBe(schedule.id);
    // The job is still queued (no crawler): the next run is skipped.
    await until(async () => (await t!.api.listSchedules({})).schedules[0]!.skips >= 1);
    const busy = (await t.api.listSchedules({})).schedules[0]!;
    expect(busy.runs).toBe(1);
    expect(busy.last_outcome).toBe('skipped');
    expect(busy.last_message).toContain(first.last_job_id!);
    // Finished: the next run creates a job again.
    await t.api.cancelJob({ job_id: first.last_job_id! });
    await until(async () => (await t!.api.listSchedules({})).schedules[0]!.runs === 2);
    const jobs = await t.api.listJobs({});
    expect(jobs.total).toBe(2);
  });

  it('refuses a bad cron expression with a clear error, and computes cron next runs', async () => {
    t = await startTestConsole();
    await expect(t.api.createSchedule({ name: 'bad', job_type: 'discover_namespaces', gitlab_host: 'g.example.com', cron: 'every tuesday' })).rejects.toThrow(/cron expression "every tuesday" is not valid/);
    await expect(t.api.createSchedule({ name: 'both', job_type: 'discover_namespaces', gitlab_host: 'g.example.com', cron: '0 3 * * *', interval_ms: 5000 })).rejects.toThrow(/either a cron expression or an interval/);
    const { schedule } = await t.api.createSchedule({ name: 'nightly', job_type: 'discover_namespaces', gitlab_host: 'g.example.com', cron: '0 3 * * *', timezone: 'UTC' });
    expect(new Date(schedule.next_run_at!).getUTCHours()).toBe(3);
    const paused = await t.api.setSchedulePaused({ id: schedule.id, paused: true });
    expect(paused.schedule.next_run_at).toBeNull();
    const run = await t.api.runScheduleNow({ id: schedule.id });
    expect(run.outcome).toBe('created');
  });
});

describe('pause and quiet', () => {
  it('a paused console answers job_request with nothing and pushes nothing; resume hands out work; the pause survives a restart', async () => {
    const dir = tempDir('cc-ops-');
    dirs.push(dir);
    t = await startTestConsole({}, dir.dir);
    await t.api.pauseDispatch({ reason: 'maintenance' });
    await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: TOKEN, entity_id: '7' });
    const c = await t.crawler({ crawler_id: 'c1', max_concurrent_jobs: 2 });
    c.send({ type: 'job_request', timestamp: now(), data: { max_jobs: 2 } });
    expect(data(await c.nextOfType('job_response')).jobs).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.received.some((m) => m.type === 'job_assignment')).toBe(false);
    await t.close();
    t = await startTestConsole({}, dir.dir);
    expect(await t.api.getDispatchState({})).toMatchObject({ paused: true, reason: 'maintenance' });
    const c2 = await t.crawler({ crawler_id: 'c1', max_concurrent_jobs: 2 });
    c2.send({ type: 'job_request', timestamp: now(), data: {} });
    expect(data(await c2.nextOfType('job_response')).jobs).toEqual([]);
    await t.api.resumeDispatch({});
    await c2.nextOfType('job_assignment');
  });

  it('a quiet crawler gets nothing new while another does', async () => {
    t = await startTestConsole();
    await t.api.quietCrawler({ crawler_id: 'quiet-one' });
    await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: TOKEN, entity_id: '1' });
    const q = await t.crawler();
    q.send({ type: 'hello', timestamp: now(), data: { crawler_id: 'quiet-one' } });
    await q.nextOfType('welcome');
    q.send({ type: 'job_request', timestamp: now(), data: {} });
    expect(data(await q.nextOfType('job_response')).jobs).toEqual([]);
    const other = await t.crawler({ crawler_id: 'busy-one' });
    await other.nextOfType('job_assignment');
    expect((await t.api.getDispatchState({})).quiet.map((x) => x.crawler_id)).toEqual(['quiet-one']);
  });
});

describe('error groups', () => {
  it('reads 2,000 errors as a handful of groups with counts, first/last seen and the newest example', async () => {
    t = await startTestConsole();
    const base = Date.now() - 60_000;
    const codes = ['rate_limited', 'timeout', 'invalid_json', 'auth_failed'];
    const { openStore, createFileKeyCipher } = await import('../../src/main/store');
    const s = openStore({ dataDir: t.dir, cipher: createFileKeyCipher(t.dir) });
    s.errors.recordErrors(
      Array.from({ length: 2000 }, (_, i) => ({ at: base + i, category: 'network' as const, severity: 'medium' as const, code: codes[i % 4]!, message: `GitLab answered ${codes[i % 4]} for project ${i}`, crawler_id: `c${i % 3}` })),
    );
    s.close();
    const byCode = await t.api.listErrorGroups({ by: 'code' });
    expect(byCode.total).toBe(2000);
    expect(byCode.groups_total).toBe(4);
    const timeout = byCode.groups.find((g) => g.key === 'timeout')!;
    expect(timeout).toMatchObject({ count: 500, first_at: base + 1, last_at: base + 1997 });
    expect(timeout.latest.message).toBe('GitLab answered timeout for project 1997');
    const byCrawler = await t.api.listErrorGroups({ by: 'crawler', q: 'project 19', since: base + 1900 });
    expect(byCrawler.total).toBe(100);
    expect(byCrawler.groups.map((g) => g.key).sort()).toEqual(['c0', 'c1', 'c2']);
  });
});

describe('metrics', () => {
  it('counts messages and items, and writes history samples on metricsInterval', async () => {
    t = await startTestConsole({ metricsInterval: 200 });
    const c = await t.crawler({ crawler_id: 'm1' });
    c.send({ type: 'job_started', timestamp: now(), job_id: 'j1', data: { job_type: 'crawl_project', entity_id: '1' } });
    for (const processed of [10, 25, 40]) {
      c.send({ type: 'job_progress', timestamp: now(), job_id: 'j1', data: { progress: [{ entity_type: 'issue', total_discovered: 100, total_processed: processed }], overall_completion: processed / 100, time_elapsed: 1000 } });
    }
    c.send({ type: 'heartbeat', timestamp: now(), data: { activeJobs: 1, totalProcessed: 40, systemStatus: 'processing' } });
    const text = async () => parsePrometheusTextFormat(await t!.core.metrics.text());
    const value = async (name: string) => Number((await text()).find((f) => f.name === name)?.metrics[0]?.value);
    await until(async () => (await value('crawl_console_messages_received_total')) >= 5);
    expect(await value('crawl_console_messages_received_total')).toBe(5); // started, 3 progress, heartbeat (hello is the handshake)
    expect(await value('crawl_console_items_processed_total')).toBe(40);
    const jobs = (await text()).find((f) => f.name === 'crawl_console_jobs')!;
    expect(jobs.metrics).toContainEqual({ labels: { status: 'running', job_type: 'crawl_project' }, value: '1' });
    await until(async () => (await t!.api.getMetricsHistory({ range: '15m' })).points.length > 0);
    const h = await t.api.getMetricsHistory({ range: '15m' });
    expect(h.points.reduce((a, p) => a + p.crawlers_connected, 0)).toBeGreaterThan(0);
  });
});
