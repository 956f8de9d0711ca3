/**
 * The crawler client against the real socket server over a real Unix socket:
 * every message in both spellings, requests and answers, console → crawler
 * events, reconnect with held jobs, back-pressure and shutdown.
 */
import net from 'node:net';
import path from 'node:path';
import util from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CrawlerMessage,
  type CrawlerMessageOf,
  type JobResponseJob,
  type MessageMiddleware,
  type MessageProcessingResult,
  type SocketConnection,
  SocketServer,
  type SocketServerConfigInput,
} from '../../src/main/socket';
import { type TestBackend, routerFor } from '../helpers/backend-router';
import {
  ClientClosedError,
  ConnectError,
  ConsoleError,
  CrawlerClient,
  type CrawlerClientOptions,
  QueueFullError,
  RequestTimeoutError,
  type Spelling,
} from '../../src/client';
import { eventually, tempDir } from '../helpers/peer';

/** Sees every message that reaches the router (then lets the default handlers answer). */
class Recorder implements MessageMiddleware {
  readonly name = 'recorder';
  readonly priority = 100;
  readonly seen: CrawlerMessage[] = [];
  async beforeProcess(message: CrawlerMessage): Promise<CrawlerMessage> {
    this.seen.push(message);
    return message;
  }
  of<T extends CrawlerMessage['type']>(type: T, jobId?: string): CrawlerMessageOf<T>[] {
    return this.seen.filter((m) => m.type === type && (jobId === undefined || m.job_id === jobId)) as CrawlerMessageOf<T>[];
  }
}

const ok: MessageProcessingResult = { success: true };

/** A tiny in-test job service: a queue handed out on job_request, tokens per job, one job it refuses. */
class QueueBackend implements TestBackend {
  readonly queue: JobResponseJob[] = [];
  refreshFor = (jobId: string) => ({ access_token: `fresh-${jobId}`, refresh_successful: true });
  heartbeat = (): MessageProcessingResult => ok;
  jobStarted = (): MessageProcessingResult => ok;
  jobProgress(_c: SocketConnection, m: CrawlerMessageOf<'job_progress'>): MessageProcessingResult {
    return m.job_id === 'not-mine' ? { success: false, code: 'job_not_leased', error: 'job not-mine is leased to another crawler' } : ok;
  }
  jobCompleted = (): MessageProcessingResult => ok;
  jobFailed = (): MessageProcessingResult => ok;
  jobsDiscovered = (): MessageProcessingResult => ok;
  discovery = (): MessageProcessingResult => ok;
  requestJobs(_c: SocketConnection, m: CrawlerMessageOf<'job_request'>): JobResponseJob[] {
    return this.queue.splice(0, m.data.max_jobs ?? 1);
  }
  refreshToken(_c: SocketConnection, m: CrawlerMessageOf<'token_refresh_request'>) {
    return this.refreshFor(m.job_id);
  }
}

const job = (id: string, entityType = 'project'): JobResponseJob => ({
  id,
  entityType,
  entityId: `${id}-entity`,
  gitlabUrl: 'https://gitlab.example.com',
  accessToken: `glpat-${id}`,
});

let tmp: ReturnType<typeof tempDir>;
let socketPath: string;
const servers: SocketServer[] = [];
const clients: CrawlerClient[] = [];
const rawServers: net.Server[] = [];

async function startServer(config: SocketServerConfigInput = {}, backend: TestBackend = new QueueBackend()) {
  const server = new SocketServer({ socketPath, ...config }, { router: routerFor(backend) });
  const recorder = new Recorder();
  server.router.addMiddleware(recorder);
  await server.start();
  servers.push(server);
  return { server, recorder, backend };
}

function client(options: CrawlerClientOptions = {}): CrawlerClient {
  const c = new CrawlerClient({ socketPath, reconnect: { initialDelayMs: 20, maxDelayMs: 100 }, requestTimeoutMs: 5000, ...options });
  clients.push(c);
  return c;
}

const once = <T extends unknown[]>(c: CrawlerClient, event: 'connected' | 'closed' | 'disconnected', timeoutMs = 5000) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    c.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });

beforeEach(() => {
  tmp = tempDir('cc-client-');
  socketPath = path.join(tmp.dir, 'console.sock');
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ flush: false })));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(rawServers.splice(0).map((s) => new Promise((r) => s.close(r))));
  tmp.cleanup();
});

