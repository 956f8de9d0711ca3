// The whole suite, in the order a failure is cheapest to read: types, lint,
// build, unit and integration tests (vitest), then browser tests (Playwright)
// when the suite has them. Prints one closing line: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBrowser } from './browser.mjs';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
fs.mkdirSync('.tmp', { recursive: true });

const run = (title, cmd, args, env = {}) => {
  console.log(`\n▶ ${title}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
};

const totals = { passed: 0, failed: 0, skipped: 0 };
const count = (file, read) => {
  try {
    const t = read(JSON.parse(fs.readFileSync(file, 'utf8')));
    totals.passed += t.passed;
    totals.failed += t.failed;
    totals.skipped += t.skipped;
  } catch {
    totals.failed += 1; // a runner that wrote no report failed
  }
};

let ok = true;
ok = run('typecheck (every layer)', 'node', ['scripts/typecheck.mjs']) && ok;
ok = run('lint', 'npx', ['eslint', '--max-warnings=0', '.']) && ok;
ok = run('build (electron-vite)', 'npx', ['electron-vite', 'build']) && ok;

fs.rmSync('.tmp/vitest.json', { force: true });
ok = run('unit and integration tests (vitest)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=.tmp/vitest.json']) && ok;
count('.tmp/vitest.json', (j) => ({ passed: j.numPassedTests, failed: j.numFailedTests, skipped: j.numPendingTests + (j.numTodoTests ?? 0) }));

if (fs.existsSync('playwright.config.ts')) {
  const browser = ensureBrowser();
  fs.rmSync('.tmp/playwright.json', { force: true });
  ok =
    run('browser tests (Playwright)', 'npx', ['playwright', 'test'], {
      ...(browser && { CRAWL_CONSOLE_CHROMIUM: browser }),
      PLAYWRIGHT_JSON_OUTPUT_NAME: '.tmp/playwright.json',
    }) && ok;
  count('.tmp/playwright.json', (j) => ({ passed: j.stats.expected, failed: j.stats.unexpected + j.stats.flaky, skipped: j.stats.skipped }));
}

console.log(`\n${ok ? 'All checks passed' : 'Some checks FAILED'}.`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
