/**
 * The desktop app's /metrics (issue 15): the headless route on its own
 * loopback port, run here under plain Node on a real core (the Electron shell
 * only starts it). Parsed with a Prometheus text-format parser.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startTestConsole, type TestConsole } from '../helpers/console';
import { type MetricsServer, parseMetricsPort, startMetricsServer } from '../../src/main/headless/metrics-server';

let t: TestConsole | null = null;
let server: MetricsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  await t?.close();
  t = null;
});

describe('the desktop metrics server', () => {
  it('serves the Prometheus text on 127.0.0.1 only, the numbers the core counts', async () => {
    t = await startTestConsole();
    await t.api.createJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com', access_token: 'glpat-metrics-port-0000' });
    server = await startMetricsServer({ metrics: t.core.metrics, port: 0 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const families = parsePrometheusTextFormat(await res.text());
    const jobs = families.find((f) => f.name === 'crawl_console_jobs');
    expect(jobs?.metrics).toContainEqual({ labels: { status: 'queued', job_type: 'discover_namespaces' }, value: '1' });
    // Only /metrics is served; nothing else of the console.
    expect((await fetch(`http://127.0.0.1:${server.port}/api/listJobs`, { method: 'POST' })).status).toBe(404);
    // Not on any other interface: a connection to a non-loopback address of this host is refused.
    const external = Object.values((await import('node:os')).networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (external) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect(server!.port, external);
        s.once('connect', () => (s.destroy(), resolve(false)));
        s.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    } else {
      console.log('[metrics-server.test] this host has no non-loopback IPv4 address: the check that other interfaces are refused has nothing to connect to');
    }
  });

  it('asks for the scrape token when one is set, and answers 404 while enableMetrics is off', async () => {
    t = await startTestConsole({ enableMetrics: false });
    server = await startMetricsServer({ metrics: t.core.metrics, port: 0, token: 'scrape-token-0123456789' });
    const without = await fetch(server.url);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fetch(server.url, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const off = await fetch(server.url, { headers: { Authorization: 'Bearer scrape-token-0123456789' } });
    expect(off.status).toBe(404);
    expect(await off.text()).toContain('enableMetrics is false');
    await t.api.updateConfig({ enableMetrics: true });
    expect((await fetch(server.url, { headers: { Authorization: 'Bearer scrape-token-0123456789' } })).status).toBe(200);
  });

  it('a port already in use, or a bad port, is a clear error', async () => {
    t = await startTestConsole();
    server = await startMetricsServer({ metrics: t.core.metrics, port: 0 });
    await expect(startMetricsServer({ metrics: t.core.metrics, port: server.port })).rejects.toThrow(`the metrics port ${server.port} on 127.0.0.1 is already in use`);
    expect(parseMetricsPort('9464')).toBe(9464);
    expect(() => parseMetricsPort('http')).toThrow('the metrics port must be a whole number from 0 to 65535, got "http"');
    expect(() => parseMetricsPort('70000')).toThrow(/0 to 65535/);
  });
});
