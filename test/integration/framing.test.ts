/**
 * Framing over a real Unix socket against the real SocketServer, written the way
 * the GitLab crawler in the wild writes: bare JSON.stringify(message), no
 * delimiter. Every stream is cut at every byte position into two writes, and the
 * second write waits until the server has read the first, so each cut is a real
 * read boundary. Valid messages must be handled once each, in order; every bad
 * input must be answered with exactly one `error`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrawlerMessage, SocketServer, type SocketConnection } from '../../src/main/socket';
import { Peer, iso, tempDir } from '../helpers/peer';
import { crawler, documented } from '../helpers/fixtures';

const MAX = 4096;
let tmp: ReturnType<typeof tempDir>;
let server: SocketServer;
const handled: string[] = [];

beforeAll(async () => {
  tmp = tempDir('cc-framing-');
  server = new SocketServer({ socketPath: path.join(tmp.dir, 'framing.sock'), maxMessageSize: MAX });
  const record = {
    canHandle: (m: CrawlerMessage) => typeof m.extras.seq === 'string',
    handle: async (m: CrawlerMessage) => {
      handled.push(String(m.extras.seq));
      return { success: true };
    },
    getPriority: () => 100,
  };
  for (const t of ['heartbeat', 'job_progress']) server.router.registerHandler(t, record);
  await server.start();
});
afterAll(async () => {
  await server.stop();
  tmp.cleanup();
});

/** A crawler-spelling message as the crawler in the wild writes it (no delimiter), with strings that trip naive brace counting. */
function progress(seq: string): string {
  return JSON.stringify({
    ...crawler.job_progress,
    timestamp: iso(),
    data: { ...crawler.job_progress.data, message: `page "4" of {5} }}{{ \\"escaped\\" \\\\ ünï 😀`, seq },
  });
}
function heartbeat(seq: string): string {
  return JSON.stringify({ ...crawler.heartbeat, timestamp: iso(), data: { ...crawler.heartbeat.data, seq } });
}

/** The server side of the newest connection. */
function serverSide(): SocketConnection {
  const infos = server.listConnections();
  return server.getConnection(infos[infos.length - 1]!.crawler_id)!;
}

/** Writes `bytes` in two writes cut at `at`; the second waits until the server has read the first. */
async function writeCut(peer: Peer, conn: SocketConnection, bytes: Buffer, at: number, watch?: () => void): Promise<void> {
  const before = conn.stats.bytesReceived;
  if (at > 0) {
    peer.write(bytes.subarray(0, at));
    for (let spins = 0; conn.stats.bytesReceived < before + at; spins++) {
      if (spins > 100_000) throw new Error('server did not read the first part');
      await new Promise((r) => setImmediate(r));
    }
  }
  watch?.();
  if (at < bytes.length) peer.write(bytes.subarray(at));
}

/** Waits for the answer to a delimited job_request: everything sent before it has been handled. */
async function settle(peer: Peer): Promise<void> {
  peer.send(documented.job_request);
  await peer.nextOfType('job_response', 20_000);
}

const errorCodes = (peer: Peer): string[] => {
  const codes = peer.received.filter((m) => m.type === 'error').map((m) => (m.data as { code: string }).code);
  peer.received.length = 0;
  return codes;
};

describe('unterminated objects over a real socket', () => {
  it('handles objects cut at every byte position, in order, with exactly one error per bad input', async () => {
    const peer = await Peer.connect(server.socketPath);
    await settle(peer);
    const conn = serverSide();
    handled.length = 0;
    errorCodes(peer);

    const seq = (n: number) => String(n).padStart(5, '0');
    const unit = (n: number) =>
      Buffer.concat([
        Buffer.from(progress(seq(2 * n))),
        Buffer.from('garbage!'), // cannot start an object: one invalid_json, then resync at "{"
        Buffer.from(heartbeat(seq(2 * n + 1))),
        Buffer.from('[1,2]'), // a JSON value, not an object: one not_an_object
        Buffer.from('{"type":"heartbeat","bad":"'),
        Buffer.from([0xff, 0xc3, 0x28]), // not UTF-8: one invalid_encoding
        Buffer.from('"}'),
      ]);
    const length = unit(0).length;
    const expectedSeqs: string[] = [];
    for (let at = 0; at <= length; at++) {
      const bytes = unit(at);
      expect(bytes.length).toBe(length);
      await writeCut(peer, conn, bytes, at);
      expectedSeqs.push(seq(2 * at), seq(2 * at + 1));
    }
    await settle(peer);
    expect(handled).toEqual(expectedSeqs);
    const codes = errorCodes(peer);
    expect(codes).toEqual(Array.from({ length: length + 1 }, () => ['invalid_json', 'not_an_object', 'invalid_encoding']).flat());
    expect(conn.isOpen).toBe(true);
    peer.destroy();
  });

  it('discards an oversized unterminated object with bounded memory, whatever the cut, and reads on', async () => {
    const peer = await Peer.connect(server.socketPath);
    await settle(peer);
    const conn = serverSide();
    handled.length = 0;
    errorCodes(peer);

    // 3 × MAX bytes, with braces, quotes and escapes inside its strings.
    const huge = JSON.stringify({ ...crawler.job_progress, data: { ...crawler.job_progress.data, message: '}{"\\'.repeat((3 * MAX) / 4) } });
    const unit = (n: number) => Buffer.from(progress(`a${n}`) + huge + heartbeat(`b${n}`));
    const cuts = new Set<number>();
    const first = progress('a0').length;
    for (let at = 0; at <= unit(0).length; at += 97) cuts.add(at);
    for (const edge of [first, first + MAX, first + huge.length]) for (let d = -3; d <= 3; d++) cuts.add(edge + d);
    let peak = 0;
    const expected: string[] = [];
    for (const at of [...cuts].sort((a, b) => a - b)) {
      const bytes = unit(at);
      await writeCut(peer, conn, bytes, at, () => (peak = Math.max(peak, conn.bufferedBytes)));
      expected.push(`a${at}`, `b${at}`);
    }
    await settle(peer);
    expect(handled).toEqual(expected);
    expect(errorCodes(peer)).toEqual(Array.from({ length: cuts.size }, () => 'message_too_large'));
    expect(peak).toBeLessThanOrEqual(MAX + 1);
    peer.destroy();
  });

  it('reads delimited lines, unterminated objects and blank lines mixed on one connection, in order', async () => {
    const peer = await Peer.connect(server.socketPath);
    await settle(peer);
    handled.length = 0;
    errorCodes(peer);
    const parts = [progress('m1'), '\n', heartbeat('m2'), progress('m3'), '\r\n\n  ', heartbeat('m4'), '\n', progress('m5'), heartbeat('m6')];
    peer.write(parts.join(''));
    await settle(peer);
    expect(handled).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(errorCodes(peer)).toEqual([]);
    peer.destroy();
  });
});
