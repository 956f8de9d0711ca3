/**
 * The crawl simulator against the real socket server over a real Unix socket,
 * with a small in-test job service: every job handed out ends in exactly one
 * final state, the simulator's own counts equal what the console received,
 * runs repeat from a seed, and a live crawl obeys job_cancel, survives a
 * console restart and honours shutdown.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CrawlerMessage,
  type CrawlerMessageOf,
  type JobResponseJob,
  type MessageMiddleware,
  type MessageProcessingResult,
  type SocketConnection,
  SocketServer,
} from '../../src/main/socket';
import { type TestBackend, routerFor } from '../helpers/backend-router';
import { type SimulationSummary, generateHierarchy, parseSimulateArgs, runSimulateCommand } from '../../src/simulator';
import { eventually, tempDir } from '../helpers/peer';

interface Seen {
  crawlerId: string;
  at: number;
  message: CrawlerMessage;
}

/** Records every message that reaches the router, with the crawler that sent it; the default handlers still answer. */
class Recorder implements MessageMiddleware {
  readonly name = 'recorder';
  readonly priority = 100;
  readonly seen: Seen[] = [];
  async beforeProcess(message: CrawlerMessage, connection: SocketConnection): Promise<CrawlerMessage> {
    this.seen.push({ crawlerId: connection.crawlerId, at: Date.now(), message });
    return message;
  }
  of<T extends CrawlerMessage['type']>(type: T, jobId?: string): CrawlerMessageOf<T>[] {
    return this.seen.filter((s) => s.message.type === type && (jobId === undefined || s.message.job_id === jobId)).map((s) => s.message as CrawlerMessageOf<T>);
  }
  countByType(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.seen) out[s.message.type] = (out[s.message.type] ?? 0) + 1;
    return out;
  }
}

const ok: MessageProcessingResult = { success: true };

/** A tiny job service: a queue handed out on job_request (leases remembered), tokens refused for jobs ending in 7. */
class SimBackend implements TestBackend {
  readonly queue: JobResponseJob[] = [];
  readonly leasedTo = new Map<string, string>();
  heartbeat = (): MessageProcessingResult => ok;
  jobStarted = (): MessageProcessingResult => ok;
  jobProgress = (): MessageProcessingResult => ok;
  jobCompleted = (): MessageProcessingResult => ok;
  jobFailed = (): MessageProcessingResult => ok;
  jobsDiscovered = (): MessageProcessingResult => ok;
  discovery = (): MessageProcessingResult => ok;
  requestJobs(c: SocketConnection, m: CrawlerMessageOf<'job_request'>): JobResponseJob[] {
    const jobs = this.queue.splice(0, m.data.max_jobs ?? 1);
    for (const j of jobs) this.leasedTo.set(j.id, c.crawlerId);
    return jobs;
  }
  refreshToken(_c: SocketConnection, m: CrawlerMessageOf<'token_refresh_request'>) {
    return m.job_id.endsWith('7') ? { access_token: '', refresh_successful: false } : { access_token: `fresh-${m.job_id}`, refresh_successful: true };
  }
}

function fillQueue(backend: SimBackend, count: number, prefix = 'job'): string[] {
  const kinds = ['project', 'group', 'user', 'project', 'project'];
  const ids: string[] = [];
  backend.queue.push({ id: `${prefix}-discover`, entityType: 'discover_namespaces', entityId: 'acme', gitlabUrl: 'https://gitlab.example.com', accessToken: 'glpat-d' });
  ids.push(`${prefix}-discover`);
  for (let i = 1; i < count; i++) {
    const id = `${prefix}-${i}`;
    backend.queue.push({ id, entityType: kinds[i % kinds.length]!, entityId: String(100 + i), gitlabUrl: 'https://gitlab.example.com', accessToken: `glpat-${i}` });
    ids.push(id);
  }
  return ids;
}

