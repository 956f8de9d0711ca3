/**
 * The jobs table fetches the page after a cached one by key (the answer's
 * next_cursor), so scrolling down costs the same at row 900,000 as at row 200;
 * only a jump to a page with no cached predecessor uses an offset. A total that
 * is a lower bound grows as pages come.
 */
import { describe, expect, it } from 'vitest';
import type { ConsoleApi } from '../../src/shared/contract';
import type { ListJobsQuery } from '../../src/shared/jobs';
import { setTransport } from '../../src/renderer/state/bus';
import { refresh, setFilters, setWindow, useJobsTable } from '../../src/renderer/screens/jobs/table-state';
import { jobDto } from '../helpers/job-dto';

const calls: ListJobsQuery[] = [];
let total = 1000;
let exact = true;
const listJobs = async (q: ListJobsQuery) => {
  calls.push(q);
  const start = q.after !== undefined ? Number(q.after) : (q.offset ?? 0);
  const n = Math.max(0, Math.min(q.limit ?? 100, total - start));
  const jobs = Array.from({ length: n }, (_, i) => jobDto({ job_id: `job-${start + i}` }));
  return { jobs, total: exact ? total : Math.min(total, 300), total_exact: exact, next_cursor: start + n < total ? String(start + n) : null };
};
setTransport({
  kind: 'http',
  api: { listJobs } as unknown as ConsoleApi,
  onEvents: () => () => undefined,
  onStatus: () => () => undefined,
  close: () => undefined,
  download: async () => ({ filename: null, count: null }),
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('jobs table paging', () => {
  it('fetches the next page by cursor, a jump by offset', async () => {
    refresh();
    await settle();
    expect(calls[0]).toMatchObject({ offset: 0, limit: 200 });
    expect(calls[0]!.after).toBeUndefined();
    calls.length = 0;
    setWindow(180, 230); // needs page 1, after the cached page 0
    await settle();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ after: '200', limit: 200 });
    expect(calls[0]!.offset).toBeUndefined();
    expect(useJobsTable.getState().pages.get(1)?.rows[0]?.job_id).toBe('job-200');
    calls.length = 0;
    setWindow(700, 720); // a jump: page 3, whose predecessor is not cached
    await settle();
    expect(calls.some((c) => c.offset === 600 && c.after === undefined)).toBe(true);
  });

  it('a lower-bound total grows while there are more pages', async () => {
    exact = false;
    total = 5000;
    setFilters({ text: 'many' });
    await settle();
    expect(useJobsTable.getState()).toMatchObject({ totalExact: false });
    expect(useJobsTable.getState().total).toBe(400); // one page shown, one more promised
    setWindow(150, 230);
    await settle();
    expect(useJobsTable.getState().total).toBe(600);
  });
});
