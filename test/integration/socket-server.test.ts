import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CrawlerMessage,
  type MessageHandler,
  type MessageProcessingResult,
  type SocketConnection,
  ProgressTracker,
  SocketServer,
  type SocketServerConfigInput,
  createDefaultRouter,
} from '../../src/main/socket';
import { Peer, eventually, iso, tempDir } from '../helpers/peer';
import { crawler, documented } from '../helpers/fixtures';

/** Records every message that reaches the router, ahead of the default handlers. */
class Recorder implements MessageHandler {
  readonly seen: CrawlerMessage[] = [];
  canHandle(): boolean {
    return true;
  }
  async handle(message: CrawlerMessage): Promise<MessageProcessingResult> {
    this.seen.push(message);
    return { success: true };
  }
  getPriority(): number {
    return 100;
  }
}

const TYPES = ['heartbeat', 'job_started', 'job_progress', 'job_completed', 'job_failed', 'jobs_discovered', 'token_refresh_request', 'job_request', 'discovery'] as const;

let tmp: ReturnType<typeof tempDir>;
let server: SocketServer | null = null;
const peers: Peer[] = [];

async function startServer(config: SocketServerConfigInput = {}): Promise<SocketServer> {
  // Each server its own router and tracker: handlers registered by one test never see another's messages.
  const progressTracker = new ProgressTracker();
  server = new SocketServer({ socketPath: path.join(tmp.dir, 'console.sock'), ...config }, { progressTracker, router: createDefaultRouter({ progressTracker }) });
  await server.start();
  return server;
}
async function connect(target?: string | { host: string; port: number }): Promise<Peer> {
  const p = await Peer.connect(target ?? server!.socketPath);
  peers.push(p);
  return p;
}

beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await server?.stop();
  server = null;
  tmp.cleanup();
});

describe('SocketServer lifecycle', () => {
  it('listens on an owner-only Unix socket, reports status, and removes the socket on stop', async () => {
    const s = await startServer();
    const st = fs.lstatSync(s.socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    const status = s.getStatus();
    expect(status.isRunning).toBe(true);
    expect(status.connections).toBe(0);
    expect(status.config.socketPath).toBe(s.socketPath);
    await s.stop();
    expect(fs.existsSync(s.socketPath)).toBe(false);
    expect(s.getStatus().isRunning).toBe(false);
  });

  it('refuses to start twice', async () => {
    const s = await startServer();
    await expect(s.start()).rejects.toThrow(/already running/);
  });

  it('replaces a stale socket file left by a crashed process', async () => {
    const socketPath = path.join(tmp.dir, 'console.sock');
    // A real crash: a process listens on the path and is SIGKILLed, leaving the file behind.
    const r = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(r.signal).toBe('SIGKILL');
    expect(fs.lstatSync(socketPath).isSocket()).toBe(true);
    const s = await startServer({ socketPath });
    const p = await connect();
    p.send(documented.job_request);
    expect((await p.nextOfType('job_response')).data).toEqual({ jobs: [] });
    expect(s.isRunning).toBe(true);
  });

  it('refuses a socket path where another console is listening, leaving it untouched', async () => {
    const first = await startServer();
    const second = new SocketServer({ socketPath: first.socketPath });
    await expect(second.start()).rejects.toThrow(/already listening/);
    const p = await connect();
    p.send(documented.job_request);
    await p.nextOfType('job_response');
  });

  it('never deletes a path that is not a socket', async () => {
    const file = path.join(tmp.dir, 'not-a-socket');
    fs.writeFileSync(file, 'precious');
    const s = new SocketServer({ socketPath: file });
    await expect(s.start()).rejects.toThrow(/is not a socket/);
    expect(fs.readFileSync(file, 'utf8')).toBe('precious');
  });

  it('rejects an unavailable TCP port with a clear error and leaves no socket file', async () => {
    const first = await startServer({ enableTcp: true, port: 0, host: '127.0.0.1', authToken: 'secret-token-0123456' });
    const port = first.tcpListenAddress!.port;
    const second = new SocketServer({ socketPath: path.join(tmp.dir, 'b.sock'), enableTcp: true, port, host: '127.0.0.1', authToken: 'x-token-0123456789' });
    await expect(second.start()).rejects.toThrow(/Cannot listen on TCP 127\.0\.0\.1:\d+: address already in use/);
    expect(fs.existsSync(path.join(tmp.dir, 'b.sock'))).toBe(false);
  });

  it('stop() closes connections gracefully and leaves no socket file or open handle', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => /Pipe|TCP/.test(r)).length;
    const s = await startServer();
    const a = await connect();
    const b = await connect();
    a.send(documented.heartbeat);
    b.send(crawler.heartbeat);
    await eventually(() => s.getConnectionStats().total === 2);
    await s.stop();
    await a.waitClosed();
    await b.waitClosed();
    expect(fs.existsSync(s.socketPath)).toBe(false);
    a.destroy();
    b.destroy();
    await eventually(() => process.getActiveResourcesInfo().filter((r) => /Pipe|TCP/.test(r)).length <= before, 2000, 'handles released');
  });
});

