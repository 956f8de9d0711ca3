/**
 * The headless console's HTTP rules, against a real core: the token, the
 * Origin check, no CORS, the security headers and the static file root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startHeadless, type Headless } from '../../src/main/headless/serve';
import { silentLogger } from '../../src/main/observability/logger';
import { tempDir } from '../helpers/peer';

const TOKEN = 'security-test-token-abcdefghijklmnop';
let tmp: ReturnType<typeof tempDir>;
let hl: Headless;

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with full control of the path and of Host/Origin (fetch normalizes both). */
function raw(method: string, rawPath: string, headers: Record<string, string> = {}, body?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: hl.port, method, path: rawPath, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const api = (name: string, headers: Record<string, string> = {}) =>
  raw('POST', `/api/${name}`, { 'Content-Type': 'application/json', ...headers }, '{}');
const auth = { Authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  tmp = tempDir('cc-http-sec-');
  const root = path.join(tmp.dir, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Crawl Console</title>');
  fs.writeFileSync(path.join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'assets', 'style.css'), 'body{}');
  fs.writeFileSync(path.join(tmp.dir, 'secret.txt'), 'TOP SECRET');
  fs.symlinkSync(path.join(tmp.dir, 'secret.txt'), path.join(root, 'link.txt'));
  hl = await startHeadless({
    dataDir: path.join(tmp.dir, 'data'),
    socketPath: path.join(tmp.dir, 'console.sock'),
    httpPort: 0,
    token: TOKEN,
    staticDir: root,
    logger: silentLogger,
    env: {},
  });
});

afterAll(async () => {
  await hl?.stop();
  tmp?.cleanup();
});

describe('token', () => {
  it('refuses /api without a token, with a wrong one, or with one of another length: 401', async () => {
    for (const headers of [{} as Record<string, string>, { Authorization: 'Bearer wrong-token' }, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: `Basic ${TOKEN}` }]) {
      const r = await api('getStatus', headers);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'unauthorized', message: expect.stringMatching(/token/) } });
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await api('getStatus', auth)).status).toBe(200);
  });

  it('the event stream takes the token from the query (EventSource cannot send headers); commands do not', async () => {
    expect((await raw('GET', '/api/events')).status).toBe(401);
    expect((await raw('GET', '/api/events?token=nope')).status).toBe(401);
    expect((await raw('POST', `/api/getStatus?token=${TOKEN}`, { 'Content-Type': 'application/json' }, '{}')).status).toBe(401);
    const ok = await new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: hl.port, path: `/api/events?token=${TOKEN}` }, (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      });
      req.on('error', reject);
    });
    expect(ok).toBe(200);
  });
});

describe('origin', () => {
  it('refuses a foreign Origin even with the right token: 403', async () => {
    for (const origin of ['http://evil.example', `http://evil.example:${hl.port}`, 'null', `https://127.0.0.1:${hl.port}`, 'http://127.0.0.1:1']) {
      const r = await api('getStatus', { ...auth, Origin: origin });
      expect(r.status, origin).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'forbidden' } });
    }
    const events = await raw('GET', `/api/events?token=${TOKEN}`, { Origin: 'http://evil.example' });
    expect(events.status).toBe(403);
  });

  it('refuses a DNS-rebinding page whose Host is its own name', async () => {
    const r = await api('getStatus', { ...auth, Host: `evil.example:${hl.port}`, Origin: `http://evil.example:${hl.port}` });
    expect(r.status).toBe(403);
  });

  it('accepts the console’s own origin, and a loopback tunnel on another port', async () => {
    for (const origin of [`http://127.0.0.1:${hl.port}`, `http://localhost:${hl.port}`]) {
      expect((await api('getStatus', { ...auth, Origin: origin })).status, origin).toBe(200);
    }
    // ssh -L 9000:127.0.0.1:<port>: the browser sees localhost:9000.
    expect((await api('getStatus', { ...auth, Host: 'localhost:9000', Origin: 'http://localhost:9000' })).status).toBe(200);
  });

  it('never sends CORS headers, not even to a preflight', async () => {
    const replies = [
      await raw('OPTIONS', '/api/getStatus', { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' }),
      await api('getStatus', { ...auth, Origin: 'http://evil.example' }),
      await api('getStatus', auth),
      await raw('GET', '/'),
    ];
    for (const r of replies) {
      expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(replies[0]!.status).toBe(403);
  });
});

describe('headers and static files', () => {
  it('sets the security headers on pages and API answers', async () => {
    for (const r of [await raw('GET', '/'), await api('getStatus', auth), await api('getStatus'), await raw('GET', '/missing')]) {
      expect(r.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(r.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
      expect(r.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(r.headers['content-security-policy']).toMatch(/connect-src 'self'/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves the renderer with the right content types', async () => {
    const index = await raw('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toContain('Crawl Console');
    const js = await raw('GET', '/assets/app-1234.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toMatch(/immutable/);
    expect((await raw('GET', '/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await raw('HEAD', '/')).status).toBe(200);
    expect((await raw('GET', '/nothing-here.js')).status).toBe(404);
    expect((await raw('GET', '/assets')).status).toBe(404); // a directory
    expect((await raw('POST', '/')).status).toBe(405);
  });

  it('never serves a file outside its root', async () => {
    for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/link.txt', '/%00index.html', '/%E0%A4%A']) {
      const r = await raw('GET', p);
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain('TOP SECRET');
    }
  });
});
