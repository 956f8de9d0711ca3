/**
 * Links and pages (issue 15) in Chromium against `crawl-console serve` as a
 * real process and raw crawler peers on its Unix socket: a filtered Jobs view
 * and a job have addresses that survive a reload and walk with Back/Forward,
 * and open in another tab; a crawler's page updates live as heartbeats arrive;
 * a finished job shows its result. Screenshots of the new pages, light and dark.
 */
import { type Page, expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Peer, iso } from '../test/helpers/peer';
import { ROOT, type ServedConsole, callApi, serveConsole } from './console-process';

test.describe.configure({ mode: 'serial' });

const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const HOST = 'gitlab.example.com';

let tmp: string;
let served: ServedConsole;
const peers: Peer[] = [];

const call = <T>(name: string, input: unknown = {}): Promise<T> => callApi<T>(served, name, input);

/** Opens the printed address (the token is taken and kept in the tab), then an address of the console. */
async function open(page: Page, hash?: string): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  if (hash) await page.goto(`${served.baseUrl}${hash}`);
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

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150); // the charts redraw with the theme's colours
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage });
  }
  await page.emulateMedia({ colorScheme: null });
}

const hashOf = (page: Page): string => new URL(page.url()).hash;

test.beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-pages-'));
  served = await serveConsole(['--http-port', '0', '--data-dir', path.join(tmp, 'data'), '--socket', path.join(tmp, 'console.sock')]);
  await call('saveCredential', { gitlab_host: HOST, label: 'study token', access_token: 'glpat-pages-e2e-000000' });
});

test.afterAll(async () => {
  for (const p of peers) p.destroy();
  expect(await served?.stop()).toBe(0);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a filtered Jobs view and a job have addresses: reload keeps them, Back and Forward walk them, another tab opens them', async ({ page, context }) => {
  // 6 acme jobs (4 cancelled) and 3 globex jobs (all cancelled): "cancelled" and "acme" together match 4.
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push((await call<{ job: { job_id: string } }>('createJob', { job_type: 'crawl_project', gitlab_host: HOST, entity_id: `${500 + i}`, namespace_path: `acme/svc-${i}` })).job.job_id);
  for (let i = 0; i < 3; i++) ids.push((await call<{ job: { job_id: string } }>('createJob', { job_type: 'crawl_project', gitlab_host: HOST, entity_id: `${600 + i}`, namespace_path: `globex/svc-${i}` })).job.job_id);
  for (const id of [...ids.slice(0, 4), ...ids.slice(6)]) await call('cancelJob', { job_id: id });

  await open(page, '#/jobs?status=cancelled&q=acme');
  await expect(page.getByTestId('jobs-total')).toHaveText('4 jobs');
  await expect(page.getByTestId('filter-status-cancelled')).toBeChecked();
  await expect(page.getByTestId('filter-text')).toHaveValue('acme');
  await expect(page.getByTestId('nav-jobs')).toHaveAttribute('aria-current', 'page');

  // Reload: the same view, the same filters (the token stayed in the tab, not in the address).
  await page.reload();
  await expect(page.getByTestId('jobs-total')).toHaveText('4 jobs');
  await expect(page.getByTestId('filter-text')).toHaveValue('acme');
  expect(page.url()).not.toContain('token=');

  // Changing a filter rewrites the address in place (no history entry per keystroke).
  await page.getByTestId('filter-text').fill('acme/svc-1');
  await expect(page.getByTestId('jobs-total')).toHaveText('1 job');
  await expect.poll(() => hashOf(page)).toBe('#/jobs?status=cancelled&q=acme%2Fsvc-1');

  // Ids are links: a job's address; Back returns to the filtered list, Forward to the job.
  const link = page.getByTestId('row-open').first();
  await expect(link).toHaveAttribute('href', `#/jobs/${ids[1]}`);
  await link.click();
  await expect(page.getByTestId('job-detail')).toHaveAttribute('data-job-id', ids[1]!);
  expect(hashOf(page)).toBe(`#/jobs/${ids[1]}`);
  await page.reload();
  await expect(page.getByTestId('job-detail')).toHaveAttribute('data-job-id', ids[1]!);
  await page.goBack();
  await expect(page.getByTestId('jobs-total')).toHaveText('1 job');
  await expect(page.getByTestId('filter-text')).toHaveValue('acme/svc-1');
  await page.goBack();
  await expect(page.getByTestId('nav-overview')).toHaveAttribute('aria-current', 'page');
  await page.goForward();
  await page.goForward();
  await expect(page.getByTestId('job-detail')).toHaveAttribute('data-job-id', ids[1]!);

  // The navigation is links too: Crawlers, then Back.
  await page.getByTestId('nav-crawlers').click();
  expect(hashOf(page)).toBe('#/crawlers');
  await page.goBack();
  await expect(page.getByTestId('job-detail')).toHaveAttribute('data-job-id', ids[1]!);

  // Pasted into another tab: without the token the page asks for it and keeps the address; with it, it opens the view.
  const other = await context.newPage();
  await other.goto(`${served.baseUrl}#/jobs?status=cancelled&q=globex`);
  await expect(other.getByTestId('no-token')).toBeVisible();
  // Only the fragment changed: the page takes the token and starts over by itself.
  await other.goto(`${served.baseUrl}#/jobs?status=cancelled&q=globex&token=${encodeURIComponent(served.token)}`);
  await expect(other.getByTestId('jobs-total')).toHaveText('3 jobs');
  expect(hashOf(other)).toBe('#/jobs?status=cancelled&q=globex');

  // An address the console does not know says so.
  await other.goto(`${served.baseUrl}#/no/such/page`);
  await expect(other.getByTestId('not-found')).toBeVisible();
  await other.close();
  // The two acme jobs still queued would go to the next test's crawler.
  for (const id of ids.slice(4, 6)) await call('cancelJob', { job_id: id });
});