/** Output sink for the simulator's stdout/stderr. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

let tmp: ReturnType<typeof tempDir>;
let socketPath: string;
const servers: SocketServer[] = [];

async function startServer(backend: TestBackend) {
  const server = new SocketServer({ socketPath }, { router: routerFor(backend) });
  const recorder = new Recorder();
  server.router.addMiddleware(recorder);
  await server.start();
  servers.push(server);
  return { server, recorder };
}

async function simulate(args: string[]): Promise<{ code: number; summary: SimulationSummary; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const file = path.join(tmp.dir, `summary-${Date.now()}-${Math.random()}.json`);
  const code = await runSimulateCommand(['--socket', socketPath, '--summary-json', file, ...args], { stdout: out.stream, stderr: err.stream });
  const summary = JSON.parse(fs.readFileSync(file, 'utf8')) as SimulationSummary;
  return { code, summary, stdout: out.text(), stderr: err.text() };
}

/** Every handed-out job got job_started and exactly one final message; the summary equals what the server received. */
function checkRun(backend: SimBackend, recorder: Recorder, summary: SimulationSummary, handedOut: string[]) {
  expect([...backend.leasedTo.keys()].sort()).toEqual([...handedOut].sort());
  for (const id of handedOut) {
    expect(recorder.of('job_started', id).length, `job_started for ${id}`).toBeGreaterThanOrEqual(1);
    const finals = [...recorder.of('job_completed', id), ...recorder.of('job_failed', id)];
    expect(finals.length, `final messages for ${id}`).toBe(1);
  }
  expect(summary.jobs.received).toBe(handedOut.length);
  expect(summary.jobs.completed + summary.jobs.failed).toBe(handedOut.length);
  expect(summary.jobs.completed).toBe(recorder.of('job_completed').length);
  expect(summary.jobs.failed).toBe(recorder.of('job_failed').length);

  // Messages: what the simulator says it sent is what the console received (hello is answered by the server itself).
  const received = recorder.countByType();
  const { hello, ...sentRouted } = summary.messages_sent;
  expect(sentRouted).toEqual(received);
  expect(hello).toBe(summary.crawlers);
  expect(summary.messages_dropped).toBe(0);
  expect(summary.token_refreshes.requested).toBe(received.token_refresh_request ?? 0);
}

/** What happened to each job: its final message type and counts (the part a seed must make repeatable). */
function outcomes(recorder: Recorder): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of recorder.of('job_completed')) out[m.job_id] = `completed ${JSON.stringify(m.data.final_counts)}`;
  for (const m of recorder.of('job_failed')) out[m.job_id] = `failed ${m.data.is_recoverable} ${m.data.error_type} ${JSON.stringify(m.data.partial_counts)}`;
  return out;
}

beforeEach(() => {
  tmp = tempDir('cc-sim-');
  socketPath = path.join(tmp.dir, 'console.sock');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  tmp.cleanup();
});

