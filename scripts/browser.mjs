// Finds a Chromium for the browser tests, or installs one: Debian's package
// where apt works (as on CI), Playwright's own download elsewhere. Never skips
// silently: without a browser the browser tests fail with this reason.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findBrowser() {
  const fromEnv = process.env.CRAWL_CONSOLE_CHROMIUM;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

/** Returns the path of a Chromium to use, or null when Playwright's own managed browser was installed. */
export function ensureBrowser() {
  const found = findBrowser();
  if (found) return found;
  const canApt = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('which', ['apt-get']).status === 0;
  if (canApt) {
    console.log('No Chromium found: installing Debian\'s chromium package…');
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const now = findBrowser();
    if (now) return now;
  }
  console.log('No system Chromium: installing Playwright\'s Chromium (npx playwright install chromium)…');
  const r = spawnSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('Could not find or install a Chromium for the browser tests. Install chromium, or set CRAWL_CONSOLE_CHROMIUM to its path.');
  }
  return null;
}
