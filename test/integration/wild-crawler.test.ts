/**
 * The console with a crawler that behaves like the one researchers run (issue 10):
 * no hello, job_request only, crawler spelling, heartbeats on a fixed interval,
 * job_assignment ignored, bare JSON.stringify writes. Real Unix sockets, a real
 * SQLite file.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { CrawlerView } from '../../src/shared/contract';
import { DEFAULT_WINDOW_ITEMS } from '../../src/shared/protocol/discovery-splitter';
import type { JobDto } from '../../src/shared/jobs';
import { type TestConsole, startTestConsole } from '../helpers/console';
import { type WildCrawler, WildCrawler as Wild } from '../helpers/wild-crawler';

let t: TestConsole;
const crawlers: WildCrawler[] = [];
afterEach(async () => {
  for (const c of crawlers.splice(0)) await c.stop();
  await t?.close();
});

const TOKEN = 'glpat-wild-first-token-0001';
const HOST = 'gitlab.wild.example';
/** Text with everything that confuses a naive framing: braces and quotes in strings, escapes, multi-byte UTF-8. */
const TRICKY = 'a "quoted}" {brace} \\"} \\\\ back\\slash, tab\t, newline\n, é ü 漢 🚀 }{';

async function wild(options: { heartbeatMs?: number } = {}): Promise<WildCrawler> {
  const c = await Wild.connect(t.core.socketPath, { heartbeatMs: options.heartbeatMs ?? 0 });
  crawlers.push(c);
  return c;
}
async function view(crawlerId?: string): Promise<CrawlerView | undefined> {
  const { crawlers: all } = await t.api.listCrawlers({});
  return crawlerId ? all.find((c) => c.crawler_id === crawlerId) : all.find((c) => c.connection !== null);
}
async function job(id: string): Promise<JobDto> {
  return (await t.api.getJob({ job_id: id })).job;
}
/** The id the console gave a crawler that never said who it is (it must have said something first). */
async function idOf(c: WildCrawler): Promise<string> {
  c.heartbeat();
  await expect.poll(async () => (await view())?.crawler_id).toBeDefined();
  const { crawlers: all } = await t.api.listCrawlers({});
  const ids = all.filter((v) => v.connection !== null).map((v) => v.crawler_id);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}
const create = async (job_type: 'discover_namespaces' | 'crawl_group' | 'crawl_project' | 'crawl_user', entity_id: string, extra: Record<string, unknown> = {}) =>
  (await t.api.createJob({ job_type, gitlab_host: HOST, access_token: TOKEN, entity_id, priority: 1, ...extra })).job;