describe('simulator: a run against a real console', () => {
  it('3 crawlers in one process: every job ends in one final state and the counts match the console, repeatably', async () => {
    const args = ['--crawlers', '3', '--speed', '2000', '--seed', '42', '--failure-rate', '0.2', '--token-refresh-rate', '0.3', '--jobs-then-exit', '--quiet'];
    const backend = new SimBackend();
    const ids = fillQueue(backend, 20);
    const { server, recorder } = await startServer(backend);
    const t0 = Date.now();
    const run = await simulate(args);
    expect(run.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
    checkRun(backend, recorder, run.summary, ids);
    expect(run.stdout).toMatch(/jobs: {5}received 20, completed \d+, failed \d+/);

    // Three crawlers with the seed's ids, in the mixed spellings.
    expect(run.summary.per_crawler.map((c) => [c.crawler_id, c.spelling])).toEqual([
      ['sim-42-1', 'documented'],
      ['sim-42-2', 'crawler'],
      ['sim-42-3', 'documented'],
    ]);
    for (const s of recorder.seen.filter((x) => x.message.type === 'job_progress')) {
      expect(s.message.spelling).toBe(s.crawlerId === 'sim-42-2' ? 'crawler' : 'documented');
    }
    expect(new Set([...backend.leasedTo.values()]).size).toBeGreaterThan(1); // the work was shared

    // Crawls report entity by entity, page by page.
    const progress = recorder.of('job_progress');
    const entityTypes = new Set(progress.map((m) => m.data.progress[0]!.entity_type));
    for (const t of ['issue', 'merge_request', 'commit', 'pipeline', 'branch']) expect(entityTypes).toContain(t);
    expect(progress.some((m) => (m.data.progress[0]!.current_page ?? 0) > 1)).toBe(true);

    // Failures of both kinds, and token refreshes answered both ways (refused for jobs ending in 7).
    const failed = recorder.of('job_failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed.filter((m) => m.data.error_type === 'auth')) {
      expect(f.job_id!.endsWith('7')).toBe(true);
      expect(f.data.is_recoverable).toBe(false);
      expect(f.data.error).toMatch(/token refresh unsuccessful/);
    }
    expect(run.summary.token_refreshes.requested).toBeGreaterThan(0);
    expect(run.summary.token_refreshes.granted + run.summary.token_refreshes.refused).toBe(run.summary.token_refreshes.requested);

    // The same seed again, on a fresh console: every job ends the same way (whichever crawler ran it).
    const first = outcomes(recorder);
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
    const backend2 = new SimBackend();
    fillQueue(backend2, 20);
    const again = await startServer(backend2);
    const run2 = await simulate(args);
    expect(run2.code).toBe(0);
    expect(outcomes(again.recorder)).toEqual(first);
    expect(run2.summary.jobs).toEqual(run.summary.jobs);
  });

  it('--processes: 2 crawler processes, the same guarantees', async () => {
    const backend = new SimBackend();
    const ids = fillQueue(backend, 10, 'proc');
    const { recorder } = await startServer(backend);
    const run = await simulate(['--processes', '--crawlers', '2', '--speed', '2000', '--seed', '7', '--failure-rate', '0', '--token-refresh-rate', '0', '--jobs-then-exit']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.summary.processes).toBe(true);
    checkRun(backend, recorder, run.summary, ids);
    // Each crawler ran in its own process.
    const pids = new Set(servers[0]!.listConnections().map((c) => c.pid));
    expect(pids.has(process.pid)).toBe(false);
    expect(run.summary.per_crawler.map((c) => c.crawler_id).sort()).toEqual(['sim-7-1', 'sim-7-2']);
    expect(run.stdout).toContain('sim-7-1: connected');

    // Nothing fails in this run, so the discovery job found a plausible hierarchy under its namespace.
    const discovered = recorder.of('jobs_discovered', 'proc-discover').flatMap((m) => m.data.discovered_jobs);
    expect(discovered.length).toBeGreaterThan(3);
    expect(new Set(discovered.map((d) => d.job_type))).toEqual(new Set(['crawl_group', 'crawl_project', 'crawl_user']));
    expect(discovered.filter((d) => d.job_type === 'crawl_project').every((d) => /^acme\/[\w-]+(\/[\w-]+)*$/.test(d.namespace_path))).toBe(true);
    expect(discovered.some((d) => d.namespace_path.split('/').length >= 3)).toBe(true); // a project in a subgroup
    expect(recorder.of('jobs_discovered', 'proc-discover')[0]!.data.discovery_summary).toMatchObject({ hierarchy_depth: expect.any(Number) });

  });

  it('at realistic speed: obeys job_cancel, reconnects when the console restarts, hands its jobs back on shutdown', async () => {
    const backend = new SimBackend();
    for (let i = 0; i < 8; i++) {
      backend.queue.push({ id: `live-${i}`, entityType: 'project', entityId: String(500 + i), gitlabUrl: 'https://gitlab.example.com', accessToken: 't' });
    }
    const first = await startServer(backend);
    const running = simulate(['--crawlers', '2', '--concurrency', '2', '--speed', '1', '--seed', '3', '--failure-rate', '0', '--token-refresh-rate', '0', '--duration', '25', '--quiet']);

    await eventually(() => first.recorder.of('job_progress').length >= 4 && backend.leasedTo.size >= 4, 10_000, 'four jobs crawling');
    // Cancel one job: the crawler stops it and says nothing more about it.
    const [cancelled, owner] = [...backend.leasedTo.entries()][0]!;
    await first.server.sendToCrawler(owner, { type: 'job_cancel', data: { job_id: cancelled, reason: 'operator' } });
    const cancelledAt = Date.now();

    // The console restarts on the same path: the crawlers come back and report the jobs they hold.
    await new Promise((r) => setTimeout(r, 300));
    await first.server.stop();
    const held = [...backend.leasedTo.keys()].filter((id) => id !== cancelled && first.recorder.of('job_completed', id).length === 0);
    const second = await startServer(backend);
    await eventually(() => second.server.listConnections().filter((c) => c.said_hello).length === 2, 10_000, 'both crawlers back');
    await eventually(() => held.every((id) => second.recorder.of('job_started', id).length >= 1), 5000, 'held jobs re-reported');
    expect(second.server.listConnections().map((c) => c.crawler_id).sort()).toEqual(['sim-3-1', 'sim-3-2']);
    // The heartbeat sent on reconnecting carries the crawler's real state: the jobs it is running.
    await eventually(() => second.recorder.of('heartbeat').length >= 2, 3000, 'heartbeats after the reconnect');
    for (const hb of second.recorder.of('heartbeat')) {
      expect(hb.data.system_status).toBe('crawling');
      expect(hb.data.active_jobs).toBeGreaterThanOrEqual(1);
      expect(hb.data.active_jobs).toBeLessThanOrEqual(2); // --concurrency 2
    }

    // A graceful shutdown with one second of grace: jobs not done are handed back, then the simulator ends.
    await new Promise((r) => setTimeout(r, 200));
    const shutdownAt = Date.now();
    await second.server.broadcast({ type: 'shutdown', data: { graceful: true, timeout_seconds: 1, reason: 'test' } });
    const run = await running;
    expect(Date.now() - shutdownAt).toBeLessThan(1800); // 1 s of grace, plus the time to write the summary
    expect(run.code).toBe(0);

    const all = [...first.recorder.seen, ...second.recorder.seen];
    const finalsOf = (id: string) => all.filter((s) => (s.message.type === 'job_completed' || s.message.type === 'job_failed') && s.message.job_id === id);
    // The cancelled job: no final message, no progress once the cancel had arrived.
    expect(finalsOf(cancelled)).toHaveLength(0);
    expect(all.filter((s) => s.message.type === 'job_progress' && s.message.job_id === cancelled && s.at > cancelledAt + 100)).toHaveLength(0);
    expect(run.summary.jobs.cancelled).toBe(1);
    // Every other job handed out ended once; those cut short by the shutdown were handed back recoverably, with a resume state.
    for (const id of [...backend.leasedTo.keys()].filter((x) => x !== cancelled)) {
      const finals = finalsOf(id);
      expect(finals, id).toHaveLength(1);
      const f = finals[0]!.message;
      if (f.type === 'job_failed') {
        expect(f.data).toMatchObject({ is_recoverable: true, error_type: 'interrupted' });
        expect(f.data.resume_state?.entity_type).toBeDefined();
      }
    }
    expect(run.summary.jobs.interrupted).toBeGreaterThan(0);
    expect(run.summary.reconnects).toBe(2);
  }, 40_000);
});

describe('simulator: framing and rejoining', () => {
  it('--framing mixed: one delimited, one unterminated and one alternating crawler, every message read, none refused', async () => {
    const backend = new SimBackend();
    const ids = fillQueue(backend, 12, 'fr');
    const { server, recorder } = await startServer(backend);
    const refused: string[] = [];
    server.on('protocol_error', (e) => refused.push(`${e.crawler_id}: ${e.error.code} ${e.error.message}`));
    const run = await simulate(['--crawlers', '3', '--framing', 'mixed', '--speed', '2000', '--seed', '7', '--failure-rate', '0.2', '--token-refresh-rate', '0.3', '--jobs-then-exit', '--quiet']);
    expect(run.code).toBe(0);
    expect(run.summary.per_crawler.map((c) => [c.crawler_id, c.framing])).toEqual([
      ['sim-7-1', 'delimited'],
      ['sim-7-2', 'unterminated'],
      ['sim-7-3', 'mixed'],
    ]);
    checkRun(backend, recorder, run.summary, ids);
    expect(refused).toEqual([]);
    // Every crawler's messages reached the router, the unterminated one's included.
    for (const id of ['sim-7-1', 'sim-7-2', 'sim-7-3']) expect(recorder.seen.some((x) => x.crawlerId === id && x.message.type === 'heartbeat')).toBe(true);
  });

  it('--rejoin: after a broadcast shutdown the crawlers come back and keep asking for work', async () => {
    const backend = new SimBackend();
    const { server } = await startServer(backend);
    const running = simulate(['--crawlers', '2', '--speed', '50', '--seed', '11', '--framing', 'unterminated', '--rejoin', '--duration', '12', '--quiet']);
    await eventually(() => server.listConnections().filter((c) => c.said_hello).length === 2, 10_000, 'both crawlers connected');
    const before = new Set(server.listConnections().map((c) => c.connection_id));
    await server.broadcast({ type: 'shutdown', data: { graceful: true, timeout_seconds: 1, reason: 'operator restart' } });
    await eventually(() => server.listConnections().length === 0, 5000, 'crawlers gone after the shutdown');
    // They come back on new connections, with the same ids, and ask for work again.
    await eventually(() => server.listConnections().filter((c) => c.said_hello && !before.has(c.connection_id)).length === 2, 10_000, 'both crawlers rejoined');
    expect(server.listConnections().map((c) => c.crawler_id).sort()).toEqual(['sim-11-1', 'sim-11-2']);
    backend.queue.push({ id: 'after-rejoin', entityType: 'project', entityId: '900', gitlabUrl: 'https://gitlab.example.com', accessToken: 't' });
    await eventually(() => backend.leasedTo.has('after-rejoin'), 10_000, 'work handed out after the rejoin');
    const run = await running;
    expect(run.code).toBe(0);
    expect(run.summary.reconnects).toBeGreaterThanOrEqual(2);
  }, 30_000);
});

describe('simulator: command line', () => {
  it('generates the same GitLab hierarchy from the same seed, rooted where asked', () => {
    const a = generateHierarchy(5, 'acme');
    expect(generateHierarchy(5, 'acme')).toEqual(a);
    expect(generateHierarchy(6, 'acme')).not.toEqual(a);
    expect(a.groups[0]!.path).toBe('acme');
    expect(a.groups.every((g) => g.path === 'acme' || g.path.startsWith('acme/'))).toBe(true);
    expect(new Set([...a.groups, ...a.projects, ...a.users].map((n) => n.id)).size).toBe(a.groups.length + a.projects.length + a.users.length);
    expect(a.users.every((u) => /^[a-z]+\.[a-z]+\d*$/.test(u.path))).toBe(true);
  });

  it('parses its options with defaults, and refuses bad ones with a usage error', async () => {
    const parsed = parseSimulateArgs([], { SOCKET_PATH: '/run/x.sock' }, () => 99);
    expect(parsed).toEqual({
      help: false,
      options: expect.objectContaining({ socketPath: '/run/x.sock', crawlers: 3, spelling: 'mixed', speed: 1, failureRate: 0.05, seed: 99, processes: false, jobsThenExit: false }),
    });
    // A text seed is hashed: the same text, the same run (whatever the random default would have been).
    const a = parseSimulateArgs(['--seed', 'demo'], {}, () => 1);
    const b = parseSimulateArgs(['--seed', 'demo'], {}, () => 2);
    expect(a.help === false && b.help === false && a.options.seed === b.options.seed && a.options.seed !== 1).toBe(true);
    expect(parseSimulateArgs(['--tcp', 'example.org:7000', '--token', 't'])).toMatchObject({ options: { tcp: { host: 'example.org', port: 7000 }, token: 't' } });
    expect(parseSimulateArgs([])).toMatchObject({ options: { framing: 'delimited', rejoin: false } });
    expect(parseSimulateArgs(['--framing', 'unterminated', '--rejoin'])).toMatchObject({ options: { framing: 'unterminated', rejoin: true } });

    const out = sink();
    const err = sink();
    expect(await runSimulateCommand(['--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toContain('--failure-rate');
    expect(await runSimulateCommand(['--speed', 'fast'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await runSimulateCommand(['--failure-rate', '2'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await runSimulateCommand(['--tcp', 'h:1'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await runSimulateCommand(['--bogus'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await runSimulateCommand(['--framing', 'newline'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toMatch(/--speed must be a number/);
    expect(err.text()).toMatch(/--failure-rate/);
    expect(err.text()).toMatch(/--tcp needs --token/);
    expect(err.text()).toMatch(/--framing/);
  });

  it('no console at the socket: exits 1 with a clear message', async () => {
    const run = await simulate(['--crawlers', '1', '--quiet']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot connect to the console at .*console\.sock/);
    expect(run.summary.per_crawler[0]!.connected).toBe(false);
  });
});
