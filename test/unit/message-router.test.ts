import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CrawlerMessage,
  ErrorManager,
  type MessageHandler,
  type MessageMiddleware,
  MessageRouter,
  SocketConnection,
  createDefaultRouter,
  decodeCrawlerMessage,
} from '../../src/main/socket';
import { documented } from '../helpers/fixtures';
import { tempDir } from '../helpers/peer';

/** A real connection over a real Unix socket pair: what handlers and middleware receive. */
let connection: SocketConnection;
let client: net.Socket;
let server: net.Server;
const tmp = tempDir('cc-router-');

beforeAll(async () => {
  const socketPath = path.join(tmp.dir, 'r.sock');
  const accepted = new Promise<net.Socket>((resolve) => {
    server = net.createServer(resolve).listen(socketPath);
  });
  client = net.connect(socketPath);
  const s = await accepted;
  connection = new SocketConnection(s, { transport: 'unix', maxMessageSize: 1 << 20, messageDelimiter: '\n', messageBufferSize: 1 << 20, writeTimeout: 1000, onLine: () => undefined });
});
afterAll(async () => {
  client.destroy();
  await connection.close('done', { graceful: false });
  await new Promise((r) => server.close(r));
  tmp.cleanup();
});

const msg = (m: object): CrawlerMessage => {
  const r = decodeCrawlerMessage(m);
  if (!r.ok) throw new Error(r.error.message);
  return r.message;
};

const handler = (name: string, priority: number, log: string[], canHandle: (m: CrawlerMessage) => boolean = () => true): MessageHandler => ({
  canHandle,
  handle: async () => {
    log.push(name);
    return { success: true, data: name };
  },
  getPriority: () => priority,
});

describe('MessageRouter', () => {
  it('runs the highest-priority handler that can handle the message', async () => {
    const router = new MessageRouter();
    const log: string[] = [];
    router.registerHandler('job_started', handler('low', 10, log));
    router.registerHandler('job_started', handler('high-but-declines', 99, log, () => false));
    router.registerHandler('job_started', handler('mid', 50, log));
    const r = await router.processMessage(msg(documented.job_started), connection);
    expect(r).toMatchObject({ success: true, data: 'mid' });
    expect(log).toEqual(['mid']);
  });

  it('applies middleware by priority; null drops the message; afterProcess sees the result', async () => {
    const router = new MessageRouter();
    const log: string[] = [];
    router.registerHandler('heartbeat', handler('h', 1, log));
    const mw = (name: string, priority: number, drop = false): MessageMiddleware => ({
      name,
      priority,
      beforeProcess: async (m) => {
        log.push(`before:${name}`);
        return drop ? null : m;
      },
      afterProcess: async (_m, _c, result) => {
        log.push(`after:${name}:${result.success}`);
      },
    });
    router.addMiddleware(mw('low', 1));
    router.addMiddleware(mw('high', 100));
    await router.processMessage(msg(documented.heartbeat), connection);
    expect(log).toEqual(['before:high', 'before:low', 'h', 'after:high:true', 'after:low:true']);

    log.length = 0;
    router.addMiddleware(mw('gate', 50, true));
    const dropped = await router.processMessage(msg(documented.heartbeat), connection);
    expect(dropped).toMatchObject({ success: true, dropped: true, handledBy: 'gate' });
    expect(log).toEqual(['before:high', 'before:gate']);
  });

  it('turns a throwing middleware or handler into a failed result and an error record', async () => {
    const errors = new ErrorManager();
    const recorded: string[] = [];
    errors.onError((e) => {
      recorded.push(e.message);
    });
    const router = new MessageRouter({ errorManager: errors });
    router.registerHandler('job_started', { canHandle: () => true, handle: () => Promise.reject(new Error('boom')), getPriority: () => 1 });
    const r1 = await router.processMessage(msg(documented.job_started), connection);
    expect(r1).toMatchObject({ success: false, code: 'internal_error', error: expect.stringMatching(/boom/) });

    router.addMiddleware({
      name: 'auth',
      priority: 1000,
      beforeProcess: async () => {
        throw new Error('Connection not authenticated');
      },
    });
    const r2 = await router.processMessage(msg(documented.job_started), connection);
    expect(r2).toMatchObject({ success: false, error: expect.stringMatching(/middleware auth failed: Connection not authenticated/) });
    await new Promise((r) => setTimeout(r, 10));
    expect(recorded).toEqual([expect.stringMatching(/boom/), expect.stringMatching(/not authenticated/)]);
  });

  it('answers a type with no handler as unknown_type', async () => {
    const router = new MessageRouter();
    const r = await router.processMessage(msg(documented.job_request), connection);
    expect(r).toMatchObject({ success: false, code: 'unknown_type' });
  });

  it('createDefaultRouter handles every crawler message type but hello (the server’s own)', () => {
    expect(createDefaultRouter().getRegisteredTypes().sort()).toEqual(
      ['discovery', 'heartbeat', 'job_completed', 'job_failed', 'job_progress', 'job_request', 'job_started', 'jobs_discovered', 'token_refresh_request'].sort(),
    );
  });
});