describe('CrawlerClient: every message in both spellings', () => {
  for (const spelling of ['documented', 'crawler'] as Spelling[]) {
    it(`${spelling}: each crawler → console message reaches the server normalised`, async () => {
      const { server, recorder } = await startServer();
      const c = client({ spelling, crawlerId: `c-${spelling}`, name: 'test crawler', version: '9.9.9', maxConcurrentJobs: 4, capabilities: ['crawl_project'] });
      await c.connect();
      expect(c.crawlerId).toBe(`c-${spelling}`);
      const info = server.getConnection(`c-${spelling}`)!.info();
      expect(info).toMatchObject({ said_hello: true, name: 'test crawler', version: '9.9.9', max_concurrent_jobs: 4, capabilities: ['crawl_project'] });

      await c.jobStarted('j1', { job_type: 'crawl_project', entity_id: '42', namespace_path: 'acme/api' });
      await c.jobProgress('j1', {
        progress: [{ entity_type: 'issue', total_processed: 40, total_discovered: 100, current_page: 4 }],
        overall_completion: 0.4,
        time_elapsed: 1200,
        stage: 'fetching',
        resume_state: { entity_type: 'issue', current_page: 4, last_entity_id: '77' },
      });
      await c.jobsDiscovered('j1', {
        discovered_jobs: [{ job_type: 'crawl_project', entity_id: '7', namespace_path: 'acme/web', entity_name: 'web', priority: 2 }],
        discovery_summary: { total_projects: 1 },
      });
      await c.discovery({ entity_type: 'group', entities: [{ id: '1', name: 'acme', path: 'acme' }, { id: '2', name: 'web', path: 'acme/web', parent_id: '1' }] }, 'j1');
      await c.jobFailed('j2', { error: 'HTTP 502', error_type: 'http', is_recoverable: true, partial_counts: { issue: 3 } });
      await c.jobCompleted('j1', { success: true, final_counts: { issue: 100 } });
      await c.tokenRefreshRequest('j3', { current_token_expired: true, error_details: '401' });
      await c.jobRequest({ max_jobs: 2 });
      await c.heartbeat({ active_jobs: 1, system_status: 'crawling', total_processed: 7 });

      await eventually(() => recorder.seen.length >= 10, 5000, 'all messages');
      const twoSpellings = spelling; // types whose two spellings differ report which one they saw
      const [hb] = recorder.of('heartbeat').slice(-1);
      expect(hb!.spelling).toBe(twoSpellings);
      expect(hb!.data).toMatchObject({ active_jobs: 1, system_status: 'crawling' });
      if (spelling === 'crawler') expect(hb!.data.total_processed).toBe(7);

      const [started] = recorder.of('job_started', 'j1');
      expect(started!.spelling).toBe(twoSpellings);
      expect(started!.data.entity_id).toBe('42');
      if (spelling === 'documented') expect(started!.data).toEqual({ job_type: 'crawl_project', entity_id: '42', namespace_path: 'acme/api' });
      else expect(started!.data).toEqual({ entity_type: 'crawl_project', entity_id: '42' });

      const [progress] = recorder.of('job_progress', 'j1');
      expect(progress!.spelling).toBe(twoSpellings);
      expect(progress!.data.progress[0]).toMatchObject({ entity_type: 'issue', total_processed: 40, total_discovered: 100, current_page: 4 });
      if (spelling === 'crawler') expect(progress!.data.resume_state).toEqual({ entity_type: 'issue', current_page: 4, last_entity_id: '77' });
      else expect(progress!.data).toMatchObject({ overall_completion: 0.4, time_elapsed: 1200 });

      const [discovered] = recorder.of('jobs_discovered', 'j1');
      expect(discovered!.data.discovered_jobs).toEqual([{ job_type: 'crawl_project', entity_id: '7', namespace_path: 'acme/web', entity_name: 'web', priority: 2 }]);
      expect(discovered!.data.rejected_items).toEqual([]);

      const [disc] = recorder.of('discovery');
      expect(disc!.data.entities[1]).toEqual({ id: '2', name: 'web', path: 'acme/web', parent_id: '1' });

      const [failed] = recorder.of('job_failed', 'j2');
      expect(failed!.spelling).toBe(twoSpellings);
      expect(failed!.data).toEqual({ error: 'HTTP 502', error_type: 'http', is_recoverable: true, partial_counts: { issue: 3 } });

      const [completed] = recorder.of('job_completed', 'j1');
      expect(completed!.spelling).toBe(twoSpellings);
      expect(completed!.data).toMatchObject({ success: true, final_counts: { issue: 100 } });

      expect(recorder.of('token_refresh_request', 'j3')[0]!.data).toMatchObject({ current_token_expired: true, error_details: '401' });
      expect(recorder.of('job_request').some((m) => m.data.max_jobs === 2)).toBe(true);

      // The server answered nothing with an error, and the client counted what it wrote.
      expect(c.stats.sent.job_started).toBe(1);
      expect(c.stats.sent.hello).toBe(1);
      expect(server.getConnection(`c-${spelling}`)!.spelling).toBe(spelling);
      // j1 was completed, so the client no longer holds it.
      expect(c.heldJobs()).toEqual([]);
    });
  }

  it('refuses a message the console would refuse, before sending it', async () => {
    await startServer();
    const c = client();
    await c.connect();
    await expect(c.jobProgress('j', { progress: [{ entity_type: '', total_processed: -1 }] })).rejects.toThrow(/invalid job_progress/);
    await expect(c.jobStarted('', {})).rejects.toThrow(/job id is required/);
    expect(c.stats.sent.job_progress).toBeUndefined();
  });

  it('works without hello (the console assigns an id) and sends heartbeats on its timer with the real state', async () => {
    const { server, recorder } = await startServer({ heartbeatInterval: 40 });
    let active = 3;
    const c = client({ hello: false, heartbeatIntervalMs: 30, getState: () => ({ activeJobs: active, totalProcessed: 12, systemStatus: 'crawling' }) });
    await c.connect();
    expect(c.crawlerId).toBeNull();
    await eventually(() => recorder.of('heartbeat').length >= 2, 3000, 'timer heartbeats');
    active = 0;
    const before = recorder.of('heartbeat').length;
    await eventually(() => recorder.of('heartbeat').length > before + 1, 3000, 'later heartbeat');
    const beats = recorder.of('heartbeat');
    expect(beats[0]!.data).toMatchObject({ active_jobs: 3, system_status: 'crawling' });
    expect(beats.at(-1)!.data.active_jobs).toBe(0);
    expect(server.listConnections()[0]!.said_hello).toBe(false);
  });
});

