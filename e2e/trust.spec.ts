/**
 * Screens an operator can trust (issue 13), in Chromium against `crawl-console serve`:
 * a finished job's detail shows its outcome (not a leftover error, stage or resume
 * promise), its credential by label, its history in order, and contradictory crawler
 * figures with a warning; a selection is cleared when its rows are filtered away;
 * the Crawlers table fits 1440 px; the whole assign → watch → cancel task by keyboard alone.
 */
import { type Page, expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatDuration } from '../src/renderer/components/format';
import { Peer, iso } from '../test/helpers/peer';
import { type ServedConsole, callApi, serveConsole } from './console-process';

let tmp: string;
let served: ServedConsole;
const peers: Peer[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-trust-'));
  served = await serveConsole(['--http-port', '0', '--data-dir', path.join(tmp, 'data'), '--socket', path.join(tmp, 'console.sock')]);
  await call('updateConfig', { retryDelay: 200 });
});
test.afterAll(async () => {
  for (const p of peers) p.destroy();
  expect(await served?.stop()).toBe(0);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const call = <T>(name: string, input: unknown = {}): Promise<T> => callApi<T>(served, name, input);

interface JobDto {
  job_id: string;
  status: string;
  credential_id: string | null;
  started_at: number | null;
  finished_at: number | null;
}

async function crawler(id: string, maxJobs = 1): Promise<Peer> {
  const peer = await Peer.connect(served.socketPath);
  peers.push(peer);
  peer.send({ type: 'hello', timestamp: iso(), data: { crawler_id: id, name: id, max_concurrent_jobs: maxJobs } });
  peer.send({ type: 'heartbeat', timestamp: iso(), data: { activeJobs: 0, totalProcessed: 0, systemStatus: 'idle' } });
  await expect
    .poll(async () => (await call<{ crawlers: { crawler_id: string }[] }>('listCrawlers', { include_disconnected: false })).crawlers.map((c) => c.crawler_id))
    .toContain(id);
  return peer;
}

const jobOf = async (id: string) => (await call<{ job: JobDto }>('getJob', { job_id: id })).job;

test('a finished job shows its outcome: no leftover error, stage or resume promise; credential by label; history in order; contradictory figures warned', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  const peer = await crawler('trust-finisher');
  const { job } = await call<{ job: JobDto }>('createJob', {
    job_type: 'crawl_project',
    gitlab_host: 'gitlab.example.com',
    entity_id: '77',
    access_token: 'glpat-trust-finished-0001',
    credential_label: 'research bot',
    crawler_id: 'trust-finisher',
  });
  const id = job.job_id;
  expect(job.credential_id).toMatch(/^[0-9a-f-]{36}$/);

  // Attempt 1: fails (recoverable) with a resume state; the console schedules a retry.
  await peer.nextOfType('job_assignment');
  peer.send({ type: 'job_started', timestamp: iso(), job_id: id, data: { job_type: 'crawl_project', entity_id: '77' } });
  peer.send({ type: 'job_failed', timestamp: iso(), job_id: id, data: { error: 'HTTP 502 from GitLab', is_recoverable: true, resume_state: { current_page: 3 } } });

  // Attempt 2: resumes at stage "fetching"; the crawler says 99 % with 608 of 1,168 items, then completes without final counts.
  await peer.nextOfType('job_assignment', 10_000);
  peer.send({ type: 'job_started', timestamp: iso(), job_id: id, data: { job_type: 'crawl_project', entity_id: '77' } });
  peer.send({ type: 'job_progress', timestamp: iso(), jobId: id, data: { stage: 'fetching', entityType: 'issue', processed: 100, total: 1168 } });
  await expect.poll(async () => (await call<{ job: { stage: string | null } }>('getJob', { job_id: id })).job.stage).toBe('fetching');
  // time_elapsed: the crawler's own figure (an hour), which the page must not take over the job's timestamps.
  peer.send({
    type: 'job_progress',
    timestamp: iso(),
    job_id: id,
    data: { progress: [{ entity_type: 'issue', total_discovered: 1168, total_processed: 608 }], overall_completion: 0.99, time_elapsed: 3_600_000 },
  });
  await expect
    .poll(async () => (await call<{ progress: { total_processed: number | null }[] }>('getJob', { job_id: id })).progress.map((p) => p.total_processed))
    .toEqual([608]);
  peer.send({ type: 'job_completed', timestamp: iso(), job_id: id, data: { success: true } });
  await expect.poll(async () => (await jobOf(id)).status, { timeout: 10_000 }).toBe('completed');
  const done = await jobOf(id);

  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await page.getByTestId('nav-jobs').click();
  await page.locator(`[data-job-id="${id}"]`).getByTestId('row-open').click();
  const detail = page.getByTestId('job-detail');
  await expect(detail).toHaveAttribute('data-job-id', id);

  // The outcome, not the first attempt's error; no stage, no "next attempt resumes".
  await expect(page.getByTestId('job-outcome')).toHaveAttribute('data-status', 'completed');
  await expect(page.getByTestId('job-outcome')).toContainText('Completed on trust-finisher');
  await expect(page.getByTestId('job-outcome')).toContainText('after 1 failed attempt (their errors are in the history)');
  await expect(page.getByTestId('job-last-error')).toHaveCount(0);
  await expect(page.getByTestId('job-stage')).toHaveCount(0);
  await expect(detail).not.toContainText('Stage');
  await expect(detail).not.toContainText('next attempt resumes');
  await expect(page.getByTestId('job-resume-note')).toHaveText('Where the crawler was when it finished (kept for the record).');

  // The earlier attempt's error stays in the history and the error list.
  const history = page.getByTestId('history-entry');
  await expect(history.last()).toHaveAttribute('data-kind', 'completed');
  const kinds = await history.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
  expect(kinds.indexOf('retry_scheduled')).toBeGreaterThan(0);
  expect(kinds.indexOf('retry_scheduled')).toBeLessThan(kinds.indexOf('completed'));
  expect(kinds.slice(kinds.indexOf('completed') + 1)).toEqual([]);
  await expect(history.filter({ hasText: 'HTTP 502 from GitLab' })).toHaveCount(1);
  await expect(page.getByTestId('job-error').filter({ hasText: 'HTTP 502 from GitLab' })).toHaveCount(1);

  // The credential by its label, never its id.
  await expect(page.getByTestId('job-credential')).toHaveText(/^research bot \(gitlab\.example\.com, ••••0001\)$/);
  await expect(detail).not.toContainText(done.credential_id!);

  // The crawler's contradictory figures, with a warning; elapsed from the job's own timestamps.
  await expect(page.getByTestId('job-figures-warning')).toContainText('608 of 1,168 items is 52.1%');
  await expect(page.getByTestId('job-processed')).toHaveText('608 of 1,168 items');
  expect(done.finished_at! - done.started_at!).toBeLessThan(60_000);
  await expect(page.getByTestId('job-elapsed')).toHaveText(formatDuration(done.finished_at! - done.started_at!));
  peer.destroy(); // the later tests want their queued jobs to stay queued
});

test('a selection is cleared when the rows it named are filtered away (by a state change under a filter, or a new filter)', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const ids: string[] = [];
  for (const entity of ['501', '502', '503']) {
    const { job } = await call<{ job: JobDto }>('createJob', { job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: entity, access_token: 'glpat-trust-selection-01' });
    ids.push(job.job_id);
  }
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await page.getByTestId('nav-jobs').click();
  await page.getByTestId('filter-status-queued').check();
  const row = (id: string) => page.locator(`[data-job-id="${id}"]`);
  for (const id of ids) await row(id).getByTestId('row-select').check();
  await expect(page.getByTestId('selection-count')).toHaveText('3 selected');

  // One of them leaves the "queued" filter (cancelled elsewhere): it leaves the selection with its row.
  await call('cancelJob', { job_id: ids[0] });
  await expect(row(ids[0]!)).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByTestId('selection-count')).toHaveText('2 selected');
  await page.getByTestId('action-cancel').click();
  await expect(page.getByTestId('confirm-cancel')).toContainText('Cancel 2 jobs?');
  await page.keyboard.press('Escape');

  // A new filter that hides the selected rows clears the selection.
  await page.getByTestId('filter-text').fill('503');
  await expect(row(ids[1]!)).toHaveCount(0);
  await expect(page.getByTestId('selection-count')).toHaveText('No job selected');
  await expect(page.getByTestId('action-cancel')).toBeDisabled();
  for (const id of ids.slice(1)) await call('cancelJob', { job_id: id }); // the next test's crawler starts with nothing queued
});

