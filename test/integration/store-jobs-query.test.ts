/**
 * The Jobs screen's query at scale (issue 14) returns exactly what the plain
 * query did: same rows, same order, same totals, for every filter and sort,
 * by offset and by keyset cursor, on a varied store with ties in every sort key
 * and NULLs in the nullable ones. The oracle is the old query, written out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeyCipher, openStore, type Store } from '../../src/main/store';
import { PATH_SORT } from '../../src/main/store/job-list';
import { JOB_SORT_FIELDS, JOB_STATUSES, type JobSortField, type ListJobsQuery } from '../../src/shared/jobs';

let dir: string;
let store: Store;

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['Alpha', 'alpha', 'ALPHA-tools', 'beta_gamma', '100%done', 'Ümlaut-Ärger', 'x', 'gitlab-org', 'GitLab-Runner', 'a\\b'];
const CRAWLERS = ['c1', 'c2', 'c3'];
const TYPES = ['crawl_project', 'crawl_group', 'crawl_user', 'discover_namespaces', 'custom_type'];

// Every sort by path through the maintained order (job_path_order), however few rows a filter matches.
const directMax = PATH_SORT.directMax;
PATH_SORT.directMax = 0;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-jobs-query-'));
  store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir), now: () => 1_700_000_000_000 });
  // The search index is filled by hand here, so the queries meet every state of it:
  // rows indexed, rows changed after indexing, rows not indexed yet.
  store.jobs.textIndex.stop();
  // So is the namespace_path order (migration 009): rows ordered, changed after, not ordered yet.
  store.jobs.pathOrder.stop();
  const rnd = prng(14);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const maybe = <T>(v: T, p = 0.7): T | null => (rnd() < p ? v : null);
  const parents = [0, 1, 2].map((i) =>
    store.jobs.insertJob({ id: `parent-${i}`, job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com', created_at: 1000 }),
  );
  for (let i = 0; i < 1500; i++) {
    if (i === 900) store.jobs.textIndex.catchUp();
    if (i === 700) store.jobs.pathOrder.catchUp();
    const parent = rnd() < 0.4 ? pick(parents).id : null;
    store.jobs.insertJob({
      id: rnd() < 0.1 ? `Job-${pick(NAMES)}-${i}` : undefined,
      job_type: pick(TYPES),
      gitlab_host: 'gitlab.example.com',
      entity_id: parent ? `e${i}` : maybe(String(Math.floor(rnd() * 50))), // a parent has one child per entity
      namespace_path: maybe(`${pick(NAMES)}/${pick(NAMES)}`),
      entity_name: maybe(pick(NAMES)),
      // few distinct values: many ties in every sort key
      priority: Math.floor(rnd() * 4) - 1,
      status: pick(JOB_STATUSES),
      origin: parent ? 'discovery' : pick(['operator', 'crawler'] as const),
      parent_job_id: parent,
      created_at: 1000 + Math.floor(rnd() * 20),
      attempts: Math.floor(rnd() * 3),
    });
  }
  // Columns set later (through UPDATE, so the triggers keep counts and search in step).
  const ids = (store.db.prepare('SELECT id FROM jobs').all() as { id: string }[]).map((r) => r.id);
  const update = store.db.prepare(
    `UPDATE jobs SET leased_to = ?, started_at = ?, finished_at = ?, overall_completion = ?, updated_at = ?,
       status = coalesce(?, status), entity_name = coalesce(?, entity_name),
       namespace_path = CASE WHEN ? THEN ? ELSE namespace_path END WHERE id = ?`,
  );
  for (const id of ids) {
    update.run(
      maybe(pick(CRAWLERS), 0.5),
      maybe(2000 + Math.floor(rnd() * 10), 0.5),
      maybe(3000 + Math.floor(rnd() * 10), 0.4),
      maybe(Math.floor(rnd() * 5) / 4, 0.5),
      1000 + Math.floor(rnd() * 30),
      rnd() < 0.1 ? pick(JOB_STATUSES) : null,
      rnd() < 0.05 ? `renamed ${pick(NAMES)}` : null,
      // a few paths change (or become NULL) after they were ordered
      ...(rnd() < 0.05 ? [1, maybe(`moved/${pick(NAMES)}`)] : [0, null]),
      id,
    );
  }
  // Deleted jobs leave the counts and the search index too.
  store.db.prepare("DELETE FROM jobs WHERE rowid % 17 = 0 AND id NOT LIKE 'parent-%'").run();
  // Part of the rows written after the first indexing: the mark stops in the middle of the table.
  store.jobs.textIndex.indexSome(250);
  store.jobs.pathOrder.indexSome(300);
});

afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The query as it was before issue 14: a plain WHERE, ORDER BY column then rowid, OFFSET paging, COUNT(*). */
function oracle(q: ListJobsQuery & { sort: JobSortField; dir: 'asc' | 'desc' }): { ids: string[]; total: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly string[] | undefined) => {
    if (!values?.length) return;
    where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  inList('status', q.status);
  inList('job_type', q.job_type);
  inList('origin', q.origin);
  if (q.crawler !== undefined) {
    where.push('leased_to = ?');
    params.push(q.crawler);
  }
  if (q.parent_job_id !== undefined) {
    where.push('parent_job_id = ?');
    params.push(q.parent_job_id);
  }
  if (q.text) {
    const like = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push("(id LIKE ? ESCAPE '\\' OR entity_id LIKE ? ESCAPE '\\' OR namespace_path LIKE ? ESCAPE '\\' OR entity_name LIKE ? ESCAPE '\\')");
    params.push(like, like, like, like);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const d = q.dir === 'asc' ? 'ASC' : 'DESC';
  const ids = (store.db.prepare(`SELECT id FROM jobs ${w} ORDER BY ${q.sort} ${d}, rowid ${d}`).all(...params) as { id: string }[]).map((r) => r.id);
  return { ids, total: ids.length };
}

/** Every page through the keyset cursor, concatenated. */
function walk(q: ListJobsQuery, limit: number): string[] {
  const out: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = store.jobs.listJobs({ ...q, limit, ...(after !== undefined && { after }) });
    out.push(...page.jobs.map((j) => j.id));
    if (page.next_cursor === null) return out;
    after = page.next_cursor;
  }
  throw new Error('the cursor walk did not end');
}

