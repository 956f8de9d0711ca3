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
import { JobLister, ORDER_SORT } from '../../src/main/store/job-list';
import { JOB_SORT_FIELDS, JOB_STATUSES, type JobSortField, type ListJobsQuery } from '../../src/shared/jobs';
import { mulberry32 as prng } from '../../src/simulator/prng';

let dir: string;
let store: Store;


const NAMES = ['Alpha', 'alpha', 'ALPHA-tools', 'beta_gamma', '100%done', 'Ümlaut-Ärger', 'x', 'gitlab-org', 'GitLab-Runner', 'a\\b'];
const CRAWLERS = ['c1', 'c2', 'c3'];
const TYPES = ['crawl_project', 'crawl_group', 'crawl_user', 'discover_namespaces', 'custom_type'];

// Every sort by path through the maintained order (job_path_order), however few rows a filter matches.
const directMax = ORDER_SORT.directMax;
ORDER_SORT.directMax = 0;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-jobs-query-'));
  store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir), now: () => 1_700_000_000_000 });
  // The search index is filled by hand here, so the queries meet every state of it:
  // rows indexed, rows changed after indexing, rows not indexed yet.
  store.jobs.textIndex.stop();
  // So are the namespace_path and entity_name orders (migrations 010, 011): rows ordered, changed after, not ordered yet.
  store.jobs.pathOrder.stop();
  store.jobs.nameOrder.stop();
  const rnd = prng(14);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const maybe = <T>(v: T, p = 0.7): T | null => (rnd() < p ? v : null);
  const parents = [0, 1, 2].map((i) =>
    store.jobs.insertJob({ id: `parent-${i}`, job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com', created_at: 1000 }),
  );
  for (let i = 0; i < 1500; i++) {
    if (i === 900) store.jobs.textIndex.catchUp();
    if (i === 700) store.jobs.pathOrder.catchUp();
    if (i === 500) store.jobs.nameOrder.catchUp();
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
  store.jobs.nameOrder.indexSome(200);
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

/** A page of the list under test: the store's listJobs, or a JobLister with other limits. */
type Page = { ids: string[]; total: number; total_exact: boolean; next_cursor: string | null };
type ListFn = (q: ListJobsQuery) => Page;
const viaStore: ListFn = (q) => {
  const page = store.jobs.listJobs(q);
  return { ...page, ids: page.jobs.map((j) => j.id) };
};
/** A lister whose text plans change at small sizes, so this store meets each of them. */
function viaLister(lister: JobLister): ListFn {
  return (q) => {
    const page = lister.list({ sort: 'created_at', dir: 'desc', limit: 100, offset: 0, ...q });
    return { ...page, ids: page.rows.map((r) => r.id as string) };
  };
}

/** Every page through the keyset cursor, concatenated. */
function walk(q: ListJobsQuery, limit: number, list: ListFn = viaStore): string[] {
  const out: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = list({ ...q, limit, ...(after !== undefined && { after }) });
    out.push(...page.ids);
    if (page.next_cursor === null) return out;
    after = page.next_cursor;
  }
  throw new Error('the cursor walk did not end');
}

/**
 * Same rows, same order, same total as the oracle: first page, a deep page, and the whole cursor walk.
 * A text search's total may be a lower bound (a common term): then it says so and is below the count.
 */
function expectSameAsOracle(filter: ListJobsQuery, list: ListFn = viaStore, limit = 50, sorts: readonly JobSortField[] = JOB_SORT_FIELDS): number {
  let nonEmpty = 0;
  for (const sort of sorts) {
    for (const dir of ['asc', 'desc'] as const) {
      const q = { ...filter, sort, dir };
      const want = oracle(q);
      if (want.total > 0) nonEmpty++;
      const first = list({ ...q, limit });
      if (first.total_exact || filter.text === undefined) {
        expect(first.total, `${sort} ${dir} total`).toBe(want.total);
        expect(first.total_exact).toBe(true);
      } else {
        expect(first.total, `${sort} ${dir} lower bound`).toBeLessThan(want.total);
        expect(first.total).toBeGreaterThanOrEqual(Math.min(first.ids.length, 1));
      }
      expect(first.ids, `${sort} ${dir} first page`).toEqual(want.ids.slice(0, limit));
      // A deep page by offset (past the middle: read from the other end), and one just past the first.
      const deep = Math.max(0, want.total - 37);
      expect(list({ ...q, limit, offset: deep }).ids, `${sort} ${dir} deep`).toEqual(want.ids.slice(deep, deep + limit));
      expect(list({ ...q, limit, offset: 7 }).ids, `${sort} ${dir} offset 7`).toEqual(want.ids.slice(7, 7 + limit));
      expect(walk(q, limit + 11, list), `${sort} ${dir} cursor walk`).toEqual(want.ids);
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

/**
 * Common and rare terms, alone and with other filters, through a lister whose plan thresholds are
 * scaled to this store (a term in a few rows is "common" here as one in thousands is at a million):
 * every plan must have answered at least once, and every answer must be the oracle's.
 */
function expectEveryTextPlan(): void {
  const lister = new JobLister(store.db, { probe: 8, count: 60, walkBudget: 240, exactScope: 0 });
  const list = viaLister(lister);
  const terms: ListJobsQuery[] = [
    { text: 'alpha' }, // common: in about half the rows
    { text: 'gitlab-' },
    { text: 'a/x' },
    { text: 'lab', status: ['queued', 'running'] },
    { text: 'alpha', crawler: 'c1' },
    { text: 'Ärger' }, // rare enough to be listed
    { text: 'job-alpha' },
    { text: 'nothing-like-it' },
  ];
  // Pages of different sizes: a walk's budget follows the page size, rare terms take many small pages.
  // (A walk that gives up has a test of its own below: here only the path sort put matches far apart,
  // and that sort is read from its own table since migration 010, never walked.)
  terms.forEach((filter, i) => expectSameAsOracle(filter, list, i < 5 ? 20 + 10 * i : 7));
  expect(lister.textPlans.listed, 'listed').toBeGreaterThan(0);
  expect(lister.textPlans.walked, 'walked').toBeGreaterThan(0);
  expect(lister.textPlans.indexed, 'indexed').toBeGreaterThan(0);
}

describe('listJobs at scale returns what the plain query returned', () => {
  for (const [name, filter] of Object.entries(FILTERS)) {
    it(`filter ${name}: every sort and direction, by offset and by cursor`, () => {
      expect(expectSameAsOracle(filter)).toBeGreaterThan(0);
    });
  }

  it('text searches answer the same whichever plan their term gets: listed, walked in sort order, or from the index', { timeout: 120_000 }, () => {
    expectEveryTextPlan();
  });

  it('the search index was only partly filled while the searches above ran', () => {
    const max = (store.db.prepare('SELECT max(rowid) AS n FROM jobs').get() as { n: number }).n;
    expect(store.jobs.textIndex.indexedUpto()).toBeGreaterThan(0);
    expect(store.jobs.textIndex.indexedUpto()).toBeLessThan(max);
    expect(store.jobs.textIndex.backlog()).toBeGreaterThan(100);
  });

  it('the namespace_path and entity_name orders were only partly filled while the sorts above ran', () => {
    const max = (store.db.prepare('SELECT max(rowid) AS n FROM jobs').get() as { n: number }).n;
    for (const [col, order] of [['namespace_path', store.jobs.pathOrder], ['entity_name', store.jobs.nameOrder]] as const) {
      expect(order.indexedUpto(), col).toBeGreaterThan(0);
      expect(order.indexedUpto(), col).toBeLessThan(max);
      expect(order.backlog(), col).toBeGreaterThan(100);
      // Ordered rows with a NULL and unordered ones with a NULL both exist (the sentinel key meets NULL).
      const nulls = store.db.prepare(`SELECT rowid AS r FROM jobs WHERE ${col} IS NULL`).all() as { r: number }[];
      expect(nulls.some((n) => n.r <= order.indexedUpto()), col).toBe(true);
      expect(nulls.some((n) => n.r > order.indexedUpto()), col).toBe(true);
    }
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
    expect(result.created.map((id) => store.jobs.getJob(id)!.entity_id)).toEqual(['e-new-1', 'e-new-2', ...(result.created.length === 3 ? ['e3'] : [])]);
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
    store.db.prepare('DELETE FROM jobs WHERE id = ?').run(a!);
    store.db.prepare('UPDATE jobs SET parent_job_id = ? WHERE id = ?').run(q.id, b!);
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

  it('once the namespace_path and entity_name orders have caught up, every query returns the same', () => {
    store.jobs.pathOrder.catchUp();
    store.jobs.nameOrder.catchUp();
    expect(store.jobs.pathOrder.backlog()).toBe(0);
    expect(store.jobs.nameOrder.backlog()).toBe(0);
    const rows = (store.db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM job_path_order').get() as { n: number }).n).toBe(rows);
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM job_name_order').get() as { n: number }).n).toBe(rows);
    for (const [name, filter] of Object.entries(FILTERS)) {
      expect(expectSameAsOracle(filter, viaStore, 50, ['namespace_path', 'entity_name']), name).toBeGreaterThan(0);
    }
  });

  it('filters matching few jobs sort them directly by path or name, with the same result', () => {
    ORDER_SORT.directMax = directMax;
    try {
      for (const [name, filter] of Object.entries(FILTERS)) {
        expect(expectSameAsOracle(filter, viaStore, 50, ['namespace_path', 'entity_name']), name).toBeGreaterThan(0);
      }
    } finally {
      ORDER_SORT.directMax = 0;
    }
  });

  it('an offset after a cursor in namespace_path or entity_name order continues from ordered into not yet ordered rows', () => {
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
    expect(store.jobs.nameOrder.backlog()).toBe(5);
    for (const sort of ['namespace_path', 'entity_name'] as const) {
      for (const dir of ['asc', 'desc'] as const) {
        const want = oracle({ sort, dir }).ids;
        const page = store.jobs.listJobs({ sort, dir, limit: 7 });
        const next = store.jobs.listJobs({ sort, dir, limit: 40, after: page.next_cursor!, offset: 300 });
        expect(next.jobs.map((j) => j.id), `${sort} ${dir}`).toEqual(want.slice(307, 347));
        expect(walk({ sort, dir }, 97), `${sort} ${dir}`).toEqual(want);
      }
    }
  });

  it('once the index has caught up, text searches return the same', { timeout: 120_000 }, () => {
    store.jobs.textIndex.catchUp();
    expect(store.jobs.textIndex.backlog()).toBe(0);
    for (const [name, filter] of TEXT_FILTERS) expect(expectSameAsOracle(filter), name).toBeGreaterThan(0);
  });

  it('once the index has caught up, every text plan still answers the same', { timeout: 120_000 }, () => {
    expect(store.jobs.textIndex.backlog()).toBe(0);
    expectEveryTextPlan();
  });

  it('rows whose rowids SQLite hands out again (after the newest were deleted) are found, indexed or not', { timeout: 120_000 }, () => {
    store.jobs.textIndex.catchUp();
    store.jobs.pathOrder.catchUp();
    store.jobs.nameOrder.catchUp();
    const newest = store.db.prepare('SELECT rowid AS r FROM jobs ORDER BY rowid DESC LIMIT 5').all() as { r: number }[];
    store.db.prepare(`DELETE FROM jobs WHERE rowid >= ?`).run(newest.at(-1)!.r);
    // The mark follows the table down: the next inserts take those rowids and are not in the index.
    expect(store.jobs.textIndex.indexedUpto()).toBeLessThan(newest.at(-1)!.r);
    expect(store.jobs.pathOrder.indexedUpto()).toBeLessThan(newest.at(-1)!.r);
    expect(store.jobs.nameOrder.indexedUpto()).toBeLessThan(newest.at(-1)!.r);
    for (let i = 0; i < 8; i++) {
      store.jobs.insertJob({ id: `reused-${i}`, job_type: 'crawl_project', namespace_path: `Zeta-reuse/${i}`, entity_name: `zeta ${i}`, created_at: 1005 });
    }
    const reused = store.db.prepare("SELECT rowid AS r FROM jobs WHERE id LIKE 'reused-%' ORDER BY rowid").all() as { r: number }[];
    expect(reused[0]!.r).toBe(newest.at(-1)!.r);
    const before = store.jobs.listJobs({ text: 'zeta-reuse', sort: 'created_at', dir: 'asc', limit: 50 });
    expect(before.jobs.map((j) => j.id)).toEqual(oracle({ text: 'zeta-reuse', sort: 'created_at', dir: 'asc' }).ids);
    expect(before.total).toBe(8);
    expect(store.jobs.pathOrder.backlog()).toBe(8);
    expect(store.jobs.nameOrder.backlog()).toBe(8);
    expect(expectSameAsOracle({}, viaStore, 50, ['namespace_path', 'entity_name'])).toBeGreaterThan(0);
    store.jobs.pathOrder.catchUp();
    store.jobs.nameOrder.catchUp();
    expect(expectSameAsOracle({}, viaStore, 50, ['namespace_path', 'entity_name'])).toBeGreaterThan(0);
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

  it('a common term among few jobs is counted exactly; among many, its total is a lower bound', () => {
    const q = { text: 'alpha', sort: 'updated_at', dir: 'desc' } as const;
    const want = oracle(q);
    const few = new JobLister(store.db, { probe: 8, count: 60, walkBudget: 240, exactScope: 20_000 });
    const exact = viaLister(few)({ ...q, limit: 20 });
    expect(few.textPlans.walked).toBe(1);
    expect(exact).toMatchObject({ total: want.total, total_exact: true });
    expect(exact.ids).toEqual(want.ids.slice(0, 20));
    const many = new JobLister(store.db, { probe: 8, count: 60, walkBudget: 240, exactScope: 100 });
    const bound = viaLister(many)({ ...q, limit: 20 });
    expect(many.textPlans.walked).toBe(1);
    expect(bound.total_exact).toBe(false);
    expect(bound.total).toBeLessThan(want.total);
    expect(bound.ids).toEqual(want.ids.slice(0, 20));
  });

  // Last: it drops an index of the shared store.
  it('a sort without an index of its own is never walked (SQLite would sort the whole table to start)', () => {
    // (namespace_path and entity_name have had no index of their own since migrations 010 and 011: their orders are tables of their own.)
    const q = { text: 'alpha', sort: 'priority', dir: 'desc' } as const;
    const eager = () => new JobLister(store.db, { probe: 8, count: 60, walkBudget: 240, exactScope: 0 });
    const before = eager();
    expect(viaLister(before)({ ...q, limit: 20 }).ids).toEqual(oracle(q).ids.slice(0, 20));
    expect(before.textPlans.walked + before.textPlans.walkGaveUp).toBeGreaterThan(0);
    store.db.exec('DROP INDEX jobs_sort_priority');
    const after = eager();
    expect(walk(q, 20, viaLister(after))).toEqual(oracle(q).ids);
    expect(after.textPlans).toMatchObject({ walked: 0, walkGaveUp: 0 });
  });
});

describe('a common term whose matches the sort puts far away', () => {
  it('walks until its budget runs out, then answers from the index: the same rows', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'store-jobs-walk-'));
    const s = openStore({ dataDir: d, cipher: createFileKeyCipher(d) });
    try {
      // The term is in every one of the oldest 300 jobs (the probe's sample) and in none of the newest 700:
      // newest first, a walk meets only jobs without it.
      for (let i = 0; i < 1000; i++) {
        s.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_name: i < 300 ? `needle-${i}` : `hay-${i}`, created_at: 1000 + i });
      }
      s.jobs.textIndex.catchUp();
      const lister = new JobLister(s.db, { probe: 8, count: 60, walkBudget: 240, exactScope: 0 });
      const page = lister.list({ text: 'needle', sort: 'created_at', dir: 'desc', limit: 20, offset: 0 });
      expect(lister.textPlans.walkGaveUp).toBe(1);
      expect(page.rows.map((r) => r.entity_name)).toEqual(Array.from({ length: 20 }, (_, k) => `needle-${299 - k}`));
      expect(page.total_exact).toBe(false);
      expect(page.total).toBeLessThan(300);
    } finally {
      s.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