describe('messages in both spellings', () => {
  for (const spelling of ['documented', 'crawler'] as const) {
    it(`accepts and normalises every ${spelling} message type`, async () => {
      const s = await startServer();
      const rec = new Recorder();
      for (const t of TYPES) s.router.registerHandler(t, rec);
      const p = await connect();
      const fixtures = spelling === 'documented' ? documented : crawler;
      const sent = TYPES.filter((t) => t in fixtures);
      for (const t of sent) p.send(fixtures[t as keyof typeof fixtures]);
      await eventually(() => rec.seen.length === sent.length);
      expect(rec.seen.map((m) => m.type)).toEqual(sent);
      for (const m of rec.seen) {
        if (m.type !== 'heartbeat' && m.type !== 'job_request') expect(typeof m.job_id).toBe('string');
      }
      expect(p.received.filter((m) => m.type === 'error')).toEqual([]);
    });
  }

  it('normalises the two heartbeat shapes into one', async () => {
    const s = await startServer();
    const rec = new Recorder();
    s.router.registerHandler('heartbeat', rec);
    const p = await connect();
    p.send(documented.heartbeat);
    p.send(crawler.heartbeat);
    await eventually(() => rec.seen.length === 2);
    expect(rec.seen[0]).toMatchObject({ spelling: 'documented', data: { active_jobs: 2, system_status: 'crawling', last_activity: '2024-01-15T10:29:45Z' } });
    expect(rec.seen[1]).toMatchObject({ spelling: 'crawler', data: { active_jobs: 1, system_status: 'crawling', total_processed: 500, uptime: 3600, memory_usage: { rss: 123 } } });
  });

  it('normalises both progress shapes and keeps unknown fields', async () => {
    const s = await startServer();
    const rec = new Recorder();
    s.router.registerHandler('job_progress', rec);
    s.router.registerHandler('job_failed', rec);
    const p = await connect();
    p.send(documented.job_progress);
    p.send({ ...crawler.job_progress, data: { ...crawler.job_progress.data, requestDetails: { url: '/api/v4/x' } } });
    p.send(crawler.job_failed);
    await eventually(() => rec.seen.length === 3);
    const [doc, cr, failed] = rec.seen;
    expect(doc).toMatchObject({ job_id: 'job-1', data: { overall_completion: 0.35, progress: [{ entity_type: 'projects', total_processed: 45, total_discovered: 150 }, { entity_type: 'issues' }] } });
    expect(cr).toMatchObject({
      job_id: 'job-2',
      data: {
        stage: 'fetching',
        message: 'page 4',
        progress: [{ entity_type: 'issue', total_processed: 40, total_discovered: 100, processing_rate: 12.5, item_counts: { issue: 40 } }],
        resume_state: { last_entity_id: '77', current_page: 4, entity_type: 'issue' },
        estimated_time_remaining: 4800,
      },
      extras: { requestDetails: { url: '/api/v4/x' } },
    });
    expect(failed).toMatchObject({ data: { error: 'rate limited', is_recoverable: true, error_type: 'rate_limit' }, extras: { stackTrace: 'at x', retryCount: 1 } });
  });

  it('replies in the spelling each connection uses', async () => {
    await startServer();
    const doc = await connect();
    const cr = await connect();
    doc.send(documented.token_refresh_request);
    cr.send(crawler.token_refresh_request);
    const a = await doc.nextOfType('token_refresh_response');
    const b = await cr.nextOfType('token_refresh_response');
    expect(a).toMatchObject({ job_id: 'job-1', data: { access_token: '', refresh_successful: false } });
    expect(a).not.toHaveProperty('jobId');
    expect(b).toMatchObject({ jobId: 'job-2', data: { accessToken: '', refreshSuccessful: false } });
    expect(b).not.toHaveProperty('job_id');
  });

  it('answers hello with welcome and adopts the crawler id', async () => {
    const s = await startServer({ heartbeatInterval: 1234, heartbeatTimeout: 5000 });
    const p = await connect();
    p.send(documented.hello);
    const w = await p.nextOfType('welcome');
    expect(w.data).toEqual({ crawler_id: 'crawler-doc', protocol_version: '1.0', heartbeat_interval_ms: 1234 });
    const [info] = s.listConnections();
    expect(info).toMatchObject({ crawler_id: 'crawler-doc', name: 'doc crawler', version: '1.2.3', max_concurrent_jobs: 3, said_hello: true });
  });

  it('emits the seed connection events: message, error, disconnected', async () => {
    const s = await startServer();
    const seen: string[] = [];
    s.on('crawler_connected', () => {
      const conn = (s as unknown as { connections: Set<SocketConnection> }).connections.values().next().value!;
      conn.on('message', (e) => seen.push(`message:${e.message.type}`));
      conn.on('error', (e) => seen.push(`error:${e.error.category}`));
      conn.on('disconnected', (e) => seen.push(`disconnected:${e.reason}`));
    });
    const p = await connect();
    await eventually(() => s.listConnections().length === 1);
    p.send(documented.heartbeat);
    p.write('not json\n');
    await p.nextOfType('error');
    await p.close();
    await eventually(() => seen.length === 3);
    expect(seen).toEqual(['message:heartbeat', 'error:message_parsing', 'disconnected:peer closed the connection']);
  });

  it('gives a crawler that never says hello a stable generated id', async () => {
    const s = await startServer();
    const p = await connect();
    p.send(crawler.heartbeat);
    await eventually(() => s.listConnections()[0]?.state === 'active');
    const id = s.listConnections()[0]!.crawler_id;
    expect(id).toMatch(/^crawler-[0-9a-f]{8}$/);
    p.send(crawler.heartbeat);
    p.send(crawler.job_request);
    await p.nextOfType('job_response');
    expect(s.listConnections()[0]!.crawler_id).toBe(id);
  });
});