/** Same rows, same order, same total as the oracle: first page, a deep page, and the whole cursor walk. */
function expectSameAsOracle(filter: ListJobsQuery, sorts: readonly JobSortField[] = JOB_SORT_FIELDS): number {
  let nonEmpty = 0;
  for (const sort of sorts) {
    for (const dir of ['asc', 'desc'] as const) {
      const q = { ...filter, sort, dir };
      const want = oracle(q);
      if (want.total > 0) nonEmpty++;
      const first = store.jobs.listJobs({ ...q, limit: 50 });
      expect(first.total, `${sort} ${dir} total`).toBe(want.total);
      expect(first.total_exact).toBe(true);
      expect(first.jobs.map((j) => j.id), `${sort} ${dir} first page`).toEqual(want.ids.slice(0, 50));
      // A deep page by offset (past the middle: read from the other end).
      const deep = Math.max(0, want.total - 37);
      expect(store.jobs.listJobs({ ...q, limit: 50, offset: deep }).jobs.map((j) => j.id), `${sort} ${dir} deep`).toEqual(
        want.ids.slice(deep, deep + 50),
      );
      expect(walk(q, 61), `${sort} ${dir} cursor walk`).toEqual(want.ids);
    }
  }
  return nonEmpty;
}

const FILTERS: Record<string, ListJobsQuery> = {
  none: {},
  status: { status: ['running'] },
  statuses: { status: ['queued', 'failed', 'waiting_credentials'] },
  job_type: { job_type: ['crawl_group'] },
  origin: { origin: ['discovery'] },
  crawler: { crawler: 'c2' },
  parent: { parent_job_id: 'parent-1' },
  'text (trigram)': { text: 'alpha' },
  'text (two chars)': { text: 'GI' },
  'text (LIKE metacharacters)': { text: '100%' },
  'text (underscore)': { text: 'a_g' },
  'text (backslash)': { text: 'a\\b' },
  'text (non-ASCII)': { text: 'Ärger' },
  'text (job id)': { text: 'job-alpha' },
  'text + status': { text: 'lab', status: ['queued'] },
  'crawler + type': { crawler: 'c1', job_type: ['crawl_project'] },
};

