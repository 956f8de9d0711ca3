/**
 * The Jobs table's scaled scroll range, in Chromium (issue 14): past a cap on
 * the body's height the scrollTop maps onto the rows proportionally, so that
 * all of a million rows are reachable (Chromium lays out no element taller
 * than about 33.5 million px: 838,000 rows of 40 px). A million-job store takes
 * minutes to build (e2e/scale.spec.ts, opt-in), so here the test lowers the cap
 * before the page loads (a number the page reads once; it can only lower it)
 * and a store of a few thousand jobs is taller than it, scaled about 7 to 1.
 *
 * Reaches the last job by the scrollbar, the wheel and the keyboard, jumps to
 * the middle (a page fetched by offset), and comes back to the top.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { type ServedConsole, callApi, serveConsole } from './console-process';
import { discover, parentsFor } from './discover';

const JOBS = 3_000;
const SHOWN = JOBS + parentsFor(JOBS);
/** 500 rows of 40 px: the table is 120,000 px at full size. */
const CAP = 20_000;
const ROW = 40;
const HEADER = 38;

let served: ServedConsole;
let tmp: string;

test.beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-scroll-'));
  served = await serveConsole(['--http-port', '0', '--data-dir', path.join(tmp, 'data'), '--socket', path.join(tmp, 'console.sock')]);
  await discover(served.socketPath, JOBS);
});

test.afterAll(async () => {
  expect(await served?.stop()).toBe(0);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** The job id at a row of the table's default order (newest first), as the store answers it. */
async function jobAt(offset: number): Promise<string> {
  const res = await callApi<{ jobs: { job_id: string }[] }>(served, 'listJobs', { sort: 'created_at', dir: 'desc', offset, limit: 1 });
  return res.jobs[0]!.job_id;
}

/** Where a row is in the grid's viewport: its top below the header's bottom and its bottom above the viewport's bottom (px). */
function placeOf(page: Page, jobId: string): Promise<{ belowHeader: number; aboveBottom: number }> {
  return page.getByTestId('jobs-grid').evaluate(
    (grid, [id, header]) => {
      const row = grid.querySelector(`[data-job-id="${id}"]`)!.getBoundingClientRect();
      const top = grid.getBoundingClientRect().top + grid.clientTop;
      const r2 = (x: number) => Math.round(x * 100) / 100;
      return { belowHeader: r2(row.top - (top + header)), aboveBottom: r2(top + grid.clientHeight - row.bottom) };
    },
    [jobId, HEADER] as const,
  );
}

/** The data-index of the focused row (the page's document; the test runs without DOM types). */
const focusedIndex = (page: Page): Promise<number> => page.evaluate('Number(document.activeElement?.dataset.index ?? -1)');

test('every row of a table taller than the cap is reachable: scrollbar, wheel, keyboard, a jump, and back', async ({ page }) => {
  test.setTimeout(120_000);
  await page.addInitScript((cap) => {
    (globalThis as { __crawlConsoleMaxBodyHeight?: number }).__crawlConsoleMaxBodyHeight = cap;
  }, CAP);
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('jobs-total')).toHaveText(new RegExp(`^${SHOWN.toLocaleString('en')} jobs`));
  const grid = page.getByTestId('jobs-grid');
  const row = (id: string) => page.locator(`[data-job-id="${id}"]`);
  const [first, last, middle] = await Promise.all([jobAt(0), jobAt(SHOWN - 1), jobAt(Math.floor(SHOWN / 2))]);

  // Scaled: the body is no taller than the cap, though the rows are 120,000 px.
  const scrollHeight = await grid.evaluate((el) => el.scrollHeight);
  expect(scrollHeight).toBeLessThanOrEqual(CAP + HEADER + 1);
  expect(SHOWN * ROW).toBeGreaterThan(scrollHeight * 5);

  // The scrollbar to the end: the last job, fully shown, flush with the bottom.
  await grid.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(row(last)).toBeVisible();
  await expect(row(last)).toHaveAttribute('aria-rowindex', String(SHOWN + 1));
  expect(Math.abs((await placeOf(page, last)).aboveBottom)).toBeLessThanOrEqual(1);

  // The wheel moves the rows by its own delta (not 7 times as far): 400 px up puts the row 10 above the last at the bottom.
  await grid.hover();
  await page.mouse.wheel(0, -400);
  const tenUp = await jobAt(SHOWN - 11);
  await expect(row(tenUp)).toBeVisible();
  await expect.poll(async () => Math.round((await placeOf(page, tenUp)).aboveBottom)).toBe(0);
  await page.mouse.wheel(0, 10_000);
  await expect.poll(async () => Math.abs((await placeOf(page, last)).aboveBottom)).toBeLessThanOrEqual(1);

  // A jump (a scrollbar drag) to the middle: rows fetched by offset, in the store's order.
  await grid.evaluate((el) => {
    el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
  });
  await expect(row(middle)).toBeVisible();
  const shownIndex = Number(await row(middle).getAttribute('data-index'));
  expect(shownIndex).toBe(Math.floor(SHOWN / 2));

  // The keyboard: Home, End, Page Up and arrows move the focused row and keep it in view.
  await row(middle).focus();
  await page.keyboard.press('Home');
  await expect(row(first)).toBeFocused();
  expect((await placeOf(page, first)).belowHeader).toBe(0);
  await page.keyboard.press('End');
  await expect(row(last)).toBeFocused();
  expect(Math.abs((await placeOf(page, last)).aboveBottom)).toBeLessThanOrEqual(1);
  await page.keyboard.press('PageUp');
  const paged = await focusedIndex(page);
  expect(paged).toBeLessThan(SHOWN - 1);
  expect(paged).toBeGreaterThan(SHOWN - 30);
  await page.keyboard.press('ArrowDown');
  expect(await focusedIndex(page)).toBe(paged + 1);

  // Back to the top by the scrollbar: the first job right under the header.
  await grid.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(row(first)).toBeVisible();
  expect((await placeOf(page, first)).belowHeader).toBe(0);
  await expect(row(first)).toHaveAttribute('aria-rowindex', '2');

  // And the way back from a detail keeps the place (the exact offset, not the rounded scrollTop).
  await grid.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(row(last)).toBeVisible();
  await row(last).getByTestId('row-open').click();
  await expect(page.getByTestId('job-detail')).toHaveAttribute('data-job-id', last);
  await page.getByTestId('back-to-jobs').click();
  await expect(row(last)).toBeVisible();
  expect(Math.abs((await placeOf(page, last)).aboveBottom)).toBeLessThanOrEqual(1);
});

test('the table fills the window below the filters, and grows with it: one scrollbar, not a box of six rows', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'open');
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('jobs-total')).toHaveText(new RegExp(`^${SHOWN.toLocaleString('en')} jobs`));
  const grid = page.getByTestId('jobs-grid');
  // Its bottom is the page's, less the main area's padding (20 px), whatever sits above it.
  const box = async () => (await grid.boundingBox())!;
  const gap = async () => Math.round(page.viewportSize()!.height - ((await box()).y + (await box()).height));
  const height = async () => (await box()).height;
  expect(await gap()).toBeLessThanOrEqual(24);
  const before = await height();
  expect(before).toBeGreaterThan(ROW * 10);
  await page.setViewportSize({ width: 1440, height: 1200 });
  await expect.poll(height).toBeGreaterThanOrEqual(before + 290);
  expect(await gap()).toBeLessThanOrEqual(24);
  // The page does not scroll: the grid does (the test runs without DOM types, hence the string).
  expect(await page.evaluate('document.scrollingElement.scrollHeight <= window.innerHeight')).toBe(true);
});