describe('bad input costs nothing else', () => {
  const cases: [string, string | Buffer, string][] = [
    ['non-JSON', 'hello world\n', 'invalid_json'],
    ['truncated JSON', '{"type":"heartbeat","timestamp":"2024-01-15T10:30:00Z","data":{"active_jobs":1\n', 'invalid_json'],
    ['binary', Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x81, 0xc3, 0x28]), Buffer.from('\n')]), 'invalid_json'],
    ['non-UTF-8 object', Buffer.concat([Buffer.from('{"type":"heartbeat","x":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}\n')]), 'invalid_encoding'],
    ['not an object', '[1,2,3]\n', 'not_an_object'],
    ['unknown type', JSON.stringify({ type: 'teleport', timestamp: iso(), data: {} }) + '\n', 'unknown_type'],
    ['invalid message', JSON.stringify({ type: 'heartbeat', timestamp: iso(), data: { active_jobs: 'many' } }) + '\n', 'invalid_message'],
    ['missing job id', JSON.stringify({ type: 'job_progress', timestamp: iso(), data: { stage: 'fetching', entityType: 'x', processed: 1 } }) + '\n', 'invalid_message'],
    ['bad timestamp', JSON.stringify({ ...documented.heartbeat, timestamp: 'yesterday' }) + '\n', 'invalid_message'],
  ];
  for (const [name, line, code] of cases) {
    it(`answers a ${name} line with error ${code} and keeps serving the connection`, async () => {
      const s = await startServer();
      const errors: string[] = [];
      s.errorManager.onError((e) => {
        errors.push(e.message);
      });
      const p = await connect();
      p.write(line);
      const err = await p.nextOfType('error');
      expect((err.data as { code: string }).code).toBe(code);
      expect(typeof (err.data as { message: string }).message).toBe('string');
      p.send(documented.job_request);
      await p.nextOfType('job_response');
      expect(errors.length).toBeGreaterThanOrEqual(1);
    });
  }

  it('summarises validation issues in the error message', async () => {
    await startServer();
    const p = await connect();
    p.send({ type: 'heartbeat', timestamp: iso(), data: { active_jobs: -1, last_activity: iso(), system_status: 'sleeping' } });
    const err = await p.nextOfType('error');
    expect((err.data as { message: string }).message).toMatch(/system_status/);
    expect(err.data).toMatchObject({ code: 'invalid_message', ref_type: 'heartbeat' });
  });

  it('discards an oversized line with bounded memory, then handles the next line', async () => {
    const s = await startServer({ maxMessageSize: 64 * 1024 });
    const p = await connect();
    let peak = 0;
    const chunk = Buffer.alloc(16 * 1024, 'a');
    p.write('{"type":"heartbeat","pad":"');
    for (let i = 0; i < 256; i++) {
      // 4 MiB in all without a delimiter: the console must not buffer it.
      p.write(chunk);
      if (i % 32 === 0) {
        await new Promise((r) => setTimeout(r, 5));
        for (const c of (s as unknown as { connections: Set<{ bufferedBytes: number }> }).connections) peak = Math.max(peak, c.bufferedBytes);
      }
    }
    p.write('"}\n');
    p.send(documented.job_request);
    const err = await p.nextOfType('error');
    expect(err.data).toMatchObject({ code: 'message_too_large' });
    expect((err.data as { message: string }).message).toMatch(/exceeds maxMessageSize/);
    await p.nextOfType('job_response');
    expect(peak).toBeLessThanOrEqual(64 * 1024 + 1);
  });

  it('tolerates CRLF and ignores blank lines', async () => {
    const s = await startServer();
    const rec = new Recorder();
    s.router.registerHandler('heartbeat', rec);
    const p = await connect();
    p.write('\n\r\n   \n' + JSON.stringify(documented.heartbeat) + '\r\n\n');
    await eventually(() => rec.seen.length === 1);
    p.send(documented.job_request);
    await p.nextOfType('job_response');
    expect(p.received.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('turns a throwing handler into an error reply and an error record, and keeps serving', async () => {
    const s = await startServer();
    const recorded: string[] = [];
    s.errorManager.onError((e) => {
      recorded.push(e.message);
    });
    s.router.registerHandler('job_started', {
      canHandle: () => true,
      handle: async () => {
        throw new Error('disk on fire');
      },
      getPriority: () => 99,
    });
    const p = await connect();
    p.send(documented.job_started);
    const err = await p.nextOfType('error');
    expect(err.data).toMatchObject({ code: 'internal_error', ref_type: 'job_started', job_id: 'job-1' });
    expect((err.data as { message: string }).message).toMatch(/disk on fire/);
    p.send(documented.job_request);
    await p.nextOfType('job_response');
    expect(recorded.some((m) => /disk on fire/.test(m))).toBe(true);
  });

  it('a bad crawler does not disturb another', async () => {
    const s = await startServer();
    const rec = new Recorder();
    s.router.registerHandler('heartbeat', rec);
    const good = await connect();
    const bad = await connect();
    for (let i = 0; i < 50; i++) {
      bad.write('garbage ' + i + '\n');
      good.send(crawler.heartbeat);
    }
    await eventually(() => rec.seen.length === 50);
    await eventually(() => bad.received.filter((m) => m.type === 'error').length === 50);
    expect(good.received.filter((m) => m.type === 'error')).toEqual([]);
  });
});

describe('connection limits, heartbeats and ordering', () => {
  it('refuses the connection over maxConnections with server_full and leaves the others alone', async () => {
    const s = await startServer({ maxConnections: 2 });
    const a = await connect();
    const b = await connect();
    a.send(documented.heartbeat);
    b.send(documented.heartbeat);
    await eventually(() => s.getConnectionStats().total === 2);
    const c = await connect();
    const err = await c.nextOfType('error');
    expect(err.data).toMatchObject({ code: 'server_full' });
    await c.waitClosed();
    a.send(documented.job_request);
    b.send(crawler.job_request);
    await a.nextOfType('job_response');
    await b.nextOfType('job_response');
    expect(s.getConnectionStats().total).toBe(2);
  });

  it('marks a silent crawler lost after heartbeatTimeout and closes it', async () => {
    const s = await startServer({ heartbeatInterval: 50, heartbeatTimeout: 300, healthCheckInterval: 50 });
    const lost: string[] = [];
    s.on('crawler_lost', (e) => lost.push(e.connection.crawler_id));
    const disconnected: { reason: string; lost: boolean }[] = [];
    s.on('crawler_disconnected', (e) => disconnected.push({ reason: e.reason, lost: e.lost }));
    const chatty = await connect();
    const silent = await connect();
    silent.send({ ...documented.hello, data: { crawler_id: 'silent-one' } });
    await silent.nextOfType('welcome');
    const ticker = setInterval(() => chatty.send(crawler.heartbeat), 50);
    try {
      await silent.waitClosed(3000);
    } finally {
      clearInterval(ticker);
    }
    expect(lost).toEqual(['silent-one']);
    await eventually(() => disconnected.length === 1);
    expect(disconnected[0]!.lost).toBe(true);
    expect(disconnected[0]!.reason).toMatch(/heartbeat timeout/);
    expect(chatty.closed).toBe(false);
  });

  it('handles lines of one connection strictly in order under load', async () => {
    const s = await startServer();
    const order: number[] = [];
    s.router.registerHandler('job_progress', {
      canHandle: () => true,
      handle: async (m) => {
        // Uneven async work: a later message must still never overtake an earlier one.
        if (order.length % 7 === 0) await new Promise((r) => setTimeout(r, 1));
        order.push(Number((m.extras as { seq: number }).seq));
        return { success: true };
      },
      getPriority: () => 100,
    });
    const p = await connect();
    const N = 5000;
    let batch = '';
    for (let i = 0; i < N; i++) {
      batch += JSON.stringify({ ...crawler.job_progress, data: { ...crawler.job_progress.data, processed: i, seq: i } }) + '\n';
    }
    p.write(batch);
    await eventually(() => order.length === N, 20000, 'all messages handled');
    expect(order).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it('handles what a crawler sent before it disconnected, before announcing the disconnect', async () => {
    const s = await startServer();
    const events: string[] = [];
    s.router.registerHandler('job_completed', {
      canHandle: () => true,
      handle: async () => {
        await new Promise((r) => setTimeout(r, 20));
        events.push('completed');
        return { success: true };
      },
      getPriority: () => 100,
    });
    s.on('crawler_disconnected', () => events.push('disconnected'));
    const p = await connect();
    p.socket.end(JSON.stringify(documented.job_completed) + '\n' + JSON.stringify(crawler.job_completed)); // last line has no delimiter
    await eventually(() => events.length === 3);
    expect(events).toEqual(['completed', 'completed', 'disconnected']);
  });
});

describe('sending', () => {
  it('sendToCrawler delivers in the crawler spelling and throws for an unknown crawler', async () => {
    const s = await startServer();
    const p = await connect();
    p.send({ type: 'hello', timestamp: iso(), jobId: undefined, data: { crawler_id: 'c-1' } });
    await p.nextOfType('welcome');
    p.send(crawler.heartbeat);
    await eventually(() => s.listConnections()[0]?.spelling === 'crawler');
    await s.sendToCrawler('c-1', { type: 'token_refresh_response', job_id: 'j-9', data: { access_token: 'tok', refresh_successful: true } });
    const m = await p.nextOfType('token_refresh_response');
    expect(m).toMatchObject({ jobId: 'j-9', data: { accessToken: 'tok', refreshSuccessful: true } });
    expect(typeof m.timestamp).toBe('string');
    await expect(s.sendToCrawler('nobody', { type: 'shutdown', data: { graceful: true, timeout_seconds: 1 } })).rejects.toThrow(/No connection found for crawler nobody/);
  });

  it('broadcast reaches every connected crawler and says how many', async () => {
    const s = await startServer();
    const ps = await Promise.all([connect(), connect(), connect()]);
    for (const p of ps) p.send(documented.heartbeat);
    await eventually(() => s.getConnectionStats().total === 3);
    const n = await s.broadcast({ type: 'shutdown', data: { graceful: true, timeout_seconds: 5, reason: 'maintenance' } });
    expect(n).toBe(3);
    for (const p of ps) expect((await p.nextOfType('shutdown')).data).toEqual({ graceful: true, timeout_seconds: 5, reason: 'maintenance' });
  });

  it('a crawler that stops reading cannot grow the console memory: it is dropped as a slow consumer', async () => {
    const s = await startServer({ messageBufferSize: 64 * 1024, connectionTimeout: 500 });
    const p = await connect();
    p.send({ type: 'hello', timestamp: iso(), data: { crawler_id: 'slow' } });
    await p.nextOfType('welcome');
    p.socket.pause();
    const conn = s.getConnection('slow')!;
    let peak = 0;
    const reason = 'x'.repeat(400);
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 5000; i++) {
      sends.push(s.sendToCrawler('slow', { type: 'shutdown', data: { graceful: true, timeout_seconds: i, reason } }).catch((e: Error) => e));
      peak = Math.max(peak, conn.socket.writableLength);
    }
    const results = await Promise.all(sends);
    peak = Math.max(peak, conn.socket.writableLength);
    expect(results.some((r) => r instanceof Error)).toBe(true);
    expect(peak).toBeLessThanOrEqual(64 * 1024 + 1024);
    await eventually(() => s.getConnection('slow') === undefined, 3000, 'slow consumer dropped');
  });
});

describe('TCP listener', () => {
  it('requires a hello with the right auth token before anything else', async () => {
    const s = await startServer({ enableTcp: true, host: '127.0.0.1', port: 0, authToken: 'let-me-in-0123456789' });
    const addr = s.tcpListenAddress!;
    expect(addr.host).toBe('127.0.0.1');

    const early = await connect(addr);
    early.send(documented.heartbeat);
    expect((await early.nextOfType('error')).data).toMatchObject({ code: 'auth_required' });
    await early.waitClosed();

    const wrong = await connect(addr);
    wrong.send({ type: 'hello', timestamp: iso(), data: { crawler_id: 'remote', auth_token: 'guess' } });
    expect((await wrong.nextOfType('error')).data).toMatchObject({ code: 'auth_failed' });
    await wrong.waitClosed();

    const right = await connect(addr);
    right.send({ type: 'hello', timestamp: iso(), data: { crawler_id: 'remote', auth_token: 'let-me-in-0123456789' } });
    expect((await right.nextOfType('welcome')).data).toMatchObject({ crawler_id: 'remote' });
    right.send(crawler.job_request);
    await right.nextOfType('job_response');
    expect(s.listConnections().map((c) => [c.crawler_id, c.transport])).toEqual([['remote', 'tcp']]);
  });

  it('refuses to start TCP without an auth token', async () => {
    const s = new SocketServer({ socketPath: path.join(tmp.dir, 'x.sock'), enableTcp: true, port: 0 });
    await expect(s.start()).rejects.toThrow(/auth token/);
  });
});
