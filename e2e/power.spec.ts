/**
 * Operator power (issue 15) in Chromium against `crawl-console serve` as a real
 * process and raw crawler peers on its Unix socket: a recurring crawl that
 * fires twice and skips while busy; pause then resume with a crawler asking for
 * work in between; quiet a crawler; /metrics parsed by a Prometheus text-format
 * parser; history chart ranges after a restart; 2,000 errors read as a handful
 * of groups. Screenshots of the new screens, light and dark.
 */
import { type Page, expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Peer, iso } from '../test/helpers/peer';
import { ROOT, type ServedConsole, callApi, serveConsole } from './console-process';

test.describe.configure({ mode: 'serial' });

const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const HOST = 'gitlab.example.com';
const METRICS_TOKEN = 'metrics-scrape-token-0123456789';

let tmp: string;
let served: ServedConsole;
const peers: Peer[] = [];

const args = () => ['--http-port', '0', '--data-dir', path.join(tmp, 'data'), '--socket', path.join(tmp, 'console.sock')];
/** Samples every second (the seed's metricsInterval), so history exists within a test. */
const env = { SOCKET_METRICS_INTERVAL: '1000', CRAWL_CONSOLE_METRICS_TOKEN: METRICS_TOKEN };

const call = <T>(name: string, input: unknown = {}): Promise<T> => callApi<T>(served, name, input);

async function open(page: Page, view?: string): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  if (view) await page.getByTestId(`nav-${view}`).click();
}

async function crawler(hello?: Record<string, unknown>): Promise<Peer> {
  const p = await Peer.connect(served.socketPath);
  peers.push(p);
  if (hello) {
    p.send({ type: 'hello', timestamp: iso(), data: hello });
    await p.nextOfType('welcome');
  }
  return p;
}

const jobsIn = (m: Record<string, unknown>) => (m.data as { jobs: { id: string }[] }).jobs;

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150); // the chart redraws with the theme's colours
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage });
  }
  await page.emulateMedia({ colorScheme: null });
}

test.beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-power-'));
  served = await serveConsole(args(), env);
  await call('saveCredential', { gitlab_host: HOST, label: 'study token', access_token: 'glpat-power-e2e-000000' });
});

test.afterAll(async () => {
  for (const p of peers) p.destroy();
  expect(await served?.stop()).toBe(0);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a recurring crawl created on the Schedules screen fires twice and skips while its job is unfinished', async ({ page }) => {
  await open(page, 'schedules');
  await expect(page.getByTestId('schedules-empty')).toBeVisible();
  await page.getByTestId('schedule-new').click();
  await page.getByTestId('schedule-name').fill('acme api re-crawl');
  await page.getByTestId('schedule-job-type').selectOption('crawl_project');
  await page.getByTestId('schedule-host').fill(HOST);
  await page.getByTestId('schedule-entity').fill('4100');
  await page.getByTestId('schedule-path').fill('acme/platform/api');
  await page.getByTestId('schedule-every').fill('2');
  await page.getByTestId('schedule-unit').selectOption('seconds');
  await page.getByTestId('schedule-save').click();
  const row = page.getByTestId('schedule-row').filter({ hasText: 'acme api re-crawl' });
  await expect(row).toContainText('every 2 s');

  // First run: a job, queued (no crawler is connected).
  await expect(row.getByTestId('schedule-runs')).toContainText(/^1/, { timeout: 10_000 });
  // Its job is unfinished, so the next runs are skipped — live, without a reload.
  await expect(row.getByTestId('schedule-skips')).not.toHaveText('0 skipped', { timeout: 10_000 });
  await expect(row.getByTestId('schedule-outcome')).toHaveText('skipped');
  await expect(row.getByTestId('schedule-last')).toContainText('is still queued');
  const first = await call<{ jobs: { job_id: string }[]; total: number }>('listJobs', {});
  expect(first.total).toBe(1);

  // A crawler takes the job and finishes it: the next run creates the second job.
  const c = await crawler({ crawler_id: 'sched-crawler', max_concurrent_jobs: 1 });
  const assignment = await c.nextOfType('job_assignment', 10_000);
  const jobId = (assignment.data as { job_id: string }).job_id;
  expect(jobId).toBe(first.jobs[0]!.job_id);
  c.send({ type: 'job_started', timestamp: iso(), job_id: jobId, data: { job_type: 'crawl_project', entity_id: '4100' } });
  c.send({ type: 'job_completed', timestamp: iso(), job_id: jobId, data: { success: true, final_counts: { issues: 12 } } });
  await expect(row.getByTestId('schedule-runs')).toContainText(/^2/, { timeout: 10_000 });
  await expect.poll(async () => (await call<{ total: number }>('listJobs', {})).total).toBe(2);

  // Pause it: nothing more fires.
  await row.getByTestId('schedule-pause').click();
  await expect(row.getByTestId('schedule-paused')).toBeVisible();
  await expect(row.getByTestId('schedule-next')).toHaveText('—');
  await shoot(page, 'schedules');

  // Every job it created links back to it.
  await row.getByTestId('schedule-last-job').click();
  await expect(page.getByTestId('job-detail')).toBeVisible();
  await expect(page.getByTestId('job-schedule')).toContainText('acme api re-crawl');
  await page.getByTestId('job-schedule-link').click();
  await expect(page.getByTestId('schedules')).toBeVisible();
  c.destroy();
});

