/**
 * The headless console: the same core as the desktop app, reached from a
 * browser over HTTP (a lab server through an SSH tunnel, CI, a machine without
 * a display or without the Electron runtime).
 */
import path from 'node:path';
import type { SocketServerConfigInput } from '../../shared/config';
import { startConsoleCore } from '../core/console-core';
import type { ConsoleCore } from '../core/types';
import { type Logger, closeLogger, createLogger } from '../observability/logger';
import { resolveSocketConfig } from '../socket/config';
import { prepareDataDir, resolveDataDir } from '../store/data-dir';
import { lockDataDir } from '../store/data-dir-lock';
import { loadOrCreateToken } from './access-token';
import { isWildcardHost } from './auth';
import { startHttpServer } from './http-server';
import { METRICS_TOKEN_ENV } from './metrics-server';
import { findRendererDir } from './static-files';

export const TOKEN_ENV = 'CRAWL_CONSOLE_TOKEN';
export const DEFAULT_HTTP_HOST = '127.0.0.1';
export const DEFAULT_HTTP_PORT = 7420;

export interface HeadlessOptions {
  /** Else CRAWL_CONSOLE_DATA_DIR, else the per-user data folder. */
  dataDir?: string;
  /** Overrides SOCKET_PATH / the default socket path. */
  socketPath?: string;
  /** Enables the TCP listener for remote crawlers on this port. */
  tcpPort?: number;
  httpHost?: string;
  /** 0 picks a free port. */
  httpPort?: number;
  /** Else CRAWL_CONSOLE_TOKEN, else the one kept in the data directory (created on first start). */
  token?: string;
  /** Further socket options (over the environment). */
  config?: SocketServerConfigInput;
  /** The built renderer; found next to the bundle when omitted; null for API only. */
  staticDir?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Else a logger writing JSON lines to <dataDir>/logs/console.log. */
  logger?: Logger;
  batchIntervalMs?: number;
  /** Else CRAWL_CONSOLE_METRICS_TOKEN, else /metrics is loopback-only. */
  metricsToken?: string;
}

export interface Headless {
  /** The address to open, token included (`http://127.0.0.1:7420/#token=…`). */
  readonly url: string;
  /** The same without the token. */
  readonly baseUrl: string;
  readonly token: string;
  /** Where the token came from: the option, the environment, or the data directory's token file. */
  readonly tokenSource: 'option' | 'env' | 'file';
  readonly port: number;
  readonly socketPath: string;
  readonly dataDir: string;
  readonly logFile: string | null;
  /** What was fixed on the way up (a data directory others could write to), one sentence each. */
  readonly warnings: readonly string[];
  /** True when the page is reachable from other machines (bound to a non-loopback address). */
  readonly exposed: boolean;
  readonly core: ConsoleCore;
  stop(): Promise<void>;
}

export class HeadlessOptionError extends Error {
  override readonly name = 'HeadlessOptionError';
}

function chooseToken(given: string | undefined, env: NodeJS.ProcessEnv, dataDir: string): { token: string; source: Headless['tokenSource'] } {
  const explicit = given ?? env[TOKEN_ENV];
  if (explicit === undefined) return { token: loadOrCreateToken(dataDir).token, source: 'file' };
  if (explicit.length === 0 || /\s/.test(explicit)) {
    throw new HeadlessOptionError(`The console token (--token or ${TOKEN_ENV}) must be non-empty and contain no spaces.`);
  }
  return { token: explicit, source: given !== undefined ? 'option' : 'env' };
}

export async function startHeadless(options: HeadlessOptions = {}): Promise<Headless> {
  const env = options.env ?? process.env;
  const dataDir = resolveDataDir({ cliDataDir: options.dataDir, env });
  const { token, source: tokenSource } = chooseToken(options.token, env, dataDir);
  const config: SocketServerConfigInput = {
    ...options.config,
    ...(options.socketPath !== undefined && { socketPath: path.resolve(options.socketPath) }),
    ...(options.tcpPort !== undefined && { enableTcp: true, port: options.tcpPort }),
  };
  // Resolved here too (the core resolves it again) so a bad variable fails before anything starts.
  const resolved = resolveSocketConfig(config, env);
  // The directory is checked and locked before anything is written to it, the log file included:
  // a second console on it refuses without touching the first one's files.
  const warnings: string[] = [];
  prepareDataDir(dataDir, { onWarning: (m) => warnings.push(m) });
  const lock = lockDataDir(dataDir);
  let logFile: string | null = null;
  let logger = options.logger;
  let core: ConsoleCore;
  try {
    if (!logger) {
      logFile = path.join(dataDir, 'logs', 'console.log');
      logger = createLogger({ level: resolved.logLevel, destination: logFile });
    }
    for (const w of warnings) logger.warn(w);
    core = await startConsoleCore({ dataDir, config, logger, dataDirLock: lock });
  } catch (error) {
    lock.release();
    throw error;
  }
  const staticDir = options.staticDir === undefined ? findRendererDir(import.meta.dirname) : options.staticDir;
  const httpHost = options.httpHost ?? DEFAULT_HTTP_HOST;
  let http;
  try {
    http = await startHttpServer({
      core,
      token,
      host: httpHost,
      port: options.httpPort ?? DEFAULT_HTTP_PORT,
      staticDir,
      logger,
      metrics: core.metrics,
      metricsToken: options.metricsToken ?? (env[METRICS_TOKEN_ENV] || null),
      ...(options.batchIntervalMs !== undefined && { batchIntervalMs: options.batchIntervalMs }),
    });
  } catch (error) {
    await core.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new HeadlessOptionError(`HTTP port ${options.httpPort ?? DEFAULT_HTTP_PORT} on ${httpHost} is in use: choose another with --http-port (0 picks a free one).`, { cause: error });
    }
    throw error;
  }
  logger.info({ url: http.url, socketPath: core.socketPath, dataDir, tcp: core.tcp }, 'headless console started');

  let stopping: Promise<void> | null = null;
  return {
    url: `${http.url}#token=${encodeURIComponent(token)}`,
    baseUrl: http.url,
    token,
    tokenSource,
    port: http.port,
    socketPath: core.socketPath,
    dataDir,
    logFile,
    warnings,
    exposed: isWildcardHost(httpHost) || !['127.0.0.1', 'localhost', '::1'].includes(httpHost),
    core,
    stop() {
      stopping ??= (async () => {
        await http.close();
        await core.stop();
        logger.info('headless console stopped');
        // Ours only (a logger passed in belongs to the caller); one write attempt, never a wait on a full disk.
        if (logFile) closeLogger(logger);
      })();
      return stopping;
    },
  };
}
