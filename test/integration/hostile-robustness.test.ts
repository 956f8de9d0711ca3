/**
 * Hostile input against a real console (issue 11, robustness, secrets and
 * files; issue 13's event order): one test per attack, each with real Unix
 * sockets, a real SQLite file, real HTTP/SSE and, where the attack is about
 * the process, a real `crawl-console serve` child.
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsoleCore } from '../../src/main/core/console-core';
import { EventBatcher } from '../../src/main/core/event-batcher';
import { jobsToCsv } from '../../src/main/core/export';
import { startHeadless } from '../../src/main/headless/serve';
import { ProgressBuffer } from '../../src/main/jobs/progress-buffer';
import { LOCK_FILE, createFileKeyCipher, openStore } from '../../src/main/store';
import type { ConsoleEvent, EventBatch } from '../../src/shared/contract';
import { applyEvents, startLiveTable, useJobsTable } from '../../src/renderer/screens/jobs/table-state';
import { setTransport } from '../../src/renderer/state/bus';
import type { ConsoleTransport } from '../../src/renderer/transport/types';
import { type TestConsole, now, startTestConsole } from '../helpers/console';
import { jobDto } from '../helpers/job-dto';
import { eventually, tempDir } from '../helpers/peer';

let t: TestConsole | null = null;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TOKEN = 'glpat-hostile-robust-0000000001';
const data = (m: Record<string, unknown>) => m.data as Record<string, unknown>;

async function createJob(api: TestConsole['api'], extra: Record<string, unknown> = {}) {
  return (await api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: TOKEN, entity_id: '42', priority: 1, ...extra })).job;
}

describe('one bad row never fails a batch', () => {
  it('a 5,000-deep resume state in one crawler’s progress does not fail another crawler’s completion or stop lease expiry', async () => {
    t = await startTestConsole({ leaseTimeout: 300, maxConcurrentJobs: 1 });
    const bad = await t.crawler({ crawler_id: 'bad', max_concurrent_jobs: 1 });
    const good = await t.crawler({ crawler_id: 'good', max_concurrent_jobs: 1 });
    const j1 = await createJob(t.api, { crawler_id: 'bad' });
    const j2 = await createJob(t.api, { crawler_id: 'good', entity_id: '43' });
    await bad.nextOfType('job_assignment');
    await good.nextOfType('job_assignment');
    bad.send({ type: 'job_started', timestamp: now(), job_id: j1.job_id, data: {} });
    good.send({ type: 'job_started', timestamp: now(), job_id: j2.job_id, data: {} });
    await eventually(() => t!.events.some((e) => e.type === 'job_changed' && e.job.job_id === j2.job_id && e.job.status === 'running'));
    // Written by hand: JSON.stringify itself cannot write 5,000 levels.
    const deepJson = `${'{"n":'.repeat(5_000)}{}${'}'.repeat(5_000)}`;
    const poison = () =>
      bad.write(`{"type":"job_progress","timestamp":"${now()}","job_id":"${j1.job_id}","data":{"progress":[{"entity_type":"issue","total_processed":1,"total_discovered":10}],"overall_completion":0.1,"time_elapsed":10,"resume_state":${deepJson}}}\n`);
    // Kept coming, as a crawler reporting progress does: every flush from now on has the bad row in it.
    poison();
    await new Promise((r) => setTimeout(r, 50));
    const poisoning = setInterval(poison, 20);
    cleanups.push(() => clearInterval(poisoning));
    // The other crawler finishes its job right after: its completion flushes the pending progress first.
    good.send({ type: 'job_completed', timestamp: now(), job_id: j2.job_id, data: { success: true, final_counts: { issue: 3 } } });
    await expect.poll(async () => (await t!.api.getJob({ job_id: j2.job_id })).job.status, { timeout: 5_000 }).toBe('completed');
    // Periodic work goes on: a lease nobody starts still expires.
    const idle = await t.crawler({ crawler_id: 'idle', max_concurrent_jobs: 1 });
    const j3 = await createJob(t.api, { crawler_id: 'idle', entity_id: '44' });
    await idle.nextOfType('job_assignment');
    await expect
      .poll(async () => (await t!.api.getJob({ job_id: j3.job_id })).events.some((e) => e.kind === 'lease_expired'), { timeout: 5_000 })
      .toBe(true);
  });

  it('a row that cannot be stored is recorded as an error and the rest of the flush commits', () => {
    const { dir, cleanup } = tempDir('cc-flush-');
    cleanups.push(cleanup);
    const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
    cleanups.push(() => store.close());
    for (const id of ['a', 'b', 'c']) store.jobs.insertJob({ id, job_type: 'crawl_project', status: 'running' });
    const failures: unknown[] = [];
    const buffer = new ProgressBuffer(store, { onRowError: (f) => failures.push(f) });
    buffer.add('a', { progress: [{ entity_type: 'issue', total_processed: 5 }] }, 0.5, 1);
    // A value no JSON can hold (a programmatic caller, e.g. the seed's database operations, can pass one).
    buffer.add('b', { progress: [{ entity_type: 'issue', total_processed: 7 }], resume_state: { cursor: 10n } as never }, 0.7, 1);
    buffer.add('c', { progress: [{ entity_type: 'merge_request', total_processed: 9, extra: { big: 1n } } as never] }, 0.9, 1);
    expect(() => buffer.flush()).not.toThrow();
    expect(store.progress.getProgress('a')).toEqual([expect.objectContaining({ total_processed: 5 })]);
    expect(store.progress.getProgress('b')).toEqual([expect.objectContaining({ total_processed: 7 })]);
    expect(store.jobs.getJob('a')?.overall_completion).toBe(0.5);
    expect(failures).toEqual([
      expect.objectContaining({ job_id: 'c', entity_type: 'merge_request', message: expect.stringMatching(/BigInt/) }),
      expect.objectContaining({ job_id: 'b', entity_type: null, message: expect.stringMatching(/BigInt/) }),
    ]);
    expect(buffer.size).toBe(0);
  });
});

describe('event delivery is bounded in bytes and keeps order', () => {
  it('a million job events with a stalled SSE client: memory stays bounded, the stalled client is dropped, a reading client is told to resync', async () => {
    const { dir, cleanup } = tempDir('cc-sse-');
    cleanups.push(cleanup);
    const headless = await startHeadless({
      dataDir: dir,
      socketPath: path.join(dir, 'c.sock'),
      httpPort: 0,
      token: 'test-token-for-the-sse-flood',
      staticDir: null,
      env: {},
      logger: (await import('../../src/main/observability/logger')).silentLogger,
      batchIntervalMs: 50,
    });
    cleanups.push(() => headless.stop());
    const url = new URL(`${headless.baseUrl}api/events?token=${encodeURIComponent(headless.token)}`);

    // The stalled tab: reads the headers, then never another byte (its receive window fills).
    const stalled = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((r) => stalled.once('connect', () => r()));
    stalled.setNoDelay(true);
    stalled.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
    await new Promise<void>((r) => stalled.once('data', () => r()));
    stalled.pause();
    let stalledClosed = false;
    stalled.on('close', () => (stalledClosed = true));
    stalled.on('error', () => undefined);
    cleanups.push(() => void stalled.destroy());

    // A reading tab: counts batches and remembers whether it was told to resync.
    const batches: EventBatch[] = [];
    const reader = http.get(url, { headers: { Accept: 'text/event-stream' } });
    let buffered = '';
    await new Promise<void>((resolve) =>
      reader.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let end: number;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const frame = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const line = frame.split('\n').find((l) => l.startsWith('data: '));
            if (frame.includes('event: batch') && line) batches.push(JSON.parse(line.slice(6)) as EventBatch);
          }
        });
        resolve();
      }),
    );
    cleanups.push(() => void reader.destroy());

    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    cleanups.push(() => clearInterval(sampler));
    // A million discovered jobs, emitted as the core emits them (one job_changed each), in chunks as
    // socket reads would: first at a pace each batch fits the budget (so the stalled tab's socket
    // buffers fill up and it stops taking batches), then as fast as they come.
    const TOTAL = 1_000_000;
    const emit = (i: number) =>
      headless.core.events.emit('event', { type: 'job_changed', job: jobDto({ job_id: `discovered-${i}`, namespace_path: `group/project-${i}` }) });
    let i = 0;
    for (; i < 200_000; ) {
      for (const end = i + 2_000; i < end; i++) emit(i);
      await new Promise((r) => setTimeout(r, 60));
    }
    for (; i < TOTAL; ) {
      for (const end = Math.min(TOTAL, i + 20_000); i < end; i++) emit(i);
      await new Promise((r) => setImmediate(r));
    }
    await eventually(() => batches.some((b) => b.resync === true), 10_000, 'a resync batch');
    // The stalled tab reads again: it finds the stream ended (it was dropped; its EventSource reconnects and reloads).
    let stalledBytes = 0;
    stalled.on('data', (c: Buffer) => (stalledBytes += c.length));
    stalled.resume();
    await eventually(() => stalledClosed, 20_000, 'the stalled client dropped');
    console.log(`the stalled tab had ${(stalledBytes / 2 ** 20).toFixed(1)} MiB in flight when it was dropped`);
    clearInterval(sampler);
    const growthMb = (peakRss - before.rss) / 2 ** 20;
    console.log(`1,000,000 events, one stalled and one reading SSE client: RSS ${Math.round(before.rss / 2 ** 20)} MiB → peak ${Math.round(peakRss / 2 ** 20)} MiB (+${Math.round(growthMb)} MiB); ${batches.length} batches to the reader, largest ${Math.max(...batches.map((b) => JSON.stringify(b).length)).toLocaleString()} chars`);
    // Today: the backlog held every event and a 1 GiB peak ended in "Invalid string length".
    expect(growthMb).toBeLessThan(400);
    expect(Math.max(...batches.map((b) => JSON.stringify(b).length))).toBeLessThan(8 * 2 ** 20);
    // The console still serves: a new tab connects and gets events.
    const after = await fetch(new URL(`${headless.baseUrl}api/getStatus`), { method: 'POST', headers: { Authorization: `Bearer ${headless.token}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(after.status).toBe(200);
  }, 120_000);

  it('running → progress → completed in one batch reaches the jobs table in order, and the finished job keeps no live entry', async () => {
    t = await startTestConsole();
    const c = await t.crawler({ crawler_id: 'c-order', max_concurrent_jobs: 1 });
    const job = await createJob(t.api, { crawler_id: 'c-order' });
    await c.nextOfType('job_assignment');

    // The renderer's jobs table, bound to the real console's API.
    const transport: ConsoleTransport = {
      kind: 'http',
      api: t.api,
      onEvents: () => () => undefined,
      onStatus: () => () => undefined,
      close: () => undefined,
      download: () => Promise.reject(new Error('no downloads in this test')),
    };
    setTransport(transport);
    const stopTable = startLiveTable();
    cleanups.push(stopTable);
    await eventually(() => useJobsTable.getState().total === 1, 5_000, 'the table loaded');

    const batches: EventBatch[] = [];
    const batcher = new EventBatcher({ deliver: (b) => void batches.push(b), intervalMs: 200 });
    const feed = (e: ConsoleEvent) => batcher.push(e);
    t.core.events.on('event', feed);
    cleanups.push(() => batcher.close());
    // A first delivery now, so the next one waits the full interval and gathers all three.
    batcher.push({ type: 'aggregate', aggregate: null });
    await eventually(() => batches.length === 1, 2_000, 'the first batch');
    // One write: the three arrive in one read, so their events share a batch.
    c.write(
      [
        { type: 'job_started', timestamp: now(), job_id: job.job_id, data: {} },
        { type: 'job_progress', timestamp: now(), job_id: job.job_id, data: { progress: [{ entity_type: 'issue', total_processed: 60, total_discovered: 100 }], overall_completion: 0.6, time_elapsed: 1000 } },
        { type: 'job_completed', timestamp: now(), job_id: job.job_id, data: { success: true } },
      ]
        .map((m) => JSON.stringify(m))
        .join('\n') + '\n',
    );
    await eventually(() => batches.some((b) => b.events.some((e) => e.type === 'job_changed' && e.job.status === 'completed')), 5_000, 'the completion delivered');
    t.core.events.off('event', feed);
    expect(batches.length).toBe(2);
    const mine = batches.flatMap((b) => b.events).filter((e) => (e.type === 'job_changed' ? e.job.job_id : e.type === 'progress' ? e.progress.job_id : null) === job.job_id);
    const seen = mine.map((e) => (e.type === 'job_changed' ? e.job.status : e.type));
    // Superseded events may go; survivors keep the order they happened in.
    expect(c.received.filter((m) => m.type === 'error')).toEqual([]);
    expect(seen).toContain('progress');
    expect(seen.at(-1)).toBe('completed');
    expect(seen.indexOf('progress')).toBeLessThan(seen.lastIndexOf('completed'));
    for (const b of batches) applyEvents(b.events);
    expect(useJobsTable.getState().live[job.job_id]).toBeUndefined();
  });
});

describe('disk full', () => {
  it('a full tmpfs degrades a real `crawl-console serve` (clear error, writes refused, health says so), SIGTERM is honoured, nothing committed is lost, and it recovers', async (ctx) => {
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-tmpfs-'));
    const mounted = spawnSyncOk('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
    if (!mounted.ok) {
      fs.rmSync(mnt, { recursive: true, force: true });
      console.log(`skipped: cannot mount a tmpfs here (${mounted.why})`);
      ctx.skip();
      return;
    }
    cleanups.push(() => {
      spawnSyncOk('umount', ['-l', mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    });
    const sockDir = tempDir('cc-full-sock-');
    cleanups.push(sockDir.cleanup);
    const dataDir = path.join(mnt, 'data');
    const token = 'disk-full-test-token-0001';
    let served = await serve(dataDir, path.join(sockDir.dir, 'c.sock'), token);
    cleanups.push(() => served.kill());
    const api = (name: string, input: unknown = {}) =>
      fetch(`${served.baseUrl}api/${name}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
    const create = (n: number) => api('createJob', { job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: `acme/e${n}`, priority: 1 });

    const committed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await create(i);
      expect(r.status).toBe(200);
      committed.push(((await r.json()) as { job: { job_id: string } }).job.job_id);
    }
    // Fill the disk.
    const filler = path.join(mnt, 'filler');
    fillDisk(filler);
    // Writes are refused with one clear sentence, not an internal error; reads still work.
    let refused: Response | null = null;
    for (let i = 0; i < 50 && !refused; i++) {
      const r = await create(100 + i);
      if (r.status !== 200) refused = r;
      else committed.push(((await r.json()) as { job: { job_id: string } }).job.job_id);
    }
    expect(refused?.status).toBe(409);
    const body = (await refused!.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/disk .*is full.*nothing saved so far is lost/) });
    const status = (await (await api('getStatus')).json()) as { storage?: { ok: boolean; problems: { part: string; message: string }[] } };
    expect(status.storage?.ok).toBe(false);
    expect(status.storage?.problems.map((p) => p.part)).toContain('database');
    expect((await api('listJobs', { limit: 100 })).status).toBe(200);

    // Space returns: it recovers by itself.
    fs.rmSync(filler);
    await expect
      .poll(async () => ((await (await api('getStatus')).json()) as { storage?: { ok: boolean } }).storage?.ok, { timeout: 10_000 })
      .toBe(true);
    const again = await create(999);
    expect(again.status).toBe(200);
    committed.push(((await again.json()) as { job: { job_id: string } }).job.job_id);

    // Full again, then SIGTERM: the process ends promptly (today it hung on the log's exit flush).
    fillDisk(filler);
    await create(1000); // something to fail on
    const started = Date.now();
    const code = await served.stop(15_000);
    const stopMs = Date.now() - started;
    console.log(`SIGTERM with the disk full: exited with ${code} after ${stopMs} ms`);
    expect(code).not.toBeNull();
    expect(stopMs).toBeLessThan(15_000);

    // Nothing committed is lost.
    fs.rmSync(filler);
    served = await serve(dataDir, path.join(sockDir.dir, 'c.sock'), token);
    const list = (await (await api('listJobs', { limit: 1000 })).json()) as { jobs: { job_id: string }[] };
    const ids = new Set(list.jobs.map((j) => j.job_id));
    for (const id of committed) expect(ids.has(id)).toBe(true);
    await served.stop(15_000);
  }, 120_000);
});

describe('error floods', () => {
  it('20,000 identical junk lines from one peer become one row with a count, not 20,000 rows', async () => {
    t = await startTestConsole({ maxMessageSize: 1024 * 1024 });
    const p = await t.crawler({ crawler_id: 'flooder' });
    const N = 20_000;
    p.write('{not json\n'.repeat(N));
    const db = new Database(path.join(t.dir, 'console.db'), { readonly: true });
    cleanups.push(() => void db.close());
    // Everything is accounted for (or the peer was closed for it, which also ends the flood).
    await expect
      .poll(() => (db.prepare("SELECT coalesce(sum(count), 0) AS n FROM errors WHERE code = 'invalid_json'").get() as { n: number }).n, { timeout: 15_000 })
      .toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    const rows = db.prepare("SELECT count, crawler_id FROM errors WHERE code = 'invalid_json'").all() as { count: number }[];
    const occurrences = rows.reduce((n, r) => n + r.count, 0);
    console.log(`${N.toLocaleString()} junk lines → ${rows.length} error row(s) standing for ${occurrences.toLocaleString()} occurrences`);
    expect(rows.length).toBeLessThanOrEqual(2); // a minute boundary may split it
    const { errors } = await t.api.listErrors({ limit: 10 });
    expect(errors.find((e) => e.code === 'invalid_json')?.count).toBeGreaterThan(1);
  });
});

describe('one console per data directory', () => {
  it('a second console on the same directory refuses in one sentence naming the first (pid); a dead one’s lock is taken over', async () => {
    const { dir, cleanup } = tempDir('cc-lock-');
    cleanups.push(cleanup);
    const first = await forkConsole(dir, path.join(dir, 'first.sock'));
    cleanups.push(() => void first.kill('SIGKILL'));

    // In-process second console.
    const err = await startConsoleCore({ dataDir: dir, config: { socketPath: path.join(dir, 'second.sock') } }).then(
      (c) => c.stop().then(() => null),
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(new RegExp(`^Another Crawl Console \\(pid ${first.pid}, started [^)]+\\) is using the data directory ${escape(dir)}; .+\\.$`));
    expect(err?.message).not.toContain('\n');

    // The command line says the same in one line, no stack trace.
    const cli = await runCli(['serve', '--data-dir', dir, '--socket', path.join(dir, 'cli.sock'), '--http-port', '0', '--token', 'second-console-token']);
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^crawl-console: Another Crawl Console \\(pid ${first.pid}, `))]);

    // The first dies without cleaning up: its lock is stale and taken over.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    const next = await startConsoleCore({ dataDir: dir, config: { socketPath: path.join(dir, 'third.sock') } });
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await next.stop();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  }, 60_000);
});

describe('files are owner-only', () => {
  it('console.db, its WAL and SHM and the log are 0600, logs/ 0700; a world-writable data dir is fixed with a warning; an unwritable one is one sentence', async () => {
    const { dir, cleanup } = tempDir('cc-modes-');
    cleanups.push(cleanup);
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir);
    fs.chmodSync(dataDir, 0o777);
    const prevUmask = process.umask(0o000); // the worst case: nothing masked by the environment
    cleanups.push(() => void process.umask(prevUmask));
    const headless = await startHeadless({ dataDir, socketPath: path.join(dir, 'c.sock'), httpPort: 0, token: 'modes-test-token-000001', staticDir: null, env: {} });
    cleanups.push(() => headless.stop());
    await headless.core.commands.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: '1', priority: 1 });
    headless.core.events.emit('event', { type: 'aggregate', aggregate: null }); // any activity
    const mode = (f: string) => (fs.statSync(f).mode & 0o777).toString(8);
    expect(headless.warnings).toEqual([expect.stringMatching(/was writable by other users \(mode 0777\); it is now owner-only \(0700\)\.$/)]);
    expect(mode(dataDir)).toBe('700');
    for (const f of ['console.db', 'console.db-wal', 'console.db-shm', 'logs/console.log', LOCK_FILE]) expect([f, mode(path.join(dataDir, f))]).toEqual([f, '600']);
    expect(mode(path.join(dataDir, 'logs'))).toBe('700');

    // A file where the directory should be: one sentence.
    const blocked = path.join(dir, 'blocked');
    fs.writeFileSync(blocked, 'not a directory');
    const cli = await runCli(['serve', '--data-dir', path.join(blocked, 'data'), '--socket', path.join(dir, 'x.sock'), '--http-port', '0', '--token', 'unwritable-dir-token-01']);
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^crawl-console: The data directory .+ cannot be used \(a part of its path is a file\); choose a writable folder with --data-dir or CRAWL_CONSOLE_DATA_DIR\.$/)]);
  }, 60_000);
});

describe('echoed tokens are redacted before they are stored or served', () => {
  it('a crawler echoing a saved token (exact value and the usual shapes) in resume state, error text, extras, message and heartbeat leaves no trace in the database, the API or the events', async () => {
    t = await startTestConsole();
    // A token with no recognisable shape: only its exact value can catch it.
    const secret = 'zq7Kx2mW9vBn4Rt8Yp1L';
    const { credential: cred } = await t.api.saveCredential({ gitlab_host: 'gitlab.example.com', label: 'ci', access_token: secret });
    const c = await t.crawler({ crawler_id: 'echo', max_concurrent_jobs: 1 });
    const job = (await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', credential_id: cred.id, entity_id: '7', priority: 1, crawler_id: 'echo' })).job;
    expect(data(await c.nextOfType('job_assignment')).access_token).toBe(secret);
    c.send({ type: 'job_started', timestamp: now(), job_id: job.job_id, data: {} });
    c.send({
      type: 'heartbeat',
      timestamp: now(),
      data: { active_jobs: 1, system_status: 'healthy', memory_usage: { note: `env GITLAB_TOKEN=${secret}` } },
    });
    c.send({
      type: 'job_progress',
      timestamp: now(),
      job_id: job.job_id,
      data: {
        progress: [{ entity_type: 'issue', total_processed: 1, request: `GET /api/v4/projects?private_token=${secret}`, header: `Authorization: Bearer ${secret}` }],
        overall_completion: 0.2,
        time_elapsed: 100,
        message: `cloning https://oauth2:${secret}@gitlab.example.com/g/p.git`,
        resume_state: { cursor: `https://gitlab.example.com/api/v4/issues?page=2&private_token=${secret}`, note: secret, nested: { url: `oauth2:${secret}@gitlab.example.com` } },
      },
    });
    c.send({
      type: 'job_failed',
      timestamp: now(),
      job_id: job.job_id,
      data: { error: `401 for token ${secret} (glpat-0123456789abcdefghij)`, is_recoverable: true, resume_state: { token_echo: secret, page: 3 } },
    });
    await expect.poll(async () => (await t!.api.getJob({ job_id: job.job_id })).job.status, { timeout: 5_000 }).not.toBe('running');
    // Every echo was accepted (none refused for its shape): the redaction is what kept it out.
    expect(c.received.filter((m) => m.type === 'error')).toEqual([]);
    await new Promise((r) => setTimeout(r, 300)); // the error log's next flush

    const served = JSON.stringify([
      await t.api.getJob({ job_id: job.job_id }),
      await t.api.listErrors({ limit: 100 }),
      await t.api.listCrawlers({ include_disconnected: true }),
      await t.api.exportJobs({ format: 'csv' }).catch(() => null),
      t.events,
    ]);
    expect(served).not.toContain(secret);
    expect(served).not.toContain('glpat-0123456789abcdefghij');
    // The stored resume state is still useful: only the secret is gone.
    expect((await t.api.getJob({ job_id: job.job_id })).job.resume_state).toMatchObject({ page: 3 });

    // Every byte of the database and its WAL (the token itself is stored only as ciphertext).
    const dataDir = t.dir;
    await t.core.stop();
    const bytes = Buffer.concat(['console.db', 'console.db-wal'].filter((f) => fs.existsSync(path.join(dataDir, f))).map((f) => fs.readFileSync(path.join(dataDir, f))));
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });
});

describe('CSV exports', () => {
  it('neutralise formulas behind a leading tab, carriage return or spaces, not only a leading =', () => {
    const cells = ['=1+1', '\t=HYPERLINK("http://x")', '\r=cmd|/c calc', '  @SUM(A1)', '\n-2+3', '＝1+1', 'plain'];
    const csv = jobsToCsv(cells.map((s, i) => jobDto({ job_id: `j${i}`, namespace_path: s })));
    const values = csv.split('\r\n').slice(1, -1).map((line) => line);
    for (const [i, s] of cells.entries()) {
      const line = values.find((l) => l.startsWith(`j${i},`))!;
      if (s === 'plain') expect(line).toContain(',plain,');
      else expect(line).toContain(`'${s.replace(/"/g, '""')}`);
    }
  });
});

// ─────────── helpers ───────────

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function spawnSyncOk(cmd: string, args: string[]): { ok: boolean; why: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return { ok: false, why: r.error.message };
  return r.status === 0 ? { ok: true, why: '' } : { ok: false, why: (r.stderr || `exit ${r.status}`).trim() };
}

function fillDisk(file: string): void {
  const chunk = Buffer.alloc(64 * 1024, 1);
  const fd = fs.openSync(file, 'a');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  // The last small gaps too.
  const small = Buffer.alloc(512, 1);
  const fd2 = fs.openSync(file, 'a');
  try {
    for (;;) fs.writeSync(fd2, small);
  } catch {
    // full
  } finally {
    fs.closeSync(fd2);
  }
}

const CLI = path.resolve('src/main/headless/cli.ts');

interface Served {
  baseUrl: string;
  child: ChildProcess;
  stop(timeoutMs: number): Promise<number | null>;
  kill(): void;
}

function serve(dataDir: string, socketPath: string, token: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--data-dir', dataDir, '--socket', socketPath, '--http-port', '0', '--token', token], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRAWL_CONSOLE_DATA_DIR: '' },
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 30_000);
    void exited.then((code) => reject(new Error(`exited ${code}:\n${out}`)));
    const check = () => {
      const url = /Open:\s+(\S+)/.exec(out)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        baseUrl: url.split('#')[0]!,
        child,
        kill: () => void (child.exitCode === null && child.kill('SIGKILL')),
        stop: (timeoutMs) => {
          child.kill('SIGTERM');
          return Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), timeoutMs))]);
        },
      });
    };
    child.stdout!.on('data', check);
  });
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CRAWL_CONSOLE_DATA_DIR: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((r) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) child.kill('SIGTERM');
      r({ code, stdout, stderr });
    }),
  );
}

function forkConsole(dataDir: string, socketPath: string): Promise<ChildProcess> {
  const child = fork(path.resolve('test/helpers/console-process.ts'), [dataDir, socketPath, '2000'], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the first console exited (${code})`)));
    child.on('message', (m: { ready?: string }) => {
      if (m.ready) resolve(child);
    });
  });
}