test('pause dispatch from the Overview: a crawler asking for work gets none; resume, and it gets work; the banner says so everywhere', async ({ page }) => {
  await open(page);
  await call('createJob', { job_type: 'crawl_project', gitlab_host: HOST, entity_id: '4200', namespace_path: 'globex/data/etl' });
  await page.getByTestId('dispatch-reason').fill('GitLab maintenance window');
  await page.getByTestId('dispatch-pause').click();
  await expect(page.getByTestId('dispatch-paused-banner')).toContainText('GitLab maintenance window');
  await expect(page.getByTestId('dispatch-card')).toHaveAttribute('data-paused', 'true');
  await shoot(page, 'overview-paused', true);
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('dispatch-paused-banner')).toBeVisible();

  // A crawler without hello asks: nothing, though jobs are queued (and stay queued).
  const queued = (await call<{ total: number }>('listJobs', { status: ['queued'] })).total;
  expect(queued).toBeGreaterThan(0);
  const c = await crawler();
  c.send({ type: 'job_request', timestamp: iso(), data: { max_jobs: 2 } });
  expect(jobsIn(await c.nextOfType('job_response'))).toEqual([]);
  expect((await call<{ total: number }>('listJobs', { status: ['queued'] })).total).toBe(queued);

  await page.getByTestId('dispatch-banner-resume').click();
  await expect(page.getByTestId('dispatch-paused-banner')).toHaveCount(0);
  c.send({ type: 'job_request', timestamp: iso(), data: { max_jobs: 2 } });
  expect(jobsIn(await c.nextOfType('job_response'))).toHaveLength(Math.min(2, queued));
  c.destroy();
});

test('quiet a crawler on the Crawlers screen: it keeps its job and gets nothing new until resumed', async ({ page }) => {
  await call('createJob', { job_type: 'crawl_project', gitlab_host: HOST, entity_id: '4300', namespace_path: 'initech/infra/terraform' });
  await call('createJob', { job_type: 'crawl_project', gitlab_host: HOST, entity_id: '4301', namespace_path: 'initech/infra/ansible' });
  const c = await crawler({ crawler_id: 'quiet-me', max_concurrent_jobs: 10 });
  await open(page, 'crawlers');
  const row = page.locator('[data-testid="crawler-row"][data-crawler-id="quiet-me"]');
  await row.getByTestId('crawler-quiet-button').click();
  await expect(row.getByTestId('crawler-quiet')).toHaveText('quiet');
  // The console pushed it what it could before (hello): it keeps those, asks for more and gets none.
  const assigned = () => c.received.filter((m) => m.type === 'job_assignment').length;
  const held = assigned();
  await call('createJob', { job_type: 'crawl_project', gitlab_host: HOST, entity_id: '4302', namespace_path: 'initech/infra/chef' });
  c.send({ type: 'job_request', timestamp: iso(), data: { max_jobs: 3 } });
  expect(jobsIn(await c.nextOfType('job_response'))).toEqual([]);
  await page.waitForTimeout(500); // dispatch runs every tick (100 ms): it had its chances
  expect(assigned()).toBe(held);
  expect(held).toBeLessThan(10); // it has room: nothing but the quiet holds work back
  await page.locator('.table-scroll').first().evaluate((el) => (el.scrollLeft = 0));
  await page.mouse.move(0, 0);
  await shoot(page, 'crawlers-quiet');

  await row.getByTestId('crawler-resume').click();
  await expect(row.getByTestId('crawler-quiet')).toHaveCount(0);
  await expect.poll(assigned).toBeGreaterThan(held);
  c.destroy();
});

