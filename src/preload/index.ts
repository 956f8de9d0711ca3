/**
 * The preload: exposes the typed contract to the renderer as
 * `window.crawlConsole` — one function per command, and an event subscription.
 * Nothing generic (no ipcRenderer, no channel parameter): the page can only do
 * what the contract lists, and the main process validates every input again.
 *
 * A failure rejects with a plain `{ code, message, details? }` object, not an
 * Error: the context bridge copies an Error's message only, and the code is
 * what the UI needs (the renderer turns it back into an ApiError).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { COMMAND_NAMES, type CommandName, type ConsoleApi, type ConsoleBridge, type EventBatch, type ExportRequest, type ExportSaved } from '../shared/contract';

/** What the main process answers on `console:<command>` (errors are not thrown across IPC: that would lose their code). */
type IpcResult = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; details?: unknown } };

const EVENTS_CHANNEL = 'console:events';
const SAVE_EXPORT_CHANNEL = 'console:saveExport';

async function invoke(name: CommandName, input: unknown): Promise<unknown> {
  const result = (await ipcRenderer.invoke(`console:${name}`, input)) as IpcResult;
  if (result.ok) return result.value;
  throw { code: result.error.code, message: result.error.message, ...(result.error.details !== undefined && { details: result.error.details }) };
}

// Generated from the contract's command list, so the bridge has exactly the commands the main process handles.
const commands = Object.fromEntries(COMMAND_NAMES.map((name) => [name, (input?: unknown) => invoke(name, input)])) as unknown as ConsoleApi;

const api: ConsoleBridge = {
  ...commands,
  async saveExport(request: ExportRequest): Promise<ExportSaved> {
    const result = (await ipcRenderer.invoke(SAVE_EXPORT_CHANNEL, request)) as IpcResult;
    if (result.ok) return result.value as ExportSaved;
    throw { code: result.error.code, message: result.error.message, ...(result.error.details !== undefined && { details: result.error.details }) };
  },
  /** Subscribes to event batches; returns the unsubscribe function. The IPC event object never reaches the page. */
  onEvents(listener: (batch: EventBatch) => void): () => void {
    const handler = (_event: Electron.IpcRendererEvent, batch: EventBatch) => listener(batch);
    ipcRenderer.on(EVENTS_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENTS_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('crawlConsole', api);
