/**
 * The search index's backlog as the console reports it (issue 14's Jobs hint):
 * counted over the backlog only, capped so a status asked for every few seconds
 * stays cheap at any size, and 0 once the background indexer has caught up.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileKeyCipher, openStore } from '../../src/main/store';
import { startTestConsole, type TestConsole } from '../helpers/console';

const dirs: string[] = [];
let t: TestConsole | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function storeWithBacklog(n: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'search-index-status-'));
  dirs.push(dir);
  const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
  store.jobs.textIndex.stop(); // filled by hand below: no background step races the counts
  store.jobs.pathOrder.stop();
  store.jobs.nameOrder.stop();
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) store.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: `acme/p${i}` });
  })();
  return { dir, store };
}

describe('the search index backlog', () => {
  it('counts the rows not indexed yet, capped, and 0 once caught up', () => {
    const { store } = storeWithBacklog(1200);
    try {
      expect(store.jobs.textIndex.backlogUpTo(100_000)).toEqual({ backlog: 1200, exact: true });
      expect(store.jobs.textIndex.backlogUpTo(1200)).toEqual({ backlog: 1200, exact: true });
      expect(store.jobs.textIndex.backlogUpTo(500)).toEqual({ backlog: 500, exact: false });
      store.jobs.textIndex.indexSome(1000);
      expect(store.jobs.textIndex.backlogUpTo(100_000)).toEqual({ backlog: 200, exact: true });
      store.jobs.textIndex.catchUp();
      expect(store.jobs.textIndex.backlogUpTo(100_000)).toEqual({ backlog: 0, exact: true });
      // The path and name sorts' orders: the same count over their own marks.
      for (const order of [store.jobs.pathOrder, store.jobs.nameOrder]) {
        expect(order.backlogUpTo(500)).toEqual({ backlog: 500, exact: false });
        order.catchUp();
        expect(order.backlogUpTo(100_000)).toEqual({ backlog: 0, exact: true });
      }
    } finally {
      store.close();
    }
  });

  it('getStatus reports it, and it drains to 0 in the background after the console opens the store', async () => {
    const { dir, store } = storeWithBacklog(3000);
    store.close();
    t = await startTestConsole({}, dir);
    const first = await t.api.getStatus({});
    expect(first.searchIndex).toBeDefined();
    expect(first.searchIndex!.backlog).toBeGreaterThanOrEqual(0);
    expect(first.searchIndex!.backlog).toBeLessThanOrEqual(3000);
    let last = first.searchIndex;
    for (let i = 0; i < 200 && last?.backlog !== 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      last = (await t.api.getStatus({})).searchIndex;
    }
    expect(last).toEqual({ backlog: 0, backlogExact: true });
    // The path and name sorts' orders are filled the same way, and reported the same way.
    for (const which of ['pathOrder', 'nameOrder'] as const) {
      let order = (await t.api.getStatus({}))[which];
      for (let i = 0; i < 200 && order?.backlog !== 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        order = (await t.api.getStatus({}))[which];
      }
      expect(order, which).toEqual({ backlog: 0, backlogExact: true });
    }
    // The search itself is exact throughout (rows above the mark are matched by LIKE).
    expect((await t.api.listJobs({ text: 'acme/p2999' })).jobs.map((j) => j.entity_id)).toEqual(['acme/p2999']);
  });
});
