/**
 * The desktop app's IPC: one handler per command on `console:<command>`, each
 * checking that the caller is the app's own page and validating through
 * dispatchCommand (the same path as the HTTP routes). Results come back as
 * `{ ok, value }` / `{ ok: false, error }`: a thrown error would reach the page
 * as a bare message, without its code.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BrowserWindow, type IpcMainInvokeEvent, dialog, ipcMain } from 'electron';
import { ApiError, type ApiErrorBody, COMMAND_NAMES, type ExportSaved } from '../../shared/contract';
import { dispatchCommand } from '../core/dispatch';
import { EventBatcher } from '../core/event-batcher';
import { openExport } from '../core/export-stream';
import type { ConsoleCore } from '../core/types';
import type { Logger } from '../observability/logger';
import { type RendererLocation, isTrustedFrame } from './security';

export const EVENTS_CHANNEL = 'console:events';
export const commandChannel = (name: string): string => `console:${name}`;

export type IpcResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorBody };

export function registerCommandHandlers(core: ConsoleCore, renderer: RendererLocation, logger: Logger): () => void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), async (event: IpcMainInvokeEvent, input: unknown): Promise<IpcResult> => {
      if (!isTrustedFrame(event.senderFrame, renderer)) {
        logger.warn({ command: name, url: event.senderFrame?.url }, 'refused a command from a frame that is not the console page');
        return { ok: false, error: new ApiError('forbidden', 'Only the console’s own page may call it.').toJSON() };
      }
      try {
        return { ok: true, value: await dispatchCommand(core, name, input, { logger }) };
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError('internal', `${name} failed because of an internal error.`);
        return { ok: false, error: apiError.toJSON() };
      }
    });
  }
  ipcMain.handle(SAVE_EXPORT_CHANNEL, async (event: IpcMainInvokeEvent, request: unknown): Promise<IpcResult> => {
    if (!isTrustedFrame(event.senderFrame, renderer)) return { ok: false, error: new ApiError('forbidden', 'Only the console’s own page may export.').toJSON() };
    try {
      return { ok: true, value: await saveExport(core, BrowserWindow.fromWebContents(event.sender), request) };
    } catch (error) {
      logger.warn({ err: error }, 'export failed');
      const apiError = error instanceof ApiError ? error : new ApiError('internal', `The export could not be written: ${(error as Error).message}`);
      return { ok: false, error: apiError.toJSON() };
    }
  });
  return () => {
    for (const name of COMMAND_NAMES) ipcMain.removeHandler(commandChannel(name));
    ipcMain.removeHandler(SAVE_EXPORT_CHANNEL);
  };
}

export const SAVE_EXPORT_CHANNEL = 'console:saveExport';

/** Asks where to save, then streams the export into that file (a page of rows at a time, never the whole file in memory). */
async function saveExport(core: ConsoleCore, window: BrowserWindow | null, request: unknown): Promise<ExportSaved> {
  const r = request as { kind?: unknown; input?: unknown } | null;
  const stream = openExport(core.exports, r?.kind, r?.input);
  const options = { defaultPath: stream.filename, filters: [{ name: stream.content_type.startsWith('text/csv') ? 'CSV' : 'JSON', extensions: [stream.filename.split('.').pop() ?? 'txt'] }] };
  const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  if (choice.canceled || !choice.filePath) return { filename: null, count: 0 };
  await pipeline(Readable.from(stream.chunks), fs.createWriteStream(choice.filePath, { mode: 0o600 }));
  return { filename: choice.filePath, count: stream.written.rows };
}

/**
 * Pushes the core's events to one window, batched and coalesced (≤ 10 deliveries a second).
 * IPC has no backpressure, so the batcher's byte budget is what bounds memory: a burst beyond
 * it becomes a `resync` batch and the page reloads its state.
 */
export function streamEventsTo(window: BrowserWindow, core: ConsoleCore): () => void {
  const contents = window.webContents;
  const batcher = new EventBatcher({
    deliver: (batch) => {
      if (!contents.isDestroyed()) contents.send(EVENTS_CHANNEL, batch);
    },
  });
  const onEvent = batcher.push.bind(batcher);
  core.events.on('event', onEvent);
  const stop = () => {
    core.events.off('event', onEvent);
    batcher.close();
  };
  window.once('closed', stop);
  return stop;
}
