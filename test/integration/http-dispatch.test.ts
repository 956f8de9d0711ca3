/**
 * The transport's edges that a healthy core never shows: a command that fails
 * unexpectedly, inputs as the handler receives them, the event-stream limit.
 * The HTTP server is real; the core is a small in-test one with real parts
 * (an EventEmitter, handlers that behave as described).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import { type RunningHttpServer, startHttpServer } from '../../src/main/headless/http-server';
import type { ConsoleCoreEvents } from '../../src/main/core/types';
import { ApiError, type ConsoleCommandHandlers, type EventBatch } from '../../src/shared/contract';

const TOKEN = 'dispatch-test-token-0123456789abcdef';
const logLines: string[] = [];
const logger = pino(
  { level: 'error' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
);
const received: unknown[] = [];
const events = new EventEmitter<ConsoleCoreEvents>();
const commands = {
  async getStatus() {
    throw new Error('disk I/O error at /secret/path/console.db');
  },
  async listJobs() {
    throw new ApiError('conflict', 'the store is being migrated', { retry_after_ms: 100 });
  },
  async listCrawlers(input: unknown) {
    received.push(input);
    return { crawlers: [] };
  },
} as unknown as ConsoleCommandHandlers;

let server: RunningHttpServer;

const post = async (name: string, body: unknown) => {
  const res = await fetch(`${server.url}api/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string; details?: unknown } } };
};

beforeAll(async () => {
  server = await startHttpServer({ core: { commands, events }, token: TOKEN, host: '127.0.0.1', port: 0, staticDir: null, logger, maxEventStreams: 1 });
});
afterAll(async () => {
  await server?.close();
});

describe('dispatch through HTTP', () => {
  it('an unexpected failure is a 500 with a generic message; the details go to the log only', async () => {
    const r = await post('getStatus', {});
    expect(r.status).toBe(500);
    expect(r.body.error?.code).toBe('internal');
    expect(r.body.error?.message).not.toMatch(/secret|disk/);
    expect(logLines.join('')).toContain('/secret/path/console.db');
  });

  it("the core's own ApiErrors pass through with their code, status and details", async () => {
    const r = await post('listJobs', {});
    expect(r.status).toBe(409);
    expect(r.body.error).toEqual({ code: 'conflict', message: 'the store is being migrated', details: { retry_after_ms: 100 } });
  });

  it('the handler receives the parsed input with defaults filled in', async () => {
    received.length = 0;
    expect((await post('listCrawlers', {})).status).toBe(200);
    expect(received).toEqual([{ include_disconnected: true, anonymous_retention_ms: 600_000 }]);
    expect((await post('listCrawlers', { include_disconnected: 'yes' })).status).toBe(400);
    expect(received).toHaveLength(1); // refused before the handler
  });
});

describe('event stream', () => {
  it('delivers the emitted events as a batch and refuses streams beyond the limit', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}api/events?token=${TOKEN}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    const second = await fetch(`${server.url}api/events?token=${TOKEN}`);
    expect(second.status).toBe(503);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('unavailable');

    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (let i = 0; i < 5; i++) events.emit('event', { type: 'aggregate', aggregate: null });
    let text = '';
    const deadline = Date.now() + 3000;
    while (!text.includes('event: batch') || !text.endsWith('\n\n')) {
      if (Date.now() > deadline) throw new Error(`no batch: ${text}`);
      const { value } = await reader.read();
      text += decoder.decode(value, { stream: true });
    }
    const data = text.split('\n').find((l) => l.startsWith('data: '))!.slice(6);
    const batch = JSON.parse(data) as EventBatch;
    expect(batch.events).toEqual([{ type: 'aggregate', aggregate: null }]);
    expect(batch.dropped).toBe(4);
    controller.abort();
    // The slot is freed once the client goes.
    const deadline2 = Date.now() + 3000;
    for (;;) {
      const again = await fetch(`${server.url}api/events?token=${TOKEN}`);
      if (again.status === 200) {
        await again.body?.cancel();
        break;
      }
      if (Date.now() > deadline2) throw new Error('stream slot not freed');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events.listenerCount('event')).toBeLessThanOrEqual(1);
  });
});