describe('listJobs at scale returns what the plain query returned', () => {
  for (const [name, filter] of Object.entries(FILTERS)) {
    it(`filter ${name}: every sort and direction, by offset and by cursor`, () => {
      expect(expectSameAsOracle(filter)).toBeGreaterThan(0);
    });
  }

  it('the search index was only partly filled while the searches above ran', () => {
    const max = (store.db.prepare('SELECT max(rowid) AS n FROM jobs').get() as { n: number }).n;
    expect(store.jobs.textIndex.indexedUpto()).toBeGreaterThan(0);
    expect(store.jobs.textIndex.indexedUpto()).toBeLessThan(max);
    expect(store.jobs.textIndex.backlog()).toBeGreaterThan(100);
  });

  it('the namespace_path order was only partly filled while the sorts above ran', () => {
    const max = (store.db.prepare('SELECT max(rowid) AS n FROM jobs').get() as { n: number }).n;
    expect(store.jobs.pathOrder.indexedUpto()).toBeGreaterThan(0);
    expect(store.jobs.pathOrder.indexedUpto()).toBeLessThan(max);
    expect(store.jobs.pathOrder.backlog()).toBeGreaterThan(100);
    // Ordered rows with a NULL path and unordered ones with a NULL path both exist (the sentinel key meets NULL).
    const nulls = store.db.prepare('SELECT rowid AS r FROM jobs WHERE namespace_path IS NULL').all() as { r: number }[];
    expect(nulls.some((n) => n.r <= store.jobs.pathOrder.indexedUpto())).toBe(true);
    expect(nulls.some((n) => n.r > store.jobs.pathOrder.indexedUpto())).toBe(true);
  });

  it('an offset after a cursor continues across the NULL boundary', () => {
    const q = { sort: 'finished_at', dir: 'desc' } as const;
    const want = oracle(q).ids;
    const firstNull = want.findIndex((id) => store.jobs.getJob(id)?.finished_at === null);
    expect(firstNull).toBeGreaterThan(10);
    const page = store.jobs.listJobs({ ...q, limit: 5 });
    const next = store.jobs.listJobs({ ...q, limit: 20, after: page.next_cursor!, offset: firstNull - 8 });
    expect(next.jobs.map((j) => j.id)).toEqual(want.slice(firstNull - 3, firstNull + 17));
  });

  it('counts follow inserts, updates and deletes', () => {
    const byStatus = store.jobs.countByStatus();
    for (const s of JOB_STATUSES) {
      expect(byStatus[s], s).toBe((store.db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE status = ?').get(s) as { n: number }).n);
    }
  });

  it('counts follow discovered batches, duplicates not counted', () => {
    const items = ['e-new-1', 'e-new-2', 'e-new-1', 'e3'].map((entity_id, i) => ({
      job_type: i === 1 ? 'crawl_group' : 'crawl_project',
      entity_id,
      namespace_path: `new/${entity_id}`,
      entity_name: entity_id,
      priority: 1,
    })) as Parameters<typeof store.jobs.insertDiscoveredJobs>[1];
    const result = store.jobs.insertDiscoveredJobs('parent-2', items);
    expect(result.created.map((j) => j.entity_id)).toEqual(['e-new-1', 'e-new-2', ...(result.created.length === 3 ? ['e3'] : [])]);
    expect(result.duplicates).toBe(items.length - result.created.length);
    const kept = store.db.prepare('SELECT status, job_type, origin, n FROM job_counts WHERE n > 0 ORDER BY 1, 2, 3').all();
    const actual = store.db.prepare('SELECT status, job_type, origin, COUNT(*) AS n FROM jobs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').all();
    expect(kept).toEqual(actual);
    // No row for a job without children (a count that fell to 0 is deleted, migration 009).
    const children = store.db.prepare('SELECT parent_job_id, n FROM job_children ORDER BY 1').all();
    expect(children).toEqual(
      store.db.prepare('SELECT parent_job_id, COUNT(*) AS n FROM jobs WHERE parent_job_id IS NOT NULL GROUP BY 1 ORDER BY 1').all(),
    );
  });

  it("children counts follow a parent's deletion (its children lose their parent)", () => {
    const p = store.jobs.insertJob({ id: 'parent-gone', job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
    store.jobs.insertDiscoveredJobs(p.id, [{ job_type: 'crawl_project', entity_id: 'gone-1', namespace_path: 'g/1', entity_name: '1', priority: 1 }]);
    expect(store.jobs.listJobs({ parent_job_id: p.id }).total).toBe(1);
    store.db.prepare('DELETE FROM jobs WHERE id = ?').run(p.id);
    expect(store.jobs.listJobs({ parent_job_id: p.id }).total).toBe(0);
    expect(store.db.prepare("SELECT parent_job_id FROM jobs WHERE entity_id = 'gone-1'").get()).toEqual({ parent_job_id: null });
    expect(store.db.prepare("SELECT n FROM job_children WHERE parent_job_id = 'parent-gone'").get()).toBeUndefined();
  });

  it('a children count that falls to 0 leaves no row behind (child deleted or moved)', () => {
    const p = store.jobs.insertJob({ id: 'parent-emptied', job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
    const q = store.jobs.insertJob({ id: 'parent-other', job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
    const items = ['x-1', 'x-2'].map((entity_id) => ({ job_type: 'crawl_project' as const, entity_id, namespace_path: `x/${entity_id}`, entity_name: entity_id, priority: 1 }));
    const [a, b] = store.jobs.insertDiscoveredJobs(p.id, items).created;
    const count = (id: string) => (store.db.prepare('SELECT n FROM job_children WHERE parent_job_id = ?').get(id) as { n: number } | undefined)?.n;
    expect(count(p.id)).toBe(2);
    store.db.prepare('DELETE FROM jobs WHERE id = ?').run(a!.id);
    store.db.prepare('UPDATE jobs SET parent_job_id = ? WHERE id = ?').run(q.id, b!.id);
    expect(count(p.id)).toBeUndefined();
    expect(count(q.id)).toBe(1);
    expect(store.jobs.listJobs({ parent_job_id: p.id }).total).toBe(0);
  });

  it('refuses a cursor it did not give out, or one from another sort', () => {
    expect(() => store.jobs.listJobs({ after: 'not-a-cursor' })).toThrow(expect.objectContaining({ code: 'invalid' }));
    const { next_cursor } = store.jobs.listJobs({ sort: 'priority', limit: 3 });
    expect(() => store.jobs.listJobs({ sort: 'created_at', after: next_cursor! })).toThrow(/another sort order/);
  });

  const TEXT_FILTERS = Object.entries(FILTERS).filter(([, f]) => f.text !== undefined);

  it('once the namespace_path order has caught up, every query returns the same', () => {
    store.jobs.pathOrder.catchUp();
    expect(store.jobs.pathOrder.backlog()).toBe(0);
    const rows = (store.db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM job_path_order').get() as { n: number }).n).toBe(rows);
    for (const [name, filter] of Object.entries(FILTERS)) expect(expectSameAsOracle(filter, ['namespace_path']), name).toBeGreaterThan(0);
  });

  it('filters matching few jobs sort them directly by path, with the same result', () => {
    PATH_SORT.directMax = directMax;
    try {
      for (const [name, filter] of Object.entries(FILTERS)) expect(expectSameAsOracle(filter, ['namespace_path']), name).toBeGreaterThan(0);
    } finally {
      PATH_SORT.directMax = 0;
    }
  });

  it('an offset after a cursor in namespace_path order continues from ordered into not yet ordered rows', () => {
    const p = store.jobs.insertJob({ id: 'path-parent', job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
    store.jobs.insertDiscoveredJobs(
      p.id,
      ['alpha/zz', 'Alpha/a', 'alpha/zz', 'beta_gamma/b'].map((namespace_path, i) => ({
        job_type: 'crawl_project' as const,
        entity_id: `path-${i}`,
        namespace_path,
        entity_name: `path ${i}`,
        priority: 1,
      })),
    );
    expect(store.jobs.pathOrder.backlog()).toBe(5);
    for (const dir of ['asc', 'desc'] as const) {
      const want = oracle({ sort: 'namespace_path', dir }).ids;
      const page = store.jobs.listJobs({ sort: 'namespace_path', dir, limit: 7 });
      const next = store.jobs.listJobs({ sort: 'namespace_path', dir, limit: 40, after: page.next_cursor!, offset: 300 });
      expect(next.jobs.map((j) => j.id), dir).toEqual(want.slice(307, 347));
      expect(walk({ sort: 'namespace_path', dir }, 97), dir).toEqual(want);
    }
  });

  it('once the index has caught up, text searches return the same', () => {
    store.jobs.textIndex.catchUp();
    expect(store.jobs.textIndex.backlog()).toBe(0);
    for (const [name, filter] of TEXT_FILTERS) expect(expectSameAsOracle(filter), name).toBeGreaterThan(0);
  });

  it('rows whose rowids SQLite hands out again (after the newest were deleted) are found, indexed or not', () => {
    store.jobs.textIndex.catchUp();
    store.jobs.pathOrder.catchUp();
    const newest = store.db.prepare('SELECT rowid AS r FROM jobs ORDER BY rowid DESC LIMIT 5').all() as { r: number }[];
    store.db.prepare(`DELETE FROM jobs WHERE rowid >= ?`).run(newest.at(-1)!.r);
    // The mark follows the table down: the next inserts take those rowids and are not in the index.
    expect(store.jobs.textIndex.indexedUpto()).toBeLessThan(newest.at(-1)!.r);
    expect(store.jobs.pathOrder.indexedUpto()).toBeLessThan(newest.at(-1)!.r);
    for (let i = 0; i < 8; i++) {
      store.jobs.insertJob({ id: `reused-${i}`, job_type: 'crawl_project', namespace_path: `Zeta-reuse/${i}`, created_at: 1005 });
    }
    const reused = store.db.prepare("SELECT rowid AS r FROM jobs WHERE id LIKE 'reused-%' ORDER BY rowid").all() as { r: number }[];
    expect(reused[0]!.r).toBe(newest.at(-1)!.r);
    const before = store.jobs.listJobs({ text: 'zeta-reuse', sort: 'created_at', dir: 'asc', limit: 50 });
    expect(before.jobs.map((j) => j.id)).toEqual(oracle({ text: 'zeta-reuse', sort: 'created_at', dir: 'asc' }).ids);
    expect(before.total).toBe(8);
    expect(store.jobs.pathOrder.backlog()).toBe(8);
    expect(expectSameAsOracle({}, ['namespace_path'])).toBeGreaterThan(0);
    store.jobs.pathOrder.catchUp();
    expect(expectSameAsOracle({}, ['namespace_path'])).toBeGreaterThan(0);
    store.jobs.textIndex.catchUp();
    for (const [name, filter] of [...TEXT_FILTERS, ['reused', { text: 'zeta-reuse' }] as const]) {
      expect(expectSameAsOracle(filter), name).toBeGreaterThan(0);
    }
  });

  it('the search index fills itself in the background after inserts', async () => {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-jobs-text-'));
    const other = openStore({ dataDir: otherDir, cipher: createFileKeyCipher(dir) });
    try {
      other.jobs.insertJob({ id: 'p', job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
      const items = Array.from({ length: 5000 }, (_, i) => ({
        job_type: 'crawl_project' as const,
        entity_id: String(i + 1),
        namespace_path: `g/p-${i}`,
        entity_name: `P ${i}`,
        priority: 1,
      }));
      other.jobs.insertDiscoveredJobs('p', items);
      expect(other.jobs.textIndex.backlog()).toBe(5001);
      for (let i = 0; i < 400 && other.jobs.textIndex.backlog() > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(other.jobs.textIndex.backlog()).toBe(0);
      expect(other.jobs.listJobs({ text: 'p-4999' }).jobs.map((j) => j.namespace_path)).toEqual(['g/p-4999']);
    } finally {
      other.close();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('a text search that matches more than it counts says its total is a lower bound', async () => {
    const { TEXT_COUNT_CAP } = await import('../../src/main/store/job-list');
    const matching = store.jobs.listJobs({ text: 'gitlab.example' }); // matches no searched column
    expect(matching.total).toBe(0);
    const wide = store.jobs.listJobs({ text: '-' });
    expect(wide.total_exact).toBe(wide.total <= TEXT_COUNT_CAP);
  });
});
