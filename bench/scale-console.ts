/**
 * The console under `npm run bench -- scale`, in its own process so its memory
 * is its own: a headless console (socket + HTTP) on the given data dir. Reports
 * when it is ready (and how long opening took), samples its RSS every 50 ms and
 * answers the bench's questions over IPC.
 */
import { performance } from 'node:perf_hooks';
import { applyConsoleHeapPolicy } from '../src/main/core/heap-policy';
import { startHeadless } from '../src/main/headless/serve';
import { silentLogger } from '../src/main/observability/logger';

const [dataDir, socketPath, token, staticDir] = process.argv.slice(2) as [string, string, string, string | undefined];
// As the hosts do (the headless command, the desktop app): the memory measured is the memory users get.
applyConsoleHeapPolicy();
const t0 = performance.now();
const console_ = await startHeadless({
  dataDir,
  socketPath,
  httpPort: 0,
  token,
  staticDir: staticDir || null,
  logger: silentLogger,
  env: {},
  config: { maxConnections: 16, maxConcurrentJobs: 500 },
});
const openMs = performance.now() - t0;
let peak = process.memoryUsage().rss;
// BENCH_MEM_DETAIL=1: where the peak's memory was (V8 heap, buffers, the rest: SQLite, code, threads), printed at the end.
let atPeak = process.memoryUsage();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peak) atPeak = m;
  peak = Math.max(peak, m.rss);
}, 50);
process.send?.({ ready: true, url: console_.baseUrl, openMs, sinceSpawnMs: performance.now() });
process.on('message', (m: string) => {
  if (m === 'rss') {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    process.send?.({ rss, peak });
  } else if (m === 'cpu') {
    // The console's CPU time (user + system, µs): on a shared machine, the figure to compare.
    const c = process.cpuUsage();
    process.send?.({ cpu: c.user + c.system });
  } else if (m === 'reset') {
    peak = process.memoryUsage().rss;
    process.send?.({ peak });
  } else if (m === 'stop') {
    clearInterval(sampler);
    if (process.env.BENCH_MEM_DETAIL) {
      const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
      const { rss, heapTotal, heapUsed, external, arrayBuffers } = atPeak;
      console.error(
        `[memory at peak] rss ${mib(rss)}: V8 heap ${mib(heapTotal)} (${mib(heapUsed)} used), external ${mib(external)} (array buffers ${mib(arrayBuffers)}), rest ${mib(rss - heapTotal - external)}`,
      );
    }
    void console_.stop().then(() => process.exit(0));
  }
});
