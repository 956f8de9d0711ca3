/**
 * The headless console's HTTP front door: `POST /api/<command>`, `GET
 * /api/events` (SSE) and the built renderer at `/`.
 *
 * Plain node:http, no framework: there are three routes, the contract table
 * already validates every input (dispatchCommand), and each security rule
 * (token, origin, headers, body limit, path containment) is a few lines we want
 * to read in one place rather than spread across middleware defaults.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, API_ERROR_STATUS } from '../../shared/contract';
import type { ConsoleCore, MetricsEndpoint } from '../core/types';
import { dispatchCommand } from '../core/dispatch';
import type { Logger } from '../observability/logger';
import { bearerToken, isWildcardHost, originAllowed, ownOrigins, tokenMatches, urlHost } from './auth';
import { handleMetrics } from './metrics-route';
import { ExportTickets, sendExport } from './export-route';
import { setSecurityHeaders } from './security-headers';
import { serveStatic } from './static-files';
import { type SseClient, openEventStream } from './sse';

export const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_MAX_EVENT_STREAMS = 64;

export interface HttpServerOptions {
  /** `exports` enables the streamed downloads (/api/export/…); without it they answer 503. */
  core: Pick<ConsoleCore, 'commands' | 'events'> & Partial<Pick<ConsoleCore, 'exports'>>;
  token: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The built renderer; null serves the API only. */
  staticDir: string | null;
  logger?: Logger;
  batchIntervalMs?: number;
  /** Byte budget of each event stream's backlog (see EventBatcher); a tab that stops reading past it is dropped. */
  maxEventBytes?: number;
  maxEventStreams?: number;
  /** `GET /metrics` (Prometheus); absent: no such route. */
  metrics?: MetricsEndpoint;
  /** The scrape token for /metrics; without one, /metrics answers loopback clients only. */
  metricsToken?: string | null;
}

export interface RunningHttpServer {
  /** The page's address, without the token. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
};

const sendError = (res: ServerResponse, error: ApiError, status = API_ERROR_STATUS[error.code]): void =>
  sendJson(res, status, { error: error.toJSON() });

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return; // already refused: discard the rest (the answer closes the connection)
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { core, token, logger } = options;
  const streams = new Set<SseClient>();
  const maxStreams = options.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS;
  let own = new Set<string>();
  const tickets = core.exports ? new ExportTickets({ exports: core.exports }) : null;

  async function handleExport(kind: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, new ApiError('invalid_input', `Use POST for /api/export/${kind}.`), 405);
      return;
    }
    let input: unknown;
    try {
      const raw = await readBody(req, MAX_BODY_BYTES);
      input = raw.trim() === '' ? undefined : JSON.parse(raw);
    } catch {
      sendError(res, new ApiError('invalid_input', 'The request body is not valid JSON (or larger than 1 MiB).'));
      return;
    }
    try {
      if (tickets === null) throw new ApiError('unavailable', 'This console does not offer streamed exports.');
      sendJson(res, 200, tickets.issue(kind, input));
    } catch (error) {
      sendError(res, error instanceof ApiError ? error : new ApiError('internal', 'internal error'));
    }
  }

  async function handleDownload(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      sendError(res, new ApiError('invalid_input', 'Use GET for a download.'), 405);
      return;
    }
    const stream = tickets?.take(id) ?? null;
    if (stream === null) {
      sendError(res, new ApiError('not_found', 'This download address is unknown, used or expired: export again.'));
      return;
    }
    await sendExport(res, stream);
  }

  async function handleCommand(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, new ApiError('invalid_input', `Use POST for /api/${name}.`), 405);
      return;
    }
    let raw: string;
    try {
      raw = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        sendError(res, new ApiError('invalid_input', `The request body is larger than ${MAX_BODY_BYTES} bytes.`), 413);
      } else {
        res.destroy();
      }
      return;
    }
    let input: unknown;
    if (raw.trim() !== '') {
      try {
        input = JSON.parse(raw);
      } catch {
        sendError(res, new ApiError('invalid_input', 'The request body is not valid JSON.'));
        return;
      }
    }
    try {
      const output = await dispatchCommand(core, name, input, logger ? { logger } : {});
      sendJson(res, 200, output ?? null);
    } catch (error) {
      sendError(res, error instanceof ApiError ? error : new ApiError('internal', 'internal error'));
    }
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      sendError(res, new ApiError('invalid_input', 'Use GET for /api/events.'), 405);
      return;
    }
    if (streams.size >= maxStreams) {
      sendError(res, new ApiError('unavailable', `Too many open event streams (${maxStreams}); close another console tab.`), 503);
      return;
    }
    const client = openEventStream(core, res, {
      ...(options.batchIntervalMs !== undefined && { batchIntervalMs: options.batchIntervalMs }),
      ...(options.maxEventBytes !== undefined && { maxPendingBytes: options.maxEventBytes }),
      onClose: () => streams.delete(client),
      onDrop: () => logger?.warn('dropped an event stream that stopped reading (its backlog outgrew the budget); the tab reloads when it reconnects'),
    });
    streams.add(client);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    if (url.pathname === '/metrics' && options.metrics) {
      await handleMetrics(req, res, options.metrics, options.metricsToken ?? null);
      return;
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      // Refuse other sites' pages before anything else (no CORS headers are ever sent either).
      if (!originAllowed(req, own)) {
        sendError(res, new ApiError('forbidden', 'Requests from other origins are refused.'));
        return;
      }
      // A one-time download address is its own credential (an <a download> sends no header).
      if (url.pathname.startsWith('/api/download/')) {
        await handleDownload(url.pathname.slice('/api/download/'.length), req, res);
        return;
      }
      // EventSource cannot set headers, so the event stream alone also takes `?token=`
      // (the page's Referrer-Policy keeps that URL from leaking; it is never logged).
      const given = bearerToken(req) ?? (url.pathname === '/api/events' ? url.searchParams.get('token') : null);
      if (!tokenMatches(token, given)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        sendError(res, new ApiError('unauthorized', 'A valid console token is required: open the URL the console printed (it ends in #token=…).'));
        return;
      }
      if (url.pathname === '/api/events') {
        handleEvents(req, res);
        return;
      }
      if (url.pathname.startsWith('/api/export/')) {
        await handleExport(url.pathname.slice('/api/export/'.length), req, res);
        return;
      }
      await handleCommand(url.pathname.slice('/api/'.length), req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      res.statusCode = 405;
      res.end();
      return;
    }
    if (options.staticDir && serveStatic(options.staticDir, url.pathname, req, res)) return;
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(options.staticDir ? 'Not found' : 'Not found (the renderer is not built: run npm run build)');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger?.error({ err: error }, 'HTTP request failed');
      if (!res.headersSent) sendError(res, new ApiError('internal', 'internal error'));
      else res.destroy();
    });
  });
  // Requests must not linger: the stream route opts out by keeping its response open.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  own = ownOrigins(options.host, port);
  const shownHost = isWildcardHost(options.host) ? '127.0.0.1' : urlHost(options.host);

  return {
    url: `http://${shownHost}:${port}/`,
    host: options.host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of [...streams]) s.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
