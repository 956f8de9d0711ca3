/**
 * What a connection reads ahead of its handlers is bounded in bytes, not only in
 * messages. While a handler waits (a user's async handler, a reply to a peer that
 * does not read), the connection keeps reading into its queue; counted in messages
 * alone (1,024), a peer sending messages near maxMessageSize could park a gigabyte
 * there. Real socket, real SocketServer, the seed API's handler registration.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrawlerMessage, SocketServer, type SocketConnection } from '../../src/main/socket';
import { Peer, iso, tempDir } from '../helpers/peer';
import { crawler } from '../helpers/fixtures';

const MAX = 1024 * 1024;
let tmp: ReturnType<typeof tempDir>;
let server: SocketServer;
const handled: number[] = [];
let open: () => void = () => undefined;
let gate = Promise.resolve();

beforeAll(async () => {
  tmp = tempDir('cc-queue-');
  server = new SocketServer({ socketPath: path.join(tmp.dir, 'queue.sock'), maxMessageSize: MAX });
  server.router.registerHandler('job_progress', {
    canHandle: (m: CrawlerMessage) => typeof m.extras.seq === 'string',
    handle: async (m: CrawlerMessage) => {
      await gate;
      handled.push(Number(m.extras.seq));
      return { success: true };
    },
    getPriority: () => 100,
  });
  await server.start();
});
afterAll(async () => {
  await server.stop();
  tmp.cleanup();
});

/** A job_progress of about `bytes` bytes, as the crawler in the wild writes it (no delimiter). */
const big = (seq: number, bytes: number) =>
  JSON.stringify({ ...crawler.job_progress, timestamp: iso(), data: { ...crawler.job_progress.data, seq: String(seq), padding: 'x'.repeat(bytes) } });

const serverSide = (): SocketConnection => {
  const infos = server.listConnections();
  return server.getConnection(infos[infos.length - 1]!.crawler_id)!;
};

describe('the inbound queue', () => {
  it('stops reading at a few MiB of unhandled messages while a handler waits, then handles every one, in order', async () => {
    gate = new Promise<void>((resolve) => (open = resolve));
    const peer = await Peer.connect(server.socketPath);
    const N = 80;
    for (let i = 0; i < N; i++) peer.write(big(i, 900 * 1024)); // ~72 MiB
    await expect.poll(() => server.listConnections().length).toBe(1);
    const conn = serverSide();
    // Read until the bound stops it: the count stays put for half a second.
    let last = -1;
    for (let i = 0; i < 200 && conn.stats.bytesReceived !== last; i++) {
      last = conn.stats.bytesReceived;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(handled).toEqual([]);
    // The bound (8 MiB of complete messages) plus what a message in progress and one read add.
    expect(conn.stats.bytesReceived).toBeLessThan(8 * MAX + 2 * MAX);
    expect(conn.stats.bytesReceived).toBeGreaterThan(2 * MAX); // it did read ahead: the bound is not a stall
    open();
    await expect.poll(() => handled.length, { timeout: 30_000 }).toBe(N);
    expect(handled).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(conn.isOpen).toBe(true);
    peer.destroy();
  }, 60_000);
});
