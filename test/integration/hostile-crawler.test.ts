/**
 * A crawler (or a peer) as an attacker or a fault: each test is one attack on
 * the socket door, the decoder or the job rules, against a real console on a
 * real Unix socket / loopback TCP port and a real SQLite file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JobDto } from '../../src/shared/jobs';
import { MAX_MESSAGE_DEPTH, decodeCrawlerMessage } from '../../src/shared/protocol';
import { type TestConsole, now, startTestConsole } from '../helpers/console';
import { Peer, eventually } from '../helpers/peer';

let t: TestConsole | undefined;
const extraPeers: Peer[] = [];
afterEach(async () => {
  for (const p of extraPeers.splice(0)) p.destroy();
  await t?.close();
  t = undefined;
});

const GITLAB_TOKEN = 'glpat-hostile-secret-000111';
const TCP_TOKEN = 'tcp-door-token-0123456789abcdef';
const data = (m: Record<string, unknown>) => m.data as Record<string, unknown>;

/** JSON text nesting `depth` objects (or arrays) around a 1, written as text: the test itself must not recurse. */
const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const deepArray = (depth: number): string => '['.repeat(depth) + '1' + ']'.repeat(depth);
/** Deep enough to overflow JSON.stringify's recursion in V8 (the crash of issue 11). */
const HOSTILE_DEPTH = 50_000;

async function job(id: string): Promise<JobDto> {
  return (await t!.api.getJob({ job_id: id })).job;
}
async function createFor(crawlerId: string | undefined, extra: Record<string, unknown> = {}): Promise<JobDto> {
  return (
    await t!.api.createJob({
      job_type: 'crawl_project',
      gitlab_host: 'gitlab.example.com',
      access_token: GITLAB_TOKEN,
      entity_id: '42',
      priority: 1,
      ...(crawlerId && { crawler_id: crawlerId }),
      ...extra,
    })
  ).job;
}
async function tcpPeer(): Promise<Peer> {
  const tcp = t!.core.tcp!;
  const p = await Peer.connect({ host: tcp.host, port: tcp.port });
  extraPeers.push(p);
  return p;
}

