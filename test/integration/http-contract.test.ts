/**
 * Every command of the contract over the headless HTTP transport, against a real
 * core (real Unix socket, real SQLite database) with a real crawler connected;
 * plus event delivery over SSE, measured under a burst of 10,000 progress messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startHeadless, type Headless } from '../../src/main/headless/serve';
import { silentLogger } from '../../src/main/observability/logger';
import { COMMAND_NAMES, type CommandName, EventBatchSchema, type EventBatch, commands } from '../../src/shared/contract';
import { Peer, eventually, iso, tempDir } from '../helpers/peer';
import { createFileKeyCipher, openStore } from '../../src/main/store';

const TOKEN = 'http-contract-test-token-0123456789';
const SECRET_SAVED = 'glpat-SAVEDsecret-aaaa1111';
const SECRET_INLINE = 'glpat-INLINEsecret-bbbb2222';
const CRAWLER_ID = 'crawler-http';

let tmp: ReturnType<typeof tempDir>;
let console_: Headless;
let peer: Peer;
const covered = new Set<CommandName>();

interface Reply {
  status: number;
  text: string;
  body: unknown;
  headers: Headers;
}

async function call(name: string, input?: unknown, init: { token?: string | null; origin?: string; raw?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (init.origin) headers.Origin = init.origin;
  const res = await fetch(`${console_.baseUrl}api/${name}`, {
    method: 'POST',
    headers,
    body: init.raw ?? (input === undefined ? '' : JSON.stringify(input)),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* left null: the assertion below says what came back */
  }
  return { status: res.status, text, body, headers: res.headers };
}

/** Calls a command, expects 200 and an output that matches the contract's schema. */
async function ok<K extends CommandName>(name: K, input?: unknown): Promise<ReturnType<(typeof commands)[K]['output']['parse']>> {
  const r = await call(name, input);
  expect(r.status, `${name}: ${r.text}`).toBe(200);
  covered.add(name);
  return commands[name].output.parse(r.body) as ReturnType<(typeof commands)[K]['output']['parse']>;
}

/** A live SSE client that collects batches. */
class EventStream {
  readonly batches: { at: number; batch: EventBatch }[] = [];
  text = '';
  private readonly controller = new AbortController();
  private buffer = '';
  private done: Promise<void> = Promise.resolve();

  async open(url: string): Promise<void> {
    const res = await fetch(url, { signal: this.controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    this.done = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          const chunk = decoder.decode(value, { stream: true });
          this.text += chunk;
          this.buffer += chunk;
          let i: number;
          while ((i = this.buffer.indexOf('\n\n')) >= 0) {
            const frame = this.buffer.slice(0, i);
            this.buffer = this.buffer.slice(i + 2);
            const lines = frame.split('\n');
            if (!lines.includes('event: batch')) continue;
            const data = lines.find((l) => l.startsWith('data: '))!.slice(6);
            this.batches.push({ at: Date.now(), batch: EventBatchSchema.parse(JSON.parse(data)) });
          }
        }
      } catch {
        /* aborted */
      }
    })();
  }

  events() {
    return this.batches.flatMap((b) => b.batch.events);
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.done;
  }
}

let stream: EventStream;

beforeAll(async () => {
  tmp = tempDir('cc-http-');
  console_ = await startHeadless({
    dataDir: path.join(tmp.dir, 'data'),
    socketPath: path.join(tmp.dir, 'console.sock'),
    httpPort: 0,
    token: TOKEN,
    staticDir: null,
    logger: silentLogger,
    env: {},
  });
  stream = new EventStream();
  await stream.open(`${console_.baseUrl}api/events?token=${TOKEN}`);
  peer = await Peer.connect(console_.socketPath);
  peer.send({ type: 'hello', timestamp: iso(), data: { crawler_id: CRAWLER_ID, name: 'HTTP test crawler', version: '1.0.0', max_concurrent_jobs: 60 } });
  await peer.nextOfType('welcome');
});

afterAll(async () => {
  await stream?.close();
  peer?.destroy();
  await console_?.stop();
  tmp?.cleanup();
});

