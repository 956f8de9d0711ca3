/**
 * Access that survives a restart, in Chromium against `crawl-console serve`:
 * the token kept in the data directory, a tab that reconnects by itself and
 * says plainly while it cannot, a new printed address in an open tab, and a
 * tab without a token that asks for one.
 */
import { type Page, expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Peer, iso } from '../test/helpers/peer';
import { ROOT, type ServedConsole, serveConsole } from './console-process';

let dir: string;
let running: ServedConsole[] = [];

test.beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-access-'));
  running = [];
});
test.afterEach(async () => {
  for (const s of running) await s.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });

/** Serves with this test's data directory and socket, without --token (the stored one is used). */
async function serve(port: number): Promise<ServedConsole> {
  const s = await serveConsole(['--http-port', String(port), '--data-dir', path.join(dir, 'data'), '--socket', path.join(dir, 'console.sock')], {
    CRAWL_CONSOLE_TOKEN: undefined,
  });
  running.push(s);
  return s;
}
async function stop(s: ServedConsole): Promise<void> {
  expect(await s.stop()).toBe(0);
  running = running.filter((r) => r !== s);
}

const expectConnected = (page: Page) => expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open', { timeout: 20_000 });

test('a restart with the same data directory keeps the token; the open tab shows it is stale, then reconnects by itself', async ({ page }) => {
  const port = await freePort();
  const first = await serve(port);
  await page.goto(first.url);
  await expectConnected(page);

  // Something live on screen: a crawler whose heartbeat age ticks.
  const peer = await Peer.connect(first.socketPath);
  peer.send({ type: 'hello', timestamp: iso(), data: { crawler_id: 'stale-check', name: 'Stale check', max_concurrent_jobs: 1 } });
  peer.send({ type: 'heartbeat', timestamp: iso(), data: { activeJobs: 0, totalProcessed: 1, systemStatus: 'idle' } });
  await page.getByTestId('nav-crawlers').click();
  const row = page.locator('[data-testid="crawler-row"][data-crawler-id="stale-check"]');
  await expect(row).toBeVisible();

  await stop(first);
  peer.destroy();

  // Unreachable: said plainly, data marked stale, ages stand still, actions off.
  await expect(page.getByTestId('stale-banner')).toContainText('cannot be reached', { timeout: 10_000 });
  await expect(page.getByTestId('main')).toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId('connection-status')).not.toHaveAttribute('data-state', 'open');
  const age = row.getByTestId('heartbeat-age');
  const frozen = await age.innerText();
  await page.waitForTimeout(2_200);
  expect(await age.innerText()).toBe(frozen);
  await page.getByTestId('nav-broadcast').click();
  await expect(page.getByTestId('broadcast-send')).toBeDisabled();
  await expect(page.getByRole('textbox').first()).toBeDisabled();
  await page.screenshot({ path: path.join(ROOT, '.tmp', 'stale-page.png') });

  // Back with the same data directory: no --token, yet the tab is let in again without being touched.
  const second = await serve(port);
  expect(second.token).toBe(first.token);
  await expectConnected(page);
  await expect(page.getByTestId('stale-banner')).toHaveCount(0);
  await expect(page.getByTestId('main')).not.toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId('connection-refused')).toHaveCount(0);
});

test('after `token --rotate` the open tab is refused, and the new printed address opened in the same tab lets it in', async ({ page }) => {
  const port = await freePort();
  const first = await serve(port);
  await page.goto(first.url);
  await expectConnected(page);
  await stop(first);

  const rotate = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'crawl-console.js'), 'token', '--rotate', '--data-dir', path.join(dir, 'data')], {
    encoding: 'utf8',
  });
  expect(rotate.status).toBe(0);
  const second = await serve(port);
  expect(second.token).toBe(rotate.stdout.trim());
  expect(second.token).not.toBe(first.token);

  // The old token is refused: the page says why and offers a field, not a dead end.
  await expect(page.getByTestId('connection-refused')).toContainText('refused this page’s token', { timeout: 40_000 });
  await expect(page.getByTestId('token-input')).toBeVisible();

  // The same tab, the new address: only the fragment differs, yet the page takes the new token.
  await page.goto(second.url);
  await expectConnected(page);
  await expect(page.getByTestId('connection-refused')).toHaveCount(0);
  await expect.poll(() => page.url()).not.toContain('token=');
});

test('a tab without a token asks for the address or the token, says what is wrong with a bad one, and connects with a good one', async ({ page }) => {
  const served = await serve(await freePort());
  await page.goto(served.baseUrl);
  await expect(page.getByTestId('no-token')).toBeVisible();
  const input = page.getByTestId('token-input');
  await input.fill('http://127.0.0.1:7420/');
  await input.press('Enter');
  await expect(page.getByTestId('token-entry').getByRole('alert')).toContainText('neither the address the console printed');

  await input.fill(`  ${served.url}  `);
  await page.getByTestId('token-submit').click();
  await expectConnected(page);
  await page.reload();
  await expectConnected(page);

  // The token alone works too (as `crawl-console token` prints it).
  const other = await page.context().newPage();
  await other.goto(served.baseUrl);
  await other.getByTestId('token-input').fill(served.token);
  await other.getByTestId('token-input').press('Enter');
  await expectConnected(other);
});