/** The data-testid of the focused element (or its tag), as the page sees it. */
const focused = async (page: Page): Promise<string | null> =>
  (await page.locator(':focus').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? e.tagName.toLowerCase())))[0] ?? null;

/** Presses Tab (Shift+Tab backwards) until the control with this test id has focus: the keyboard's way there. */
async function tabTo(page: Page, testId: string, backwards = false, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)) === testId) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${testId} never took focus by Tab (now on ${await focused(page)})`);
}

test('the whole assign → watch → cancel task by keyboard alone; dialogs trap focus and give it back', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const peer = await crawler('kbd-1');
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');

  // Assign: to the screen, submit empty (focus lands on the first field to fix), fill, submit.
  await tabTo(page, 'nav-assign');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('assign-form')).toBeVisible();
  await tabTo(page, 'assign-submit');
  await page.keyboard.press('Enter');
  await expect.poll(() => focused(page)).toBe('assign-host');
  await page.keyboard.type('gitlab.example.com');
  await tabTo(page, 'assign-entity');
  await page.keyboard.type('901');
  await tabTo(page, 'assign-credential-select');
  await page.keyboard.press('ArrowDown'); // the first saved credential for the host
  await expect(page.getByTestId('assign-credential-select').locator('option:checked')).toContainText('gitlab.example.com');
  await tabTo(page, 'target-queue');
  await page.keyboard.press('ArrowDown'); // the radio group's next choice: a connected crawler
  await expect(page.getByTestId('target-crawler')).toBeChecked();
  await tabTo(page, 'assign-crawler');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('assign-crawler')).toHaveValue('kbd-1');
  await tabTo(page, 'assign-submit');
  await page.keyboard.press('Enter');

  // Focus lands on the new job's link; Enter opens it.
  await expect(page.getByTestId('assign-created')).toContainText('assigned to kbd-1');
  await expect.poll(() => focused(page)).toBe('created-job-link');
  const assignment = await peer.nextOfType('job_assignment');
  const jobId = (assignment.data as { job_id: string }).job_id;
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('job-detail')).toHaveAttribute('data-job-id', jobId);

  // Watch: the crawler starts and reports half the work.
  peer.send({ type: 'job_started', timestamp: iso(), job_id: jobId, data: { job_type: 'crawl_project', entity_id: '901' } });
  peer.send({
    type: 'job_progress',
    timestamp: iso(),
    job_id: jobId,
    data: { progress: [{ entity_type: 'issue', total_discovered: 200, total_processed: 100 }], overall_completion: 0.5, time_elapsed: 1000 },
  });
  await expect(page.locator('#view-title').getByTestId('job-status')).toHaveAttribute('data-status', 'running', { timeout: 10_000 });
  await expect(page.getByTestId('job-processed')).toHaveText('100 of 200 items');

  // Cancel: the dialog traps focus (Tab and Shift+Tab stay inside), Escape gives focus back to the opener.
  await tabTo(page, 'action-cancel');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('alertdialog', { name: 'Cancel this job?' });
  await expect(dialog).toBeVisible();
  const inDialog = async () => (await page.locator('dialog[open] :focus').count()) === 1;
  expect(await inDialog()).toBe(true);
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    expect(await inDialog()).toBe(true);
  }
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await inDialog()).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect.poll(() => focused(page)).toBe('action-cancel');

  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await tabTo(page, 'cancel-reason');
  await page.keyboard.type('keyboard test');
  await tabTo(page, 'confirm-cancel-button');
  await page.keyboard.press('Enter');
  const cancel = await peer.nextOfType('job_cancel');
  expect((cancel.data as { job_id?: string }).job_id ?? cancel.job_id).toBe(jobId);
  await expect(page.getByTestId('job-outcome')).toHaveAttribute('data-status', 'cancelled');
  await expect(dialog).toBeHidden();
  // The opener is disabled now (the job is cancelled): focus lands on the screen's heading, not on nothing.
  await expect.poll(async () => (await page.locator(':focus').evaluateAll((els) => els.map((e) => e.id)))[0]).toBe('view-title');
  await expect(page.getByTestId('history-entry').last()).toContainText('keyboard test');
});

test('the Crawlers table fits 1440 px: no sideways scrolling, no clipped header', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  for (const id of ['copilot-study-crawler-7f3a9c2e41b0', 'gitlab-research-node-02.lab.example.org']) {
    const peer = await crawler(id, 4);
    peer.send({
      type: 'heartbeat',
      timestamp: iso(),
      data: { activeJobs: 0, totalProcessed: 1_234_567, systemStatus: 'idle', memoryUsage: { rss: 512 * 1024 * 1024, heapUsed: 1 }, uptime: 98_765 },
    });
  }
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await page.getByTestId('nav-crawlers').click();
  await expect(page.getByTestId('crawler-row').first()).toBeVisible();
  await expect(page.locator('[data-testid="crawler-row"][data-connected="true"][data-crawler-id^="gitlab-research"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="crawler-row"][data-connected="true"][data-crawler-id^="copilot-study"]')).toHaveCount(1);
  const fit = await page.getByTestId('crawler-table').evaluate((table) => {
    const scroller = table.parentElement!;
    const doc = table.ownerDocument;
    const main = doc.querySelector('main') ?? doc.documentElement;
    const clipped = [...table.querySelectorAll('th')].filter((th) => th.scrollWidth > th.clientWidth + 1).map((th) => th.textContent);
    return {
      scrollWidth: scroller.scrollWidth,
      clientWidth: scroller.clientWidth,
      mainScroll: main.scrollWidth - main.clientWidth,
      pageScroll: doc.documentElement.scrollWidth - doc.documentElement.clientWidth,
      clipped,
    };
  });
  console.log(`Crawlers table at 1440 px: scrollWidth ${fit.scrollWidth}, clientWidth ${fit.clientWidth}`);
  expect(fit.scrollWidth).toBeLessThanOrEqual(fit.clientWidth);
  expect(fit.pageScroll).toBeLessThanOrEqual(0);
  expect(fit.clipped).toEqual([]);
  // Every row's actions stay reachable and readable.
  for (const b of await page.getByTestId('crawler-row').first().getByRole('button').all()) {
    expect(await b.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
  }
});

test('the keychain notice can be dismissed (and stays dismissed); the page has a favicon', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  const notice = page.getByTestId('token-storage-note');
  await expect(notice).toBeVisible();
  await expect(notice).not.toContainText('`');
  await notice.getByRole('button', { name: 'Dismiss this notice' }).click();
  await expect(notice).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await expect(page.getByTestId('nav-overview')).toBeVisible();
  await expect(notice).toHaveCount(0);
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  expect(icon).toBeTruthy();
  expect((await page.request.get(new URL(icon!, served.baseUrl).href)).status()).toBe(200);
});
