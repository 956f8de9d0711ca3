/**
 * One truth per fact, in Chromium against `crawl-console serve`: the crawler
 * liveness shown is the console's own verdict (and follows changed heartbeat
 * settings), and the Overview's health neither calls an empty console healthy
 * nor hides refused connections.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Peer, iso } from '../test/helpers/peer';
import { type ServedConsole, callApi, serveConsole } from './console-process';

let tmp: string;
let served: ServedConsole;
const peers: Peer[] = [];

test.beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-truth-'));
  served = await serveConsole(['--http-port', '0', '--data-dir', path.join(tmp, 'data'), '--socket', path.join(tmp, 'console.sock')], {
    SOCKET_MAX_CONNECTIONS: '1',
  });
});
test.afterAll(async () => {
  for (const p of peers) p.destroy();
  expect(await served?.stop()).toBe(0);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const call = <T>(name: string, input: unknown = {}): Promise<T> => callApi<T>(served, name, input);

test('health is not green with no crawler and work queued; refused connections show with the limit; liveness follows the heartbeat settings', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  const { job } = await call<{ job: { job_id: string } }>('createJob', {
    job_type: 'crawl_project',
    gitlab_host: 'gitlab.example.com',
    entity_id: '42',
    access_token: 'glpat-truth-000000000000',
  });

  const crawlersCheck = page.getByTestId('health-crawlers');
  await expect(crawlersCheck).toHaveAttribute('data-ok', 'false');
  await expect(crawlersCheck).toContainText('No crawler connected');
  await expect(crawlersCheck).toContainText('1 job queued');
  await expect(page.getByTestId('health-refused')).toHaveAttribute('data-ok', 'true');
  await call('cancelJob', { job_id: job.job_id }); // the crawler below is to stay idle

  const peer = await Peer.connect(served.socketPath);
  peers.push(peer);
  peer.send({ type: 'hello', timestamp: iso(), data: { crawler_id: 'truth-1', name: 'Truth', max_concurrent_jobs: 1 } });
  peer.send({ type: 'heartbeat', timestamp: iso(), data: { activeJobs: 0, totalProcessed: 0, systemStatus: 'idle' } });
  await expect(crawlersCheck).toHaveAttribute('data-ok', 'true');
  await expect(crawlersCheck).toContainText('Crawlers heard from');

  // The limit is one connection: a second crawler is refused, and the Overview says so with the limit.
  const second = await Peer.connect(served.socketPath);
  peers.push(second);
  const refusal = await second.nextOfType('error');
  expect((refusal.data as { code: string }).code).toBe('server_full');
  const refused = page.getByTestId('health-refused');
  await expect(refused).toHaveAttribute('data-ok', 'false', { timeout: 10_000 });
  await expect(refused).toContainText('1 connection refused');
  await expect(refused).toContainText('over the limit of 1 connection');

  // The default limits (30 s / 90 s): the crawler is idle, and the page says by which limits.
  await page.getByTestId('nav-crawlers').click();
  const row = page.locator('[data-testid="crawler-row"][data-crawler-id="truth-1"]');
  await expect(row).toHaveAttribute('data-state', 'idle');
  await expect(page.getByTestId('liveness-limits')).toHaveText('Late: silent for 45 s; lost: silent for 1 min 30 s (then dropped).');

  // Tighter heartbeat settings, through the Settings screen: 1 s interval, 3 s timeout. The crawler keeps
  // beating every 500 ms meanwhile (else the new timeout would, rightly, drop it at once).
  const beat = () => peer.send({ type: 'heartbeat', timestamp: iso(), data: { activeJobs: 0, totalProcessed: 0, systemStatus: 'idle' } });
  beat();
  const beating = setInterval(beat, 500);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('config-heartbeatInterval').fill('1000');
  await page.getByTestId('config-heartbeatTimeout').fill('3000');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-result')).toContainText(/saved|applied/i);

  await page.getByTestId('nav-crawlers').click();
  await expect(page.getByTestId('liveness-limits')).toHaveText('Late: silent for 1.5 s; lost: silent for 3 s (then dropped).', { timeout: 10_000 });
  await expect(row).toHaveAttribute('data-state', 'idle');
  clearInterval(beating);
  beat();
  const heardAt = Date.now();
  // Silent now: late past 1.5 s, then lost and dropped by the server past 3 s — the page shows the console's verdicts in that order.
  await expect(row).toHaveAttribute('data-state', 'late', { timeout: 5_000 });
  expect(Date.now() - heardAt).toBeGreaterThanOrEqual(1_400);
  await expect(row.getByTestId('crawler-state')).toHaveAttribute('title', /late after 1\.5 s, lost after 3 s/);
  await expect(row).toHaveAttribute('data-state', 'lost', { timeout: 8_000 });
  await expect(row).toHaveAttribute('data-connected', 'false', { timeout: 8_000 });
  await peer.waitClosed(5_000);
});
