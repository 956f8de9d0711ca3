/**
 * The background WAL checkpointer (store/wal-checkpointer.ts) on a real file:
 * it copies committed pages into the database while the main connection keeps
 * writing, leaves the data whole, closes its connection when the store closes,
 * and says so when it cannot start (the store carries on without it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileKeyCipher, openStore, type Store } from '../../src/main/store';
import { startWalCheckpointer } from '../../src/main/store/wal-checkpointer';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function store(backgroundCheckpoints: boolean): Store {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-ckpt-'));
  dirs.push(dir);
  const s = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir), backgroundCheckpoints });
  stores.push(s);
  // Only the worker may copy the log in these tests: the main connection's automatic checkpoint is off.
  s.db.pragma('wal_autocheckpoint = 0');
  return s;
}

function discover(s: Store, n: number): void {
  const parent = s.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example' }).id;
  for (let i = 0; i < n; i += 500) {
    const items = Array.from({ length: 500 }, (_, k) => ({
      job_type: 'crawl_project' as const,
      entity_id: String(i + k),
      namespace_path: `group/${i + k}`,
      entity_name: `Project ${i + k}`,
      priority: 1,
    }));
    s.jobs.insertDiscoveredJobs(parent, items);
  }
}

const size = (file: string) => fs.statSync(file).size;

describe('background WAL checkpoints', () => {
  it('copy committed pages into the database file while the main connection writes, and the data stays whole', async () => {
    const withWorker = store(true);
    const without = store(false);
    for (const s of [withWorker, without]) discover(s, 5000);
    const before = size(without.file);
    // The worker copies within a few of its 100 ms rounds; bounded wait.
    await expect.poll(() => size(withWorker.file), { timeout: 10_000, interval: 50 }).toBeGreaterThan(1024 * 1024);
    // Without it nothing copies the log: the database file has not grown.
    expect(size(without.file)).toBe(before);
    expect(withWorker.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(withWorker.jobs.countByStatus().queued).toBe(5000 + 1); // and the parent
  });

  it('closes its connection with the store: the log is copied and removed, and the file reopens whole', async () => {
    const s = store(true);
    discover(s, 2000);
    const file = s.file;
    // The worker's connection is open (it has copied pages): closing the store must close it too.
    await expect.poll(() => size(file), { timeout: 10_000, interval: 50 }).toBeGreaterThan(512 * 1024);
    s.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const again = openStore({ file, cipher: createFileKeyCipher(path.dirname(file)) });
    stores.push(again);
    expect(again.jobs.countByStatus().queued).toBe(2000 + 1);
  });

  it('reports a database it cannot open, and stops at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-ckpt-'));
    dirs.push(dir);
    const errors: Error[] = [];
    const c = startWalCheckpointer(path.join(dir, 'missing.db'), { onError: (e) => errors.push(e) });
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBe(1);
    expect(errors[0]!.message).toMatch(/cannot open the database/);
    const t = Date.now();
    c.stop();
    c.stop();
    expect(Date.now() - t).toBeLessThan(1000);
  });
});
