/**
 * `npm run bench -- scale`: the console at 10k, 100k and 1M jobs (issue 14).
 *
 * For each size: a fresh console process, jobs created as a crawler creates
 * them (jobs_discovered over the Unix socket, 1,000 per message, 200,000 per
 * discovery job), then every Jobs-screen query over HTTP (median of 5 after a
 * warm-up), getJob of a discovery parent, a streamed CSV export, a restart and
 * the database's size. Rows should stay flat as the size grows.
 *
 *   npm run bench -- scale [--sizes 10000,100000,1000000] [--keep DIR] [--ingest-only] [--whole-discovery] [--scattered-ids] [--wild]
 *
 * `--whole-discovery`: each discovery's 200,000 jobs in one message (~30 MiB), as the crawler in the
 * wild sends a discovery; the console takes it in parts (it is far over maxMessageSize).
 * `--scattered-ids`: entity ids in no order, as a real discovery lists them (by default they ascend).
 * `--wild`: every message as the crawler in the wild writes it: no hello, `jobId`, a whole discovery per
 * message with its `discovery_summary`, items of its five keys (wildDiscoveredItems), no delimiter.
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { JOB_SORT_FIELDS, type JobSortField } from '../src/shared/jobs';
import { discoveredItems, wildDiscoveredItems } from './discovered-items';

const { values } = parseArgs({
  args: process.argv.slice(3),
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    keep: { type: 'string' },
    static: { type: 'string' },
    // Only the ingest rows (rate and CPU per job), for comparing ingest changes quickly.
    'ingest-only': { type: 'boolean', default: false },
    // Each discovery's jobs in one message, as the crawler in the wild sends them (taken in parts: discovery-splitter.ts).
    'whole-discovery': { type: 'boolean', default: false },
    // Entity ids in no order, as a real discovery lists them (see discovered-items).
    'scattered-ids': { type: 'boolean', default: false },
    // Messages exactly as the crawler in the wild writes them (see above).
    wild: { type: 'boolean', default: false },
  },
});
const WILD = values.wild;
const SIZES = values.sizes.split(',').map(Number);
const PER_MESSAGE = values['whole-discovery'] || WILD ? 200_000 : 1000;
const PER_PARENT = 200_000;
const TOKEN = 'bench-scale-token';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-scale-'));
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));

interface Running {
  proc: ChildProcess;
  url: string;
  openMs: number;
  sinceSpawnMs: number;
}

function startConsole(dataDir: string, socketPath: string): Promise<Running> {
  const proc = fork(path.resolve(import.meta.dirname, 'scale-console.ts'), [dataDir, socketPath, TOKEN, values.static ?? ''], {
    // BENCH_CPU_PROF=DIR: a V8 CPU profile of the console process, for finding the hot spots.
    // BENCH_NODE_FLAGS="--trace-gc …": more flags for the console process (what its heap does, and when).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { url: string; openMs: number; sinceSpawnMs: number }) => resolve({ proc, ...m }));
    proc.once('exit', (code) => reject(new Error(`console exited (${code})`)));
  });
}

const ask = <T>(proc: ChildProcess, what: string): Promise<T> =>
  new Promise((resolve) => {
    proc.once('message', (m: T) => resolve(m));
    proc.send(what);
  });

async function api<T>(url: string, name: string, input: unknown): Promise<T> {
  const res = await fetch(`${url}api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(input),
  });
  if (!res.ok) throw new Error(`${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function median(fn: () => Promise<unknown>, n = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

/** A crawler on the socket: writes lines with backpressure, collects the console's answers. */
class Crawler {
  private buffer = '';
  private waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const m = JSON.parse(line) as Record<string, unknown>;
        const i = this.waiters.findIndex((w) => w.type === m.type);
        if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
      }
    });
  }
  static connect(socketPath: string): Promise<Crawler> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ path: socketPath }, () => resolve(new Crawler(s)));
      s.once('error', reject);
    });
  }
  next(type: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiters.push({ type, resolve }));
  }
  static line(message: unknown): string {
    return `${JSON.stringify(message)}\n`;
  }
  write(message: unknown): Promise<void> {
    return this.writeLine(Crawler.line(message));
  }
  writeLine(line: string): Promise<void> {
    return this.socket.write(line) ? Promise.resolve() : new Promise((r) => this.socket.once('drain', () => r()));
  }
  close(): void {
    this.socket.destroy();
  }
}

