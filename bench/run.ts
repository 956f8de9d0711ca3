/**
 * `npm run bench`: messages per second end to end (received, validated,
 * routed, persisted) through the real console, against the ceiling of a
 * parse-only server measured in the same run, with peak memory. The console is
 * measured with both framings, the same mix in the same run: delimited lines and
 * unterminated objects back to back (the crawler in the wild), in the order
 * delimited, unterminated, unterminated, delimited (half the messages each), so
 * a machine that drifts during the run favours neither (after an unmeasured warm-up of each).
 *
 *   npm run bench -- --messages 2000000 --clients 4
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startConsoleCore } from '../src/main/core/console-core';
import { type Framing, drive } from './drive';

// `npm run bench -- scale`: the million-job benchmark (bench/scale.ts) instead.
if (process.argv[2] === 'scale') {
  await import('./scale');
  process.exit(0);
}
// `npm run bench -- memory`: what the console keeps between runs (bench/memory.ts).
if (process.argv[2] === 'memory') {
  await import('./memory');
  process.exit(0);
}

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '2000000' }, clients: { type: 'string', default: '4' } },
});
const total = Number(values.messages);
const clients = Number(values.clients);
const perClient = Math.floor(total / clients);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-'));

const mib = (b: number) => (b / 1024 / 1024).toFixed(0);

/** The ceiling, measured before and after the console run (timings drift on a shared machine: the mean is compared). */
async function measureCeiling(tag: string): Promise<number> {
  const socketPath = path.join(dir, `parse-only-${tag}.sock`);
  const server = fork(path.resolve(import.meta.dirname, 'parse-only-server.ts'), [socketPath], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  await new Promise((resolve) => server.once('message', resolve));
  const { seconds } = await drive(socketPath, clients, perClient, 'delimited');
  server.on('message', (m: { cpuMicros?: number }) => {
    if (m.cpuMicros !== undefined) ceilingCpuMicros += m.cpuMicros;
  });
  await new Promise((resolve) => {
    server.once('exit', resolve);
    server.send('close');
  });
  return (perClient * clients) / seconds;
}

/**
 * CPU time per message (user + system, µs), of the parse-only server and of the
 * console: unlike msg/s, it hardly moves with what else runs on a shared machine,
 * so it tells changes to the message path apart where the wall-clock ratio cannot.
 */
let ceilingCpuMicros = 0;
const consoleCpuMicros: Record<Framing, number> = { delimited: 0, unterminated: 0 };

// 1. The ceiling.
const ceilingBefore = await measureCeiling('before');

// 2. The console: real socket server, router, job service and SQLite file, a fresh one per run.
let peakRss = 0;
const samples: number[] = [];
let runs = 0;
let status = 0;
async function runConsole(framing: Framing, count: number): Promise<number> {
  const tag = `console-${runs++}`;
  const core = await startConsoleCore({ dataDir: path.join(dir, tag), config: { socketPath: path.join(dir, `${tag}.sock`), maxConnections: clients + 2, maxConcurrentJobs: 100 } });
  const cpuAtStart = process.cpuUsage();
  const e = await drive(core.socketPath, clients, count, framing, () => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    samples.push(rss);
  });
  // Persisted means on disk: include the final flush.
  const flushStart = process.hrtime.bigint();
  status = (await core.commands.listJobs({ limit: 1, offset: 0, sort: 'created_at', dir: 'desc' })).total;
  const cpu = process.cpuUsage(cpuAtStart);
  consoleCpuMicros[framing] += cpu.user + cpu.system;
  await core.stop();
  return e.seconds + Number(process.hrtime.bigint() - flushStart) / 1e9;
}
const half = Math.floor(perClient / 2);
// Warm-up, not measured: the first run in this process would also pay for compiling the console's hot paths.
for (const framing of ['delimited', 'unterminated'] as const) await runConsole(framing, Math.min(half, 10_000));
peakRss = 0;
samples.length = 0;
consoleCpuMicros.delimited = consoleCpuMicros.unterminated = 0;
const seconds: Record<Framing, number> = { delimited: 0, unterminated: 0 };
for (const framing of ['delimited', 'unterminated', 'unterminated', 'delimited'] as const) seconds[framing] += await runConsole(framing, half);
const consoleRate = (2 * half * clients) / seconds.delimited;
const unterminatedRate = (2 * half * clients) / seconds.unterminated;
const q = (f: number) => mib(samples[Math.min(samples.length - 1, Math.floor(samples.length * f))] ?? 0);
const ceilingAfter = await measureCeiling('after');
const ceilingRate = (ceilingBefore + ceilingAfter) / 2;

console.log(`
Crawl Console benchmark — ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}
  ${(perClient * clients).toLocaleString('en')} messages from ${clients} crawler processes over a Unix socket (mixed spellings), per framing
  parse-only ceiling : ${Math.round(ceilingRate).toLocaleString('en')} msg/s (mean of ${Math.round(ceilingBefore).toLocaleString('en')} before and ${Math.round(ceilingAfter).toLocaleString('en')} after the console runs; delimited)
  console end to end : ${Math.round(consoleRate).toLocaleString('en')} msg/s delimited (received, validated, routed, persisted; ${status} jobs per run)
  ratio              : ${(consoleRate / ceilingRate).toFixed(2)}
  unterminated       : ${Math.round(unterminatedRate).toLocaleString('en')} msg/s (objects back to back, no delimiter; same mix, same run)
  framing ratio      : ${(unterminatedRate / consoleRate).toFixed(2)} unterminated / delimited (must be ≥ 0.90)
  CPU per message    : parse-only ${(ceilingCpuMicros / (2 * perClient * clients)).toFixed(2)} µs, console ${(consoleCpuMicros.delimited / (2 * half * clients)).toFixed(2)} µs delimited / ${(consoleCpuMicros.unterminated / (2 * half * clients)).toFixed(2)} µs unterminated → CPU ratio ${(ceilingCpuMicros / (2 * perClient * clients) / (consoleCpuMicros.delimited / (2 * half * clients))).toFixed(2)} (robust to load)
  console RSS        : peak ${mib(peakRss)} MiB; at 25/50/75/100 % of the runs ${q(0.25)} / ${q(0.5)} / ${q(0.75)} / ${q(0.999)} MiB
`);
fs.rmSync(dir, { recursive: true, force: true });
