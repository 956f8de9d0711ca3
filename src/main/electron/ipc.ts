/**
 * The desktop app's IPC: one handler per command on `console:<command>`, each
 * checking that the caller is the app's own page and validating through
 * dispatchCommand (the same path as the HTTP routes). Results come back as
 * `{ ok, value }` / `{ ok: false, error }`: a thrown error would reach the page
 * as a bare message, without its code.
 */
import { type BrowserWindow, type IpcMainInvokeEvent, ipcMain } from 'electron';
import { ApiError, type ApiErrorBody, COMMAND_NAMES } from '../../shared/contract';
import { dispatchCommand } from '../core/dispatch';
import { EventBatcher } from '../core/event-batcher';
import type { ConsoleCore } from '../core/types';
import type { Logger } from '../socket/logger';
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
  return () => {
    for (const name of COMMAND_NAMES) ipcMain.removeHandler(commandChannel(name));
  };
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