describe('CrawlerClient: requests and answers', () => {
  for (const spelling of ['documented', 'crawler'] as Spelling[]) {
    it(`${spelling}: requestJobs resolves with the job_response; refreshToken with the answer for its job`, async () => {
      const backend = new QueueBackend();
      backend.queue.push(job('a'), job('b'), job('c'));
      const { recorder } = await startServer({}, backend);
      const c = client({ spelling });
      await c.connect();
      expect(await c.requestJobs(2)).toEqual([job('a'), job('b')]);
      expect(await c.requestJobs()).toEqual([job('c')]);
      expect(await c.requestJobs()).toEqual([]);
      expect(c.heldJobs().sort()).toEqual(['a', 'b', 'c']);

      const [ra, rb] = await Promise.all([c.refreshToken('a'), c.refreshToken('b')]);
      expect(ra).toEqual({ access_token: 'fresh-a', refresh_successful: true });
      expect(rb).toEqual({ access_token: 'fresh-b', refresh_successful: true });
      expect(recorder.of('token_refresh_request').map((m) => m.job_id)).toEqual(['a', 'b']);

      backend.refreshFor = () => ({ access_token: '', refresh_successful: false });
      expect((await c.refreshToken('c')).refresh_successful).toBe(false);
    });
  }

  it('a request nobody answers times out', async () => {
    const raw = await rawConsole({ welcome: true });
    const c = client({ requestTimeoutMs: 150 });
    await c.connect();
    const t0 = Date.now();
    await expect(c.requestJobs()).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(c.refreshToken('x')).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - t0).toBeLessThan(2000);
    raw.sockets.forEach((s) => s.destroy());
  });

  it('cannot connect to a missing console: a clear error, and no reconnect', async () => {
    const c = client({ socketPath: path.join(tmp.dir, 'nobody.sock') });
    await expect(c.connect()).rejects.toBeInstanceOf(ConnectError);
    await expect(c.connect()).rejects.toThrow(/cannot connect to the console at .*nobody\.sock/);
    expect(c.phase).toBe('idle');
  });
});

