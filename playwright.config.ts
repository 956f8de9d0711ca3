import fs from 'node:fs';
import { defineConfig } from '@playwright/test';

// The system Chromium (scripts/browser.mjs finds or installs one and passes it
// in CRAWL_CONSOLE_CHROMIUM); without one, Playwright's own managed Chromium.
const chromium = [process.env.CRAWL_CONSOLE_CHROMIUM, '/usr/bin/chromium'].find((p): p is string => !!p && fs.existsSync(p));

export default defineConfig({
  testDir: 'e2e',
  // Each spec starts its own console; they share nothing but the machine, so keep them serial and predictable.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 5_000 },
  outputDir: '.tmp/playwright-results',
  reporter: [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? '.tmp/playwright.json' }]],
  use: {
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      ...(chromium && { executablePath: chromium }),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    { name: 'headless-console', testMatch: /headless\.spec\.ts$/ },
    { name: 'desktop-app', testMatch: /electron\.spec\.ts$/ },
    { name: 'job-screens', testMatch: /jobs\.spec\.ts$/ },
    { name: 'ops-screens', testMatch: /ops\.spec\.ts$/ },
    { name: 'operator-power', testMatch: /power\.spec\.ts$/ },
    { name: 'access', testMatch: /access\.spec\.ts$/ },
    { name: 'truth', testMatch: /truth\.spec\.ts$/ },
    { name: 'links-and-pages', testMatch: /pages\.spec\.ts$/ },
    { name: 'bulk-by-filter', testMatch: /bulk\.spec\.ts$/ },
    { name: 'trust', testMatch: /trust\.spec\.ts$/ },
    { name: 'jobs-scroll', testMatch: /scroll\.spec\.ts$/ },
    // Opt-in (CRAWL_CONSOLE_SCALE_JOBS=1000000): the Jobs screen on a big store, figures only.
    { name: 'scale', testMatch: /scale\.spec\.ts$/ },
  ],
});