const ts = () => new Date().toISOString();


interface Row {
  size: number;
  ingestRate: number;
  /** The console process's CPU time per ingested job, µs (user + system). */
  ingestCpuPerJob: number;
  indexCatchUp: number;
  pathCatchUp: number;
  nameCatchUp: number;
  queries: Map<string, number>;
  getJob: number;
  exportFirstByte: number;
  exportSeconds: number;
  exportMiB: number;
  exportPeak: number;
  consolePeak: number;
  restartOpen: number;
  restartFirstAnswer: number;
  bytesPerJob: number;
  dbBytes: number;
}

/** The Jobs screen's sort directions when a header is clicked (table-state's sortBy). */
const firstDir = (f: JobSortField) => (['namespace_path', 'entity_name', 'job_type', 'status'].includes(f) ? 'asc' : 'desc');

async function measure(size: number): Promise<Row> {
  const dir = path.join(root, String(size));
  const dataDir = path.join(dir, 'data');
  const socketPath = path.join(dir, 'console.sock');
  fs.mkdirSync(dir, { recursive: true });
  let c = await startConsole(dataDir, socketPath);
  let consolePeak = 0;
  const crawler = await Crawler.connect(socketPath);
  if (!WILD) {
    await crawler.write({ type: 'hello', timestamp: ts(), data: { crawler_id: 'bench-crawler', name: 'bench', version: '1', max_concurrent_jobs: 500 } });
    await crawler.next('welcome');
  }
  const step = (s: string) => process.env.BENCH_DEBUG && process.stderr.write(`  ${s}\n`);
  step('connected');

  // Ingest: committed before acknowledged — a job_request is answered after every earlier line was handled.
  const cpu = async () => (await ask<{ cpu: number }>(c.proc, 'cpu')).cpu;
  // The messages are written out before the clock starts: the figure is the console's, and a bench that
  // serialized a whole discovery (200,000 items, ~1 s) between two sends would leave the console waiting on it.
  const messages: string[] = [];
  for (let start = 0; start < size; start += PER_MESSAGE) {
    const parent = `discovery-${Math.floor(start / PER_PARENT)}`;
    const n = Math.min(PER_MESSAGE, size - start);
    if (WILD) {
      const items = wildDiscoveredItems(start, n);
      const groups = items.filter((item) => item.job_type === 'crawl_group').length;
      const data = { discovered_jobs: items, discovery_summary: { total_groups: groups, total_projects: items.length - groups } };
      messages.push(JSON.stringify({ type: 'jobs_discovered', timestamp: ts(), jobId: parent, data }));
      continue;
    }
    const items = discoveredItems(start, n, { scatteredIds: values['scattered-ids'] });
    messages.push(Crawler.line({ type: 'jobs_discovered', timestamp: ts(), job_id: parent, data: { discovered_jobs: items } }));
  }
  const cpu0 = await cpu();
  const t0 = performance.now();
  // Each message is let go once written (a million jobs' worth is ~150 MiB of text).
  while (messages.length > 0) await crawler.writeLine(messages.shift()!);
  const leased = crawler.next('job_response');
  await crawler.write({ type: 'job_request', timestamp: ts(), data: { max_jobs: 300 } });
  const response = (await leased) as { data?: { jobs?: { id: string }[] } };
  const ingestSeconds = (performance.now() - t0) / 1000;
  const ingestCpuPerJob = ((await cpu()) - cpu0) / size;
  step('ingested');
  if (values['ingest-only']) {
    const { peak } = await ask<{ peak: number }>(c.proc, 'rss');
    crawler.close();
    await new Promise((resolve) => {
      c.proc.once('exit', resolve);
      c.proc.send('stop');
    });
    return { size, ingestRate: size / ingestSeconds, ingestCpuPerJob, consolePeak: peak } as Row;
  }

  // The trigram index and the path and name orders are filled in the background after the ingest: how long
  // until searches and sorts by path or name read them alone. The console says how far behind each is (getStatus).
  const i0 = performance.now();
  const waitFor = async (what: 'searchIndex' | 'pathOrder' | 'nameOrder'): Promise<number> => {
    const backlog = async () => (await api<Partial<Record<typeof what, { backlog: number }>>>(c.url, 'getStatus', {}))[what]?.backlog ?? 0;
    for (let n = 0; (await backlog()) > 0; n++) {
      // A crawler that says nothing for long is declared lost: heartbeats while the bench waits.
      if (n % 10 === 0) await crawler.write({ type: 'heartbeat', timestamp: ts(), data: { active_jobs: 0, last_activity: ts(), system_status: 'idle' } });
      await new Promise((r) => setTimeout(r, 100));
    }
    return (performance.now() - i0) / 1000;
  };
  const indexCatchUp = await waitFor('searchIndex');
  const pathCatchUp = await waitFor('pathOrder');
  const nameCatchUp = await waitFor('nameOrder');
  step('indexed');
  consolePeak = Math.max(consolePeak, (await ask<{ peak: number }>(c.proc, 'rss')).peak);

  // Some variety: started, completed and failed jobs, on one crawler.
  const ids = (response.data?.jobs ?? []).map((j) => j.id);
  for (const [n, id] of ids.entries()) {
    await crawler.write({ type: 'job_started', timestamp: ts(), job_id: id, data: {} });
    if (n % 3 === 1) await crawler.write({ type: 'job_completed', timestamp: ts(), job_id: id, data: { success: true, final_counts: { issues: 1 } } });
    if (n % 3 === 2) await crawler.write({ type: 'job_failed', timestamp: ts(), job_id: id, data: { error_message: 'bench', is_recoverable: false } });
  }
  const settled = crawler.next('job_response');
  await crawler.write({ type: 'job_request', timestamp: ts(), data: { max_jobs: 1 } });
  await settled;

  step('settled');
  // The Jobs screen's queries, as the table asks them (a page of 200).
  const q = new Map<string, number>();
  const list = (input: Record<string, unknown>) => () => api(c.url, 'listJobs', { limit: 200, ...input });
  q.set('list, newest first', await median(list({})));
  q.set('filter status=queued', await median(list({ status: ['queued'] })));
  q.set('filter status=running', await median(list({ status: ['running'] })));
  q.set('filter status=failed,cancelled', await median(list({ status: ['failed', 'cancelled'] })));
  q.set('filter type=crawl_group', await median(list({ job_type: ['crawl_group'] })));
  q.set('filter crawler', await median(list({ crawler: 'bench-crawler' })));
  q.set('filter parent (children)', await median(list({ parent_job_id: 'discovery-0' })));
  q.set('search "project-4242" (rare)', await median(list({ text: 'project-4242' })));
  q.set('search "group-42/" (1 in 997)', await median(list({ text: 'group-42/' })));
  q.set('search "sub-7/" (1 in 31)', await median(list({ text: 'sub-7/' })));
  for (const f of JOB_SORT_FIELDS) q.set(`sort ${f} ${firstDir(f)}`, await median(list({ sort: f, dir: firstDir(f) })));
  const total = (await api<{ total: number }>(c.url, 'listJobs', { limit: 1 })).total;
  q.set('last page (offset)', await median(list({ offset: Math.max(0, total - 200) })));
  const mid = await api<{ next_cursor: string }>(c.url, 'listJobs', { limit: 200, offset: Math.floor(total / 2) });
  q.set('middle page (cursor)', await median(list({ after: mid.next_cursor })));
  const midSorted = await api<{ next_cursor: string }>(c.url, 'listJobs', { limit: 200, offset: Math.floor(total / 2), sort: 'namespace_path', dir: 'asc' });
  q.set('middle page (cursor), by path', await median(list({ after: midSorted.next_cursor, sort: 'namespace_path', dir: 'asc' })));
  const getJob = await median(() => api(c.url, 'getJob', { job_id: 'discovery-0' }));

  // A streamed export of everything.
  await ask(c.proc, 'reset');
  const e0 = performance.now();
  const { url } = await fetch(`${c.url}api/export/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ format: 'csv' }),
  }).then((r) => r.json() as Promise<{ url: string }>);
  const res = await fetch(`${c.url}${url}`);
  let firstByte = 0;
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    if (firstByte === 0) firstByte = performance.now() - e0;
    bytes += chunk.byteLength;
  }
  const exportSeconds = (performance.now() - e0) / 1000;
  const exportPeak = (await ask<{ peak: number }>(c.proc, 'rss')).peak;
  consolePeak = Math.max(consolePeak, exportPeak);

  // Restart: stop (the WAL is checkpointed into the file), then open again and answer.
  crawler.close();
  await new Promise((resolve) => {
    c.proc.once('exit', resolve);
    c.proc.send('stop');
  });
  const dbBytes = fs.statSync(path.join(dataDir, 'console.db')).size;
  c = await startConsole(dataDir, socketPath);
  const r0 = performance.now();
  await api(c.url, 'listJobs', { limit: 200 });
  const restartFirstAnswer = c.openMs + (performance.now() - r0);
  consolePeak = Math.max(consolePeak, (await ask<{ peak: number }>(c.proc, 'rss')).peak);
  await new Promise((resolve) => {
    c.proc.once('exit', resolve);
    c.proc.send('stop');
  });
  return {
    size,
    ingestRate: size / ingestSeconds,
    ingestCpuPerJob,
    indexCatchUp,
    pathCatchUp,
    nameCatchUp,
    queries: q,
    getJob,
    exportFirstByte: firstByte,
    exportSeconds,
    exportMiB: bytes / 1024 / 1024,
    exportPeak,
    consolePeak,
    restartOpen: c.openMs,
    restartFirstAnswer,
    bytesPerJob: dbBytes / size,
    dbBytes,
  };
}

const rows: Row[] = [];

function table(): string {
if (values['ingest-only']) {
  return [
    `| | ${rows.map((r) => `${r.size.toLocaleString('en')} jobs`).join(' | ')} |\n|---|${rows.map(() => '---:').join('|')}|`,
    `| ingest, jobs_discovered (jobs/s) | ${rows.map((r) => Math.round(r.ingestRate).toLocaleString('en')).join(' | ')} |`,
    `| ingest, console CPU per job (µs) | ${rows.map((r) => r.ingestCpuPerJob.toFixed(1)).join(' | ')} |`,
    `| console peak RSS during the ingest | ${rows.map((r) => mib(r.consolePeak)).join(' | ')} |`,
  ].join('\n');
}
const head = `| | ${rows.map((r) => `${r.size.toLocaleString('en')} jobs`).join(' | ')} |\n|---|${rows.map(() => '---:').join('|')}|`;
const line = (label: string, f: (r: Row) => string) => `| ${label} | ${rows.map(f).join(' | ')} |`;
const out = [
  `Crawl Console scale benchmark — ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${mib(os.totalmem())} RAM, Node ${process.version}`,
  'Median of 5 (after a warm-up) over HTTP, pages of 200; jobs created through jobs_discovered over the Unix socket.',
  '',
  head,
  ...[...rows[0]!.queries.keys()].map((k) => line(`${k} (ms)`, (r) => ms(r.queries.get(k)!))),
  line('getJob of a discovery parent (ms)', (r) => ms(r.getJob)),
  line('ingest, jobs_discovered (jobs/s)', (r) => Math.round(r.ingestRate).toLocaleString('en')),
  line('ingest, console CPU per job (µs)', (r) => r.ingestCpuPerJob.toFixed(1)),
  line('search index complete, after the ingest (s)', (r) => r.indexCatchUp.toFixed(1)),
  line('path order complete, after the ingest (s)', (r) => r.pathCatchUp.toFixed(1)),
  line('name order complete, after the ingest (s)', (r) => r.nameCatchUp.toFixed(1)),
  line('export CSV, first byte (ms)', (r) => ms(r.exportFirstByte)),
  line('export CSV, all (s)', (r) => `${r.exportSeconds.toFixed(1)} (${r.exportMiB.toFixed(0)} MiB)`),
  line('console RSS peak during export', (r) => mib(r.exportPeak)),
  line('console RSS peak, whole run', (r) => mib(r.consolePeak)),
  line('restart: open + first page (ms)', (r) => ms(r.restartFirstAnswer)),
  line('database bytes per job', (r) => Math.round(r.bytesPerJob).toLocaleString('en')),
  line('database size', (r) => mib(r.dbBytes)),
].join('\n');
return out;
}

// The table so far after each size (a million takes minutes on a busy machine: the smaller rows are not lost).
for (const size of SIZES) {
  process.stderr.write(`building and measuring ${size.toLocaleString('en')} jobs…\n`);
  rows.push(await measure(size));
  console.log(`\n${table()}\n`);
}
if (values.keep) fs.cpSync(root, values.keep, { recursive: true });
fs.rmSync(root, { recursive: true, force: true });