test('2,000 errors from misbehaving crawlers read as a handful of groups, with search, range and the newest example', async ({ page }) => {
  const kinds = [
    (i: number) => `{"type": "job_progress", broken ${i}\n`, // invalid JSON
    (i: number) => JSON.stringify({ type: 'no_such_message', timestamp: iso(), data: { n: i } }) + '\n', // unknown type
  ];
  const bad = await Promise.all([0, 1, 2, 3].map(() => crawler()));
  for (const [k, p] of bad.entries()) p.write(Array.from({ length: 500 }, (_, i) => kinds[k % 2]!(i)).join(''));
  // Identical errors within a minute are stored as one row with a count: the groups' total counts them all.
  await expect.poll(async () => (await call<{ total: number }>('listErrorGroups', { by: 'code' })).total, { timeout: 20_000 }).toBeGreaterThanOrEqual(2000);

  await open(page, 'errors');
  const groups = page.getByTestId('error-groups');
  await expect(groups.getByTestId('error-groups-summary')).toContainText(/2,0\d\d errors in [2-6] groups/);
  const parse = groups.locator('[data-testid="error-group"][data-key="invalid_json"]');
  await expect(parse.getByTestId('error-group-count')).toHaveText('1,000');
  await groups.getByTestId('error-groups-by').selectOption('category');
  await expect(groups.locator('[data-testid="error-group"][data-key="message_parsing"]').getByTestId('error-group-count')).toHaveText('1,000');
  await groups.getByTestId('error-groups-by').selectOption('crawler');
  await expect(groups.getByTestId('error-group')).toHaveCount(4);
  await groups.getByTestId('error-groups-by').selectOption('code');
  // The newest example is one click away.
  await parse.getByTestId('error-group-example').click();
  await expect(groups.getByTestId('error-group-detail')).toContainText('invalid JSON');
  await shoot(page, 'error-groups');
  // Search in messages narrows the groups.
  await groups.getByTestId('error-groups-search').fill('no_such_message');
  await expect(groups.getByTestId('error-group')).toHaveCount(1);
  await expect(groups.getByTestId('error-group-count')).toHaveText('1,000');
  await groups.getByTestId('error-groups-search').fill('');
  await groups.getByTestId('error-groups-range').selectOption('15m');
  await expect(groups.getByTestId('error-groups-summary')).toContainText(/2,0\d\d errors/);
  for (const p of bad) p.destroy();
});

