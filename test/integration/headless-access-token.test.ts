/**
 * The headless console's access token survives a restart: kept in the data
 * directory (owner-only), overridden by --token / CRAWL_CONSOLE_TOKEN, replaced
 * only by `crawl-console token --rotate`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_FILE, loadOrCreateToken } from '../../src/main/headless/access-token';
import { main } from '../../src/main/headless/cli';
import { type Headless, startHeadless } from '../../src/main/headless/serve';
import { createLogger } from '../../src/main/observability/logger';

let tmp: string;
let dataDir: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-token-'));
  dataDir = path.join(tmp, 'data');
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function start(extra: { token?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Headless> {
  return startHeadless({
    dataDir,
    socketPath: path.join(tmp, 'c.sock'),
    httpPort: 0,
    staticDir: null,
    env: extra.env ?? {},
    logger: createLogger({ level: 'silent' }),
    ...(extra.token !== undefined && { token: extra.token }),
  });
}

async function statusWith(h: Headless, token: string): Promise<number> {
  const res = await fetch(`${h.baseUrl}api/getStatus`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
  await res.body?.cancel();
  return res.status;
}

/** Runs the command line in-process and returns what it printed. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out, err };
}

describe('headless access token', () => {
  it('is created once, owner-only, and the same after a restart', async () => {
    const first = await start();
    expect(first.tokenSource).toBe('file');
    const file = path.join(dataDir, TOKEN_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(first.token);
    await first.stop();

    const second = await start();
    try {
      expect(second.token).toBe(first.token);
      expect(second.url).toContain(`#token=${encodeURIComponent(first.token)}`);
      expect(await statusWith(second, first.token)).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('--token and CRAWL_CONSOLE_TOKEN override the stored token without replacing it', async () => {
    const stored = loadOrCreateToken(dataDir).token;
    const byOption = await start({ token: 'from-the-option', env: { CRAWL_CONSOLE_TOKEN: 'from-env' } });
    try {
      expect(byOption.tokenSource).toBe('option');
      expect(await statusWith(byOption, 'from-the-option')).toBe(200);
      expect(await statusWith(byOption, stored)).toBe(401);
    } finally {
      await byOption.stop();
    }
    const byEnv = await start({ env: { CRAWL_CONSOLE_TOKEN: 'from-env' } });
    try {
      expect(byEnv.tokenSource).toBe('env');
      expect(await statusWith(byEnv, 'from-env')).toBe(200);
    } finally {
      await byEnv.stop();
    }
    expect(fs.readFileSync(path.join(dataDir, TOKEN_FILE), 'utf8').trim()).toBe(stored);
  });

  it('`crawl-console token` prints it; `--rotate` replaces it and the next start refuses the old one', async () => {
    const shown = await cli(['token', '--data-dir', dataDir]);
    expect(shown.code).toBe(0);
    const old = shown.out.trim();
    expect(old).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await cli(['token', '--data-dir', dataDir])).out.trim()).toBe(old);

    const rotated = await cli(['token', '--rotate', '--data-dir', dataDir]);
    expect(rotated.code).toBe(0);
    const fresh = rotated.out.trim();
    expect(fresh).not.toBe(old);
    expect(rotated.err).toContain('until it restarts');
    expect(fs.statSync(path.join(dataDir, TOKEN_FILE)).mode & 0o777).toBe(0o600);

    const h = await start();
    try {
      expect(h.token).toBe(fresh);
      expect(await statusWith(h, old)).toBe(401);
      expect(await statusWith(h, fresh)).toBe(200);
    } finally {
      await h.stop();
    }
  });

  it('a damaged token file is a clear refusal, not a silent new token', async () => {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, TOKEN_FILE), '  \n', { mode: 0o600 });
    await expect(start()).rejects.toThrow(/empty or damaged.*token --rotate/);
    const r = await cli(['token', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: crawl-console token');
  });
});
