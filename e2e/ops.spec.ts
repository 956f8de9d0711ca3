/**
 * The operations screens in Chromium, end to end: `crawl-console serve` as a
 * real process, `crawl-console simulate` as a child process against its Unix
 * socket, raw socket peers for bad input, and the built renderer in the page.
 *
 * The tests share one console and run in order: the simulated crawlers work
 * through queued jobs (Overview), errors and credentials are added, settings
 * changed, every screen photographed with live data, and last a broadcast
 * shutdown stops every crawler.
 */
import { type Page, expect, test } from '@playwright/test';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Peer, iso } from '../test/helpers/peer';
import { ROOT, type ServedConsole, callApi, serveConsole } from './console-process';

test.describe.configure({ mode: 'serial' });

const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const CRAWLERS = 3;
const SEED = 4242;

let tmp: string;
let served: ServedConsole;
let sim: Simulator | null = null;
const peers: Peer[] = [];

interface Simulator {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `crawl-console simulate` as a child process (the built CLI through its bin), logging each crawler's events. */
function simulate(args: string[]): Simulator {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crawl-console.js'), 'simulate', '--socket', served.socketPath, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** A command straight to the console's HTTP API (what the page does, without the page). */
const call = <T>(name: string, input: unknown = {}): Promise<T> => callApi<T>(served, name, input);

/** Projects for the crawlers to be busy with while a screenshot is taken (new entity ids: no duplicates). */
async function queueLiveCrawl(firstId: number): Promise<void> {
  const projects = ['acme/platform/search', 'globex/data/warehouse', 'initech/infra/ansible', 'hooli/ml/training', 'stark/payments/ledger', 'umbrella/web/portal'];
  for (const [i, p] of projects.entries()) {
    await call('createJob', { job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: String(firstId + i), namespace_path: p, priority: 5 });
  }
}

async function queueJobs(): Promise<void> {
  // The first job saves the token for the host; the others find it there.
  await call('createJob', { job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com', namespace_path: 'acme', access_token: 'glpat-simulated-0000000000', credential_label: 'simulator' });
  const projects = ['acme/platform/api', 'acme/platform/frontend', 'globex/data/etl', 'globex/web/website', 'initech/infra/terraform', 'hooli/ml/notebooks', 'umbrella/security/auth-service', 'stark/payments/billing'];
  for (const [i, p] of projects.entries()) {
    await call('createJob', { job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: String(4100 + i), namespace_path: p, priority: i % 3 });
  }
  await call('createJob', { job_type: 'crawl_group', gitlab_host: 'gitlab.example.com', entity_id: '77', namespace_path: 'acme/platform' });
  await call('createJob', { job_type: 'crawl_user', gitlab_host: 'gitlab.example.com', entity_id: '9001', namespace_path: 'grace.hopper' });
}

async function open(page: Page, view?: string): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  if (view) await page.getByTestId(`nav-${view}`).click();
}

/** Ratio of a progress bar, from its accessible value. */
// The one progress bar is a native <progress> (issue 13): its value is the fraction done.
const barValue = async (page: Page, testId: string): Promise<number> => Number((await page.getByTestId(testId).getAttribute('value')) ?? 'NaN');
const numberIn = (text: string): number => Number(text.replace(/[^\d.]/g, '').replace(/^\./, '') || 'NaN');

test.beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-ops-'));
  served = await serveConsole(['--http-port', '0', '--data-dir', path.join(tmp, 'data'), '--socket', path.join(tmp, 'console.sock')]);
});

test.afterAll(async () => {
  for (const p of peers) p.destroy();
  if (sim && sim.child.exitCode === null) {
    sim.child.kill('SIGTERM');
    await sim.exited;
  }
  expect(await served?.stop()).toBe(0);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the overview is the first screen and shows aggregate progress moving while simulated crawlers run', async ({ page }) => {
  await open(page);
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  // Before anything runs: idle states that say what to do next.
  await expect(page.getByTestId('aggregate-idle')).toContainText('No job is running');
  await expect(page.getByTestId('crawlers-empty')).toBeVisible();
  await expect(page.getByTestId('health-socket-path')).toHaveText(served.socketPath);
  await expect(page.getByTestId('health-socket')).toHaveAttribute('data-ok', 'true');

  await queueJobs();
  await expect(page.getByTestId('jobs-queued')).toContainText('11'); // counts follow job_changed events
  sim = simulate(['--crawlers', String(CRAWLERS), '--speed', '1.5', '--seed', String(SEED), '--failure-rate', '0.15', '--token-refresh-rate', '0', '--concurrency', '2']);

  await expect(page.getByTestId('count-connected')).toHaveText(String(CRAWLERS), { timeout: 15_000 });
  await expect(page.getByTestId('aggregate-bar')).toBeVisible({ timeout: 15_000 });
  const first = await barValue(page, 'aggregate-bar');
  const processedFirst = numberIn(await page.getByTestId('aggregate-processed').innerText());
  // Moves with `aggregate` events alone: no reload, no navigation.
  await expect.poll(async () => numberIn(await page.getByTestId('aggregate-processed').innerText()), { timeout: 15_000 }).toBeGreaterThan(processedFirst);
  await expect.poll(() => barValue(page, 'aggregate-bar'), { timeout: 15_000 }).not.toBe(first);
  await expect(page.getByTestId('aggregate-rate')).toContainText('items/s');
  // Job counts moved from queued to running without a reload.
  await expect.poll(async () => numberIn(await page.getByTestId('jobs-running').innerText()), { timeout: 10_000 }).toBeGreaterThan(0);
  // The throughput chart gets items from progress events.
  await expect.poll(async () => numberIn(await page.getByTestId('items-rate').innerText()), { timeout: 10_000 }).toBeGreaterThan(0);
});

test('a malformed line from a raw socket client appears on the errors screen, live, and filters by category', async ({ page }) => {
  await open(page, 'errors');
  await expect(page.getByRole('heading', { name: 'Errors', level: 1 })).toBeVisible();
  const peer = await Peer.connect(served.socketPath);
  peers.push(peer);
  peer.write('this is not json\n');
  peer.send({ type: 'no_such_message', timestamp: iso(), data: {} });

  // Both arrive while the page is open (error events), each under its category.
  const parsing = page.locator('[data-testid="error-row"][data-category="message_parsing"]');
  const validation = page.locator('[data-testid="error-row"][data-category="message_validation"]');
  await expect(parsing.first()).toBeVisible({ timeout: 5_000 });
  await expect(validation.first()).toBeVisible({ timeout: 5_000 });
  // Bytes that cannot start a JSON object are skipped up to the next '{' or delimiter, with the code invalid_json.
  await expect(parsing.first()).toContainText('invalid_json');

  // Filter by category (server-side): only parsing errors remain.
  await page.getByTestId('filter-category').selectOption('message_parsing');
  await expect(validation).toHaveCount(0);
  await expect(parsing).toHaveCount(1);
  await expect(page.getByTestId('error-total')).toHaveText('1 matching');

  // A new matching error arrives live under the filter; a non-matching one does not show.
  // (From another crawler: the same error from the same crawler within a minute is one row with a count.)
  const other = await Peer.connect(served.socketPath);
  peers.push(other);
  other.write('{"still": not json}\n');
  other.send({ type: 'another_unknown', timestamp: iso(), data: {} });
  await expect(parsing).toHaveCount(2);
  await expect(page.getByTestId('error-total')).toHaveText('2 matching');
  await page.waitForTimeout(500);
  await expect(validation).toHaveCount(0);

  // Each row opens to its full context.
  await parsing.first().getByTestId('error-expand').click();
  await expect(parsing.first().getByTestId('error-expand')).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('error-context').first()).toContainText('"code": "invalid_json"');

  // Export the filtered list as CSV.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-errors-csv').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^errors-.*\.csv$/);
  const csv = fs.readFileSync(await file.path(), 'utf8');
  expect(csv.split('\n').filter((l) => l.includes('message_parsing'))).toHaveLength(2);
  expect(csv).not.toContain('message_validation');

  peer.destroy();
  other.destroy();
});

