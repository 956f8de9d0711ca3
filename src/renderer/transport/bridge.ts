/**
 * The Electron transport: the preload's `window.crawlConsole`, typed from the
 * contract. The preload rejects with a plain `{ code, message, details }`
 * object (an Error would lose its code crossing the context bridge); here it
 * becomes an ApiError again.
 */
import { ApiError, COMMAND_NAMES, type ConsoleApi, type ConsoleBridge } from '../../shared/contract';
import type { ConnectionStatus, ConsoleTransport } from './types';

export type { ConsoleBridge };

declare global {
  interface Window {
    crawlConsole?: ConsoleBridge;
  }
}

export function createBridgeTransport(bridge: ConsoleBridge): ConsoleTransport {
  const api = Object.fromEntries(
    COMMAND_NAMES.map((name) => {
      const call = bridge[name] as (input: unknown) => Promise<unknown>;
      return [name, (input: unknown) => call(input).catch((error: unknown) => Promise.reject(error instanceof ApiError ? error : ApiError.from(error)))];
    }),
  ) as ConsoleApi;
  return {
    kind: 'electron',
    api,
    onEvents: (listener) => bridge.onEvents(listener),
    // The main process lives as long as the window: the pipe is always open.
    onStatus(listener: (status: ConnectionStatus) => void) {
      listener('open');
      return () => undefined;
    },
    close: () => undefined,
    download: (request) => bridge.saveExport(request).catch((error: unknown) => Promise.reject(error instanceof ApiError ? error : ApiError.from(error))),
  };
}