describe('deep nesting is refused at decoding, before anything stores, logs or serialises it', () => {
  it('allows 64 levels and refuses 65, objects and arrays alike', () => {
    const nest = (depth: number, open: string, close: string) => JSON.parse(open.repeat(depth - 2) + '1' + close.repeat(depth - 2)) as unknown;
    const heartbeat = (memoryUsage: unknown) => ({ type: 'heartbeat', timestamp: now(), data: { activeJobs: 0, totalProcessed: 0, systemStatus: 'idle', memoryUsage } });
    // message (1) → data (2) → memoryUsage chain
    expect(decodeCrawlerMessage(heartbeat(nest(MAX_MESSAGE_DEPTH, '{"a":', '}'))).ok).toBe(true);
    expect(decodeCrawlerMessage(heartbeat(nest(MAX_MESSAGE_DEPTH + 1, '{"a":', '}'))).ok).toBe(false);
    expect(decodeCrawlerMessage(heartbeat(nest(MAX_MESSAGE_DEPTH + 1, '[', ']'))).ok).toBe(false);
  });

  // Each field a crawler can fill with anything and that the console stores or shows.
  const cases: { field: string; line: (deep: string) => string }[] = [
    {
      field: 'heartbeat memoryUsage',
      line: (deep) => `{"type":"heartbeat","timestamp":"${now()}","data":{"activeJobs":0,"totalProcessed":0,"systemStatus":"idle","memoryUsage":${deep}}}`,
    },
    {
      field: 'heartbeat extras (an unknown field)',
      line: (deep) => `{"type":"heartbeat","timestamp":"${now()}","data":{"activeJobs":0,"totalProcessed":0,"systemStatus":"idle","itemCounts":${deep}}}`,
    },
    {
      field: 'job_progress resumeState',
      line: (deep) =>
        `{"type":"job_progress","timestamp":"${now()}","jobId":"deep-1","data":{"stage":"fetching","entityType":"issue","processed":1,"total":10,"resumeState":{"lastEntityId":"9","cursor":${deep}}}}`,
    },
    {
      field: 'job_failed resume_state',
      line: (deep) => `{"type":"job_failed","timestamp":"${now()}","job_id":"deep-1","data":{"error":"boom","is_recoverable":true,"resume_state":{"page":${deep}}}}`,
    },
    {
      field: 'job_failed requestDetails (extras)',
      line: (deep) => `{"type":"job_failed","timestamp":"${now()}","jobId":"deep-1","data":{"error":"boom","isRecoverable":true,"requestDetails":${deep}}}`,
    },
    {
      field: 'job_completed finalCounts',
      line: (deep) => `{"type":"job_completed","timestamp":"${now()}","jobId":"deep-1","data":{"success":true,"finalCounts":{"issue":${deep}}}}`,
    },
    {
      field: 'envelope extras (arrays)',
      line: () => `{"type":"heartbeat","timestamp":"${now()}","trace":${deepArray(HOSTILE_DEPTH)},"data":{"activeJobs":0,"totalProcessed":0,"systemStatus":"idle"}}`,
    },
  ];

  for (const c of cases) {
    it(`${c.field}: error reply, nothing kept, the event stream and the console go on`, async () => {
      t = await startTestConsole({ heartbeatInterval: 50, heartbeatTimeout: 5_000 });
      // An event stream is open: every event is serialised, as the SSE and IPC transports do.
      const serialiseFailures: string[] = [];
      t.core.events.on('event', (e) => {
        try {
          JSON.stringify(e);
        } catch (err) {
          serialiseFailures.push((err as Error).message);
        }
      });
      const p = await t.crawler({ crawler_id: 'deep-crawler' });
      // The job exists and runs, so a report about it would be stored if accepted.
      p.send({ type: 'job_progress', timestamp: now(), jobId: 'deep-1', data: { stage: 'fetching', entityType: 'issue', processed: 0, total: 10 } });
      await eventually(() => t!.events.some((e) => e.type === 'job_changed' && e.job.job_id === 'deep-1'), 5000, 'deep-1 adopted');

      p.write(c.line(deepObject(HOSTILE_DEPTH)) + '\n');
      const err = await p.nextOfType('error');
      expect(data(err)).toMatchObject({ code: 'invalid_message' });
      expect(String(data(err).message)).toMatch(/deeper than 64/);

      // The console still serves this crawler and stores what it sends next.
      p.send({ type: 'job_progress', timestamp: now(), jobId: 'deep-1', data: { stage: 'fetching', entityType: 'issue', processed: 5, total: 10 } });
      const detail = await t.api.getJob({ job_id: 'deep-1' });
      expect(() => JSON.stringify(detail)).not.toThrow();
      expect(detail.job.status).toBe('running');
      const crawlers = await t.api.listCrawlers({ include_disconnected: true });
      expect(() => JSON.stringify(crawlers)).not.toThrow();
      const errors = await t.api.listErrors({});
      expect(() => JSON.stringify(errors)).not.toThrow();
      expect(serialiseFailures).toEqual([]);
    });
  }

  it('refuses job ids that are not well-formed Unicode (two lone surrogates must not become one row)', async () => {
    t = await startTestConsole();
    const p = await t.crawler({ crawler_id: 'surrogates' });
    // Two different lone surrogates, as JSON escapes (valid JSON, invalid Unicode).
    p.write(`{"type":"job_started","timestamp":"${now()}","job_id":"job-\\ud800","data":{}}\n`);
    p.write(`{"type":"job_started","timestamp":"${now()}","job_id":"job-\\udfff","data":{}}\n`);
    const first = await p.nextOfType('error');
    const second = await p.nextOfType('error');
    for (const e of [first, second]) {
      expect(data(e)).toMatchObject({ code: 'invalid_message' });
      expect(String(data(e).message)).toMatch(/well-formed Unicode/);
    }
    expect((await t.api.listJobs({})).total).toBe(0);
    // A crawler id is held to the same rule (hello's id syntax is ASCII).
    p.write(`{"type":"hello","timestamp":"${now()}","data":{"crawler_id":"c-\\ud800"}}\n`);
    expect(data(await p.nextOfType('error'))).toMatchObject({ code: 'invalid_message', ref_type: 'hello' });
  });
});

