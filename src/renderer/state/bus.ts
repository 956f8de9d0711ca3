/**
 * How screens reach the console: `api()` for commands, `onBatch` for the live
 * event stream, `onReconnect` to reload what may have been missed while the
 * stream was down (events are not replayed). Each screen's store subscribes
 * here instead of editing the transport binding.
 */
import type { ConsoleApi, EventBatch, ExportRequest, ExportSaved } from '../../shared/contract';
import type { ConsoleTransport } from '../transport/types';

let transport: ConsoleTransport | null = null;
const batchHandlers = new Set<(batch: EventBatch) => void>();
const reconnectHandlers = new Set<() => void>();

export function setTransport(t: ConsoleTransport): void {
  transport = t;
}

/** The contract's commands. Throws if called before the page is bound to a transport. */
export function api(): ConsoleApi {
  if (!transport) throw new Error('the console transport is not bound yet');
  return transport.api;
}

/** Downloads an export as a stream (see ConsoleTransport.download). */
export function download(request: ExportRequest): Promise<ExportSaved> {
  if (!transport) throw new Error('the console transport is not bound yet');
  return transport.download(request);
}

export function onBatch(handler: (batch: EventBatch) => void): () => void {
  batchHandlers.add(handler);
  return () => batchHandlers.delete(handler);
}

export function onReconnect(handler: () => void): () => void {
  reconnectHandlers.add(handler);
  return () => reconnectHandlers.delete(handler);
}

export function dispatchBatch(batch: EventBatch): void {
  for (const h of batchHandlers) h(batch);
}

export function dispatchReconnect(): void {
  for (const h of reconnectHandlers) h();
}