describe('CrawlerClient: console → crawler events', () => {
  it('emits job_assignment, job_cancel, error and shutdown as typed events', async () => {
    const { server } = await startServer();
    const c = client({ crawlerId: 'events-crawler', spelling: 'crawler' });
    await c.connect();
    const assignments: unknown[] = [];
    const cancels: unknown[] = [];
    const errors: { code: string; job_id?: string }[] = [];
    const shutdowns: unknown[] = [];
    c.on('job_assignment', (a) => assignments.push(a));
    c.on('job_cancel', (d) => cancels.push(d));
    c.on('error', (e) => errors.push(e));
    c.on('shutdown', (s) => shutdowns.push(s));

    await server.sendToCrawler('events-crawler', {
      type: 'job_assignment',
      data: { job_id: 'pushed-1', job_type: 'crawl_group', entity_id: '5', namespace_path: 'acme', gitlab_host: 'gitlab.example.com', access_token: 'glpat-x', priority: 3, resume: false },
    });
    await eventually(() => assignments.length === 1, 3000, 'job_assignment');
    expect(assignments[0]).toMatchObject({ job_id: 'pushed-1', job_type: 'crawl_group', priority: 3 });
    expect(c.heldJobs()).toEqual(['pushed-1']);

    await server.sendToCrawler('events-crawler', { type: 'job_cancel', data: { job_id: 'pushed-1', reason: 'operator' } });
    await eventually(() => cancels.length === 1, 3000, 'job_cancel');
    expect(cancels[0]).toEqual({ job_id: 'pushed-1', reason: 'operator' });
    expect(c.heldJobs()).toEqual([]);

    // The console refuses progress for a job leased to someone else: an `error` event, and the job is let go.
    await c.jobStarted('not-mine', {});
    await c.jobProgress('not-mine', { progress: [{ entity_type: 'issue', total_processed: 1 }] });
    await eventually(() => errors.length === 1, 3000, 'error');
    expect(errors[0]).toMatchObject({ code: 'job_not_leased', job_id: 'not-mine' });
    expect(c.heldJobs()).toEqual([]);

    await server.broadcast({ type: 'shutdown', data: { graceful: false, timeout_seconds: 0, reason: 'maintenance' } });
    await eventually(() => c.phase === 'closed', 3000, 'closed after shutdown');
    expect(shutdowns[0]).toEqual({ graceful: false, timeout_seconds: 0, reason: 'maintenance' });
  });

  it('graceful shutdown: the crawler finishes its job in the grace time, then the client closes and never reconnects', async () => {
    const { server, recorder } = await startServer();
    const c = client({
      crawlerId: 'graceful',
      onShutdown: async () => {
        await new Promise((r) => setTimeout(r, 100)); // the last page of the job
        await c.jobCompleted('g1', { success: true, final_counts: { issue: 5 } });
      },
    });
    await c.connect();
    await c.jobStarted('g1', { job_type: 'crawl_project' });
    const t0 = Date.now();
    await server.sendToCrawler('graceful', { type: 'shutdown', data: { graceful: true, timeout_seconds: 2 } });
    await once(c, 'closed', 3000);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(90);
    expect(took).toBeLessThan(2000);
    expect(recorder.of('job_completed', 'g1')).toHaveLength(1);
    await expect(c.requestJobs()).rejects.toBeInstanceOf(ClientClosedError);
    await expect(c.jobProgress('g1', { progress: [{ entity_type: 'x', total_processed: 1 }] })).rejects.toBeInstanceOf(ClientClosedError);
    // No reconnect after a shutdown.
    await new Promise((r) => setTimeout(r, 150));
    expect(server.listConnections()).toHaveLength(0);
  });

  it('graceful shutdown with a job that does not finish: closes at the deadline, not later', async () => {
    const { server } = await startServer();
    const c = client({ crawlerId: 'stuck' });
    await c.connect();
    await c.jobStarted('never-ends', {});
    const t0 = Date.now();
    await server.sendToCrawler('stuck', { type: 'shutdown', data: { graceful: true, timeout_seconds: 0.3 } });
    await once(c, 'closed', 3000);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(1000);
    await expect(c.requestJobs()).rejects.toBeInstanceOf(ClientClosedError);
  });
});

