/**
 * `npx tsx bench/ingest-store.ts [--jobs 100000] [--reps 3] [--shape bench|real|wild]`: what a
 * discovered job costs the store, without the socket. Each variant inserts discovered jobs into
 * a fresh store, as `jobs_discovered` does, and reports the median over `reps` runs of CPU time
 * (the process: the WAL worker included) and of main-thread time inside `insertDiscoveredJobs`,
 * per job. The variants run interleaved (one of each, then again), so a machine whose speed
 * drifts during the run moves them all alike.
 *
 * Shapes:
 * - `bench`: the scale bench's data, 1,000 a batch, entity ids ascending;
 * - `real`: a whole discovery of the bench's items as the console takes it: entity ids in no order, a
 *   window of 50,000 items sorted by entity id (DiscoverySplitter's default), in parts of 2,000;
 * - `wild`: the same, with the crawler in the wild's items (wildDiscoveredItems: five keys, groups and
 *   projects, priority 1, no estimated_size).
 *
 * A batch goes in as the console writes it, with no transaction open (the statement is its own, and
 * keeps no statement journal: migration 014); only the grouped variant opens one around its batches.
 *
 * Variants: as now; as before migration 010 (the namespace_path index back on `jobs`); and the
 * schema's per-job costs one at a time, each removed for the measurement only: the entity rules'
 * insert trigger (migrations 012-013), the foreign key check of `parent_job_id`, the four sort
 * indexes whose key a queued job does not have yet (started_at, finished_at, overall_completion,
 * attempts); every index but the primary key (the floor of the row itself); and as now with
 * several batches a transaction (what group commit saves).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BATCH_ITEMS, DEFAULT_WINDOW_ITEMS } from '../src/shared/protocol/discovery-splitter';
import { createFileKeyCipher, openStore, type Store } from '../src/main/store';
import { discoveredItems, wildDiscoveredItems } from './discovered-items';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '100000' }, reps: { type: 'string', default: '3' }, shape: { type: 'string', default: 'bench' } },
});
const JOBS = Number(values.jobs);
const REPS = Number(values.reps);
if (values.shape !== 'bench' && values.shape !== 'real' && values.shape !== 'wild') throw new Error('--shape is bench, real or wild');
const WILD = values.shape === 'wild';
/** A whole discovery: ids in no order, windows sorted, parts of a splitter's size. */
const REAL = values.shape === 'real' || WILD;
const BATCH = REAL ? BATCH_ITEMS : 1000;
const WINDOW = REAL ? DEFAULT_WINDOW_ITEMS : BATCH;

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
  { name: 'now', setup: () => undefined, group: 1 },
  { name: 'before 010: jobs_sort_namespace on jobs', setup: (s) => s.db.exec('CREATE INDEX jobs_sort_namespace ON jobs (namespace_path)'), group: 1 },
  { name: 'without the entity rules’ insert trigger', setup: (s) => s.db.exec('DROP TRIGGER jobs_entity_rules_insert'), group: 1 },
  { name: 'foreign keys off', setup: (s) => s.db.pragma('foreign_keys = OFF'), group: 1 },
  {
    name: 'without the sort indexes of started_at, finished_at, overall_completion, attempts',
    setup: (s) => ['started', 'finished', 'completion', 'attempts'].forEach((c) => s.db.exec(`DROP INDEX jobs_sort_${c}`)),
    group: 1,
  },
  {
    name: 'primary key only (nor the entity rules, which read their index)',
    setup: (s) => {
      s.db.exec('DROP TRIGGER jobs_entity_rules_insert; DROP TRIGGER jobs_entity_rules_update');
      jobsIndexes(s).forEach((name) => s.db.exec(`DROP INDEX ${name}`));
    },
    group: 1,
  },
  { name: 'now, 4 batches a transaction', setup: () => undefined, group: 4 },
];

/** The batches in the order the store gets them: each window sorted by entity id (stably), cut in batches. */
type Item = Parameters<Store['jobs']['insertDiscoveredJobs']>[1][number];

function* batches(): Generator<Item[]> {
  for (let start = 0; start < JOBS; start += WINDOW) {
    const n = Math.min(WINDOW, JOBS - start);
    const items: Item[] = WILD ? wildDiscoveredItems(start, n) : discoveredItems(start, n, { scatteredIds: REAL });
    if (REAL) items.sort((a, b) => (a.entity_id < b.entity_id ? -1 : a.entity_id > b.entity_id ? 1 : 0));
    for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH);
  }
}

function run(v: Variant): { cpu: number; main: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-store-'));
  const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
  try {
    // the search index and the sort orders are filled after a burst, off this path
    for (const fill of store.jobs.fills) fill.stop();
    v.setup(store);
    const parent = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example' }).id;
    let cpu = 0;
    let main = 0;
    let group: Item[][] = [];
    const insert = () => {
      for (const b of group) store.jobs.insertDiscoveredJobs(parent, b);
    };
    const flush = () => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      if (group.length === 1) insert();
      else store.transaction(insert);
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
      main += (performance.now() - t0) * 1000;
      group = [];
    };
    for (const b of batches()) {
      group.push(b);
      if (group.length === v.group) flush();
    }
    if (group.length > 0) flush();
    return { cpu: cpu / JOBS, main: main / JOBS };
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const shape = REAL ? `${WILD ? "the crawler in the wild's items" : "the bench's items"}, a whole discovery's shape (ids in no order, windows of ${WINDOW.toLocaleString('en')} sorted, parts of ${BATCH.toLocaleString('en')})` : `batches of ${BATCH}, ids ascending`;
console.log(`store-level ingest, ${JOBS.toLocaleString('en')} discovered jobs, ${shape}, median of ${REPS}, interleaved — ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}\n`);
const runs = new Map<Variant, { cpu: number; main: number }[]>(VARIANTS.map((v) => [v, []]));
for (let r = 0; r < REPS; r++) for (const v of VARIANTS) runs.get(v)!.push(run(v));
const base = median(runs.get(VARIANTS[0]!)!.map((x) => x.main));
console.log('| variant | CPU µs/job | main thread µs/job | against now | jobs/s (main thread) |\n|---|---:|---:|---:|---:|');
for (const v of VARIANTS) {
  const cpu = median(runs.get(v)!.map((x) => x.cpu));
  const main = median(runs.get(v)!.map((x) => x.main));
  console.log(`| ${v.name} | ${cpu.toFixed(1)} | ${main.toFixed(1)} | ${(main / base).toFixed(2)} | ${Math.round(1e6 / main).toLocaleString('en')} |`);
}
