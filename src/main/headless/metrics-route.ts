/**
 * `GET /metrics`: the Prometheus text exposition. Guarded apart from the
 * console's API (a scraper should not hold the operator's token): with a
 * metrics token, `Authorization: Bearer <token>` is required; without one,
 * only loopback clients are answered. Off when the seed's enableMetrics is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsEndpoint } from '../core/types';
import { bearerToken, tokenMatches } from './auth';

const isLoopbackAddress = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

function text(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

export async function handleMetrics(req: IncomingMessage, res: ServerResponse, metrics: MetricsEndpoint, token: string | null): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return text(res, 405, 'Use GET for /metrics.\n');
  }
  if (token !== null) {
    if (!tokenMatches(token, bearerToken(req))) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return text(res, 401, 'A valid metrics token is required (Authorization: Bearer …; see CRAWL_CONSOLE_METRICS_TOKEN).\n');
    }
  } else if (!isLoopbackAddress(req.socket.remoteAddress)) {
    return text(res, 403, 'Without a metrics token (CRAWL_CONSOLE_METRICS_TOKEN), /metrics answers loopback clients only.\n');
  }
  if (!metrics.enabled) return text(res, 404, 'Metrics are disabled (enableMetrics is false).\n');
  const body = await metrics.text();
  res.statusCode = 200;
  res.setHeader('Content-Type', metrics.contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : body);
}