describe('CrawlerClient: reconnect', () => {
  it('reconnects after the console restarts on the same path, with the same id, and reports its held jobs again', async () => {
    const backend = new QueueBackend();
    backend.queue.push(job('r1'));
    const first = await startServer({}, backend);
    const c = client({ spelling: 'crawler' });
    const events: string[] = [];
    c.on('disconnected', (d) => events.push(`disconnected:${d.willReconnect}`));
    c.on('reconnecting', () => events.push('reconnecting'));
    await c.connect();
    const id = c.crawlerId!;
    expect(id).toMatch(/^crawler-/); // the console's id from welcome, kept from now on

    const [r1] = await c.requestJobs();
    await c.jobStarted(r1!.id, { entity_type: 'project', entity_id: r1!.entityId });
    await first.server.sendToCrawler(id, {
      type: 'job_assignment',
      data: { job_id: 'r2', job_type: 'crawl_user', entity_id: 'u9', gitlab_host: 'gitlab.example.com', access_token: 'glpat-y' },
    });
    await eventually(() => c.heldJobs().length === 2, 3000, 'r2 held');

    const disconnected = once(c, 'disconnected');
    await first.server.stop();
    await disconnected;
    expect(c.connected).toBe(false);
    // Reported while the console is away: queued, delivered after the reconnect.
    const queuedProgress = c.jobProgress('r1', { progress: [{ entity_type: 'issue', total_processed: 10, total_discovered: 20 }], stage: 'fetching' });

    await new Promise((r) => setTimeout(r, 100)); // a few failed attempts against a missing socket
    const reconnected = once<[{ reconnected: boolean; crawlerId: string }]>(c, 'connected');
    const second = await startServer({}, backend);
    const [info] = await reconnected;
    expect(info).toEqual({ crawlerId: id, reconnected: true });
    expect(await queuedProgress).toBe('sent');

    await eventually(() => second.recorder.of('job_progress', 'r1').length === 1, 3000, 'queued progress delivered');
    const conn = second.server.getConnection(id);
    expect(conn?.info().said_hello).toBe(true); // same crawler id on the new console
    const seen = second.recorder.seen.map((m) => `${m.type}:${m.job_id ?? ''}`);
    expect(seen.indexOf('job_started:r1')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('job_started:r2')).toBeGreaterThanOrEqual(0);
    // Held jobs are re-reported before the messages queued while away.
    expect(seen.indexOf('job_started:r1')).toBeLessThan(seen.indexOf('job_progress:r1'));
    expect(second.recorder.of('job_started', 'r1')[0]!.data).toEqual({ entity_type: 'project', entity_id: 'r1-entity' });
    expect(second.recorder.of('job_started', 'r2')[0]!.data).toEqual({ entity_type: 'crawl_user', entity_id: 'u9' });
    expect(c.stats.reconnects).toBe(1);
    expect(c.stats.jobsReReported).toBe(2);
    expect(events[0]).toBe('disconnected:true');
    expect(events).toContain('reconnecting');

    // Once completed, a job is no longer re-reported on the next reconnect.
    await c.jobCompleted('r1', { success: true, final_counts: { issue: 20 } });
    expect(c.heldJobs()).toEqual(['r2']);
  });

  it('a request on the wire when the connection drops is rejected at once; close() stops reconnecting', async () => {
    const raw = await rawConsole({ welcome: true });
    const c = client({ requestTimeoutMs: 10_000 });
    await c.connect();
    const pending = c.requestJobs();
    await eventually(() => raw.lines.some((l) => l.includes('job_request')), 3000, 'request written');
    raw.sockets.forEach((s) => s.destroy());
    await expect(pending).rejects.toThrow(/lost before job_request was answered/);
    await c.close();
    const attemptsAfterClose = raw.connections;
    await new Promise((r) => setTimeout(r, 150));
    expect(raw.connections).toBe(attemptsAfterClose);
    expect(c.phase).toBe('closed');
  });
});