describe('identity: a crawler id belongs to the live connection that holds it', () => {
  it('over the Unix socket, a hello claiming a connected crawler’s id is refused; the live crawler keeps its connection and jobs', async () => {
    t = await startTestConsole();
    const alpha = await t.crawler({ crawler_id: 'alpha', max_concurrent_jobs: 2 });
    const j = await createFor('alpha');
    await alpha.nextOfType('job_assignment');

    const thief = await t.crawler();
    thief.send({ type: 'hello', timestamp: now(), data: { crawler_id: 'alpha' } });
    const err = await thief.nextOfType('error');
    expect(data(err)).toMatchObject({ code: 'crawler_id_in_use', ref_type: 'hello' });
    expect(thief.received.some((m) => m.type === 'welcome')).toBe(false);

    // The live crawler is untouched: still connected, still the holder, still served.
    expect(alpha.closed).toBe(false);
    expect((await job(j.job_id)).crawler_id).toBe('alpha');
    alpha.send({ type: 'job_started', timestamp: now(), job_id: j.job_id, data: {} });
    await eventually(() => t!.events.some((e) => e.type === 'job_changed' && e.job.job_id === j.job_id && e.job.status === 'running'), 5000, 'alpha started its job');
    const crawlers = await t.api.listCrawlers({ include_disconnected: false });
    expect(crawlers.crawlers.filter((c) => c.crawler_id === 'alpha')).toHaveLength(1);
    // The thief's own reports are not alpha's.
    thief.send({ type: 'job_completed', timestamp: now(), job_id: j.job_id, data: { success: true } });
    expect(data(await thief.nextOfType('error'))).toMatchObject({ code: 'job_not_leased' });
    expect((await job(j.job_id)).status).toBe('running');
  });

  it('over TCP, a hello with the right token but a connected crawler’s id is refused and closed; the live crawler keeps its jobs', async () => {
    t = await startTestConsole({ enableTcp: true, host: '127.0.0.1', port: 0, authToken: TCP_TOKEN });
    const owner = await tcpPeer();
    owner.send({ type: 'hello', timestamp: now(), data: { crawler_id: 'remote-1', auth_token: TCP_TOKEN, max_concurrent_jobs: 1 } });
    await owner.nextOfType('welcome');
    const j = await createFor('remote-1');
    await owner.nextOfType('job_assignment');

    const thief = await tcpPeer();
    thief.send({ type: 'hello', timestamp: now(), data: { crawler_id: 'remote-1', auth_token: TCP_TOKEN } });
    expect(data(await thief.nextOfType('error'))).toMatchObject({ code: 'crawler_id_in_use' });
    await thief.waitClosed();

    expect(owner.closed).toBe(false);
    expect((await job(j.job_id)).crawler_id).toBe('remote-1');
    owner.send({ type: 'job_request', timestamp: now(), data: {} });
    await owner.nextOfType('job_response');
  });

  it('answers a token refresh only for an unfinished job leased to the asking connection; anything else is an error and changes nothing', async () => {
    t = await startTestConsole();
    const owner = await t.crawler({ crawler_id: 'owner', max_concurrent_jobs: 2 });
    const j = await createFor('owner');
    await owner.nextOfType('job_assignment');
    // A second job on another host with its own token: a foreign refresh (which, from its holder,
    // would mark the token refused) must not push it into waiting_credentials.
    const bare = (
      await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.other.org', access_token: 'glpat-other-host-secret-222', entity_id: '7', priority: 1, crawler_id: 'owner' })
    ).job;
    await owner.nextOfType('job_assignment');

    const thief = await t.crawler({ crawler_id: 'thief' });
    for (const id of [j.job_id, bare.job_id]) {
      thief.send({ type: 'token_refresh_request', timestamp: now(), job_id: id, data: { current_token_expired: true } });
      const err = await thief.nextOfType('error');
      expect(data(err)).toMatchObject({ code: 'job_not_leased', job_id: id });
    }
    thief.send({ type: 'token_refresh_request', timestamp: now(), job_id: 'no-such-job', data: {} });
    expect(data(await thief.nextOfType('error'))).toMatchObject({ code: 'unknown_job' });
    expect(thief.raw.join('\n')).not.toContain(GITLAB_TOKEN);
    expect(thief.received.some((m) => m.type === 'token_refresh_response')).toBe(false);
    expect((await job(j.job_id)).status).toBe('assigned');
    expect((await job(bare.job_id)).status).toBe('assigned');

    // Its holder still gets its token (asking ahead of expiry: a refresh for a token that
    // failed is answered by waiting for a new one, issue 10).
    owner.send({ type: 'token_refresh_request', timestamp: now(), job_id: j.job_id, data: { current_token_expired: false } });
    expect(data(await owner.nextOfType('token_refresh_response'))).toMatchObject({ access_token: GITLAB_TOKEN, refresh_successful: true });

    // A cancelled job's token goes to nobody, its former holder included.
    await t.api.cancelJob({ job_id: j.job_id });
    owner.send({ type: 'token_refresh_request', timestamp: now(), job_id: j.job_id, data: {} });
    expect(data(await owner.nextOfType('error'))).toMatchObject({ code: 'job_cancelled' });
  });

  it('moves the jobs a connection holds when its crawler id changes mid-stream, so none is stranded under a dead name', async () => {
    t = await startTestConsole();
    const p = await t.crawler(); // no hello yet: a generated id
    p.send({ type: 'job_progress', timestamp: now(), jobId: 'midstream-1', data: { stage: 'fetching', entityType: 'issue', processed: 1, total: 10 } });
    await eventually(() => t!.events.some((e) => e.type === 'job_changed' && e.job.job_id === 'midstream-1'), 5000, 'job adopted');
    const before = (await job('midstream-1')).crawler_id!;
    expect(before).toMatch(/^crawler-/);

    p.send({ type: 'hello', timestamp: now(), data: { crawler_id: 'named-later' } });
    await p.nextOfType('welcome');
    expect((await job('midstream-1')).crawler_id).toBe('named-later');

    // A second hello renames it again: the job follows.
    p.send({ type: 'hello', timestamp: now(), data: { crawler_id: 'renamed-again' } });
    await p.nextOfType('welcome');
    expect((await job('midstream-1')).crawler_id).toBe('renamed-again');

    // When it goes, the job goes back to the queue instead of staying "running" under a name with no connection.
    await p.close();
    await eventually(() => t!.events.some((e) => e.type === 'job_changed' && e.job.job_id === 'midstream-1' && e.job.status !== 'running'), 5000, 'job requeued');
    const after = await job('midstream-1');
    expect(after.status).not.toBe('running');
    expect(after.crawler_id).toBeNull();
  });

  it('counts an expired lease as an attempt and offers the job to another crawler first', async () => {
    t = await startTestConsole({ leaseTimeout: 150, retryAttempts: 3 });
    const hog = await t.crawler(); // hello-less: asks for work with job_request, never starts it
    const worker = await t.crawler();
    const j = await createFor(undefined);
    hog.send({ type: 'job_request', timestamp: now(), data: {} });
    const first = data(await hog.nextOfType('job_response'));
    expect((first.jobs as { id: string }[]).map((x) => x.id)).toEqual([j.job_id]);

    await eventually(() => t!.events.some((e) => e.type === 'job_changed' && e.job.job_id === j.job_id && e.job.status === 'queued' && e.job.attempts > 0), 5000, 'lease expired');
    const expired = await job(j.job_id);
    expect(expired.attempts).toBe(1);

    // The hog asks again first, but the job now goes to the other crawler.
    hog.send({ type: 'job_request', timestamp: now(), data: {} });
    expect((data(await hog.nextOfType('job_response')).jobs as unknown[]).length).toBe(0);
    worker.send({ type: 'job_request', timestamp: now(), data: {} });
    expect((data(await worker.nextOfType('job_response')).jobs as { id: string }[]).map((x) => x.id)).toEqual([j.job_id]);
  });
});

