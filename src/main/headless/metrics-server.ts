/**
 * `GET /metrics` on its own loopback port, for the desktop app (which has no
 * HTTP server of its own): the same route as the headless console's
 * (metrics-route.ts), so the same guard — a scrape token when one is set,
 * loopback clients only without — and the same answer. Bound to 127.0.0.1
 * only: a desktop app never opens a port to the network unasked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsEndpoint } from '../core/types';
import { handleMetrics } from './metrics-route';

/** The desktop app's opt-in: the port to serve /metrics on (0 picks a free one). */
export const METRICS_PORT_ENV = 'CRAWL_CONSOLE_METRICS_PORT';
/** The token a Prometheus scrape sends for `GET /metrics`; without it only loopback clients may scrape. */
export const METRICS_TOKEN_ENV = 'CRAWL_CONSOLE_METRICS_TOKEN';

export interface MetricsServer {
  readonly port: number;
  /** http://127.0.0.1:<port>/metrics */
  readonly url: string;
  close(): Promise<void>;
}

/** A port from an option or the environment: an integer 0–65535, else a clear error. */
export function parseMetricsPort(value: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`the metrics port must be a whole number from 0 to 65535, got "${value}"`);
  return port;
}

export function startMetricsServer(options: { metrics: MetricsEndpoint; port: number; token?: string | null }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('Only /metrics is served here.\n');
      return;
    }
    handleMetrics(req, res, options.metrics, options.token ?? null).catch(() => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  // A scraper that holds a connection open must not keep the app from quitting.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `the metrics port ${options.port} on 127.0.0.1 is already in use` : `the metrics server could not start: ${err.message}`)),
    );
    server.listen(options.port, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        url: `http://127.0.0.1:${port}/metrics`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