describe('a crawler that never says hello', () => {
  it('is listed as connected, anonymous, in the crawler spelling, with its heartbeat', async () => {
    t = await startTestConsole();
    const c = await wild();
    const id = await idOf(c);
    await expect.poll(async () => (await view(id))?.last_heartbeat_at ?? null).not.toBeNull();
    const v = (await view(id))!;
    expect(v).toMatchObject({ status: 'connected', anonymous: true, spelling: 'crawler' });
    expect(v.connection).toMatchObject({ said_hello: false, transport: 'unix' });
    expect(v.last_heartbeat).toMatchObject({ system_status: 'idle', active_jobs: 0 });
    expect(c.ignored).toEqual([]);
  });

  it('is never declared lost while it heartbeats (time scaled: 150 ms beats, 600 ms timeout); a silent one is', async () => {
    t = await startTestConsole({ heartbeatInterval: 150, heartbeatTimeout: 600 });
    const beating = await wild({ heartbeatMs: 150 });
    const id = await idOf(beating);
    const silent = await wild();
    silent.send({ type: 'job_request', timestamp: new Date().toISOString(), data: {} });
    await new Promise((r) => setTimeout(r, 2_000)); // more than three timeouts
    expect(beating.isClosed).toBe(false);
    expect((await view(id))?.connection).not.toBeNull();
    expect(beating.heartbeatsSent).toBeGreaterThanOrEqual(8);
    // The check can fail: the crawler that went quiet was lost and closed.
    expect(silent.isClosed).toBe(true);
    const { errors } = await t.api.listErrors({});
    expect(errors.filter((e) => e.crawler_id === id)).toEqual([]);
    expect(errors.some((e) => /lost: silent for/.test(e.message))).toBe(true);
  });

  it('at the real 5 s cadence, every heartbeat lands well inside the default timeout', async () => {
    t = await startTestConsole();
    const { config } = await t.api.getConfig({});
    expect(config.heartbeatTimeout).toBeGreaterThanOrEqual(3 * 5_000);
    const c = await wild({ heartbeatMs: 5_000 });
    const id = await idOf(c);
    const first = (await view(id))!.connection!.last_message_at!;
    await new Promise((r) => setTimeout(r, 10_600));
    const v = (await view(id))!;
    expect(c.heartbeatsSent).toBe(3); // the one idOf sent, then two at 5 s and 10 s
    expect(v.connection!.messages_received).toBe(3);
    expect(v.connection!.last_heartbeat_at! - first).toBeGreaterThanOrEqual(9_000);
    expect(c.isClosed).toBe(false);
  }, 20_000);

  it('is handed work in job_response with its own task names and a token, never by job_assignment', async () => {
    t = await startTestConsole();
    const c = await wild();
    const made = {
      areas: await create('discover_namespaces', '1'),
      group: await create('crawl_group', '2'),
      project: await create('crawl_project', '3'),
      user: await create('crawl_user', '4'),
    };
    const jobs = await c.requestJobs();
    expect(jobs.map((j) => j.entityType).sort()).toEqual(['areas', 'group', 'project', 'user']);
    for (const j of jobs) {
      expect(j).toMatchObject({ id: made[j.entityType as keyof typeof made].job_id, gitlabUrl: `https://${HOST}`, accessToken: TOKEN });
    }
    expect(c.ignored.filter((m) => m.type === 'job_assignment')).toEqual([]);
    // Its reports name tasks; the console understands them.
    for (const j of jobs) c.started(j);
    c.send(c.progress(made.project.job_id, 'merge_request', 3, { total: 10 }));
    await expect.poll(async () => (await job(made.project.job_id)).status).toBe('running');
    expect((await job(made.areas.job_id)).job_type).toBe('discover_namespaces');
    // A job it reports that the console never made is adopted under the console's name for the task.
    c.send(c.progress('made-by-the-crawler', 'areas', 1));
    await expect.poll(async () => (await job('made-by-the-crawler')).job_type).toBe('discover_namespaces');
  });

  it('gets no job without a usable token: that job waits for credentials, visibly, and costs no attempt', async () => {
    t = await startTestConsole();
    const c = await wild();
    const bare = (await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.no-token.example', entity_id: '9', priority: 5 })).job;
    const good = await create('crawl_project', '10');
    const jobs = await c.requestJobs();
    expect(jobs.map((j) => j.id)).toEqual([good.job_id]);
    expect(await job(bare.job_id)).toMatchObject({ status: 'waiting_credentials', attempts: 0, crawler_id: null, last_error: expect.stringMatching(/no token saved for gitlab\.no-token\.example/) });
    const saved = await t.api.saveCredential({ gitlab_host: 'gitlab.no-token.example', access_token: 'glpat-no-token-now-0009' });
    expect(saved.requeued_jobs).toBe(1);
    expect(await c.requestJobs()).toEqual([expect.objectContaining({ id: bare.job_id, accessToken: 'glpat-no-token-now-0009' })]);
  });

  it('gets the operator’s assignment in its next job_response (it ignores job_assignment)', async () => {
    // A lease short enough to run out while the job is held, long enough to still be running when read back on a loaded machine.
    t = await startTestConsole({ leaseTimeout: 1_500 });
    const c = await wild();
    const id = await idOf(c);
    const other = await create('crawl_group', 'queued-first', { priority: 9 });
    const out = await t.api.createJob({ job_type: 'crawl_project', gitlab_host: HOST, access_token: TOKEN, entity_id: '77', priority: 1, crawler_id: id });
    expect(out.handover).toBe('on_next_request');
    expect(out.job).toMatchObject({ status: 'assigned', crawler_id: id, lease_expires_at: null });
    // Held for it, whatever the lease timeout, until it asks.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await job(out.job.job_id)).status).toBe('assigned');
    const jobs = await c.requestJobs();
    expect(jobs[0]).toMatchObject({ id: out.job.job_id, entityType: 'project', entityId: '77', accessToken: TOKEN });
    expect(jobs.map((j) => j.id)).toContain(other.job_id);
    expect(c.ignored.filter((m) => m.type === 'job_assignment')).toEqual([]);
    expect((await job(out.job.job_id)).lease_expires_at).not.toBeNull();
  });
});

describe('discovery by a crawler in the wild', () => {
  it('creates children, once per entity, whether re-sent or found again by another discovery of the host', async () => {
    t = await startTestConsole();
    const c = await wild();
    const parent = await create('discover_namespaces', 'root');
    const [handed] = await c.requestJobs();
    expect(handed).toMatchObject({ id: parent.job_id, entityType: 'areas' });
    c.started(handed!);
    const items = [
      { job_type: 'crawl_group', entity_id: 'g1', namespace_path: 'acme', entity_name: TRICKY, priority: 2 },
      { job_type: 'crawl_project', entity_id: 'p1', namespace_path: 'acme/app', entity_name: 'app', priority: 1 },
      { job_type: 'crawl_project', entity_id: 'p1', namespace_path: 'acme/app', entity_name: 'app again', priority: 1 },
    ];
    c.send(c.jobsDiscovered(parent.job_id, items));
    c.send(c.jobsDiscovered(parent.job_id, items)); // re-sent
    await expect.poll(async () => (await t.api.getJob({ job_id: parent.job_id })).children_total).toBe(2);
    const detail = await t.api.getJob({ job_id: parent.job_id });
    expect(detail.children.find((j) => j.entity_id === 'g1')?.entity_name).toBe(TRICKY);

    // A second discovery of the same host finds the same project: no second unfinished job.
    const again = await create('discover_namespaces', 'root-again');
    const batch = await c.requestJobs(); // the new discovery and some of the children
    expect(batch.map((j) => j.id)).toContain(again.job_id);
    c.send(c.jobsDiscovered(again.job_id, [items[1]!, { job_type: 'crawl_user', entity_id: 'u1', namespace_path: 'bob', entity_name: 'Bob', priority: 1 }]));
    await expect.poll(async () => (await t.api.getJob({ job_id: again.job_id })).children_total).toBe(1);
    const all = await t.api.listJobs({ text: 'p1', limit: 100 });
    expect(all.jobs.filter((j) => j.entity_id === 'p1' && j.origin === 'discovery')).toHaveLength(1);
    // The children are handed out in the crawler's vocabulary, with the parent's token.
    const rest = await c.requestJobs();
    const tasks = [...batch, ...rest].filter((j) => j.id !== again.job_id).map((j) => j.entityType).sort();
    expect(tasks).toEqual(['group', 'project', 'user']);
    expect(rest.every((j) => j.accessToken === TOKEN)).toBe(true);
  });
});

describe('a whole discovery in one message, as the crawler in the wild sends it', () => {
  /** A console at the default 1 MiB limit, and a crawler that has started the discovery job of `entity`. */
  async function discovering(entity: string) {
    t = await startTestConsole({ maxMessageSize: 1024 * 1024 });
    const c = await wild();
    const parent = await create('discover_namespaces', entity);
    const [handed] = await c.requestJobs();
    c.started(handed!);
    return { c, parent };
  }

  it('takes a jobs_discovered far over maxMessageSize in parts: every job created, refused items named by their index, the connection served', async () => {
    // 1 MiB is the default limit; the crawler sends every area it found in one message (here ~5 MiB).
    const { c, parent } = await discovering('whole-gitlab');
    const N = 40_000;
    const items: Record<string, unknown>[] = Array.from({ length: N }, (_, i) => ({
      job_type: i % 4 === 0 ? 'crawl_group' : 'crawl_project',
      entity_id: String(i + 1),
      namespace_path: `group-${i % 97}/project-${i}`,
      entity_name: i % 1000 === 0 ? `${TRICKY} ${i}` : `Project number ${i} of a large instance`,
      priority: 1,
    }));
    items[31_337] = { job_type: 'crawl_project', entity_name: 'no id', priority: 1 };
    const message = c.jobsDiscovered(parent.job_id, items);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeGreaterThan(4 * 1024 * 1024);
    c.send(message);
    // Committed in order before the next message is handled: the job_response after it sees every child.
    const next = await c.requestJobs(15_000);
    expect(next.length).toBeGreaterThan(0);
    const detail = await t.api.getJob({ job_id: parent.job_id });
    expect(detail.children_total).toBe(N - 1);
    const named = await t.api.listJobs({ text: 'project-39999', limit: 10 });
    expect(named.jobs.map((j) => j.entity_id)).toEqual(['40000']);
    const { errors } = await t.api.listErrors({});
    expect(errors.filter((e) => e.code === 'invalid_message').map((e) => e.message)).toEqual([expect.stringMatching(/^discovered_jobs\[31337\] refused: .*entity_id/)]);
    expect(errors.filter((e) => e.code === 'message_too_large')).toEqual([]);
    expect(c.isClosed).toBe(false);
  });

  it('creates a whole discovery’s jobs a window of 50,000 items at a time, each in entity-id order; the first listed of a duplicate wins', async () => {
    const { c, parent } = await discovering('scattered-gitlab');
    // Ids in no order, as a real discovery lists them (an odd multiplier is a permutation modulo 2^20).
    // A window and a half: the second window is created after the first, whatever the ids.
    const W = DEFAULT_WINDOW_ITEMS;
    const N = W + W / 2;
    const items: Record<string, unknown>[] = Array.from({ length: N }, (_, i) => ({
      job_type: i % 4 === 0 ? 'crawl_group' : 'crawl_project',
      entity_id: String((Math.imul(i + 1, 0x9e3779b1) >>> 0) & 0xfffff),
      namespace_path: `group-${i % 97}/project-${i}`,
      entity_name: `listed ${i}`,
      priority: 1,
    }));
    // A duplicate inside the first window, listed after the original: the original wins.
    items[7_000] = { ...items[7_000], job_type: items[3_000]!.job_type, entity_id: items[3_000]!.entity_id };
    c.send(c.jobsDiscovered(parent.job_id, items));
    expect((await c.requestJobs(30_000)).length).toBeGreaterThan(0);

    const db = new Database(path.join(t.dir, 'console.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT entity_id, entity_name FROM jobs WHERE parent_job_id = ? ORDER BY rowid').all(parent.job_id) as { entity_id: string; entity_name: string }[];
      expect(rows).toHaveLength(N - 1);
      expect(rows.find((r) => r.entity_id === items[3_000]!.entity_id)!.entity_name).toBe('listed 3000');
      expect(rows.some((r) => r.entity_name === 'listed 7000')).toBe(false);
      // Windows follow the listing; inside each, the jobs were created in entity-id order (as text, the index's order).
      const expected = [0, W].flatMap((w) =>
        items
          .slice(w, w + W)
          .filter((item) => item.entity_name !== 'listed 7000')
          .map((item) => item.entity_id as string)
          .sort(),
      );
      expect(rows.map((r) => r.entity_id)).toEqual(expected);
    } finally {
      db.close();
    }
    expect(c.isClosed).toBe(false);
  });

  it('refuses with the reason an oversized jobs_discovered whose job id comes after its items, and serves what follows', async () => {
    t = await startTestConsole({ maxMessageSize: 64 * 1024 });
    const c = await wild();
    const items = Array.from({ length: 2_000 }, (_, i) => ({ job_type: 'crawl_project', entity_id: String(i), namespace_path: `g/p-${i}`, entity_name: `p ${i}`, priority: 1 }));
    c.send({ type: 'jobs_discovered', timestamp: new Date().toISOString(), data: { discovered_jobs: items }, jobId: 'id-too-late' });
    // The crawler in the wild ignores error replies (the helper keeps them aside); the reply names the reason.
    await expect.poll(() => c.ignored.filter((m) => m.type === 'error').length).toBe(1);
    expect(JSON.stringify(c.ignored.find((m) => m.type === 'error'))).toMatch(/exceeds maxMessageSize \(65536 bytes\) and was discarded: only a jobs_discovered whose type and job id come before its items is taken in parts/);
    expect(await c.requestJobs()).toEqual([]);
    expect(c.isClosed).toBe(false);
  });
});

describe('token refresh with the crawler in the wild', () => {
  it('a refresh for the token that failed waits for credentials; the operator’s new token answers the crawler', async () => {
    t = await startTestConsole();
    const c = await wild();
    const made = await create('crawl_project', '5');
    const [j] = await c.requestJobs();
    c.started(j!);
    const r = await c.refreshToken(made.job_id);
    // The crawler in the wild rejects an answer without expiresAt: it is always there.
    expect(r.data).toEqual({ accessToken: '', refreshSuccessful: false, expiresAt: expect.any(String) });
    expect(Date.parse((r.data as { expiresAt: string }).expiresAt)).toBeLessThanOrEqual(Date.now());
    await expect.poll(async () => (await job(made.job_id)).status).toBe('waiting_credentials');
    expect((await job(made.job_id)).last_error).toMatch(/GitLab refused the token/);
    expect((await t.api.listCredentials({})).credentials[0]).toMatchObject({ rejected_at: expect.any(Number) });
    // Asking again gets the same answer, never the failed token.
    expect((await c.refreshToken(made.job_id)).data).toMatchObject({ accessToken: '', refreshSuccessful: false });

    const expires = Date.now() + 7 * 86_400_000;
    const saved = await t.api.saveCredential({ gitlab_host: HOST, access_token: 'glpat-wild-second-token-0002', expires_at: expires });
    expect(saved.answered_refresh_requests).toBe(1);
    const pushed = await c.next((m) => m.type === 'token_refresh_response' && m.jobId === made.job_id);
    expect(pushed.data).toEqual({ accessToken: 'glpat-wild-second-token-0002', refreshSuccessful: true, expiresAt: new Date(expires).toISOString() });
    expect((await job(made.job_id)).status).toBe('running');
  });

  it('a crawler that gave up after the refusal gets the job back, with the new token, once one is saved', async () => {
    t = await startTestConsole();
    const c = await wild();
    const made = await create('crawl_group', '6');
    const [j] = await c.requestJobs();
    c.started(j!);
    await c.refreshToken(made.job_id);
    c.failed(made.job_id, 'Token refresh failed or invalid response');
    await expect.poll(async () => (await job(made.job_id)).crawler_id).toBeNull();
    expect(await job(made.job_id)).toMatchObject({ status: 'waiting_credentials', attempts: 0 });
    expect(await c.requestJobs()).toEqual([]);
    const cred = (await job(made.job_id)).credential_id!;
    await t.api.replaceCredentialToken({ id: cred, access_token: 'glpat-wild-third-token-0003' });
    expect(await c.requestJobs()).toEqual([expect.objectContaining({ id: made.job_id, accessToken: 'glpat-wild-third-token-0003' })]);
  });
});

describe('token refresh: what a refusal holds', () => {
  it('holds only the job it was for; a refresh ahead of expiry gets the current token', async () => {
    t = await startTestConsole();
    const c = await wild();
    const a = await create('crawl_project', 'acme/ra');
    const b = await create('crawl_project', 'acme/rb');
    for (const j of await c.requestJobs()) c.started(j);
    expect((await c.refreshToken(a.job_id)).data).toMatchObject({ refreshSuccessful: false });
    await expect.poll(async () => (await job(a.job_id)).status).toBe('waiting_credentials');
    // Other jobs keep the token until GitLab refuses it for them too.
    const later = await create('crawl_project', 'acme/rc');
    expect(await c.requestJobs()).toEqual([expect.objectContaining({ id: later.job_id, accessToken: TOKEN })]);
    expect((await job(b.job_id)).status).toBe('running');
    const ahead = c.next((m) => m.type === 'token_refresh_response' && m.jobId === b.job_id);
    c.send({ type: 'token_refresh_request', timestamp: new Date().toISOString(), jobId: b.job_id, data: { current_token_expired: false } });
    expect((await ahead).data).toMatchObject({ accessToken: TOKEN, refreshSuccessful: true });
    expect((await job(b.job_id)).status).toBe('running');
  });
});

describe('its bytes on the wire', () => {
  it('several messages per write, and a message split at every byte position, strings full of braces and quotes', async () => {
    t = await startTestConsole();
    const c = await wild();
    const id = await idOf(c);
    const made = await create('crawl_project', '8');
    const [j] = await c.requestJobs();
    c.started(j!);
    c.sendTogether([c.progress(made.job_id, 'issue', 1, { message: TRICKY }), c.progress(made.job_id, 'issue', 2, { message: TRICKY }), c.progress(made.job_id, 'issue', 3, { message: TRICKY })]);
    const issue = async () => (await t.api.getJob({ job_id: made.job_id })).progress.find((p) => p.entity_type === 'issue')?.total_processed;
    await expect.poll(issue).toBe(3);
    const before = (await view(id))!.connection!.messages_received;
    const msg = c.progress(made.job_id, 'issue', 4, { message: TRICKY, total: 1000 });
    const length = Buffer.byteLength(c.encode(msg));
    for (let at = 1; at < length; at++) {
      await c.sendSplit({ ...msg, data: { ...(msg.data as object), processed: at } }, at);
    }
    await expect.poll(async () => (await view(id))!.connection!.messages_received, { timeout: 10_000 }).toBe(before + length - 1);
    const detail = await t.api.getJob({ job_id: made.job_id });
    expect(detail.job.message).toBe(TRICKY);
    expect(await issue()).toBe(length - 1);
    expect(c.ignored.filter((m) => m.type === 'error')).toEqual([]);
    expect((await t.api.listErrors({})).errors).toEqual([]);
  });
});

describe('anonymous crawlers that reconnect under a new id', () => {
  it('keeps their history but leaves disconnected ones out past the retention, and counts them', async () => {
    t = await startTestConsole();
    for (let i = 0; i < 3; i++) {
      const c = await wild();
      await idOf(c);
      await c.stop();
      await expect.poll(async () => (await t.api.listCrawlers({})).crawlers.filter((v) => v.connection !== null)).toHaveLength(0);
    }
    const live = await wild();
    const liveId = await idOf(live);
    const kept = await t.api.listCrawlers({});
    expect(kept.crawlers.filter((v) => v.anonymous && v.connection === null)).toHaveLength(3);
    expect(kept.anonymous_pruned).toBe(0);
    const pruned = await t.api.listCrawlers({ anonymous_retention_ms: 0 });
    expect(pruned.crawlers.map((v) => v.crawler_id)).toEqual([liveId]);
    expect(pruned.anonymous_pruned).toBe(3);
    // A crawler that named itself is never pruned.
    const named = await t.crawler({ crawler_id: 'named-one' });
    named.destroy();
    await expect.poll(async () => (await t.api.listCrawlers({ anonymous_retention_ms: 0 })).crawlers.find((v) => v.crawler_id === 'named-one')?.status).toBe('disconnected');
  });
});
