/**
 * The desktop app, launched for real with Playwright's Electron support. Runs
 * wherever an Electron runtime exists; elsewhere it is skipped with the reason.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMMAND_NAMES } from '../src/shared/contract';
import { Peer, iso } from '../test/helpers/peer';
import { ROOT } from './console-process';
import { probeElectronRuntime } from './electron-runtime';

const runtime = probeElectronRuntime();
if (!runtime.ok) console.log(`[electron.spec] the desktop-app test is skipped: ${runtime.reason}`);

// Checkable without a runtime: a sandboxed preload can require nothing but 'electron' (and a few Node
// built-ins), so every other dependency (zod, the contract) must be bundled into it.
test('the built preload is one self-contained CommonJS file', () => {
  const file = path.join(ROOT, 'out', 'preload', 'index.cjs');
  expect(fs.existsSync(file), 'run npm run build first').toBe(true);
  const requires = [...fs.readFileSync(file, 'utf8').matchAll(/require\((["'])([^"']+)\1\)/g)].map((m) => m[2]);
  expect([...new Set(requires)]).toEqual(['electron']);
});

test('the desktop app shows live crawlers through the preload bridge and quits cleanly', async () => {
  test.skip(!runtime.ok, runtime.ok ? '' : runtime.reason);
  if (!runtime.ok) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-electron-'));
  const socketPath = path.join(tmp, 'console.sock');
  const app = await electron.launch({
    executablePath: runtime.bin,
    // Chromium's sandbox cannot start as root (CI containers); elsewhere it stays on.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), ROOT, '--data-dir', path.join(tmp, 'data'), '--socket', socketPath],
    env: { ...process.env, ELECTRON_RENDERER_URL: '' },
  });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');

    // The page sees the contract and nothing else: no Node, no ipcRenderer.
    const exposed = await page.evaluate(() => ({
      keys: Object.keys((globalThis as unknown as { crawlConsole: object }).crawlConsole).sort(),
      require: typeof (globalThis as unknown as { require?: unknown }).require,
      process: typeof (globalThis as unknown as { process?: unknown }).process,
    }));
    expect(exposed.keys).toEqual([...COMMAND_NAMES, 'onEvents'].sort());
    expect(exposed.require).toBe('undefined');
    expect(exposed.process).toBe('undefined');

    // A typed error crosses the bridge with its code.
    const error = await page.evaluate(() =>
      (globalThis as unknown as { crawlConsole: { getJob(i: unknown): Promise<unknown> } }).crawlConsole.getJob({}).catch((e: { code: string }) => e.code),
    );
    expect(error).toBe('invalid_input');

    // No navigation away and no new windows.
    const startUrl = page.url();
    const opened = await page.evaluate(() => {
      const g = globalThis as unknown as { open(url: string): unknown; location: { href: string } };
      // file: URLs: refused outright, and never handed to the system browser (only http(s) would be).
      const w = g.open('file:///etc/hostname');
      g.location.href = 'file:///etc/hostname';
      return w === null;
    });
    expect(opened).toBe(true);
    await page.waitForTimeout(300);
    expect(page.url()).toBe(startUrl);
    expect(app.windows()).toHaveLength(1);

    await page.getByTestId('nav-crawlers').click();
    const peer = await Peer.connect(socketPath);
    peer.send({ type: 'hello', timestamp: iso(), data: { crawler_id: 'crawler-desktop', name: 'Desktop test crawler' } });
    await expect(page.locator('[data-testid="crawler-row"][data-crawler-id="crawler-desktop"]')).toBeVisible({ timeout: 1_000 });
    peer.destroy();
  } finally {
    await app.close();
  }
  // Graceful quit: the core stopped and removed its socket before the process exited.
  expect(fs.existsSync(socketPath)).toBe(false);
  fs.rmSync(tmp, { recursive: true, force: true });
});
