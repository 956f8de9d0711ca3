/**
 * `npx tsx bench/search-probe.ts [jobs=1000000]`: the Jobs screen's free-text search
 * at scale, without the socket. Builds (once, in the system's temp folder) a store of
 * that many jobs with paths `group-N/sub-M/…` by plain SQL — the row, its counts, its
 * trigram index and its path order, as the console's background steps would leave
 * them — then prints the median of 5 for rare and common terms under three sorts.
 * What the scale bench reaches through the real socket in minutes, this reaches in
 * about one, so a change to the search can be measured before and after in one sitting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createFileKeyCipher, openStore } from '../src/main/store';
import { JobLister } from '../src/main/store/job-list';

const N = Number(process.argv[2] ?? 1_000_000);
const dir = path.join(os.tmpdir(), `crawl-console-search-probe-${N}`);
const file = path.join(dir, 'console.db');
if (!fs.existsSync(file)) {
  fs.mkdirSync(dir, { recursive: true });
  openStore({ file, cipher: createFileKeyCipher(dir) }).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const t0 = Date.now();
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${N})
    INSERT INTO jobs (id, job_type, gitlab_host, entity_id, namespace_path, entity_name, priority, status, origin, created_at, updated_at)
    SELECT printf('%08x-0000-7000-8000-%012x', i, i),
      CASE i % 5 WHEN 3 THEN 'crawl_group' WHEN 4 THEN 'crawl_user' ELSE 'crawl_project' END,
      'gitlab.example.com', CAST(100000 + i AS TEXT),
      printf('group-%d/sub-%d/%s-%d', i % 997, i % 31, CASE i % 5 WHEN 4 THEN 'user' ELSE 'project' END, i),
      printf('%s %d', CASE i % 5 WHEN 4 THEN 'User' ELSE 'Project' END, i),
      1 + i % 3, CASE i % 7 WHEN 0 THEN 'failed' WHEN 1 THEN 'completed' ELSE 'queued' END, 'discovery', 1700000000000 + i, 1700000000000 + i
    FROM n;
    -- what the insert path counts per batch, and the two background steps fill after a burst
    DELETE FROM job_counts;
    INSERT INTO job_counts (status, job_type, origin, n) SELECT status, job_type, origin, COUNT(*) FROM jobs GROUP BY 1, 2, 3;
    INSERT INTO jobs_text (rowid, body) SELECT rowid, concat_ws(char(31), id, entity_id, namespace_path, entity_name) FROM jobs;
    UPDATE jobs_text_state SET indexed_upto = (SELECT max(rowid) FROM jobs) WHERE id = 1;
    INSERT INTO job_path_order (path_key, job_rowid) SELECT coalesce(namespace_path, 0), rowid FROM jobs ORDER BY 1, 2;
    UPDATE job_path_order_state SET indexed_upto = (SELECT max(rowid) FROM jobs) WHERE id = 1;
  `);
  console.log(`built ${N.toLocaleString('en-US')} jobs in ${Date.now() - t0} ms (${file})`);
  db.close();
}
const db = new Database(file, { readonly: true });
db.pragma('cache_size = -32768');
const lister = new JobLister(db);
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const text of ['project-4242', 'group-42/', 'sub-7/', 'Project 99', 'zzz-none', 'oup-1']) {
  for (const sort of ['updated_at', 'priority', 'namespace_path'] as const) {
    const times: number[] = [];
    let shown = '';
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      const page = lister.list({ text, sort, dir: 'desc', limit: 100, offset: 0 });
      times.push(performance.now() - t);
      shown = `${page.total}${page.total_exact ? '' : '+'}`;
    }
    console.log(`${JSON.stringify(text).padEnd(16)} ${sort.padEnd(15)} ${median(times).toFixed(1).padStart(7)} ms  total ${shown}`);
  }
}
db.close();
