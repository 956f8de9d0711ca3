/**
 * Kill -9 the console while crawlers stream messages, restart it on the same
 * data directory, and check that nothing it had committed is lost, the socket
 * comes back, a crawler that reconnects keeps its job, and the job of a crawler
 * that never returns goes back to the queue.
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { JobDto } from '../../src/shared/jobs';
import { Peer, tempDir } from '../helpers/peer';

const HEARTBEAT_TIMEOUT = 1500;
const ORDER = ['queued', 'assigned', 'running', 'completed'];

class ConsoleProcess {
  readonly changes: { job_id: string; status: string; crawler_id: string | null }[] = [];
  private seq = 0;
  private readonly pending = new Map<number, (m: { ok: boolean; value?: unknown; error?: unknown }) => void>();
  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: Record<string, unknown>) => {
      if (m.event) this.changes.push(m.event as ConsoleProcess['changes'][number]);
      if (typeof m.id === 'number') this.pending.get(m.id)?.(m as never);
    });
  }
  static start(dataDir: string, socketPath: string): Promise<ConsoleProcess> {
    const child = fork(path.resolve('test/helpers/console-process.ts'), [dataDir, socketPath, String(HEARTBEAT_TIMEOUT)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const cp = new ConsoleProcess(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('console process did not start')), 20_000);
      child.on('message', (m: Record<string, unknown>) => {
        if (m.ready) {
          clearTimeout(timer);
          resolve(cp);
        }
      });
      child.once('exit', (code) => reject(new Error(`console process exited early (${code})`)));
    });
  }
  call<T>(command: string, input: unknown = {}): Promise<T> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.ok ? resolve(m.value as T) : reject(new Error(JSON.stringify(m.error)))));
      this.child.send({ id, command, input });
    });
  }
  job(id: string): Promise<JobDto> {
    return this.call<{ job: JobDto }>('getJob', { job_id: id }).then((d) => d.job);
  }
  kill9(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

let tmp: ReturnType<typeof tempDir> | null = null;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  tmp?.cleanup();
});

const ts = () => new Date().toISOString();

async function crawler(socketPath: string, id: string): Promise<Peer> {
  const p = await Peer.connect(socketPath);
  cleanup.push(() => p.destroy());
  p.send({ type: 'hello', timestamp: ts(), data: { crawler_id: id, max_concurrent_jobs: 2 } });
  await p.nextOfType('welcome');
  return p;
}

it('loses nothing committed on SIGKILL, comes back on the same socket, and keeps or requeues jobs by who returns', async () => {
  tmp = tempDir('cc-crash-');
  const socketPath = path.join(tmp.dir, 'console.sock');
  let con = await ConsoleProcess.start(tmp.dir, socketPath);
  cleanup.push(() => con.stop());

  // A job is handed out only with a usable token (issue 10): one is saved for the host.
  await con.call('saveCredential', { gitlab_host: 'gitlab.example.com', access_token: 'glpat-crash-recovery-0001' });
  const jobIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await con.call<{ job: JobDto }>('createJob', { job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: `acme/p${i}`, priority: 1 });
    jobIds.push(r.job.job_id);
  }
  const keeper = await crawler(socketPath, 'keeper');
  const goner = await crawler(socketPath, 'goner');
  const held = new Map<Peer, string[]>();
  for (const p of [keeper, goner]) {
    const a = await p.nextOfType('job_assignment');
    const b = await p.nextOfType('job_assignment');
    held.set(p, [(a.data as { job_id: string }).job_id, (b.data as { job_id: string }).job_id]);
  }
  // Both crawlers start their jobs; keeper finishes its first job; then a stream of progress.
  for (const [p, ids] of held) for (const id of ids) p.send({ type: 'job_started', timestamp: ts(), job_id: id, data: {} });
  const [keepDone, keepRunning] = held.get(keeper)! as [string, string];
  const [goneA, goneB] = held.get(goner)! as [string, string];
  keeper.send({ type: 'job_completed', timestamp: ts(), job_id: keepDone, data: { success: true, final_counts: { issue: 3 } } });
  let streaming = true;
  let n = 0;
  const stream = (async () => {
    while (streaming) {
      n++;
      keeper.send({ type: 'job_progress', timestamp: ts(), jobId: keepRunning, data: { stage: 'fetching', entityType: 'issue', processed: n, total: 100000, resumeState: { currentPage: n } } });
      goner.send({ type: 'job_progress', timestamp: ts(), jobId: goneA, data: { stage: 'fetching', entityType: 'issue', processed: n, total: 100000, resumeState: { currentPage: n } } });
      if (n % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
  })();
  await expect.poll(() => con.changes.some((c) => c.job_id === keepDone && c.status === 'completed'), { timeout: 10_000 }).toBe(true);
  await new Promise((r) => setTimeout(r, 300));

  // Crash.
  const seenBefore = [...con.changes];
  await con.kill9();
  streaming = false;
  await stream;
  expect(fs.lstatSync(socketPath).isSocket()).toBe(true); // a crash leaves the socket file behind

  con = await ConsoleProcess.start(tmp.dir, socketPath);
  // Every lifecycle change the console reported before the kill is there (or later in the lifecycle).
  const lastSeen = new Map<string, string>();
  for (const c of seenBefore) lastSeen.set(c.job_id, c.status);
  for (const [id, status] of lastSeen) {
    const after = await con.job(id);
    expect(ORDER.indexOf(after.status), `${id} was ${status} before the crash, ${after.status} after`).toBeGreaterThanOrEqual(ORDER.indexOf(status));
  }
  expect((await con.job(keepDone)).status).toBe('completed');
  expect((await con.job(keepRunning))).toMatchObject({ status: 'running', crawler_id: 'keeper' });
  expect((await con.job(goneA))).toMatchObject({ status: 'running', crawler_id: 'goner' });

  // keeper reconnects on the same path and goes on: it keeps its job.
  const back = await crawler(socketPath, 'keeper');
  back.send({ type: 'job_progress', timestamp: ts(), jobId: keepRunning, data: { stage: 'fetching', entityType: 'issue', processed: n + 1, total: 100000 } });
  // goner never comes back: after the heartbeat timeout its jobs return to the queue.
  const tick = setInterval(() => back.send({ type: 'heartbeat', timestamp: ts(), data: { activeJobs: 1, totalProcessed: n, systemStatus: 'processing' } }), 100);
  cleanup.push(() => clearInterval(tick));
  type Detail = { events: { kind: string; reason: string | null; crawler_id: string | null }[]; job: JobDto };
  const detail = (id: string) => con.call<Detail>('getJob', { job_id: id });
  await expect.poll(async () => (await detail(goneA)).events.some((e) => e.kind === 'requeued'), { timeout: HEARTBEAT_TIMEOUT * 4 }).toBe(true);
  const requeued = await detail(goneA);
  // Back in the queue (and possibly already handed to keeper, which has room): no longer goner's.
  expect(requeued.job.crawler_id).not.toBe('goner');
  expect(requeued.job).toMatchObject({ resume: true, attempts: 1 });
  expect(requeued.job.resume_state?.current_page).toBeGreaterThan(0);
  expect(requeued.events.find((e) => e.kind === 'requeued')).toMatchObject({ crawler_id: 'goner', reason: expect.stringMatching(/did not reconnect within the heartbeat timeout/) });
  expect((await con.job(goneB)).crawler_id).not.toBe('goner');
  // keeper's job stayed its own all along, and it can finish it.
  back.send({ type: 'job_completed', timestamp: ts(), jobId: keepRunning, data: { success: true, finalCounts: { issue: n + 1 } } });
  await expect.poll(async () => (await con.job(keepRunning)).status).toBe('completed');
  const history = await con.call<{ events: { kind: string }[] }>('getJob', { job_id: keepRunning });
  expect(history.events.map((e) => e.kind)).not.toContain('requeued');
  expect(back.received.filter((m) => m.type === 'error')).toEqual([]);
});

it('a discovery burst: every job acknowledged before a SIGKILL is there after it, and no batch is half there', async () => {
  tmp = tempDir('cc-crash-discovery-');
  const socketPath = path.join(tmp.dir, 'console.sock');
  let con = await ConsoleProcess.start(tmp.dir, socketPath);
  cleanup.push(() => con.stop());
  const discoverer = await crawler(socketPath, 'discoverer');
  const PER_BATCH = 100;
  const batch = (b: number) => ({
    type: 'jobs_discovered',
    timestamp: ts(),
    job_id: 'discovery-crash',
    data: {
      discovered_jobs: Array.from({ length: PER_BATCH }, (_, k) => {
        const i = b * PER_BATCH + k;
        return { job_type: 'crawl_project', entity_id: String(1000 + i), namespace_path: `g-${i % 7}/p-${i}`, entity_name: `P ${i}`, priority: 1 };
      }),
    },
  });
  // Sent back to back, as a crawler's discovery sends them.
  const acked = 20;
  for (let b = 0; b < acked; b++) discoverer.send(batch(b));
  // The answer to this request is written only after every line before it was handled and
  // committed: it is the acknowledgement.
  discoverer.send({ type: 'job_request', timestamp: ts(), data: { max_jobs: 1 } });
  // More batches behind it, still being written when the console dies.
  for (let b = acked; b < acked + 20; b++) discoverer.send(batch(b));
  await discoverer.nextOfType('job_response', 20_000);
  const seenBefore = con.changes.map((c) => c.job_id);
  await con.kill9();

  con = await ConsoleProcess.start(tmp.dir, socketPath);
  const { total } = await con.call<{ total: number }>('listJobs', { parent_job_id: 'discovery-crash', limit: 1 });
  // Every acknowledged batch is there, and batches are whole (each message is one unit, never half of one).
  expect(total).toBeGreaterThanOrEqual(acked * PER_BATCH);
  expect(total % PER_BATCH).toBe(0);
  const ids = new Set<string>();
  for (let offset = 0; offset < total; offset += 500) {
    const page = await con.call<{ jobs: JobDto[] }>('listJobs', { parent_job_id: 'discovery-crash', limit: 500, offset });
    for (const j of page.jobs) ids.add(j.job_id);
  }
  expect(ids.size).toBe(total);
  // Every job the console reported (job_changed) before it died survived it.
  expect(seenBefore.filter((id) => id !== 'discovery-crash' && !ids.has(id))).toEqual([]);
}, 90_000);