test('GET /metrics, parsed by a Prometheus text-format parser, has the right numbers; it needs the metrics token', async () => {
  expect((await fetch(`${served.baseUrl}metrics`)).status).toBe(401);
  expect((await fetch(`${served.baseUrl}metrics`, { headers: { Authorization: `Bearer ${served.token}` } })).status).toBe(401);
  const scrape = async () => {
    const res = await fetch(`${served.baseUrl}metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    return parsePrometheusTextFormat(await res.text());
  };
  const value = (families: ReturnType<typeof parsePrometheusTextFormat>, name: string, labels: Record<string, string> = {}) =>
    Number(families.find((f) => f.name === name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? NaN);

  const before = await scrape();
  const c = await crawler({ crawler_id: 'metrics-crawler', max_concurrent_jobs: 1 });
  c.send({ type: 'job_started', timestamp: iso(), job_id: 'metrics-job', data: { job_type: 'crawl_user', entity_id: '9001' } });
  for (const processed of [100, 250, 400]) {
    c.send({ type: 'job_progress', timestamp: iso(), job_id: 'metrics-job', data: { progress: [{ entity_type: 'issue', total_discovered: 1000, total_processed: processed }], overall_completion: processed / 1000, time_elapsed: 1000 } });
  }
  await expect.poll(async () => value(await scrape(), 'crawl_console_messages_received_total') - value(before, 'crawl_console_messages_received_total')).toBe(4);
  const after = await scrape();
  expect(value(after, 'crawl_console_items_processed_total') - value(before, 'crawl_console_items_processed_total')).toBe(400);
  // Jobs by status and type match the console's own counts.
  for (const status of ['queued', 'running', 'completed', 'assigned']) {
    const total = (await call<{ total: number }>('listJobs', { status: [status], job_type: ['crawl_project'] })).total;
    expect(value(after, 'crawl_console_jobs', { status, job_type: 'crawl_project' }) || 0, status).toBe(total);
  }
  expect(value(after, 'crawl_console_jobs', { status: 'running', job_type: 'crawl_user' })).toBe(1);
  // Errors by category: the counter (since start) equals what the store recorded (nothing was deleted).
  const sum = (name: string, labels: Record<string, string>) =>
    after
      .find((f) => f.name === name)!
      .metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
      .reduce((a, m) => a + Number(m.value), 0);
  // Identical errors are stored as one row a minute with a count: compare with the counted groups.
  const byCategory = (await call<{ groups: { key: string | null; count: number }[] }>('listErrorGroups', { by: 'category' })).groups;
  for (const category of ['message_parsing', 'message_validation']) {
    expect(sum('crawl_console_errors_total', { category }), category).toBe(byCategory.find((g) => g.key === category)?.count ?? 0);
  }
  expect(sum('crawl_console_errors_total', { category: 'message_parsing' })).toBe(1000);
  expect(value(after, 'crawl_console_dispatch_paused')).toBe(0);
  expect(value(after, 'crawl_console_crawlers', { state: 'active' })).toBeGreaterThanOrEqual(1);
  expect(after.find((f) => f.name === 'crawl_console_ingest_latency_seconds')?.type).toBe('HISTOGRAM');
  expect(value(after, 'crawl_console_messages_per_second')).toBeGreaterThan(0);
  c.destroy();
});

test('the throughput chart switches between live, 15 min, 6 h and 7 days, with history kept across a restart', async ({ page }) => {
  // Samples are written every second here; wait for a few, then restart.
  await expect.poll(async () => (await call<{ points: unknown[] }>('getMetricsHistory', { range: '15m' })).points.length, { timeout: 10_000 }).toBeGreaterThan(0);
  expect(await served.stop()).toBe(0);
  // Two days of older history, as a console running then would have written it (10-minute buckets on the 7-day chart).
  const db = new Database(path.join(tmp, 'data', 'console.db'));
  const insert = db.prepare('INSERT INTO metric_samples (at, interval_ms, messages, items, errors, queue, crawlers_connected) VALUES (?, 60000, ?, ?, ?, ?, 3)');
  const start = Math.floor((Date.now() - 2 * 86_400_000) / 600_000) * 600_000;
  db.transaction(() => {
    for (let i = 0; i < 36; i++) insert.run(start + i * 600_000 + 1, 600 + i * 10, 3000 + i * 100, '{"network":1}', '{"queued":40,"running":3}');
  })();
  db.close();
  served = await serveConsole(args(), env);

  await open(page);
  const chart = page.getByTestId('throughput-chart');
  await expect(chart).toHaveAttribute('data-range', 'live');
  await page.getByTestId('tp-range-15m').click();
  await expect(chart).toHaveAttribute('data-range', '15m');
  // What was sampled before the restart is still there.
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
  const recent = Number(await chart.getAttribute('data-points'));
  await page.getByTestId('tp-range-6h').click();
  await expect(chart).toHaveAttribute('data-range', '6h');
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(recent);
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeLessThan(36);
  await page.getByTestId('tp-range-7d').click();
  await expect(chart).toHaveAttribute('data-range', '7d');
  // Two days ago: 36 ten-minute buckets, plus the recent ones.
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(37);
  await expect(page.getByTestId('throughput')).toContainText('last 7 days');
  await page.getByTestId('throughput').scrollIntoViewIfNeeded();
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(200);
    await page.getByTestId('throughput').screenshot({ path: path.join(SHOTS, `history-7d-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: null });
});
