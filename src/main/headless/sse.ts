/**
 * The event stream of one browser tab: the core's events, batched and
 * coalesced per client, as server-sent events named `batch`.
 */
import type { ServerResponse } from 'node:http';
import type { ConsoleCore } from '../core/types';
import { EventBatcher } from '../core/event-batcher';
import type { ConsoleEvent } from '../../shared/contract';

export const SSE_HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting after the stream drops. */
const RETRY_MS = 2_000;
/**
 * How long a tab whose backlog overflowed may take to drain its last batch before it counts as
 * stalled. A tab that reads is often mid-batch (a large batch fills the socket for a moment):
 * it gets the resync batch; one that stopped reading is dropped.
 */
export const SSE_STALL_GRACE_MS = 1_000;

export interface SseClient {
  close(): void;
}

export function openEventStream(
  core: Pick<ConsoleCore, 'events'>,
  res: ServerResponse,
  options: {
    batchIntervalMs?: number;
    heartbeatMs?: number;
    /** The byte budget of this client's backlog (see EventBatcher). */
    maxPendingBytes?: number;
    onClose?: () => void;
    /** The client stopped reading and was dropped. */
    onDrop?: () => void;
    /** See SSE_STALL_GRACE_MS. */
    stallGraceMs?: number;
  } = {},
): SseClient {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no', // a reverse proxy must not hold the stream back
  });
  res.write(`retry: ${RETRY_MS}\n: connected\n\n`);

  let close = () => {};
  const batcher = new EventBatcher({
    ...(options.batchIntervalMs !== undefined && { intervalMs: options.batchIntervalMs }),
    ...(options.maxPendingBytes !== undefined && { maxPendingBytes: options.maxPendingBytes }),
    // A slow tab makes write() return false: hold further batches (coalescing on) until the socket drains.
    deliver: (batch) => res.write(`event: batch\nid: ${batch.seq}\ndata: ${JSON.stringify(batch)}\n\n`),
    // A tab that stopped reading while its backlog outgrew the budget is dropped: holding more for it
    // is how a stalled stream ate a gigabyte. Its EventSource reconnects and the page reloads its state.
    // Stopped means not drained within the grace period: meanwhile the overflowed batcher keeps
    // nothing, and the socket holds at most the one batch in flight.
    onOverflow: ({ paused }) => {
      if (paused && stallTimer === null) stallTimer = setTimeout(dropIfStalled, options.stallGraceMs ?? SSE_STALL_GRACE_MS);
    },
  });
  let stallTimer: NodeJS.Timeout | null = null;
  const dropIfStalled = () => {
    stallTimer = null;
    if (!res.writableNeedDrain) return;
    options.onDrop?.();
    close();
    // Not end(): the buffered backlog would keep the socket (and its memory) until the tab reads.
    res.destroy();
  };
  const onDrain = () => {
    if (stallTimer !== null) clearTimeout(stallTimer);
    stallTimer = null;
    batcher.resume();
  };
  res.on('drain', onDrain);
  const onEvent = (event: ConsoleEvent) => batcher.push(event);
  core.events.on('event', onEvent);
  // A comment line keeps proxies and idle timeouts from closing a quiet stream.
  const heartbeat = setInterval(() => res.write(': ping\n\n'), options.heartbeatMs ?? SSE_HEARTBEAT_MS);
  heartbeat.unref();

  let closed = false;
  close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    if (stallTimer !== null) clearTimeout(stallTimer);
    core.events.off('event', onEvent);
    res.off('drain', onDrain);
    batcher.close();
    if (!res.writableEnded) res.end();
    options.onClose?.();
  };
  res.on('close', close);
  return { close };
}