describe('a black-hole crawler (connected, never reads)', () => {
  it('cannot hold up sendToCrawler or broadcast: each answers at once, queued or dropped with a recorded error', async () => {
    // A long write timeout: on the old code every send past the buffer waited this long.
    t = await startTestConsole({ messageBufferSize: 4096, connectionTimeout: 120_000 });
    const hole = await t.crawler({ crawler_id: 'black-hole' });
    hole.socket.pause(); // stops reading: the kernel buffer fills, then Node's
    const healthy = await t.crawler({ crawler_id: 'healthy' });

    const message = { type: 'shutdown' as const, data: { graceful: true, timeout_seconds: 30, reason: 'x'.repeat(480) } };
    const deadline = (what: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} waited on the black hole`)), 10_000).unref());
    let dropped = 0;
    const started = Date.now();
    const all = (async () => {
      for (let i = 0; i < 3000; i++) {
        await t!.api.sendToCrawler({ crawler_id: 'black-hole', message }).catch(() => dropped++);
      }
      return t!.api.broadcast(message);
    })();
    const { delivered } = await Promise.race([all, deadline('3000 sends and a broadcast')]);
    const elapsed = Date.now() - started;
    expect(dropped).toBeGreaterThan(0); // the queue is bounded: past it, messages are dropped…
    expect(delivered).toBeGreaterThanOrEqual(1); // …while the healthy crawler gets the broadcast
    expect(data(await healthy.nextOfType('shutdown'))).toMatchObject({ graceful: true });
    const errors = await t.api.listErrors({});
    expect(errors.errors.some((e) => /dropped/.test(e.message) && /black-hole/.test(e.message))).toBe(true);
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe('the TCP door', () => {
  it('keeps unauthenticated peers out of maxConnections: idle TCP peers never lock local crawlers out', async () => {
    t = await startTestConsole({ enableTcp: true, host: '127.0.0.1', port: 0, authToken: TCP_TOKEN, maxConnections: 2, maxPreAuthConnections: 4, authTimeout: 10_000 });
    const idle: Peer[] = [];
    for (let i = 0; i < 10; i++) idle.push(await tcpPeer());
    await new Promise((r) => setTimeout(r, 100));
    const a = await t.crawler({ crawler_id: 'local-a' });
    const b = await t.crawler({ crawler_id: 'local-b' });
    expect(a.received.some((m) => m.type === 'error')).toBe(false);
    expect(b.received.some((m) => m.type === 'error')).toBe(false);
    const status = await t.api.getStatus({});
    expect(status.preAuth?.pending).toBeLessThanOrEqual(4);
    // Peers beyond the small pool were cut at once.
    await eventually(() => idle.filter((p) => p.closed).length >= 6, 5000, 'overflow peers cut');
  });

  it('closes a peer on its first line that is not a valid hello, counts it instead of logging every line, and locks out a flooding address', async () => {
    t = await startTestConsole({ enableTcp: true, host: '127.0.0.1', port: 0, authToken: TCP_TOKEN, authTimeout: 10_000 });
    const errorsBefore = (await t.api.listErrors({})).total;
    const junk = await tcpPeer();
    junk.write('not json at all\n'.repeat(2000));
    expect(data(await junk.nextOfType('error'))).toMatchObject({ code: 'auth_required' });
    await junk.waitClosed();
    expect(junk.received.filter((m) => m.type === 'error').length).toBe(0); // exactly one reply, already taken

    const wrong = await tcpPeer();
    wrong.send({ type: 'hello', timestamp: now(), data: { auth_token: 'wrong-token-wrong-token' } });
    expect(data(await wrong.nextOfType('error'))).toMatchObject({ code: 'auth_failed' });
    await wrong.waitClosed();

    // Keep failing from the same address until it is locked out.
    for (let i = 0; i < 6; i++) {
      const p = await tcpPeer().catch(() => null);
      if (!p) continue;
      p.write('{"oops"\n');
      await p.waitClosed();
    }
    const locked = await tcpPeer();
    locked.send({ type: 'hello', timestamp: now(), data: { crawler_id: 'late', auth_token: TCP_TOKEN } });
    await locked.waitClosed();
    expect(locked.received.some((m) => m.type === 'welcome')).toBe(false);

    const status = await t.api.getStatus({});
    expect(status.preAuth?.failures).toBeGreaterThanOrEqual(5);
    expect(status.preAuth?.refusedWhileLocked).toBeGreaterThanOrEqual(1);
    expect(status.preAuth?.lockedAddresses).toBe(1);
    // 2,000 junk lines and a dozen failed peers: at most a lockout note in the error log, not a row per line.
    const errorsAfter = (await t.api.listErrors({})).total;
    expect(errorsAfter - errorsBefore).toBeLessThanOrEqual(2);
  });

  it('closes a peer that sends nothing within authTimeout', async () => {
    t = await startTestConsole({ enableTcp: true, host: '127.0.0.1', port: 0, authToken: TCP_TOKEN, authTimeout: 200 });
    const silent = await tcpPeer();
    await silent.waitClosed(3000);
    expect((await t.api.getStatus({})).preAuth?.byReason.auth_timeout).toBe(1);
  });

  it('refuses to start with a TCP token shorter than 16 characters, in one sentence', async () => {
    const err = await startTestConsole({ enableTcp: true, host: '127.0.0.1', port: 0, authToken: 'short-token' }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/at least 16/);
    expect((err as Error).message.split(/\.\s/).length).toBe(1);
  });
});
