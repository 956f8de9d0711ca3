/**
 * listJobs through the contract, as the Jobs screen asks it: the page's key for the next page and
 * whether the total is a lower bound reach the caller (the table grows a lower bound as pages come
 * and fetches the next page by key; dropped, a common term's "500+" would read as exactly 500).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFileKeyCipher, openStore } from '../../src/main/store';
import { TEXT_EXACT_SCOPE } from '../../src/main/store/job-list';
import { startTestConsole, type TestConsole } from '../helpers/console';

let t: TestConsole | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('listJobs over the contract', () => {
  it('says when a total is a lower bound and gives the key of the next page', async () => {
    t = await startTestConsole();
    // More than the store counts exactly for a common term (TEXT_EXACT_SCOPE): its total is a lower bound.
    const jobs = TEXT_EXACT_SCOPE + 500;
    // Written (and indexed for search) through a second connection, as an import would.
    const s = openStore({ dataDir: t.dir, cipher: createFileKeyCipher(t.dir) });
    try {
      s.db.transaction(() => {
        for (let i = 0; i < jobs; i++) {
          s.jobs.insertJob({ id: `acme-${String(i).padStart(5, '0')}`, job_type: 'crawl_project', namespace_path: `acme/p-${i}`, created_at: 1000 + i });
        }
      })();
      s.jobs.textIndex.catchUp();
    } finally {
      s.close();
    }

    const rare = await t.api.listJobs({ text: 'acme-00042' });
    expect(rare).toMatchObject({ total: 1, total_exact: true, next_cursor: null });

    const first = await t.api.listJobs({ text: 'acme', limit: 500 });
    expect(first.total_exact).toBe(false);
    expect(first.total).toBeGreaterThanOrEqual(500);
    expect(first.total).toBeLessThan(jobs);
    const seen = first.jobs.map((j) => j.job_id);
    for (let after = first.next_cursor; after; ) {
      const page = await t.api.listJobs({ text: 'acme', limit: 500, after });
      seen.push(...page.jobs.map((j) => j.job_id));
      after = page.next_cursor ?? null;
    }
    // Newest first (the default sort), every job once.
    expect(seen.length).toBe(jobs);
    expect(seen).toEqual(Array.from({ length: jobs }, (_, i) => `acme-${String(jobs - 1 - i).padStart(5, '0')}`));
  });
});