test('credentials: a saved token is shown masked and never appears in the page', async ({ page }) => {
  const token = 'glpat-E2Esecret-9f8e7d6c5b4a';
  await open(page, 'credentials');
  await expect(page.getByRole('heading', { name: 'Credentials', level: 1 })).toBeVisible();
  // Validation as you type, from the command's schema.
  await page.getByTestId('cred-gitlab_host').fill('not a host!');
  await expect(page.getByTestId('cred-gitlab_host-error')).toContainText('a host name such as gitlab.example.com');
  await page.getByTestId('cred-gitlab_host').fill('gitlab.research.example.org');
  await expect(page.getByTestId('cred-gitlab_host-error')).toHaveCount(0);
  await page.getByTestId('cred-label').fill('E2E research token');
  await page.getByTestId('cred-access_token').fill('short');
  await expect(page.getByTestId('cred-access_token-error')).toContainText('at least 8 characters');
  await expect(page.getByTestId('cred-access_token')).toHaveAttribute('type', 'password');
  await page.getByTestId('cred-access_token').fill(token);
  expect(await page.content()).not.toContain(token); // not even while typed
  await page.getByTestId('cred-save').click();

  await expect(page.getByTestId('cred-saved')).toContainText('••••5b4a');
  const row = page.getByTestId('credential-row').filter({ hasText: 'E2E research token' });
  await expect(row).toContainText('gitlab.research.example.org');
  await expect(row.getByTestId('credential-hint')).toHaveText('••••5b4a');
  await expect(page.getByTestId('cred-access_token')).toHaveValue('');
  expect(await page.content()).not.toContain(token);
  expect(await page.content()).not.toContain('E2Esecret');

  // Deleting asks first; the credential the simulated crawlers' unfinished jobs use is refused, with the console's reason.
  const unfinished = await call<{ total: number }>('listJobs', { status: ['queued', 'assigned', 'running', 'waiting_credentials'], limit: 1 });
  expect(unfinished.total).toBeGreaterThan(0);
  const used = page.getByTestId('credential-row').filter({ hasText: 'simulator' });
  await used.getByTestId('credential-delete').click();
  const dialog = page.getByTestId('credential-delete-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('confirm').click();
  await expect(dialog.getByTestId('dialog-error')).toContainText('unfinished job');
  await page.keyboard.press('Escape');
  await expect(dialog).not.toBeVisible();
  await expect(used).toHaveCount(1);

  await row.getByTestId('credential-delete').click();
  await expect(page.getByTestId('credential-delete-dialog')).toContainText('••••5b4a');
  await page.getByTestId('credential-delete-dialog').getByTestId('confirm').click();
  await expect(row).toHaveCount(0);
});

test('settings: an invalid value shows the field error; a valid change is saved and says whether a restart is needed', async ({ page }) => {
  await open(page, 'settings');
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  const interval = page.getByTestId('config-heartbeatInterval');
  await expect(interval).toHaveValue('30000');

  // As you type, with the shared field schema.
  await interval.fill('0');
  await expect(page.getByTestId('config-heartbeatInterval-error')).toHaveText('expected an integer of at least 1');
  await interval.fill('abc');
  await expect(page.getByTestId('config-heartbeatInterval-error')).toHaveText('expected an integer of at least 1');
  // The check across fields: a timeout must exceed the interval.
  await interval.fill('100000');
  await expect(page.getByTestId('config-heartbeatTimeout-error')).toContainText('must be greater than heartbeatInterval');
  await expect(page.getByTestId('settings-save')).toBeDisabled();
  await interval.fill('30000');
  await expect(page.getByTestId('config-heartbeatTimeout-error')).toHaveCount(0);

  // A change that applies at once.
  await page.getByTestId('config-retryAttempts').fill('4');
  await expect(page.getByTestId('settings-save')).toHaveText('Save 1 change');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-result')).toHaveText('Saved retryAttempts: applied now, no restart needed.');
  expect((await call<{ config: { retryAttempts: number } }>('getConfig')).config.retryAttempts).toBe(4);

  // A change that needs a restart says so.
  await page.getByTestId('config-backlog').fill('600');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-result')).toContainText('Restart the console for backlog to take effect');
  await expect(page.getByTestId('config-backlog-pending')).toHaveText('restart pending');

  // The notifications setting: off by default in a browser.
  await expect(page.getByTestId('notifications-toggle')).not.toBeChecked();
});

test('screenshots of every operations screen, light and dark, with simulated crawlers running', async ({ page }) => {
  test.setTimeout(120_000);
  fs.mkdirSync(SHOTS, { recursive: true });
  // Every screen renders under the page's Content-Security-Policy (no inline styles or scripts), the chart included.
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await open(page);
  // Let the throughput chart gather some history while crawlers work.
  await expect(page.getByTestId('count-connected')).toHaveText(String(CRAWLERS));
  await page.waitForTimeout(15_000);
  // The Overview last in each pass: its chart has gathered the most by then.
  const screens: [string, string][] = [
    ['crawlers', 'Crawlers'],
    ['broadcast', 'Broadcast'],
    ['errors', 'Errors'],
    ['credentials', 'Credentials'],
    ['settings', 'Settings'],
    ['overview', 'Overview'],
  ];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [view, title] of screens) {
      await page.getByTestId(`nav-${view}`).click();
      await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
      if (view === 'crawlers') await expect(page.locator('[data-testid="crawler-row"][data-connected="true"]')).toHaveCount(CRAWLERS);
      if (view === 'errors') await expect(page.getByTestId('error-row').first()).toBeVisible();
      if (view === 'overview') {
        await expect(page.getByTestId('throughput-chart').locator('canvas')).toBeVisible();
        // The README's first picture is a live crawl: fresh work for the connected crawlers, shot mid-progress.
        await queueLiveCrawl(scheme === 'light' ? 5000 : 5100);
        await expect.poll(async () => numberIn(await page.getByTestId('jobs-running').innerText()), { timeout: 15_000 }).toBeGreaterThan(0);
        await expect(page.getByTestId('aggregate-bar')).toBeVisible({ timeout: 15_000 });
        await expect(page.getByTestId('count-connected')).toHaveText(String(CRAWLERS));
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(SHOTS, `${view}-${scheme}.png`), fullPage: view === 'overview' || view === 'errors' });
    }
  }
  await page.emulateMedia({ colorScheme: null });
  expect(violations).toEqual([]);
});

