/**
 * Bulk by filter (issue 15) in Chromium against `crawl-console serve` as a real
 * process: thousands of failed jobs reported by a raw crawler on the Unix
 * socket; "Select all N matching" on the Jobs screen retries every failed job
 * the filter matches in one command, with the confirmation stating N and the
 * summary shown; the Errors screen retries the jobs its filter's errors name;
 * the Overview shortcuts "Retry all failed" and "Cancel all queued"; a running
 * bulk action cancelled from its progress.
 */
import { type Page, expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Peer, iso } from '../test/helpers/peer';
import { ROOT, type ServedConsole, callApi, serveConsole } from './console-process';

test.describe.configure({ mode: 'serial' });

const ACME = 2_000;
const OTHER = 500;
const DONE = 300;

let tmp: string;
let served: ServedConsole;
let peer: Peer | undefined;
const bulkCalls: string[] = [];

const SHOTS = path.join(ROOT, 'docs', 'screenshots');

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: null });
}

const call = <T>(name: string, input: unknown = {}): Promise<T> => callApi<T>(served, name, input);
const total = async (query: Record<string, unknown>) => (await call<{ total: number }>('listJobs', { ...query, limit: 1 })).total;

async function open(page: Page, view: string): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  // Every command the page sends is recorded: a bulk action must be one applyBulk, not a call per job.
  page.on('request', (r) => {
    const m = /\/api\/(\w+)$/.exec(r.url());
    if (m && r.method() === 'POST' && ['applyBulk', 'retryJob', 'cancelJob', 'setJobPriority'].includes(m[1]!)) bulkCalls.push(m[1]!);
  });
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await page.getByTestId(`nav-${view}`).click();
}

test.beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-bulk-'));
  served = await serveConsole(['--http-port', '0', '--data-dir', path.join(tmp, 'data'), '--socket', path.join(tmp, 'console.sock')]);
  // A raw crawler (the one researchers run says no hello) reports jobs the console adopts: thousands fail, some complete.
  peer = await Peer.connect(served.socketPath);
  const fail = (id: string) => ({ type: 'job_failed', timestamp: iso(), job_id: id, data: { error: `HTTP 404 on ${id}`, error_type: 'not_found', is_recoverable: false } });
  const lines: string[] = [];
  for (let i = 0; i < ACME; i++) lines.push(JSON.stringify(fail(`acme-${String(i).padStart(5, '0')}`)));
  for (let i = 0; i < OTHER; i++) lines.push(JSON.stringify(fail(`other-${String(i).padStart(5, '0')}`)));
  for (let i = 0; i < DONE; i++) {
    lines.push(JSON.stringify({ type: 'job_completed', timestamp: iso(), job_id: `acme-done-${i}`, data: { success: true, final_counts: { issues: 1 } } }));
  }
  peer.write(lines.join('\n') + '\n');
  await expect.poll(() => total({ status: ['failed'] }), { timeout: 120_000 }).toBe(ACME + OTHER);
  await expect.poll(() => total({ status: ['completed'] }), { timeout: 60_000 }).toBe(DONE);
});

test.afterAll(async () => {
  peer?.destroy();
  expect(await served?.stop()).toBe(0);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('Jobs: select all N matching, retry every failed job the filter matches in one command, the summary says what was done', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page, 'jobs');
  await page.getByTestId('filter-status-failed').click();
  await page.getByTestId('filter-text').fill('acme');
  await expect(page.getByTestId('jobs-total')).toHaveText(/^2,000 jobs/);

  // Gmail: tick the rows in view, then widen the selection to everything the filter matches.
  await page.getByTestId('select-all').check();
  const link = page.getByTestId('select-all-matching');
  await expect(link).toHaveText('Select all 2,000 matching');
  await link.click();
  await expect(page.getByTestId('selection-count')).toHaveText('All 2,000 jobs matching these filters are selected.');

  await page.getByTestId('bulk-retry').click();
  const dialog = page.getByTestId('bulk-dialog');
  await expect(dialog.getByTestId('bulk-matched')).toHaveText('2,000 jobs');
  await expect(dialog.getByTestId('bulk-statement')).toContainText('status failed');
  await expect(dialog.getByTestId('bulk-statement')).toContainText('text “acme”');
  await expect(dialog.getByTestId('confirm')).toHaveText('Retry 2,000 jobs');
  await shoot(page, 'bulk-confirm');
  await dialog.getByTestId('confirm').click();

  const summary = page.getByTestId('bulk-filter-summary');
  await expect(summary.getByTestId('bulk-done')).toHaveText('2,000 jobs queued again', { timeout: 120_000 });
  await expect(summary).toContainText('of 2,000 jobs confirmed');
  expect(bulkCalls).toEqual(['applyBulk']);
  // The table follows (one bulk_applied event, then the rows on screen are read again): no failed acme job is left.
  await expect(page.getByTestId('jobs-total')).toHaveText(/^0 jobs/);
  expect(await total({ status: ['queued'], text: 'acme' })).toBe(ACME);
  expect(await total({ status: ['failed'] })).toBe(OTHER);
  await expect(page.getByTestId('selection-count')).toHaveText('No job selected');
  await shoot(page, 'bulk-summary');
});

