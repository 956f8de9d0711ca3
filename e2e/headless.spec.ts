/**
 * The headless console in Chromium, end to end: `crawl-console serve` as a real
 * process, a real crawler on its Unix socket, the built renderer in the page.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Peer, iso } from '../test/helpers/peer';
import { ROOT, type ServedConsole, serveConsole } from './console-process';

let tmp: string;
let served: ServedConsole;
const peers: Peer[] = [];

test.beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-'));
  served = await serveConsole(['--http-port', '0', '--data-dir', path.join(tmp, 'data'), '--socket', path.join(tmp, 'console.sock')]);
});

test.afterAll(async () => {
  for (const p of peers) p.destroy();
  const code = await served?.stop();
  // SIGTERM stops it cleanly: exit 0, and it says so.
  expect(code).toBe(0);
  expect(served.output()).toContain('Stopped.');
  expect(fs.existsSync(served.socketPath)).toBe(false);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const ageSeconds = (text: string): number => {
  const m = /^(?:(\d+) min )?(\d+) s/.exec(text.trim());
  if (!m) throw new Error(`unexpected age text: ${text}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]);
};

test('a crawler that connects appears within a second, and its heartbeat age ticks', async ({ page }) => {
  await page.goto(served.url);
  // The token is kept for the tab and taken out of the address bar.
  await expect.poll(() => page.url()).not.toContain('token=');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await expect(page.getByTestId('connection-status')).toHaveText(/Connected/);
  // The Overview opens first; crawlers have their own screen.
  await page.getByTestId('nav-crawlers').click();

  // Empty state: tells the person where to point a crawler.
  await expect(page.getByTestId('crawlers-empty')).toBeVisible();
  await expect(page.getByTestId('socket-path')).toHaveText(served.socketPath);

  const peer = await Peer.connect(served.socketPath);
  peers.push(peer);
  const sentAt = Date.now();
  peer.send({ type: 'hello', timestamp: iso(), data: { crawler_id: 'crawler-e2e', name: 'E2E crawler', version: '2.1.0', max_concurrent_jobs: 3 } });
  peer.send({ type: 'heartbeat', timestamp: iso(), data: { activeJobs: 0, totalProcessed: 1200, systemStatus: 'idle' } });
  const row = page.locator('[data-testid="crawler-row"][data-crawler-id="crawler-e2e"]');
  await expect(row).toBeVisible({ timeout: 1_000 });
  const appearedAfter = Date.now() - sentAt;
  console.log(`[measure] crawler row visible ${appearedAfter} ms after its hello`);
  expect(appearedAfter).toBeLessThan(1_000);
  await expect(row).toContainText('E2E crawler');
  await expect(row).toContainText('crawler'); // spelling
  await expect(row).toContainText('Unix socket');

  // The age ticks every second with no new message from the crawler.
  const age = row.getByTestId('heartbeat-age');
  const first = ageSeconds(await age.innerText());
  await expect.poll(async () => ageSeconds(await age.innerText()), { timeout: 4_000 }).toBeGreaterThanOrEqual(first + 2);

  // A second crawler in the documented spelling, without hello, for the picture.
  const other = await Peer.connect(served.socketPath);
  peers.push(other);
  other.send({ type: 'heartbeat', timestamp: iso(), data: { active_jobs: 1, last_activity: iso(), system_status: 'crawling' } });
  await expect(page.getByTestId('crawler-row')).toHaveCount(2);
  await expect(page.getByTestId('crawler-count')).toHaveText('2 connected');

  fs.mkdirSync(path.join(ROOT, 'docs', 'screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', 'first-screen.png') });

  // A fresh heartbeat resets the age.
  await expect.poll(async () => ageSeconds(await age.innerText()), { timeout: 3_000 }).toBeGreaterThanOrEqual(3);
  peer.send({ type: 'heartbeat', timestamp: iso(), data: { activeJobs: 0, totalProcessed: 1300, systemStatus: 'idle' } });
  await expect.poll(async () => ageSeconds(await age.innerText()), { timeout: 2_000 }).toBeLessThanOrEqual(1);

  // Gone when it disconnects (still listed, as disconnected).
  await other.close();
  await expect(page.locator('[data-testid="crawler-row"][data-connected="true"]')).toHaveCount(1);
  await expect(page.getByTestId('crawler-count')).toHaveText('1 connected');
});

test('the page keeps working after a reload (token from the tab session) and its screens say what to do when empty', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByRole('heading', { level: 1, name: /^Jobs/ })).toBeVisible();
  await expect(page.getByTestId('jobs-empty')).toContainText('No jobs yet');
  // The navigation is links (each screen has an address), not buttons.
  await page.getByRole('link', { name: 'Crawlers' }).click();
  await expect(page.getByRole('link', { name: 'Crawlers' })).toHaveAttribute('aria-current', 'page');
});

test('without the token the page says what to open, and a wrong token is refused', async ({ page, browser }) => {
  await page.goto(served.baseUrl);
  await expect(page.getByTestId('no-token')).toContainText('#token=');

  const wrong = await browser.newPage();
  await wrong.goto(`${served.baseUrl}#token=not-the-token`);
  await expect(wrong.getByTestId('connection-status')).toHaveAttribute('data-state', 'closed', { timeout: 10_000 });
  await expect(wrong.getByRole('alert')).toContainText('refused this page’s token');
  await wrong.close();
});

test('the page runs under its Content-Security-Policy without violations', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const response = await page.goto(served.url);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  expect(violations).toEqual([]);
});

test('the indicator shows the console going away and coming back', async ({ page }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-restart-'));
  const args = ['--data-dir', path.join(dir, 'data'), '--socket', path.join(dir, 'console.sock'), '--token', 'restart-test-token-0123456789'];
  let first: ServedConsole | null = await serveConsole([...args, '--http-port', '0']);
  let second: ServedConsole | null = null;
  try {
    const port = new URL(first.baseUrl).port;
    await page.goto(first.url);
    const indicator = page.getByTestId('connection-status');
    await expect(indicator).toHaveAttribute('data-state', 'open');
    expect(await first.stop()).toBe(0);
    first = null;
    await expect(indicator).toHaveText(/Reconnecting/, { timeout: 10_000 });
    second = await serveConsole([...args, '--http-port', port]);
    await expect(indicator).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
    await expect(indicator).toHaveText(/Connected/);
  } finally {
    await first?.stop();
    await second?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