test('crawlers: every crawler with its state and live heartbeat age; a shutdown sent to one crawler from its row', async ({ page }) => {
  await open(page, 'crawlers');
  const rows = page.locator('[data-testid="crawler-row"][data-connected="true"]');
  await expect(rows).toHaveCount(CRAWLERS);
  const first = rows.first();
  await expect(first.getByTestId('crawler-state')).toHaveText(/active|idle/);
  await expect(first).toContainText('crawl-simulator');
  await expect(first).toContainText('Unix socket');
  await expect(first.getByTestId('heartbeat-age')).toHaveText(/^\d+ s ago|^\d+ min/);
  // Actions are reachable by name.
  await expect(first.getByRole('button', { name: /^Assign a job to / })).toBeVisible();
  await first.getByRole('button', { name: /^Open the job list of / }).click();
  await expect(page.getByTestId('nav-jobs')).toHaveAttribute('aria-current', 'page');
  await page.getByTestId('nav-crawlers').click();

  // The dialog: graceful, grace time, reason; Escape cancels; invalid grace time blocks sending.
  await rows.first().getByTestId('crawler-shutdown').click();
  const dialog = page.getByTestId('shutdown-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('shutdown-seconds').fill('-1');
  await expect(dialog.getByTestId('confirm')).toBeDisabled();
  await page.keyboard.press('Escape');
  await expect(dialog).not.toBeVisible();
});

test('broadcast: a shutdown reaches every connected crawler; they leave and the page shows them disconnected', async ({ page }) => {
  await open(page, 'broadcast');
  await expect(page.getByRole('heading', { name: 'Broadcast', level: 1 })).toBeVisible();
  await expect(page.getByTestId('broadcast-reach')).toHaveAttribute('data-count', String(CRAWLERS));
  await expect(page.getByTestId('broadcast-reach')).toContainText(`It will reach ${CRAWLERS} connected crawlers`);

  await page.getByTestId('shutdown-seconds').fill('3');
  await page.getByTestId('shutdown-reason').fill('e2e maintenance window');
  await page.getByTestId('broadcast-send').click();
  const dialog = page.getByTestId('broadcast-dialog');
  await expect(dialog).toContainText(`${CRAWLERS} crawlers will be asked to stop, with 3 s`);
  await dialog.getByTestId('confirm').click();
  await expect(page.getByTestId('broadcast-result')).toHaveAttribute('data-delivered', String(CRAWLERS));
  await expect(page.getByTestId('broadcast-result')).toContainText(`Delivered to ${CRAWLERS} crawlers`);

  // Every simulated crawler received it (each logs it) and the simulator exits once they have stopped.
  const code = await Promise.race([sim!.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
  expect(code).not.toBe('timeout');
  const told = sim!.output().split('\n').filter((l) => l.includes('console asked to shut down (graceful, 3 s): e2e maintenance window'));
  expect(told).toHaveLength(CRAWLERS);

  // The page shows them gone: nobody left to reach, every crawler disconnected.
  await expect(page.getByTestId('broadcast-reach')).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('broadcast-send')).toBeDisabled();
  await page.getByTestId('nav-crawlers').click();
  await expect(page.getByTestId('crawler-count')).toHaveText('0 connected');
  const simRows = page.locator('[data-testid="crawler-row"][data-crawler-id^="sim-"]');
  await expect(simRows).toHaveCount(CRAWLERS);
  for (const state of await simRows.getByTestId('crawler-state').allInnerTexts()) expect(state).toBe('disconnected');
});