describe('every command over HTTP', () => {
  it('getStatus: the seed ServerStatus plus where the console listens', async () => {
    const s = await ok('getStatus');
    expect(s.isRunning).toBe(true);
    expect(s.socketPath).toBe(console_.socketPath);
    expect(s.connections).toBe(1);
    expect(s.tokenStorage).toEqual({ kind: expect.any(String), secure: false });
    expect(s.config).not.toHaveProperty('authToken');
  });

  it('listCrawlers: the connected crawler with its live connection', async () => {
    const { crawlers } = await ok('listCrawlers');
    const mine = crawlers.find((c) => c.crawler_id === CRAWLER_ID);
    expect(mine?.connection?.name).toBe('HTTP test crawler');
    expect(mine?.connection?.transport).toBe('unix');
    expect(mine?.capacity).toBe(60);
  });

  it('credentials: save (encrypted), list masked, used by createJob, deleted', async () => {
    const saved = await ok('saveCredential', { gitlab_host: 'gitlab.example.com', label: 'lab', access_token: SECRET_SAVED });
    expect(saved.credential.token_hint).toBe('••••1111');
    const { credentials } = await ok('listCredentials');
    expect(credentials.map((c) => c.id)).toContain(saved.credential.id);

    const { job } = await ok('createJob', { job_type: 'crawl_group', gitlab_host: 'gitlab.example.com', credential_id: saved.credential.id, entity_id: '7' });
    expect(job.credential_id).toBe(saved.credential.id);
    const unknown = await call('deleteCredential', { id: 'no-such-credential' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('createJob assigns to the crawler now; the crawler gets the token, the API never shows it', async () => {
    const { job } = await ok('createJob', {
      job_type: 'crawl_project',
      gitlab_host: 'gitlab.example.com',
      access_token: SECRET_INLINE,
      entity_id: '42',
      namespace_path: 'group/project',
      priority: 5,
      crawler_id: CRAWLER_ID,
    });
    expect(job.status).toBe('assigned');
    expect(job.crawler_id).toBe(CRAWLER_ID);
    const assignment = await peer.next((m) => m.type === 'job_assignment' && (m.data as { job_id: string }).job_id === job.job_id);
    expect((assignment.data as { access_token: string }).access_token).toBe(SECRET_INLINE);

    const list = await ok('listJobs', { status: ['assigned'], sort: 'priority', dir: 'desc', limit: 10 });
    expect(list.total).toBeGreaterThanOrEqual(1);
    expect(list.jobs[0]?.job_id).toBe(job.job_id);

    const detail = await ok('getJob', { job_id: job.job_id });
    expect(detail.job.entity_id).toBe('42');
    expect(detail.events.map((e) => e.kind)).toContain('created');

    const prio = await ok('setJobPriority', { job_id: job.job_id, priority: 9 });
    expect(prio.job.priority).toBe(9);

    const cancelled = await ok('cancelJob', { job_id: job.job_id, reason: 'test' });
    expect(cancelled.job.status).toBe('cancelled');
    await peer.next((m) => m.type === 'job_cancel');

    const retried = await ok('retryJob', { job_id: job.job_id });
    expect(['queued', 'assigned']).toContain(retried.job.status);
  });

  it('broadcast and sendToCrawler reach the crawler; an unknown crawler is a 404', async () => {
    const b = await ok('broadcast', { type: 'shutdown', data: { graceful: true, timeout_seconds: 5, reason: 'maintenance test' } });
    expect(b.delivered).toBe(1);
    const shutdown = await peer.nextOfType('shutdown');
    expect(shutdown.timestamp).toEqual(expect.any(String)); // filled in by the console
    const s = await ok('sendToCrawler', { crawler_id: CRAWLER_ID, message: { type: 'shutdown', data: { reason: 'only you' } } });
    expect(s.delivered).toBe(true);
    expect((await peer.nextOfType('shutdown')).data).toMatchObject({ reason: 'only you', graceful: true, timeout_seconds: 30 });
    const missing = await call('sendToCrawler', { crawler_id: 'nobody', message: { type: 'shutdown', data: {} } });
    expect(missing.status).toBe(404);
  });

  it('listErrors: a malformed line from the crawler is recorded', async () => {
    peer.write('{not json\n');
    await peer.nextOfType('error');
    let found = false;
    for (let i = 0; i < 50 && !found; i++) {
      const { errors } = await ok('listErrors', { crawler_id: CRAWLER_ID });
      found = errors.some((e) => e.code === 'invalid_json');
      if (!found) await new Promise((r) => setTimeout(r, 20));
    }
    expect(found).toBe(true);
  });

  it('getAggregateProgress, getConfig and updateConfig', async () => {
    const agg = await ok('getAggregateProgress');
    expect(agg === null || typeof agg.active_jobs === 'number').toBe(true);
    const cfg = await ok('getConfig');
    expect(cfg.config.socketPath).toBe(console_.socketPath);
    expect(cfg.restart_required_fields).toContain('socketPath');
    const upd = await ok('updateConfig', { maxConnections: 20 });
    // Only what was given changes: the options left out keep their values (not their defaults).
    expect(upd.changed).toEqual(['maxConnections']);
    expect(upd.config.maxConnections).toBe(20);
    expect(upd.config.socketPath).toBe(console_.socketPath);
    const bad = await call('updateConfig', { heartbeatTimeout: 10, heartbeatInterval: 1000 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_input', message: expect.stringMatching(/heartbeatTimeout/) } });
  });

  it('exportJobs as CSV and JSON', async () => {
    const csv = await ok('exportJobs', { format: 'csv' });
    expect(csv.content_type).toMatch(/text\/csv/);
    expect(csv.content.split('\n')[0]).toMatch(/job_id/);
    expect(csv.count).toBeGreaterThanOrEqual(2);
    const json = await ok('exportJobs', { format: 'json', filter: { job_type: ['crawl_project'] } });
    const rows = JSON.parse(json.content) as { job_type: string }[];
    expect(rows.length).toBe(json.count);
    expect(rows.every((r) => r.job_type === 'crawl_project')).toBe(true);
  });

  it('exportErrors as CSV and JSON, filtered', async () => {
    peer.write('{still not json\n');
    await peer.nextOfType('error');
    const csv = await ok('exportErrors', { format: 'csv', filter: { crawler_id: CRAWLER_ID } });
    expect(csv.content_type).toMatch(/text\/csv/);
    expect(csv.content.split('\r\n')[0]).toBe('id,at,category,severity,code,message,crawler_id,job_id,context');
    expect(csv.count).toBeGreaterThanOrEqual(1);
    expect(csv.content).toMatch(/invalid_json/);
    const json = await ok('exportErrors', { format: 'json', filter: { category: 'message_parsing' } });
    const rows = JSON.parse(json.content) as { category: string }[];
    expect(rows.length).toBe(json.count);
    expect(rows.every((r) => r.category === 'message_parsing')).toBe(true);
  });

  it('deleteCredential removes a saved credential', async () => {
    const saved = await ok('saveCredential', { gitlab_host: 'other.example.com', access_token: 'glpat-throwaway-9999' });
    await ok('deleteCredential', { id: saved.credential.id });
    const { credentials } = await ok('listCredentials');
    expect(credentials.map((c) => c.id)).not.toContain(saved.credential.id);
  });

  it('bad input is a 400 with a readable message and per-field details', async () => {
    const r = await call('getJob', {});
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'invalid_input', message: 'Job id is required.', details: [{ path: 'job_id', message: 'Job id is required.' }] } });
    const create = await call('createJob', { job_type: 'crawl_everything', gitlab_host: 'not a host!' });
    expect(create.status).toBe(400);
    const paths = (create.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['job_type', 'gitlab_host']));
    const missing = await call('getJob', { job_id: 'no-such-job' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('transport errors: unknown command, bad JSON, oversized body, wrong method', async () => {
    expect((await call('dropAllTables', {})).body).toMatchObject({ error: { code: 'unknown_command' } });
    const badJson = await call('listJobs', undefined, { raw: '{"limit": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ error: { code: 'invalid_input', message: expect.stringMatching(/not valid JSON/) } });
    const huge = await call('listJobs', undefined, { raw: JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) }) });
    expect(huge.status).toBe(413);
    const get = await fetch(`${console_.baseUrl}api/listJobs`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
  });

  it('credentials: a token replaced in place, jobs moved to another credential, then the old one can go', async () => {
    const a = await ok('saveCredential', { gitlab_host: 'gitlab.move.org', label: 'a', access_token: 'glpat-move-aaaa-0001' });
    const b = await ok('saveCredential', { gitlab_host: 'gitlab.move.org', label: 'b', access_token: 'glpat-move-bbbb-0002', expires_at: Date.now() + 86_400_000 });
    expect(b.credential.expires_at).toBeGreaterThan(Date.now());
    const { job } = await ok('createJob', { job_type: 'crawl_group', gitlab_host: 'gitlab.move.org', credential_id: a.credential.id, entity_id: 'move-1' });
    const replaced = await ok('replaceCredentialToken', { id: a.credential.id, access_token: 'glpat-move-aaaa-0003' });
    expect(replaced.credential).toMatchObject({ id: a.credential.id, token_hint: '••••0003', token_version: 2 });
    expect((await call('deleteCredential', { id: a.credential.id })).body).toMatchObject({ error: { code: 'conflict', message: expect.stringMatching(/move them to another credential/) } });
    const moved = await ok('moveJobsToCredential', { credential_id: b.credential.id, from_credential_id: a.credential.id });
    expect(moved).toMatchObject({ moved: 1, skipped: [] });
    expect((await ok('getJob', { job_id: job.job_id })).job.credential_id).toBe(b.credential.id);
    expect((await call('moveJobsToCredential', { credential_id: b.credential.id })).status).toBe(400);
    await ok('deleteCredential', { id: a.credential.id });
  });

  it('schedules, pause and quiet, history and error groups (issue 15)', async () => {
    const { schedule } = await ok('createSchedule', { name: 'weekly acme', job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com', cron: '0 4 * * 1' });
    expect((await ok('listSchedules', {})).schedules.map((s) => s.id)).toContain(schedule.id);
    expect((await ok('updateSchedule', { id: schedule.id, interval_ms: 3_600_000 })).schedule).toMatchObject({ cron: null, interval_ms: 3_600_000 });
    expect((await ok('setSchedulePaused', { id: schedule.id, paused: true })).schedule.paused).toBe(true);
    const run = await ok('runScheduleNow', { id: schedule.id });
    expect(run.outcome).toBe('created');
    expect((await ok('getJobSchedule', { job_id: run.job_id! })).schedule?.id).toBe(schedule.id);
    expect(await ok('deleteSchedule', { id: schedule.id })).toEqual({ deleted: true });
    expect((await call('runScheduleNow', { id: schedule.id })).status).toBe(404);
    expect((await call('createSchedule', { name: 'x', job_type: 'discover_namespaces', gitlab_host: 'g.example.com', cron: '61 * * * *' })).status).toBe(400);

    expect((await ok('pauseDispatch', { reason: 'test' })).paused).toBe(true);
    expect((await ok('getDispatchState', {})).paused).toBe(true);
    expect((await ok('resumeDispatch', {})).paused).toBe(false);
    expect((await ok('quietCrawler', { crawler_id: CRAWLER_ID })).quiet.map((q) => q.crawler_id)).toEqual([CRAWLER_ID]);
    expect((await ok('resumeCrawler', { crawler_id: CRAWLER_ID })).quiet).toEqual([]);

    expect((await ok('getMetricsHistory', { range: '6h' })).bucket_ms).toBe(60_000);
    expect((await call('getMetricsHistory', { range: '1y' })).status).toBe(400);
    const groups = await ok('listErrorGroups', { by: 'category' });
    expect(groups.groups_total).toBe(groups.groups.length);
  });

  it('a crawler page and a job result (issue 15)', async () => {
    const page = await ok('getCrawler', { crawler_id: CRAWLER_ID });
    expect(page.crawler.crawler_id).toBe(CRAWLER_ID);
    expect(page.window_ms).toBe(3_600_000);
    expect((await call('getCrawler', { crawler_id: 'no-such-crawler' })).status).toBe(404);
    expect((await call('getCrawler', {})).status).toBe(400);
    const { job } = await ok('createJob', { job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com', access_token: SECRET_INLINE });
    const result = await ok('getJobResult', { job_id: job.job_id });
    expect(result).toMatchObject({ job_id: job.job_id, finished_at: null, final_counts: null, output_files: [], series: [] });
    expect((await call('getJobResult', { job_id: 'no-such-job' })).status).toBe(404);
  });

  it('GET /metrics answers loopback scrapers in the Prometheus text format', async () => {
    const res = await fetch(`${console_.baseUrl}metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(/^crawl_console_messages_received_total \d+$/m);
    expect((await fetch(`${console_.baseUrl}metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('bulk by filter: previewBulk counts, applyBulk acts once on what was confirmed (issue 15)', async () => {
    const { job } = await ok('createJob', { job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: SECRET_INLINE, entity_id: '7001' });
    await ok('cancelJob', { job_id: job.job_id, reason: 'to retry in bulk' });
    const target = { scope: 'jobs', filter: { status: ['cancelled'], text: job.job_id } };
    const preview = await ok('previewBulk', { target });
    expect(preview).toMatchObject({ matched: 1, by_status: { cancelled: 1 } });
    // More matches than confirmed: refused, nothing done.
    expect((await call('applyBulk', { target, action: { kind: 'retry' }, expected: 0, snapshot: preview.snapshot })).status).toBe(409);
    const summary = await ok('applyBulk', { target, action: { kind: 'retry' }, expected: preview.matched, snapshot: preview.snapshot });
    expect(summary).toMatchObject({ scope: 'jobs', done: 1, skipped: [], skipped_total: 0 });
    expect((await call('applyBulk', { target, action: { kind: 'explode' }, expected: 1, snapshot: 1 })).status).toBe(400);
    expect((await call('previewBulk', { target: { scope: 'jobs', filter: { status: ['sleeping'] } } })).status).toBe(400);
    // Nothing runs: nothing to cancel, said as a conflict; a malformed payload is refused as such.
    const nothing = await call('cancelBulk', {});
    expect(nothing.status).toBe(409);
    expect(nothing.text).toContain('no bulk action is running');
    expect((await call('cancelBulk', 'stop')).status).toBe(400);

    // A bulk of 20,000 jobs is cancelled over HTTP while it runs: its applyBulk answers with a stopped summary.
    const N = 20_000;
    const s = openStore({ dataDir: path.join(tmp.dir, 'data'), cipher: createFileKeyCipher(path.join(tmp.dir, 'data')) });
    const insert = s.db.prepare(`INSERT INTO jobs (id, job_type, namespace_path, status, origin, attempts, created_at, updated_at) VALUES (?, 'crawl_project', ?, 'failed', 'operator', 1, ?, ?)`);
    s.db.transaction(() => {
      for (let i = 0; i < N; i++) insert.run(`http-bulk-${i}`, `load/http-${i}`, Date.now(), Date.now());
    })();
    s.close();
    const bulkTarget = { scope: 'jobs', filter: { status: ['failed'], text: 'http-bulk-' } };
    const big = await ok('previewBulk', { target: bulkTarget });
    expect(big.matched).toBe(N);
    const applying = ok('applyBulk', { target: bulkTarget, action: { kind: 'retry' }, expected: big.matched, snapshot: big.snapshot });
    let cancelled: Reply | null = null;
    for (let i = 0; i < 500 && cancelled?.status !== 200; i++) {
      cancelled = await call('cancelBulk', {});
      if (cancelled.status !== 200) await new Promise((r) => setTimeout(r, 5));
    }
    expect(cancelled?.status, cancelled?.text).toBe(200);
    covered.add('cancelBulk');
    expect(commands.cancelBulk.output.parse(cancelled!.body)).toMatchObject({ action: 'retry', expected: N });
    const stopped = await applying;
    expect(stopped.stopped).toMatchObject({ because: 'cancelled' });
    expect(stopped.done + stopped.skipped_total + stopped.stopped!.not_reached).toBe(N);
    expect(stopped.done).toBeLessThan(N);
    // The jobs retried before the cancel are back in this file's one console's queue (or already
    // handed to its crawler): cancel them again, so later tests find the queue below jobQueueSize
    // however far the bulk got.
    const requeued = { scope: 'jobs', filter: { status: ['queued', 'assigned', 'running'], text: 'http-bulk-' } };
    const again = await ok('previewBulk', { target: requeued });
    expect(again.matched).toBe(stopped.done);
    await ok('applyBulk', { target: requeued, action: { kind: 'cancel' }, expected: again.matched, snapshot: again.snapshot });
  });

  it('covers every command of the contract', () => {
    expect([...covered].sort()).toEqual([...COMMAND_NAMES].sort());
  });
});

describe('events over SSE', () => {
  it('a burst of 10,000 progress messages arrives as bounded, coalesced batches with the final values', async () => {
    const JOBS = 50;
    const MESSAGES = 10_000;
    // 50 jobs leased to the crawler, started.
    const jobIds: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const { job } = await ok('createJob', { job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: SECRET_INLINE, entity_id: String(100 + i) });
      jobIds.push(job.job_id);
    }
    await eventually(
      () => jobIds.every((id) => peer.raw.some((l) => l.includes('"job_assignment"') && l.includes(id))),
      5000,
      'every job assigned to the crawler',
    );
    for (const id of jobIds) peer.send({ type: 'job_started', timestamp: iso(), jobId: id, data: { entityType: 'project', entityId: id } });

    const from = stream.batches.length;
    const last = new Map<string, number>();
    const started = Date.now();
    for (let n = 1; n <= MESSAGES; n++) {
      const id = jobIds[n % JOBS]!;
      last.set(id, n);
      peer.send({ type: 'job_progress', timestamp: iso(), jobId: id, data: { stage: 'fetching', entityType: 'issue', processed: n, total: MESSAGES * 2 } });
    }
    const latest = () => {
      const seen = new Map<string, number>();
      for (const { batch } of stream.batches.slice(from)) for (const e of batch.events) if (e.type === 'progress') seen.set(e.progress.job_id, e.progress.processed);
      return seen;
    };
    await eventually(() => jobIds.every((id) => latest().get(id) === last.get(id)), 15_000, 'final progress of every job on the stream');
    const elapsed = Date.now() - started;

    const burst = stream.batches.slice(from).map((b) => b.batch);
    const progressCounts = burst.map((b) => b.events.filter((e) => e.type === 'progress').length);
    const sizes = burst.map((b) => b.events.length);
    const dropped = burst.reduce((s, b) => s + b.dropped, 0);
    const maxPerBatch = Math.max(...sizes);
    console.log(
      `[measure] SSE burst: ${MESSAGES} progress messages for ${JOBS} jobs → ${burst.length} batches in ${elapsed} ms; ` +
        `max ${maxPerBatch} events per batch (max ${Math.max(...progressCounts)} progress); ` +
        `${progressCounts.reduce((a, b) => a + b, 0)} progress events delivered; ${dropped} coalesced away by the transport`,
    );
    // Bounded: never more than one progress event per job in a batch, at most ~10 batches a second.
    expect(Math.max(...progressCounts)).toBeLessThanOrEqual(JOBS);
    expect(burst.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    // Final values right.
    expect(latest()).toEqual(last);
  });

  it('crawler lifecycle events reach the stream', async () => {
    const p2 = await Peer.connect(console_.socketPath);
    p2.send({ type: 'hello', timestamp: iso(), data: { crawler_id: 'crawler-sse', name: 'second' } });
    await p2.nextOfType('welcome');
    p2.send({ type: 'heartbeat', timestamp: iso(), data: { activeJobs: 0, totalProcessed: 3, systemStatus: 'idle' } });
    await eventually(() => stream.events().some((e) => e.type === 'heartbeat' && e.crawler_id === 'crawler-sse'), 3000, 'heartbeat event');
    await p2.close();
    await eventually(
      () => stream.events().some((e) => e.type === 'crawler_disconnected' && e.crawler.crawler_id === 'crawler-sse'),
      3000,
      'disconnect event',
    );
    // Announced on connect (under a provisional id until its hello), then updated with its name.
    const gone = stream.events().find((e) => e.type === 'crawler_disconnected' && e.crawler.crawler_id === 'crawler-sse');
    const connectionId = gone?.type === 'crawler_disconnected' ? gone.crawler.connection_id : '';
    expect(stream.events().some((e) => e.type === 'crawler_connected' && e.crawler.connection_id === connectionId)).toBe(true);
  });
});

describe('the saved token never leaves the console through the API', () => {
  it('not in listJobs, getJob, listCredentials, exports or events', async () => {
    const texts: string[] = [];
    const jobs = await call('listJobs', { limit: 1000 });
    texts.push(jobs.text);
    for (const j of (jobs.body as { jobs: { job_id: string }[] }).jobs.slice(0, 20)) texts.push((await call('getJob', { job_id: j.job_id })).text);
    texts.push((await call('listCredentials')).text);
    texts.push((await call('exportJobs', { format: 'csv' })).text);
    texts.push((await call('exportJobs', { format: 'json' })).text);
    texts.push((await call('listErrors', { limit: 1000 })).text);
    texts.push((await call('getStatus')).text);
    texts.push(stream.text);
    for (const t of texts) {
      expect(t).not.toContain(SECRET_SAVED);
      expect(t).not.toContain(SECRET_INLINE);
    }
    expect(stream.text.length).toBeGreaterThan(1000); // the stream did carry events
  });
});