test('Errors: select all matching errors and retry their jobs; skipped jobs are counted by reason', async ({ page }) => {
  await open(page, 'errors');
  await page.getByTestId('filter-category').selectOption('job_processing');
  await page.getByTestId('errors-select-all').click();
  await expect(page.getByTestId('errors-selection-count')).toContainText('errors matching these filters are selected');
  await page.getByTestId('errors-bulk-retry').click();
  const dialog = page.getByTestId('bulk-dialog');
  // Each failure recorded one error naming its job: 2,500 jobs, of which the 2,000 acme ones are queued already.
  await expect(dialog.getByTestId('bulk-matched')).toHaveText('2,500 jobs');
  await expect(dialog.getByTestId('bulk-forecast')).toContainText('2,000 of them are neither failed nor cancelled');
  await dialog.getByTestId('confirm').click();
  const summary = page.getByTestId('bulk-filter-summary');
  await expect(summary.getByTestId('bulk-done')).toHaveText('500 jobs queued again, 2,000 skipped', { timeout: 60_000 });
  await expect(summary.getByTestId('bulk-skipped')).toHaveText('2,000 still queued');
  expect(await total({ status: ['failed'] })).toBe(0);
});

test('Overview: "Retry all failed" and "Cancel all queued" confirm N and show the summary', async ({ page }) => {
  // Some failed again, so both shortcuts have work.
  const lines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ type: 'job_failed', timestamp: iso(), job_id: `late-${i}`, data: { error: 'HTTP 500', error_type: 'http', is_recoverable: false } }),
  );
  peer!.write(lines.join('\n') + '\n');
  await expect.poll(() => total({ status: ['failed'] })).toBe(40);
  const queued = await total({ status: ['queued'] });

  await open(page, 'overview');
  const card = page.getByTestId('bulk-shortcuts');
  await expect(card.getByTestId('retry-all-failed')).toHaveText('Retry all failed (40)…');
  await card.getByTestId('retry-all-failed').click();
  let dialog = page.getByTestId('bulk-dialog');
  await expect(dialog.getByTestId('bulk-matched')).toHaveText('40 jobs');
  await dialog.getByTestId('confirm').click();
  await expect(card.getByTestId('bulk-done')).toHaveText('40 jobs queued again');

  const n = queued + 40;
  const label = `${n.toLocaleString('en-US')} jobs`;
  await expect(card.getByTestId('cancel-all-queued')).toHaveText(`Cancel all queued (${n.toLocaleString('en-US')})…`);
  await card.getByTestId('cancel-all-queued').click();
  dialog = page.getByTestId('bulk-dialog');
  await expect(dialog.getByTestId('bulk-matched')).toHaveText(label);
  await expect(dialog.getByTestId('confirm')).toHaveText(`Cancel ${label}`);
  await dialog.getByTestId('confirm').click();
  await expect(card.getByTestId('bulk-done')).toHaveText(`${label} cancelled`, { timeout: 60_000 });
  expect(await total({ status: ['queued'] })).toBe(0);
  expect(await total({ status: ['cancelled'] })).toBe(n);
  await expect(page.getByTestId('job-counts')).toContainText(n.toLocaleString('en-US'));
  const result = await call<{ jobs: { job_id: string }[] }>('listJobs', { status: ['cancelled'], limit: 1 });
  const detail = await call<{ events: { kind: string; reason: string | null }[] }>('getJob', { job_id: result.jobs[0]!.job_id });
  expect(detail.events.at(-1)).toMatchObject({ kind: 'cancelled' });
  expect(bulkCalls.every((c) => c === 'applyBulk')).toBe(true);
});

test('a running bulk action is cancelled from its progress: it stops between slices and the summary says how many were not reached', async ({ page }) => {
  test.setTimeout(240_000);
  // 60,000 failed jobs written straight into the console's database file (plain INSERTs, counted as the store counts
  // its inserts), as the bulk integration test seeds them: enough that the retry is still running when Cancel is clicked.
  const N = 60_000;
  const db = new Database(path.join(tmp, 'data', 'console.db'));
  try {
    db.pragma('busy_timeout = 10000');
    const insert = db.prepare(`INSERT INTO jobs (id, job_type, namespace_path, status, origin, attempts, created_at, updated_at) VALUES (?, 'crawl_project', ?, 'failed', 'operator', 1, ?, ?)`);
    db.transaction(() => {
      const at = Date.now();
      for (let i = 0; i < N; i++) insert.run(`stop-${i}`, `load/stop-${i}`, at, at);
      db.prepare(`INSERT INTO job_counts (status, job_type, origin, n) VALUES ('failed', 'crawl_project', 'operator', ?) ON CONFLICT (status, job_type, origin) DO UPDATE SET n = n + excluded.n`).run(N);
    })();
  } finally {
    db.close();
  }
  expect(await total({ status: ['failed'] })).toBe(N);

  await open(page, 'overview');
  const card = page.getByTestId('bulk-shortcuts');
  await card.getByTestId('retry-all-failed').click();
  const dialog = page.getByTestId('bulk-dialog');
  await expect(dialog.getByTestId('bulk-matched')).toHaveText('60,000 jobs');
  await dialog.getByTestId('confirm').click();
  const cancel = dialog.getByTestId('bulk-cancel');
  await expect(cancel).toHaveText('Cancel bulk action');
  await cancel.click();

  const stopped = card.getByTestId('bulk-stopped');
  await expect(stopped).toHaveText(/^cancelled: [\d,]+ not reached$/, { timeout: 120_000 });
  const notReached = Number((await stopped.textContent())!.replace(/\D/g, ''));
  const doneText = (await card.getByTestId('bulk-done').textContent())!;
  const done = Number(/^([\d,]+) jobs? queued again/.exec(doneText)![1]!.replace(/,/g, ''));
  expect(notReached).toBeGreaterThan(0);
  expect(done + notReached).toBe(N);
  await expect(card).toContainText(`of ${N.toLocaleString('en-US')} jobs confirmed`);
  // What the summary says is what the database holds: the jobs not reached are still failed, none half-changed.
  expect(await total({ status: ['failed'] })).toBe(notReached);
  expect(await total({ status: ['queued'] })).toBe(done);
  await expect(dialog).toHaveCount(0);
  expect(bulkCalls.every((c) => c === 'applyBulk')).toBe(true);
});