test('the Errors filters and the Jobs sort are in the address: reload keeps them, Back restores the previous', async ({ page }) => {
  await open(page, '#/errors');
  const raw = await crawler();
  raw.write('this is not json\n');
  raw.send({ type: 'no_such_message', timestamp: iso(), data: {} });
  const parsing = page.locator('[data-testid="error-row"][data-category="message_parsing"]');
  const validation = page.locator('[data-testid="error-row"][data-category="message_validation"]');
  await expect(parsing.first()).toBeVisible();
  await expect(validation.first()).toBeVisible();

  // A category chosen from the list is a new entry in the history, and the address says it.
  await page.getByTestId('filter-category').selectOption('message_parsing');
  await expect.poll(() => hashOf(page)).toBe('#/errors?category=message_parsing');
  await expect(validation).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('filter-category')).toHaveValue('message_parsing');
  await expect(parsing.first()).toBeVisible();
  await expect(validation).toHaveCount(0);

  // Typing rewrites the current entry (one Back per change, not per key).
  await page.getByTestId('filter-job').pressSequentially('no-such-job', { delay: 20 });
  await expect.poll(() => hashOf(page)).toBe('#/errors?category=message_parsing&job_id=no-such-job');
  await expect(page.getByTestId('errors-empty')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('filter-job')).toHaveValue('no-such-job');
  await expect(page.getByTestId('errors-empty')).toBeVisible();
  await page.goBack();
  await expect.poll(() => hashOf(page)).toBe('#/errors');
  await expect(page.getByTestId('filter-category')).toHaveValue('');
  await expect(page.getByTestId('filter-job')).toHaveValue('');
  await expect(validation.first()).toBeVisible();
  await page.goForward();
  await expect(page.getByTestId('filter-job')).toHaveValue('no-such-job');
  await expect(page.getByTestId('filter-category')).toHaveValue('message_parsing');

  // The Jobs sort: each choice is an entry; reload keeps it, Back restores the one before.
  const first = page.locator('[data-testid="job-row"]').first();
  await page.goto(`${served.baseUrl}#/jobs?q=acme`);
  await expect(page.getByTestId('jobs-total')).toHaveText('6 jobs');
  await page.getByTestId('sort-namespace_path').click();
  await expect.poll(() => hashOf(page)).toBe('#/jobs?q=acme&sort=namespace_path&dir=asc');
  await expect(first).toContainText('acme/svc-0');
  await page.getByTestId('sort-namespace_path').click();
  await expect.poll(() => hashOf(page)).toBe('#/jobs?q=acme&sort=namespace_path&dir=desc');
  await expect(first).toContainText('acme/svc-5');
  await page.reload();
  await expect(page.getByTestId('sort-namespace_path').locator('xpath=..')).toHaveAttribute('aria-sort', 'descending');
  await expect(first).toContainText('acme/svc-5');
  await page.goBack();
  await expect.poll(() => hashOf(page)).toBe('#/jobs?q=acme&sort=namespace_path&dir=asc');
  await expect(first).toContainText('acme/svc-0');
  await page.goBack();
  await expect.poll(() => hashOf(page)).toBe('#/jobs?q=acme');
  await expect(page.getByTestId('sort-created_at').locator('xpath=..')).toHaveAttribute('aria-sort', 'descending');
});

