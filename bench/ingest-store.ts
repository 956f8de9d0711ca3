/**
 * `npx tsx bench/ingest-store.ts [--jobs 100000] [--reps 3]`: what a discovered
 * job costs the store, without the socket. Each variant inserts the scale
 * bench's discovered jobs (1,000 per batch, one transaction each, as
 * `jobs_discovered` does) into a fresh store and reports the median over
 * `reps` runs of main-thread CPU and wall time per job. CPU time is the figure
 * to compare on a shared machine (wall time includes other processes' turns).
 *
 * Variants: as on main before migration 010 (the namespace_path index back on
 * `jobs`, entries at random places as a crawl's paths interleave groups); as
 * now (that order filled off the insert path); with no index but the primary
 * key (the floor of the row itself); and as now with several batches per
 * transaction (what group commit saves).
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
  setup: (store: Store) => void;
  /** Batches per transaction. */
  group: number;
}

const jobsIndexes = (store: Store) =>
  (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL").all() as { name: string }[]).map(
    (r) => r.name,
  );

const VARIANTS: Variant[] = [
  { name: 'before: jobs_sort_namespace on jobs', setup: (s) => s.db.exec('CREATE INDEX jobs_sort_namespace ON jobs (namespace_path)'), group: 1 },
  { name: 'now: path order off the insert path', setup: () => undefined, group: 1 },
  { name: 'primary key only', setup: (s) => jobsIndexes(s).forEach((name) => s.db.exec(`DROP INDEX ${name}`)), group: 1 },
  { name: 'now, 4 batches a transaction', setup: () => undefined, group: 4 },
];

function run(v: Variant): { cpu: number; wall: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-store-'));
  const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
  try {
    // the search index and the path order are filled after a burst, off this path
    store.jobs.textIndex.stop();
    store.jobs.pathOrder.stop();
    store.jobs.nameOrder.stop();
    v.setup(store);
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
