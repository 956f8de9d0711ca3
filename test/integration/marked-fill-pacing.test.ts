/**
 * When a background fill (marked-fill: the search index, the path and name orders)
 * steps while inserts keep coming. A trickle of inserts on an idle thread must not
 * starve it; a burst that keeps the thread busy must not pay for steps that could not
 * keep up with it anyway, except the rare one that keeps the backlog moving.
 *
 * A real SQLite file and real timers. "Busy" is the share of the thread the writer says
 * its inserts took (as insertDiscoveredJobs measures it): the test holds the thread that
 * long, so a slow or loaded machine does not change which case it is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { discoveredItems } from '../../bench/discovered-items';
import { createFileKeyCipher, openStore } from '../../src/main/store';
import { MarkedFill, type FillPacing } from '../../src/main/store/marked-fill';

const PACING: FillPacing = { maxWaitMs: 200, burstShare: 0.5, maxBusyWaitMs: 2500 };

const open: { db: Database.Database; fill: MarkedFill; dir: string }[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const { db, fill, dir } of open.splice(0)) {
    fill.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function fillOverJobs() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marked-fill-pacing-'));
  const db = new Database(path.join(dir, 'fill.db'));
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE jobs (body TEXT NOT NULL);
    CREATE TABLE filled (job_rowid INTEGER PRIMARY KEY);
    CREATE TABLE filled_state (id INTEGER PRIMARY KEY, indexed_upto INTEGER NOT NULL);
    INSERT INTO filled_state VALUES (1, 0);`);
  const fill = new MarkedFill(db, 'filled_state', 'INSERT INTO filled SELECT rowid FROM jobs WHERE rowid > ? AND rowid <= ?', PACING);
  open.push({ db, fill, dir });
  const insert = db.prepare('INSERT INTO jobs (body) VALUES (?)');
  const insertSome = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(`job ${i}`);
  });
  return {
    db,
    fill,
    /** Writes `n` rows and holds the thread at least `holdMs` doing so (a large batch's time, with few rows). */
    insertSome: (n: number, holdMs: number) => {
      const t0 = performance.now();
      insertSome(n);
      while (performance.now() - t0 < holdMs);
      fill.noteInserts(performance.now() - t0);
    },
  };
}

/**
 * Inserts for `ms`: each round writes a few rows in `busyMs` (as a large batch would; few rows, so
 * the backlog stays smaller than one step), then lets the event loop run.
 */
async function insertFor(f: ReturnType<typeof fillOverJobs>, ms: number, busyMs: number, idleMs: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    f.insertSome(5, busyMs);
    if (idleMs > 0) await sleep(idleMs);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe('a background fill while inserts keep coming', () => {
  it('steps during a steady trickle of inserts when the thread has room', async () => {
    const f = fillOverJobs();
    // A few rows every 100 ms: never the 250 ms quiet that lets a fill run freely.
    await insertFor(f, 1500, 0, 100);
    expect(f.fill.indexedUpto()).toBeGreaterThan(0);
  });

  it('waits through a burst that keeps the thread busy, then takes a step to keep the backlog moving', async () => {
    const f = fillOverJobs();
    // Nearly all of the thread: 50 ms of inserts, then one turn of the event loop, for longer than maxWaitMs many times over.
    await insertFor(f, 1500, 50, 0);
    expect(f.fill.indexedUpto()).toBe(0);
    // Past maxBusyWaitMs the fill steps even so: one chunk, then it waits again.
    await insertFor(f, 2500, 50, 0);
    const afterBusy = f.fill.indexedUpto();
    expect(afterBusy).toBeGreaterThan(0);
    expect(f.fill.backlog()).toBeGreaterThan(0);
    // The burst over, it catches up on its own.
    const total = f.db.prepare('SELECT count(*) FROM jobs').pluck().get() as number;
    for (let i = 0; i < 200 && f.fill.backlog() > 0; i++) await sleep(25);
    expect(f.fill.backlog()).toBe(0);
    expect(f.db.prepare('SELECT count(*) FROM filled').pluck().get()).toBe(total);
  });

  it("counts a discovery's batches as a burst in the store: the search index and the orders wait through it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marked-fill-burst-'));
    const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
    cleanups.push(() => {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const parent = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' }).id;
    for (const fill of store.jobs.fills) fill.catchUp();
    const before = store.jobs.fills.map((f) => f.indexedUpto());
    // Batches back to back, the event loop turning between them, for 1.6 s: past the one-second wait of a trickle.
    const end = performance.now() + 1600;
    let written = 0;
    while (performance.now() < end) {
      written += store.jobs.insertDiscoveredJobs(parent, discoveredItems(written, 500)).created.length;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(written).toBeGreaterThan(0);
    expect(store.jobs.fills.map((f) => f.indexedUpto())).toEqual(before);
    // Quiet again: each resumes (catching up on all of it is search-index-status.test's to show).
    const moved = () => store.jobs.fills.every((f, i) => f.indexedUpto() > before[i]!);
    for (let i = 0; i < 400 && !moved(); i++) await sleep(25);
    expect(moved()).toBe(true);
  });
});
