/**
 * TLS on the TCP door: the console's self-signed certificate, the client
 * library's pinning, and the wire as an eavesdropper sees it (a loopback relay
 * between client and console records every byte in both directions).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CrawlerClient } from '../../src/client';
import { type TestConsole, now, startTestConsole } from '../helpers/console';
import { Peer } from '../helpers/peer';

const AUTH_TOKEN = 'tls-door-token-0123456789abcdef';
const GITLAB_TOKEN = 'glpat-over-the-wire-secret-42';

let t: TestConsole | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await t?.close();
  t = undefined;
});

/** A loopback TCP relay that records everything passing through it. */
async function relayTo(target: { host: string; port: number }): Promise<{ port: number; bytes: () => Buffer }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(target);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.on('data', (b: Buffer) => {
      chunks.push(b);
      outbound.write(b);
    });
    outbound.on('data', (b: Buffer) => {
      chunks.push(b);
      inbound.write(b);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, bytes: () => Buffer.concat(chunks) };
}

function crawler(options: ConstructorParameters<typeof CrawlerClient>[0]): CrawlerClient {
  const c = new CrawlerClient({ reconnect: false, connectTimeoutMs: 5000, ...options });
  cleanups.push(() => c.close().catch(() => undefined));
  return c;
}

async function tlsConsole(): Promise<{ host: string; port: number; fingerprint: string }> {
  t = await startTestConsole({ enableTcp: true, host: '127.0.0.1', port: 0, authToken: AUTH_TOKEN, tcpTls: true });
  const tcp = t.core.tcp!;
  expect(tcp.tls).not.toBeNull();
  return { host: tcp.host, port: tcp.port, fingerprint: tcp.tls!.fingerprint256 };
}

describe('TLS on the TCP listener', () => {
  it('makes a self-signed certificate in the data directory on first use, keeps it, and shows its fingerprint', async () => {
    const { fingerprint } = await tlsConsole();
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const key = path.join(t!.dir, 'tls', 'key.pem');
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect((await t!.api.getStatus({})).tls).toMatchObject({ fingerprint256: fingerprint, selfSigned: true });
    // A restart on the same data directory keeps the certificate, so crawlers' pins stay valid.
    const dir = t!.dir;
    await t!.core.stop();
    const again = await startTestConsole({ enableTcp: true, host: '127.0.0.1', port: 0, authToken: AUTH_TOKEN, tcpTls: true }, dir);
    cleanups.push(() => again.close());
    expect(again.core.tcp!.tls!.fingerprint256).toBe(fingerprint);
    t = undefined; // the first core is stopped; the temp dir goes with `again`… and is removed below
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  });

  it('serves a crawler that pins the right fingerprint, and no token is ever on the wire in clear', async () => {
    const { host, port, fingerprint } = await tlsConsole();
    const relay = await relayTo({ host, port });
    const c = crawler({ tcp: { host: '127.0.0.1', port: relay.port }, tls: { fingerprint256: fingerprint }, authToken: AUTH_TOKEN, crawlerId: 'remote-tls' });
    await c.connect();
    const assignment = new Promise<{ access_token: string }>((resolve) => c.once('job_assignment', (a: { access_token: string }) => resolve(a)));
    await t!.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: GITLAB_TOKEN, entity_id: '1', priority: 1, crawler_id: 'remote-tls' });
    expect((await assignment).access_token).toBe(GITLAB_TOKEN);

    const wire = relay.bytes();
    expect(wire.length).toBeGreaterThan(500);
    expect(wire.includes(AUTH_TOKEN)).toBe(false);
    expect(wire.includes(GITLAB_TOKEN)).toBe(false);
    expect(wire.includes('"hello"')).toBe(false);
    expect(wire.includes('job_assignment')).toBe(false);
  });

  it('refuses a console whose certificate does not match the pin, before the token is sent', async () => {
    const { host, port } = await tlsConsole();
    const relay = await relayTo({ host, port });
    const wrongPin = Array.from({ length: 32 }, () => 'AB').join(':');
    const c = crawler({ tcp: { host: '127.0.0.1', port: relay.port }, tls: { fingerprint256: wrongPin }, authToken: AUTH_TOKEN, crawlerId: 'pinned-wrong' });
    const err = await c.connect().catch((e: unknown) => e as Error & { code?: string });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'ECERTPIN' });
    expect(String((err as Error).message)).toMatch(/does not match the pinned fingerprint/);
    expect(relay.bytes().includes(AUTH_TOKEN)).toBe(false);
    expect((await t!.api.listCrawlers({ include_disconnected: true })).crawlers.some((x) => x.crawler_id === 'pinned-wrong')).toBe(false);
  });

  it('refuses plain TCP to the TLS listener', async () => {
    const { host, port } = await tlsConsole();
    const plain = await Peer.connect({ host, port });
    cleanups.push(() => plain.destroy());
    plain.send({ type: 'hello', timestamp: now(), data: { crawler_id: 'plain', auth_token: AUTH_TOKEN } });
    await plain.waitClosed();
    expect(plain.received.some((m) => m.type === 'welcome')).toBe(false);
    expect((await t!.api.getStatus({})).preAuth?.byReason.tls_handshake).toBe(1);
  });

  it('requires TLS off loopback unless loudly opted out, and the client refuses plain TCP to a remote host', async () => {
    await expect(startTestConsole({ enableTcp: true, host: '0.0.0.0', port: 0, authToken: AUTH_TOKEN, tcpTls: false })).rejects.toThrow(
      /clear text.*dangerouslyAllowPlaintextTcp/,
    );
    expect(() => new CrawlerClient({ tcp: { host: 'console.example.org', port: 7000 }, authToken: AUTH_TOKEN })).toThrow(/tls: \{ fingerprint256 \}/);
    expect(() => new CrawlerClient({ tcp: { host: '127.0.0.1', port: 7000 }, authToken: AUTH_TOKEN, tls: { fingerprint256: 'abc' } })).toThrow(/64 hex digits/);
  });
});