test('the Errors page is in the address too: reload keeps it, Back returns to the newer page, another filter starts at the newest', async ({ page }) => {
  // More than a page of distinct errors: one malformed line from each of 60 raw connections (identical errors of one peer are one row with a count).
  const total = async () => (await call<{ total: number }>('listErrors', { limit: 1 })).total;
  const before = await total();
  for (let i = 0; i < 60; i++) {
    const raw = await Peer.connect(served.socketPath);
    raw.write(`not json, line ${i}\n`);
    await expect.poll(total).toBeGreaterThan(before + i);
    raw.destroy();
  }
  const n = await total();
  const range = page.getByTestId('error-range');
  await open(page, '#/errors');
  await expect(range).toHaveText(`1–50 of ${n}`);

  // A page turn is an entry in the history, and the address says it.
  await page.getByTestId('errors-older').click();
  await expect.poll(() => hashOf(page)).toBe('#/errors?offset=50');
  await expect(range).toHaveText(`51–${n} of ${n}`);
  const firstOlder = await page.getByTestId('error-row').first().getAttribute('data-error-id');
  await page.reload();
  await expect(range).toHaveText(`51–${n} of ${n}`);
  await expect(page.getByTestId('error-row').first()).toHaveAttribute('data-error-id', firstOlder ?? '');
  await page.goBack();
  await expect.poll(() => hashOf(page)).toBe('#/errors');
  await expect(range).toHaveText(`1–50 of ${n}`);
  await page.goForward();
  await expect(range).toHaveText(`51–${n} of ${n}`);

  // Another filter shows its newest errors, not its second page.
  await page.getByTestId('filter-category').selectOption('message_parsing');
  await expect.poll(() => hashOf(page)).toBe('#/errors?category=message_parsing');
  await expect(range).toHaveText(/^1–50 of /);
});

test('a crawler page updates live: each heartbeat lands in its chart and resets its age; quiet and shutdown act on it', async ({ page }) => {
  const c = await crawler({ crawler_id: 'crawler-live-1', name: 'lab box', max_concurrent_jobs: 4 });
  const beat = (active: number, rss: number) => c.send({ type: 'heartbeat', timestamp: iso(), data: { activeJobs: active, systemStatus: active > 0 ? 'processing' : 'idle', totalProcessed: 0, memoryUsage: { rss } } });
  beat(0, 180 * 1024 * 1024);
  await expect.poll(async () => (await call<{ heartbeats: unknown[] }>('getCrawler', { crawler_id: 'crawler-live-1' })).heartbeats.length).toBe(1);

  // From the Crawlers table: the id is a link to its page.
  await open(page, '#/crawlers');
  const idLink = page.getByTestId('crawler-row').filter({ hasText: 'crawler-live-1' }).getByTestId('crawler-link');
  await expect(idLink).toHaveAttribute('href', '#/crawlers/crawler-live-1');
  await idLink.click();
  const crawlerPage = page.getByTestId('crawler-page');
  await expect(crawlerPage).toHaveAttribute('data-crawler-id', 'crawler-live-1');
  await expect(page.getByTestId('crawler-transport')).toHaveText('Unix socket');
  await expect(page.getByTestId('crawler-capacity')).toHaveText('0 of 4 jobs');
  await expect(page.getByTestId('crawler-heartbeats')).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('heartbeat-memory')).toHaveText(/180(\.0)? MiB|189 MB/);

  // Live: the next heartbeats arrive by push (no reload, no polling) and the chart grows.
  await page.waitForTimeout(1_200);
  beat(2, 200 * 1024 * 1024);
  await expect(page.getByTestId('crawler-heartbeats')).toHaveAttribute('data-count', '2');
  await expect(page.getByTestId('heartbeat-active')).toHaveText('2');
  await expect(page.getByTestId('heartbeat-chart')).toHaveAttribute('data-points', '2');
  await expect(page.getByTestId('memory-chart')).toBeVisible();
  await expect(page.getByTestId('heartbeat-age')).toHaveText(/^[01] s ago$/);
  await page.waitForTimeout(2_200);
  await expect(page.getByTestId('heartbeat-age')).not.toHaveText(/^[01] s ago$/);
  beat(1, 190 * 1024 * 1024);
  await expect(page.getByTestId('crawler-heartbeats')).toHaveAttribute('data-count', '3');
  await expect(page.getByTestId('heartbeat-age')).toHaveText(/^[01] s ago$/);

  // Its jobs: one assigned to it shows up live, as a link.
  const { job } = await call<{ job: { job_id: string } }>('createJob', { job_type: 'crawl_project', gitlab_host: HOST, entity_id: '4321', namespace_path: 'acme/live', crawler_id: 'crawler-live-1' });
  await c.nextOfType('job_assignment');
  const row = page.getByTestId('crawler-job-row').filter({ has: page.locator(`[href="#/jobs/${job.job_id}"]`) });
  await expect(row).toBeVisible();

  // Quiet, then resume: shown on the page.
  await page.getByTestId('crawler-quiet-button').click();
  await expect(page.getByTestId('crawler-quiet')).toBeVisible();
  await shoot(page, 'crawler-page', true);
  await page.getByTestId('crawler-resume').click();
  await expect(page.getByTestId('crawler-quiet')).toHaveCount(0);

  // Reload keeps the page; Assign opens the form for it.
  await page.reload();
  await expect(page.getByTestId('crawler-page')).toHaveAttribute('data-crawler-id', 'crawler-live-1');
  await page.getByTestId('crawler-assign').click();
  await expect.poll(() => hashOf(page)).toBe('#/assign?crawler_id=crawler-live-1');
  await page.goBack();

  // Shutdown: the crawler receives it.
  await page.getByTestId('crawler-shutdown').click();
  await page.getByTestId('shutdown-dialog').getByRole('button', { name: 'Send shutdown' }).click();
  const shutdown = await c.nextOfType('shutdown');
  expect(shutdown.data).toMatchObject({ graceful: true, timeout_seconds: 30 });
  await expect(page.getByTestId('crawler-notice')).toContainText('Shutdown sent');

  // Gone: the page says so, live.
  c.destroy();
  await expect(crawlerPage).toHaveAttribute('data-state', 'disconnected');

  // A crawler the console never saw.
  await page.goto(`${served.baseUrl}#/crawlers/never-seen`);
  await expect(page.getByTestId('crawler-error-state')).toContainText('never seen a crawler never-seen');
});

