/**
 * The desktop app: one instance, one window, the core on the app's data
 * directory, and a quit that waits for the core to stop (crawlers told, writes
 * flushed, database closed) before the process exits.
 */
import { BrowserWindow, app, dialog, session } from 'electron';
import path from 'node:path';
import { startConsoleCore } from '../core/console-core';
import { applyConsoleHeapPolicy } from '../core/heap-policy';
import type { ConsoleCore } from '../core/types';
import { createLogger } from '../observability/logger';
import { DATA_DIR_ENV, createFileKeyCipher, prepareDataDir } from '../store';
import type { TokenCipher } from '../store/token-cipher';
import { registerCommandHandlers, streamEventsTo } from './ipc';
import { createSafeStorageCipher, safeStorageStatus } from './safe-storage-cipher';
import { type RendererLocation, hardenSession, hardenWebContents } from './security';
import { createMainWindow } from './window';
import { handleAppProtocol, registerAppScheme } from './app-protocol';
import { METRICS_PORT_ENV, METRICS_TOKEN_ENV, type MetricsServer, parseMetricsPort, startMetricsServer } from '../headless/metrics-server';

interface AppArgs {
  dataDir?: string;
  socketPath?: string;
  /** Serve `GET /metrics` on this loopback port (opt-in; also CRAWL_CONSOLE_METRICS_PORT). */
  metricsPort?: string;
}

/** `--data-dir DIR` / `--data-dir=DIR`, `--socket PATH`, `--metrics-port PORT`; Chromium's own switches are left alone. */
export function parseAppArgs(argv: readonly string[]): AppArgs {
  const out: AppArgs = {};
  const take = (name: string, i: number): string | undefined => {
    const arg = argv[i] ?? '';
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
    return undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    out.dataDir = take('data-dir', i) ?? out.dataDir;
    out.socketPath = take('socket', i) ?? out.socketPath;
    out.metricsPort = take('metrics-port', i) ?? out.metricsPort;
  }
  return out;
}

function chooseCipher(dataDir: string, warn: (message: string) => void): TokenCipher {
  const status = safeStorageStatus();
  const cipher = createSafeStorageCipher(status);
  if (cipher && cipher.isSecure) return cipher;
  if (cipher) {
    warn(
      `WARNING: no OS secret store is available (safeStorage backend "${status.backend ?? 'unknown'}"): ` +
        'saved GitLab tokens are NOT protected by a keychain. Install and unlock GNOME Keyring or KWallet, then restart.',
    );
    return cipher;
  }
  warn('WARNING: safeStorage cannot encrypt on this system: saved GitLab tokens are encrypted with a key file in the data directory instead.');
  return createFileKeyCipher(dataDir);
}

export async function startElectronApp(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    // Another console owns the socket and the database: hand over to it.
    app.quit();
    return;
  }
  applyConsoleHeapPolicy();
  const args = parseAppArgs(process.argv);
  const renderer: RendererLocation = {
    file: path.join(import.meta.dirname, '../renderer/index.html'),
    devUrl: !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null,
  };
  const preload = path.join(import.meta.dirname, '../preload/index.cjs');

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  registerAppScheme();
  await app.whenReady();
  handleAppProtocol(path.dirname(renderer.file));

  let dataDir: string;
  const dirWarnings: string[] = [];
  try {
    dataDir = prepareDataDir(path.resolve(args.dataDir ?? process.env[DATA_DIR_ENV] ?? app.getPath('userData')), { onWarning: (m) => dirWarnings.push(m) });
  } catch (error) {
    dialog.showErrorBox('Crawl Console could not start', (error as Error).message);
    app.exit(1);
    return;
  }
  const logger = createLogger({ destination: path.join(dataDir, 'logs', 'console.log'), name: 'crawl-console-app' });
  const warn = (message: string) => {
    console.warn(message);
    logger.warn(message);
  };
  for (const w of dirWarnings) warn(w);
  hardenSession(session.defaultSession);

  let core: ConsoleCore;
  try {
    core = await startConsoleCore({
      dataDir,
      config: args.socketPath ? { socketPath: path.resolve(args.socketPath) } : {},
      cipher: chooseCipher(dataDir, warn),
      logger,
    });
  } catch (error) {
    dialog.showErrorBox('Crawl Console could not start', (error as Error).message);
    app.exit(1);
    return;
  }
  const unregister = registerCommandHandlers(core, renderer, logger);

  // Prometheus scrapes the desktop app on a loopback port when asked to (the seed's enableMetrics still decides whether it answers).
  let metricsServer: MetricsServer | null = null;
  const metricsPort = args.metricsPort ?? process.env[METRICS_PORT_ENV];
  if (metricsPort !== undefined && metricsPort !== '') {
    try {
      metricsServer = await startMetricsServer({ metrics: core.metrics, port: parseMetricsPort(metricsPort), token: process.env[METRICS_TOKEN_ENV] || null });
      logger.info({ url: metricsServer.url }, 'serving /metrics on loopback');
    } catch (error) {
      warn(`/metrics is not served: ${(error as Error).message}`);
    }
  }

  let window: BrowserWindow | null = null;
  const openWindow = () => {
    window = createMainWindow(renderer, preload);
    streamEventsTo(window, core);
    window.on('closed', () => (window = null));
  };
  openWindow();

  app.on('second-instance', () => {
    if (!window) return openWindow();
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('window-all-closed', () => app.quit());

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    // Hold the quit until crawlers have been told and the database is closed.
    event.preventDefault();
    unregister();
    void metricsServer?.close();
    core.stop().then(
      () => app.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'the core did not stop cleanly');
        app.exit(1);
      },
    );
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  logger.info({ dataDir, socketPath: core.socketPath, tcp: core.tcp, tlsFingerprint256: core.tcp?.tls?.fingerprint256 ?? null }, 'desktop console started');
}