describe('CrawlerClient: back-pressure', () => {
  it('a console that stops reading does not make the client buffer without bound', async () => {
    const raw = await rawConsole({ welcome: true, read: false });
    const maxQueued = 500;
    const c = client({ maxQueuedMessages: maxQueued, heartbeatIntervalMs: 60_000 });
    await c.connect();
    const heapBefore = process.memoryUsage().heapUsed;

    // ~2 KB per report, 20,000 reports: about 40 MB offered to a console that reads nothing.
    const filler = 'x'.repeat(2000);
    const results: Promise<string>[] = [];
    let maxSeenQueued = 0;
    let maxSeenSocket = 0;
    for (let i = 0; i < 20_000; i++) {
      const p = c.jobProgress('bp', { progress: [{ entity_type: 'issue', total_processed: i }], message: filler });
      if (i % 500 === 0) {
        results.push(p);
        await new Promise((r) => setImmediate(r)); // let the socket try to write
      }
      maxSeenQueued = Math.max(maxSeenQueued, c.queuedMessages);
      maxSeenSocket = Math.max(maxSeenSocket, c.socketBufferedBytes);
    }
    expect(maxSeenQueued).toBeLessThanOrEqual(maxQueued);
    expect(maxSeenSocket).toBeLessThan(256 * 1024); // one socket buffer's worth, not the backlog
    expect(c.stats.dropped).toBeGreaterThan(15_000); // oldest progress dropped first
    expect(await results[1]).toBe('dropped');

    // Lifecycle messages push the remaining progress out; past the bound they are refused, never silently lost.
    const lifecycle: Promise<string>[] = [];
    for (let i = 0; i < maxQueued + 50; i++) lifecycle.push(c.jobStarted(`life-${i}`, {}));
    const settled = await Promise.allSettled(lifecycle.slice(maxQueued));
    expect(settled.every((s) => s.status === 'rejected' && s.reason instanceof QueueFullError)).toBe(true);
    expect(c.queuedMessages).toBe(maxQueued);
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(heapGrowth).toBeLessThan(30 * 1024 * 1024);

    // When the console reads again, every queued lifecycle message arrives, in order.
    raw.resume();
    await eventually(() => raw.lines.filter((l) => l.includes('"job_started"')).length === maxQueued, 10_000, 'queued lifecycle delivered');
    const ids = raw.lines.filter((l) => l.includes('"job_started"')).map((l) => (JSON.parse(l) as { job_id: string }).job_id);
    expect(ids).toEqual(Array.from({ length: maxQueued }, (_, i) => `life-${i}`));
    await expect(lifecycle[0]!).resolves.toBe('sent');
  });
});