test('a finished job shows its result: counts per entity type, output files, summary, duration, runs and its progress over time', async ({ page }) => {
  const c = await crawler({ crawler_id: 'crawler-results', max_concurrent_jobs: 1 });
  const { job } = await call<{ job: { job_id: string } }>('createJob', { job_type: 'crawl_project', gitlab_host: HOST, entity_id: '7788', namespace_path: 'acme/results' });
  await c.nextOfType('job_assignment');
  const id = job.job_id;
  c.send({ type: 'job_started', timestamp: iso(), job_id: id, data: { job_type: 'crawl_project', entity_id: '7788' } });
  await open(page, `#/jobs/${id}`);
  await expect(page.getByTestId('job-detail')).toHaveAttribute('data-job-id', id);
  await expect(page.getByTestId('job-results')).toHaveCount(0);
  const progress = (issues: number, mrs: number, elapsed: number) =>
    c.send({
      type: 'job_progress',
      timestamp: iso(),
      job_id: id,
      data: {
        progress: [
          { entity_type: 'issue', total_discovered: 400, total_processed: issues },
          { entity_type: 'merge_request', total_discovered: 100, total_processed: mrs },
        ],
        overall_completion: (issues + mrs) / 500,
        time_elapsed: elapsed,
      },
    });
  // Each report is taken in (and its event sent) before the next: the console folds reports that arrive together.
  const completion = async () => (await call<{ job: { overall_completion: number | null } }>('getJob', { job_id: id })).job.overall_completion;
  progress(100, 10, 1_000);
  await expect.poll(completion).toBeCloseTo(0.22);
  progress(250, 60, 2_000);
  await expect.poll(completion).toBeCloseTo(0.62);
  c.send({
    type: 'job_completed',
    timestamp: iso(),
    job_id: id,
    data: { success: true, final_counts: { issue: 400, merge_request: 100, note: 2_311 }, output_files: ['out/acme-results/issues.jsonl', 'out/acme-results/merge_requests.jsonl'], summary: { pages_fetched: 57, rate_limited: 2 } },
  });

  // The page is open while it finishes: the result appears by push.
  const results = page.getByTestId('job-results');
  await expect(results).toBeVisible();
  const counts = page.getByTestId('result-counts');
  await expect(counts.locator('[data-entity-type="issue"] td')).toHaveText('400');
  await expect(counts.locator('[data-entity-type="merge_request"] td')).toHaveText('100');
  await expect(counts.locator('[data-entity-type="note"] td')).toHaveText('2,311');
  await expect(page.getByTestId('result-total')).toHaveText('2,811');
  await expect(page.getByTestId('result-files').locator('li')).toHaveText(['out/acme-results/issues.jsonl', 'out/acme-results/merge_requests.jsonl']);
  await expect(page.getByTestId('result-summary')).toContainText('"pages_fetched": 57');
  await expect(page.getByTestId('result-attempts')).toHaveText('1 (no retry)');
  await expect(page.getByTestId('result-duration')).not.toHaveText('—');
  // Start (0), the first report, and the finish (100 %): the chart has at least these.
  await expect.poll(async () => Number(await page.getByTestId('result-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
  await shoot(page, 'job-results', true);

  // The crawler on the job page is a link to its page.
  await page.getByTestId('job-crawler-link').click();
  await expect(page.getByTestId('crawler-page')).toHaveAttribute('data-crawler-id', 'crawler-results');
  c.destroy();
});
