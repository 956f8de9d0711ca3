/**
 * The one interface the renderer talks through. Electron implements it with the
 * preload bridge, a browser with HTTP + server-sent events; nothing else in the
 * renderer knows which.
 */
import type { ConsoleApi, EventBatch, ExportRequest, ExportSaved } from '../../shared/contract';

/** `connecting`: first contact or reconnecting after a drop; `open`: events flow; `closed`: given up (e.g. refused token). */
export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface ConsoleTransport {
  readonly kind: 'electron' | 'http';
  readonly api: ConsoleApi;
  /** @returns unsubscribe */
  onEvents(listener: (batch: EventBatch) => void): () => void;
  /** Called at once with the current status, then on every change. @returns unsubscribe */
  onStatus(listener: (status: ConnectionStatus, reason?: string) => void): () => void;
  close(): void;
  /** Downloads an export as a stream (a save dialog in the app, the browser's download in a page). */
  download(request: ExportRequest): Promise<ExportSaved>;
}
