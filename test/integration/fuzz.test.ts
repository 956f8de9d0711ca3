/**
 * Fuzz: 12,000 lines, random and mutated, over four connections at once. The
 * server must answer every bad line with exactly one `error`, handle every valid
 * line exactly once and in order, and still serve new connections afterwards.
 * Lines are classified by construction (a valid generator or a mutation that is
 * invalid by design), never by asking the decoder under test.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CrawlerMessage, SocketServer, createDefaultRouter } from '../../src/main/socket';
import { Peer, eventually, iso, tempDir } from '../helpers/peer';
import { crawler, documented } from '../helpers/fixtures';
import { mulberry32 as rng } from '../../src/simulator/prng';

const CONNECTIONS = 4;
const LINES_PER_CONNECTION = 3000;
const MAX = 16 * 1024;


const templates = [...Object.values(documented), ...Object.values(crawler)].filter((t) => t.type !== 'hello');

type Line = { bytes: Buffer; valid: boolean; seq?: number };

function makeLine(r: () => number, conn: number, seq: number): Line {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const valid = (): Record<string, unknown> => {
    const t = structuredClone(pick(templates)) as Record<string, unknown> & { data: Record<string, unknown> };
    t.timestamp = iso();
    t.data = { ...t.data, seq: `${conn}:${seq}` };
    return t;
  };
  const kind = r();
  if (kind < 0.4) return { bytes: Buffer.from(JSON.stringify(valid()) + '\n'), valid: true, seq };
  const bad = Math.floor(r() * 9);
  let text: string | Buffer;
  switch (bad) {
    case 0: {
      // Truncated: cut inside the object, so it can never parse.
      const s = JSON.stringify(valid());
      text = s.slice(0, 1 + Math.floor(r() * (s.length - 2)));
      break;
    }
    case 1: // random printable noise that is not JSON (starts with a letter)
      text = 'x' + Array.from({ length: Math.floor(r() * 200) }, () => String.fromCharCode(33 + Math.floor(r() * 90))).join('');
      break;
    case 2: // random bytes with invalid UTF-8 guaranteed, no delimiter and no "{" (which would start an object: one more error)
      text = Buffer.from([0xff, ...Array.from({ length: Math.floor(r() * 100) }, () => Math.floor(r() * 256)).filter((b) => b !== 0x0a && b !== 0x7b)]);
      break;
    case 3: // valid JSON, not an object
      text = JSON.stringify(pick([[1, 2], 'str', 42, null, true]));
      break;
    case 4: // unknown type
      text = JSON.stringify({ ...valid(), type: `zz_${Math.floor(r() * 1e6)}` });
      break;
    case 5: {
      // a required field removed
      const m = valid();
      delete m.timestamp;
      text = JSON.stringify(m);
      break;
    }
    case 6: {
      // a field of the wrong type
      const m = valid();
      m.data = 'not an object';
      text = JSON.stringify(m);
      break;
    }
    case 7: // oversized
      text = JSON.stringify({ ...valid(), pad: 'p'.repeat(MAX + Math.floor(r() * MAX)) });
      break;
    default: // a type swapped for another known type with the wrong payload
      text = JSON.stringify({ type: 'job_completed', timestamp: iso(), job_id: 'j', data: { success: 'yes' } });
  }
  return { bytes: Buffer.concat([Buffer.isBuffer(text) ? text : Buffer.from(text), Buffer.from('\n')]), valid: false };
}

let tmp: ReturnType<typeof tempDir>;
let server: SocketServer;
const handled = new Map<number, number[]>();

beforeAll(async () => {
  tmp = tempDir();
  server = new SocketServer({ socketPath: path.join(tmp.dir, 'fuzz.sock'), maxMessageSize: MAX, maxConnections: 20 }, { router: createDefaultRouter() });
  const record = {
    canHandle: (m: CrawlerMessage) => typeof m.extras.seq === 'string',
    handle: async (m: CrawlerMessage) => {
      const [c, s] = String(m.extras.seq).split(':').map(Number);
      handled.get(c!)!.push(s!);
      return { success: true };
    },
    getPriority: () => 100,
  };
  for (const t of ['heartbeat', 'job_started', 'job_progress', 'job_completed', 'job_failed', 'jobs_discovered', 'token_refresh_request', 'job_request', 'discovery']) {
    server.router.registerHandler(t, record);
  }
  await server.start();
});
afterAll(async () => {
  await server.stop();
  tmp.cleanup();
});

it(`survives ${CONNECTIONS * LINES_PER_CONNECTION} random and mutated lines and handles every valid one`, async () => {
  const r = rng(20261122);
  const peers = await Promise.all(Array.from({ length: CONNECTIONS }, () => Peer.connect(server.socketPath)));
  const expectedValid: number[][] = [];
  const expectedErrors: number[] = [];
  for (let c = 0; c < CONNECTIONS; c++) {
    handled.set(c, []);
    const lines = Array.from({ length: LINES_PER_CONNECTION }, (_, i) => makeLine(r, c, i));
    expectedValid.push(lines.filter((l) => l.valid).map((l) => l.seq!));
    expectedErrors.push(lines.filter((l) => !l.valid).length);
    // Write in uneven chunks so lines straddle reads.
    const all = Buffer.concat(lines.map((l) => l.bytes));
    for (let off = 0; off < all.length; ) {
      const n = 1 + Math.floor(r() * 8192);
      peers[c]!.write(all.subarray(off, off + n));
      off += n;
    }
  }
  const errorCount = (p: Peer) => p.received.filter((m) => m.type === 'error').length;
  await eventually(
    () => peers.every((p, c) => handled.get(c)!.length === expectedValid[c]!.length && errorCount(p) === expectedErrors[c]),
    60_000,
    'every line answered',
  );
  for (let c = 0; c < CONNECTIONS; c++) {
    expect(handled.get(c)).toEqual(expectedValid[c]);
    expect(errorCount(peers[c]!)).toBe(expectedErrors[c]);
  }
  expect(expectedValid.flat().length).toBeGreaterThan(3000);

  // Still serving: a new connection works and the old ones do too.
  const fresh = await Peer.connect(server.socketPath);
  fresh.send(documented.job_request);
  await fresh.nextOfType('job_response');
  for (const p of peers) {
    p.send(crawler.job_request);
    await p.nextOfType('job_response');
    p.destroy();
  }
  fresh.destroy();
  expect(server.getStatus().isRunning).toBe(true);
});