describe('CrawlerClient: framing', () => {
  it('reads a console that writes bare JSON objects back to back, one byte at a time', async () => {
    const messages = [
      { type: 'welcome', timestamp: new Date().toISOString(), data: { crawler_id: 'raw-1', protocol_version: '1.0', heartbeat_interval_ms: 60_000 } },
      { type: 'job_assignment', timestamp: new Date().toISOString(), data: { job_id: 'a-1', job_type: 'crawl_project', entity_id: '7', namespace_path: 'acme/{web}', gitlab_host: 'https://gitlab.example.com', access_token: 'glpat-"}{', priority: 1, resume: false } },
      { type: 'job_cancel', timestamp: new Date().toISOString(), data: { job_id: 'a-1', reason: 'operator said "stop" \\ now' } },
    ];
    const stream = Buffer.from(messages.map((m) => JSON.stringify(m)).join(''));
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      // One byte per write, a turn of the event loop apart: read boundaries fall all over the stream.
      void (async () => {
        for (let i = 0; i < stream.length && !socket.destroyed; i++) {
          socket.write(stream.subarray(i, i + 1));
          await new Promise((r) => setImmediate(r));
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    rawServers.push(server);

    const c = client();
    const problems: string[] = [];
    c.on('protocol_error', (e) => problems.push(e.message));
    const assignments: string[] = [];
    const cancels: string[] = [];
    c.on('job_assignment', (a) => assignments.push(`${a.job_id} ${a.access_token} ${a.namespace_path}`));
    c.on('job_cancel', (x) => cancels.push(`${x.job_id} ${x.reason}`));
    await c.connect();
    expect(c.crawlerId).toBe('raw-1');
    await eventually(() => cancels.length === 1, 10_000, 'job_cancel read');
    expect(assignments).toEqual(['a-1 glpat-"}{ acme/{web}']);
    expect(cancels).toEqual(['a-1 operator said "stop" \\ now']);
    expect(problems).toEqual([]);
    for (const socket of sockets) socket.destroy();
  });

  for (const framing of ['unterminated', 'mixed'] as const) {
    it(`${framing}: writes what it sends ${framing === 'mixed' ? 'with and without a delimiter, alternately' : 'without a delimiter'}, and the console reads every message in order`, async () => {
      // First a raw listener to see the bytes on the wire, then the real console.
      const wire: Buffer[] = [];
      const raw = net.createServer((socket) => {
        socket.on('error', () => undefined);
        socket.on('data', (b: Buffer) => wire.push(b));
      });
      await new Promise<void>((resolve) => raw.listen(socketPath, resolve));
      const probe = client({ framing, hello: false, spelling: 'crawler', heartbeatIntervalMs: 60_000, reconnect: false });
      await probe.connect();
      for (let i = 0; i < 4; i++) await probe.jobStarted(`w-${i}`, {});
      await eventually(() => Buffer.concat(wire).toString().split('"job_started"').length === 5, 5000, 'probe bytes');
      const text = Buffer.concat(wire).toString();
      const newlines = text.split('\n').length - 1;
      const objects = text.split('}{').length + newlines; // every boundary is either "}{" or "}\n"
      expect(objects).toBeGreaterThanOrEqual(5); // heartbeat + 4 job_started
      if (framing === 'unterminated') expect(newlines).toBe(0);
      else expect(newlines).toBeGreaterThanOrEqual(2);
      await probe.close({ flush: false });
      await new Promise((r) => raw.close(r));

      const { server, recorder } = await startServer();
      const errors: string[] = [];
      server.on('protocol_error', (e) => errors.push(e.error.code));
      const c = client({ framing, spelling: 'crawler', crawlerId: `f-${framing}` });
      await c.connect();
      const ids = Array.from({ length: 20 }, (_, i) => `j-${i}`);
      for (const id of ids) {
        await c.jobStarted(id, { entity_type: 'project', entity_id: id });
        await c.jobProgress(id, { progress: [{ entity_type: 'issue', total_processed: 1, total_discovered: 2 }], message: 'braces } { and "quotes"' });
      }
      await eventually(() => recorder.of('job_progress').length === ids.length, 5000, 'all progress');
      expect(recorder.of('job_started').map((m) => m.job_id)).toEqual(ids);
      expect(recorder.of('job_progress').map((m) => m.job_id)).toEqual(ids);
      expect(errors).toEqual([]);
      expect(server.getConnection(`f-${framing}`)!.info().said_hello).toBe(true);
    });
  }
});

describe('CrawlerClient: TCP and secrets', () => {
  it('authenticates over TCP with its token, which never shows in inspection or errors', async () => {
    const secret = 'very-secret-token-123';
    const { server } = await startServer({ enableTcp: true, host: '127.0.0.1', port: 0, authToken: secret });
    const port = server.tcpListenAddress!.port;
    const good = client({ tcp: { host: '127.0.0.1', port }, authToken: secret, crawlerId: 'remote-1' });
    await good.connect();
    expect(server.getConnection('remote-1')?.info().transport).toBe('tcp');
    expect(util.inspect(good, { depth: 5, showHidden: true })).not.toContain(secret);
    expect(JSON.stringify(good.stats)).not.toContain(secret);

    const bad = client({ tcp: { host: '127.0.0.1', port }, authToken: 'wrong-token-456' });
    const err = await bad.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsoleError);
    expect((err as ConsoleError).code).toBe('auth_failed');
    expect(String((err as Error).message)).not.toContain('wrong-token-456');
    expect(() => new CrawlerClient({ tcp: { host: '127.0.0.1', port } })).toThrow(/authToken/);
  });
});

/** A console stand-in on the same path: records lines, optionally sends welcome, optionally never reads. */
async function rawConsole(options: { welcome: boolean; read?: boolean }) {
  const state = { lines: [] as string[], sockets: [] as net.Socket[], connections: 0, resume: () => undefined as void };
  const server = net.createServer((socket) => {
    state.connections++;
    state.sockets.push(socket);
    socket.on('error', () => undefined);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        state.lines.push(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    });
    if (options.read === false) socket.pause();
    state.resume = () => socket.resume();
    if (options.welcome) {
      socket.write(JSON.stringify({ type: 'welcome', timestamp: new Date().toISOString(), data: { crawler_id: 'raw-1', protocol_version: '1.0', heartbeat_interval_ms: 60_000 } }) + '\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  rawServers.push(server);
  return state;
}
