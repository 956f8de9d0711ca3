/**
 * `npx tsx bench/ingest-store.ts [--jobs 100000] [--reps 3]`: what a discovered
 * job costs the store, without the socket. Each variant inserts the scale
 * bench's discovered jobs (1,000 per batch, one transaction each, as
 * `jobs_discovered` does) into a fresh store and reports the median over
 * `reps` runs of main-thread CPU and wall time per job. CPU time is the figure
 * to compare on a shared machine (wall time includes other processes' turns).
 *
 * Variants: every index; without the one index whose entries land at random
 * places (`jobs_sort_namespace`, as a crawl's paths interleave groups); with
 * no index but the primary key (the floor of the row itself); and every index
 * with several batches per transaction (what group commit would save).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createFileKeyCipher, openStore, type Store } from '../src/main/store';
import { discoveredItems } from './discovered-items';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '100000' }, reps: { type: 'string', default: '3' } } });
const JOBS = Number(values.jobs);
const REPS = Number(values.reps);
const BATCH = 1000;


interface Variant {
  name: string;
  drop: (store: Store) => string[];
  /** Batches per transaction. */
  group: number;
}

const jobsIndexes = (store: Store) =>
  (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL").all() as { name: string }[]).map(
    (r) => r.name,
  );

const VARIANTS: Variant[] = [
  { name: 'every index', drop: () => [], group: 1 },
  { name: 'without jobs_sort_namespace', drop: () => ['jobs_sort_namespace'], group: 1 },
  { name: 'primary key only', drop: jobsIndexes, group: 1 },
  { name: 'every index, 4 batches a transaction', drop: () => [], group: 4 },
];

function run(v: Variant): { cpu: number; wall: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-store-'));
  const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
  try {
    store.jobs.textIndex.stop(); // the search index is filled after a burst, off this path
    for (const name of v.drop(store)) store.db.exec(`DROP INDEX ${name}`);
    const parent = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example' }).id;
    let cpu = 0;
    let wall = 0;
    for (let start = 0; start < JOBS; start += BATCH * v.group) {
      const batches = Array.from({ length: v.group }, (_, g) => discoveredItems(start + g * BATCH, BATCH));
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      store.transaction(() => {
        for (const b of batches) store.jobs.insertDiscoveredJobs(parent, b);
      });
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
      wall += (performance.now() - t0) * 1000;
    }
    return { cpu: cpu / JOBS, wall: wall / JOBS };
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`store-level ingest, ${JOBS.toLocaleString('en')} discovered jobs in batches of ${BATCH}, median of ${REPS} — ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}\n`);
console.log('| variant | CPU µs/job | wall µs/job | jobs/s (wall) |\n|---|---:|---:|---:|');
for (const v of VARIANTS) {
  const runs = Array.from({ length: REPS }, () => run(v));
  const cpu = median(runs.map((r) => r.cpu));
  const wall = median(runs.map((r) => r.wall));
  console.log(`| ${v.name} | ${cpu.toFixed(1)} | ${wall.toFixed(1)} | ${Math.round(1e6 / wall).toLocaleString('en')} |`);
}
