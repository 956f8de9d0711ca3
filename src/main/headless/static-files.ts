/**
 * Serves the built renderer (out/renderer) read-only: index.html at `/`, the
 * hashed assets below it, nothing outside the root.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolveStaticPath } from '../core/static-path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const contentTypeOf = (file: string): string => CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

export { resolveStaticPath };

/** The renderer bundle's directory, next to the built main bundle or in out/ of the checkout. */
export function findRendererDir(from: string): string | null {
  // out/main/cli.js, out/main/chunks/*.js, or src/main/headless/*.ts when run from source (tests).
  const candidates = [path.resolve(from, '../renderer'), path.resolve(from, '../../renderer'), path.resolve(from, '../../../out/renderer')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ?? null;
}

/** Answers a GET/HEAD for a static file; returns false when nothing matched (the caller sends 404). */
export function serveStatic(root: string, urlPath: string, req: IncomingMessage, res: ServerResponse): boolean {
  const file = resolveStaticPath(root, urlPath);
  if (file === null) return false;
  const type = contentTypeOf(file);
  const size = fs.statSync(file).size;
  res.statusCode = 200;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', size);
  // Hashed asset names change with their content; the page itself must always be fresh.
  res.setHeader('Cache-Control', urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  const stream = fs.createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  return true;
}
