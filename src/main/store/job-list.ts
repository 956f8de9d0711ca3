/**
 * The Jobs screen's query at a million rows: filters, sort, keyset cursor,
 * substring search and totals, each shaped so SQLite answers from an index
 * (migrations 006 and 007) in time independent of the store's size.
 *
 * The order is the one the list always had: the sort column, then rowid, both
 * in the chosen direction (SQLite puts NULLs first ascending, last descending).
 * A text search chooses among three plans by how common its term is (textPlan):
 * rare terms are listed from the trigram index, common ones walk the sort's
 * index, and either falls back to the index's whole match; all return the same.
 */
import type Database from 'better-sqlite3';
import type { JobSortField } from '../../shared/jobs';
import { StoreError } from './errors';
import { SORT_ORDERS, type SortOrderColumn, isSortOrderColumn } from './job-sort-order';

/** A parsed job list query (ListJobsQuerySchema's output). */
export interface JobListQuery {
  status?: readonly string[] | undefined;
  job_type?: readonly string[] | undefined;
  origin?: readonly string[] | undefined;
  crawler?: string | undefined;
  parent_job_id?: string | undefined;
  text?: string | undefined;
  sort: JobSortField;
  dir: 'asc' | 'desc';
  limit: number;
  offset: number;
  after?: string | undefined;
}

/** Columns that may hold NULL: keyset paging walks them as two segments (values, NULLs). */
const NULLABLE: ReadonlySet<JobSortField> = new Set(['namespace_path', 'entity_name', 'started_at', 'finished_at', 'overall_completion']);
const SORT_FIELDS: ReadonlySet<string> = new Set<JobSortField>([
  'created_at', 'updated_at', 'priority', 'status', 'job_type', 'namespace_path', 'entity_name', 'started_at', 'finished_at',
  'overall_completion', 'attempts',
]);

/**
 * Sort by path or by name: filters matching at most this many jobs (an exact total) sort
 * their matches directly (SQLite reads them by the filter's own index); wider ones read
 * the maintained order (job_path_order, job_name_order). Tests set it to 0 to run every
 * query through the maintained order.
 */
export const ORDER_SORT = { directMax: 2000 };

/**
 * A text search lists (and counts) its matches up to here; beyond, and for a common term answered by
 * a walk in sort order, the total is a lower bound (`total_exact: false`).
 */
export const TEXT_COUNT_CAP = 10_000;
/** A text search first reads this many of its matches from the trigram index: more means a common term. */
export const TEXT_PROBE = 500;
/** A common term's page is looked for among at most this many rows in sort order before the index is read instead. */
export const TEXT_WALK_BUDGET = 8000;
/**
 * A common term is counted exactly when the other filters leave at most this many jobs to test (a few
 * milliseconds of LIKE): "2,000 jobs" on a small store, a lower bound only where counting would cost.
 */
export const TEXT_EXACT_SCOPE = 20_000;

/** Trigrams kept in the index query: the rarest few narrow as much as all of them, at a fraction of the cost. */
const MAX_QUERY_GRAMS = 3;
/**
 * Reading a candidate row to test it costs about this many index entries: a further trigram is
 * worth intersecting when its list is shorter than this many times the candidates it would drop.
 */
const GRAM_PAYOFF = 10;
/** A trigram's share of the rows is estimated from where its this-many-th row is (or its whole list, if shorter). */
const GRAM_SAMPLE = 1000;

/** How a text search chooses its plan (the defaults above; tests make them small to meet every plan on a small store). */
export interface TextPlanLimits {
  probe: number;
  count: number;
  walkBudget: number;
  /** A common term among at most this many jobs (those the other filters leave) is still counted exactly. */
  exactScope: number;
}

type SqlValue = string | number | null;
interface Cursor {
  sort: JobSortField;
  dir: 'asc' | 'desc';
  value: SqlValue;
  rowid: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.dir, c.value, c.rowid])).toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    raw = null;
  }
  if (
    Array.isArray(raw) &&
    raw.length === 4 &&
    typeof raw[0] === 'string' &&
    SORT_FIELDS.has(raw[0]) &&
    (raw[1] === 'asc' || raw[1] === 'desc') &&
    (raw[2] === null || typeof raw[2] === 'string' || typeof raw[2] === 'number') &&
    Number.isSafeInteger(raw[3])
  ) {
    return { sort: raw[0] as JobSortField, dir: raw[1], value: raw[2] as SqlValue, rowid: raw[3] as number };
  }
  throw new StoreError('invalid', 'the page cursor (after) is not one this console gave out');
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The FTS5 query narrowing a substring search: every distinct trigram of the
 * text, ANDed (the trigram tokenizer folds case as LIKE does for ASCII, and
 * further, so the candidates are a superset of the LIKE matches). Null when the
 * text is shorter than a trigram.
 */
export function trigramQuery(text: string, max = 12): string | null {
  const grams = trigrams(text, max);
  return grams === null ? null : ftsAll(grams);
}

/** The distinct trigrams of a text (at most `max`), null when it is shorter than one. */
function trigrams(text: string, max = 12): string[] | null {
  const chars = Array.from(text);
  if (chars.length < 3) return null;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length && grams.size < max; i++) grams.add(chars.slice(i, i + 3).join(''));
  return [...grams];
}

/** An FTS5 query matching rows that hold every one of the trigrams. */
const ftsAll = (grams: readonly string[]): string => grams.map((g) => `"${g.replace(/"/g, '""')}"`).join(' AND ');

interface Where {
  sql: string[];
  params: SqlValue[];
  /**
   * A common term's plan: the same filters and exact text test without the trigram candidates, tested
   * row by row while walking the sort's index (job-list's walk); `sql` is the fallback when the walk
   * would take too long.
   */
  walk?: { sql: string[]; params: SqlValue[]; budget: number } | undefined;
  /** The rows come from a list of candidates: sort their keys alone, then read the page's rows (not every candidate's). */
  deferred?: boolean | undefined;
  /** Which text plan reads these rows (counted in textPlans). */
  plan?: 'indexed' | undefined;
}

/** The filters as SQL (the same predicates as before, plus the trigram pre-filter for text). */
export function filterWhere(q: JobListQuery): Where {
  const sql: string[] = [];
  const params: SqlValue[] = [];
  const inList = (column: string, values: readonly string[] | undefined) => {
    if (!values?.length) return;
    sql.push(values.length === 1 ? `${column} = ?` : `${column} IN (${placeholders(values.length)})`);
    params.push(...values);
  };
  inList('status', q.status);
  inList('job_type', q.job_type);
  inList('origin', q.origin);
  if (q.crawler !== undefined) {
    sql.push('leased_to = ?');
    params.push(q.crawler);
  }
  if (q.parent_job_id !== undefined) {
    sql.push('parent_job_id = ?');
    params.push(q.parent_job_id);
  }
  if (q.text) {
    const candidates = textCandidates(q.text);
    if (candidates !== null) {
      sql.push(`rowid IN (${candidates.sql})`);
      params.push(...candidates.params);
    }
    const like = textMatch(q.text);
    sql.push(like.sql);
    params.push(...like.params);
  }
  return { sql, params };
}

/**
 * The rowids a text search can match (a superset, from the trigram index), as a
 * SELECT; null when the text is shorter than a trigram. The index holds rows up
 * to its mark; newer rows (not indexed yet) are candidates as they are.
 */
export function textCandidates(text: string): { sql: string; params: SqlValue[] } | null {
  const fts = trigramQuery(text);
  if (fts === null) return null;
  return {
    sql:
      'SELECT rowid FROM jobs_text WHERE jobs_text MATCH ? ' +
      'UNION ALL SELECT rowid FROM jobs WHERE rowid > (SELECT indexed_upto FROM jobs_text_state WHERE id = 1)',
    params: [fts],
  };
}

/** The exact substring test of a text search, on the four searched columns. */
export function textMatch(text: string): { sql: string; params: SqlValue[] } {
  const like = `%${likeEscape(text)}%`;
  return {
    sql: "(id LIKE ? ESCAPE '\\' OR entity_id LIKE ? ESCAPE '\\' OR namespace_path LIKE ? ESCAPE '\\' OR entity_name LIKE ? ESCAPE '\\')",
    params: [like, like, like, like],
  };
}

const NO_RANGE: { sql: string[]; params: SqlValue[] } = { sql: [], params: [] };

/** A matching row: its rowid and its sort key. */
type Keyed = [number, SqlValue];

interface TextPlan {
  where: Where;
  /** Null: counted as other filters are (a text shorter than a trigram). */
  total: { total: number; exact: boolean } | null;
  /** Every match, when a rare term's are all in hand. */
  listed?: Keyed[];
}

const typeRank = (v: unknown): number => (v === null ? 0 : typeof v === 'number' || typeof v === 'bigint' ? 1 : typeof v === 'string' ? 2 : 3);

/**
 * SQLite's order of two values (BINARY collation): NULL, then numbers by value, then text by its
 * UTF-8 bytes, then blobs. Text by UTF-8 bytes is text by code point; JavaScript compares UTF-16
 * units, which differ from code points only where a surrogate meets a unit above U+E000.
 */
export function sqlCompare(a: unknown, b: unknown): number {
  const ta = typeRank(a);
  const tb = typeRank(b);
  if (ta !== tb) return ta - tb;
  if (ta === 1) return a! < b! ? -1 : a! > b! ? 1 : 0;
  if (ta === 2) {
    const x = a as string;
    const y = b as string;
    if (x === y) return 0;
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      let u = x.charCodeAt(i);
      let v = y.charCodeAt(i);
      if (u === v) continue;
      if (u >= 0xd800 && v >= 0xd800) {
        u = u >= 0xe000 ? u - 0x800 : u + 0x2000;
        v = v >= 0xe000 ? v - 0x800 : v + 0x2000;
      }
      return u - v;
    }
    return x.length - y.length;
  }
  if (ta === 3) return Buffer.compare(a as Uint8Array, b as Uint8Array);
  return 0;
}

export interface JobListPage {
  rows: Record<string, unknown>[];
  total: number;
  total_exact: boolean;
  next_cursor: string | null;
}

/** Runs a job list query; rows are raw (the caller decodes them). */
export class JobLister {
  private readonly cache = new Map<string, Database.Statement>();
  private readonly limits: TextPlanLimits;
  /**
   * How text searches were answered, counted (tests and diagnostics): from the listed matches of a rare
   * term, by a walk in sort order, by a walk that gave up, or from the index's whole match.
   */
  readonly textPlans = { listed: 0, walked: 0, walkGaveUp: 0, indexed: 0 };

  constructor(
    private readonly db: Database.Database,
    limits: Partial<TextPlanLimits> = {},
  ) {
    this.limits = { probe: TEXT_PROBE, count: TEXT_COUNT_CAP, walkBudget: TEXT_WALK_BUDGET, exactScope: TEXT_EXACT_SCOPE, ...limits };
  }

  private walkableSorts: ReadonlySet<string> | null = null;

  /**
   * Sort columns with an index of that column alone (its entries are in `col, rowid` order): a walk
   * reads them in order and stops. Without one, SQLite would sort the whole table to start a walk,
   * so that sort's text searches read the trigram index instead.
   */
  private canWalk(col: string): boolean {
    this.walkableSorts ??= new Set(
      this.db
        .prepare(
          `SELECT min(ii.name) FROM pragma_index_list('jobs') AS il JOIN pragma_index_info(il.name) AS ii
            WHERE il.partial = 0 GROUP BY il.name HAVING count(*) = 1`,
        )
        .pluck()
        .all() as string[],
    );
    if (isSortOrderColumn(col)) return this.orderComplete(col);
    return this.walkableSorts.has(col);
  }

  /** The column's maintained order holds every job (no rows above its mark): a walk may read it alone. */
  private orderComplete(col: SortOrderColumn): boolean {
    const r = this.stmt(
      `SELECT (SELECT indexed_upto FROM ${SORT_ORDERS[col].state} WHERE id = 1) >= (SELECT coalesce(max(rowid), 0) FROM jobs) AS done`,
    ).get() as { done: number };
    return r.done === 1;
  }

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }

  list(q: JobListQuery): JobListPage {
    const c = q.after === undefined ? undefined : decodeCursor(q.after);
    if (c !== undefined && (c.sort !== q.sort || c.dir !== q.dir)) {
      throw new StoreError('invalid', 'the page cursor (after) belongs to another sort order');
    }
    const plan = q.text ? this.textPlan(q, q.text) : null;
    const where = plan?.where ?? filterWhere(q);
    const { total, exact } = plan?.total ?? this.count(q, where);
    const col = q.sort;
    let rows: Record<string, unknown>[];
    // Sort by path or name reads its maintained order (job-sort-order), except for a text search's candidates
    // from the trigram index: those are sorted by SQLite (cost ∝ matches), where walking the order to find them
    // would pass every job ordered before them (seconds at a million when they sort late).
    const byOrder = isSortOrderColumn(col) && !where.deferred ? col : null;
    const few = exact && total <= ORDER_SORT.directMax;
    if (plan?.listed !== undefined) {
      rows = this.fromList(q, plan.listed, c);
    } else if (c !== undefined) {
      rows = byOrder ? this.runByOrder(byOrder, where, few, q.dir, q.limit, q.offset, c) : this.afterCursor(q, where, c);
    } else if (exact && q.offset > total / 2 && q.offset < total) {
      // A deep page by offset (a jump to the end): walk from the other end, so
      // no page is further than half the list from where SQLite starts.
      const fromEnd = total - q.offset - q.limit;
      const limit = fromEnd < 0 ? q.limit + fromEnd : q.limit;
      const flipped = q.dir === 'asc' ? 'DESC' : 'ASC';
      rows = (
        byOrder
          ? this.runByOrder(byOrder, where, few, q.dir === 'asc' ? 'desc' : 'asc', limit, Math.max(0, fromEnd))
          : this.run(where, `${col} ${flipped}, rowid ${flipped}`, limit, Math.max(0, fromEnd))
      ).reverse();
    } else {
      const dir = q.dir === 'asc' ? 'ASC' : 'DESC';
      rows = byOrder
        ? this.runByOrder(byOrder, where, few, q.dir, q.limit, q.offset)
        : (this.walk(where, NO_RANGE, `${col} ${dir}, rowid ${dir}`, q.limit, q.offset) ?? this.run(where, `${col} ${dir}, rowid ${dir}`, q.limit, q.offset));
    }
    const last = rows.length === q.limit ? rows.at(-1) : undefined;
    const next_cursor =
      last === undefined ? null : encodeCursor({ sort: q.sort, dir: q.dir, value: last[col] as SqlValue, rowid: last.__rowid as number });
    for (const r of rows) delete r.__rowid;
    return { rows, total, total_exact: exact, next_cursor };
  }

  /**
   * Rows after a cursor. A row-value comparison `(col, rowid) > (?, ?)` is an
   * index range; NULLs (which no comparison reaches) are their own segment:
   * first when ascending, last when descending.
   */
  private afterCursor(q: JobListQuery, where: Where, c: Cursor): Record<string, unknown>[] {
    const col = q.sort;
    const asc = q.dir === 'asc';
    const dir = asc ? 'ASC' : 'DESC';
    const cmp = asc ? '>' : '<';
    const nullable = NULLABLE.has(col);
    const nullSeg = (from: number | null): [string[], SqlValue[]] =>
      from === null ? [[`${col} IS NULL`], []] : [[`${col} IS NULL`, `rowid ${cmp} ?`], [from]];
    const valueSeg = (from: Cursor | null): [string[], SqlValue[]] =>
      from === null ? [[`${col} IS NOT NULL`], []] : [[`(${col}, rowid) ${cmp} (?, ?)`], [from.value, from.rowid]];
    const segments: [string[], SqlValue[], string][] = [];
    if (c.value === null && nullable) {
      segments.push([...nullSeg(c.rowid), `rowid ${dir}`]);
      if (asc) segments.push([...valueSeg(null), `${col} ${dir}, rowid ${dir}`]);
    } else {
      segments.push([...valueSeg(c), `${col} ${dir}, rowid ${dir}`]);
      if (!asc && nullable) segments.push([...nullSeg(null), `rowid ${dir}`]);
    }
    let skip = q.offset;
    const out: Record<string, unknown>[] = [];
    for (const [sql, params, order] of segments) {
      const want = q.limit - out.length;
      if (want <= 0) break;
      const rows =
        this.walk(where, { sql, params }, `${col} ${dir}, rowid ${dir}`, want, skip) ??
        this.run({ sql: [...where.sql, ...sql], params: [...where.params, ...params] }, order, want, skip);
      out.push(...rows);
      // An offset past this segment continues into the next one; SQLite cannot say how far, so it is counted.
      if (skip > 0) skip = rows.length > 0 ? 0 : Math.max(0, skip - this.countWhere({ sql: [...where.sql, ...sql], params: [...where.params, ...params] }));
    }
    return out;
  }

  /**
   * A common term's page, found by walking the sort's index in order (a range of it: a cursor's segment)
   * and testing each row, at most `walkBudget` rows: the page of a term that one row in fifty matches
   * costs a few thousand rows, whatever the store's size. Null when there is no walk plan or the budget
   * ran out before the page was full (the term is rarer in this part of the order than it looked).
   */
  private walk(where: Where, range: { sql: string[]; params: SqlValue[] }, order: string, limit: number, offset: number): Record<string, unknown>[] | null {
    if (where.walk === undefined) return null;
    const { budget } = where.walk;
    const col = order.slice(0, order.indexOf(' '));
    const maintained = isSortOrderColumn(col) ? SORT_ORDERS[col] : null;
    if (maintained && range.sql.length) return null;
    const d = order.endsWith('DESC') ? 'DESC' : 'ASC';
    const inner = maintained
      ? `SELECT p.job_rowid AS __rowid, jobs.* FROM ${maintained.table} AS p CROSS JOIN jobs ON jobs.rowid = p.job_rowid ORDER BY p.${maintained.key} ${d}, p.job_rowid ${d} LIMIT ?`
      : `SELECT rowid AS __rowid, * FROM jobs ${range.sql.length ? `WHERE ${range.sql.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    // Both levels have a LIMIT, so SQLite neither flattens the subquery nor pushes the test into it.
    const rows = this.stmt(
      `SELECT * FROM (${inner}) WHERE ${where.walk.sql.join(' AND ')} ORDER BY ${order.replace(/\browid\b/g, '__rowid')} LIMIT ? OFFSET ?`,
    ).all(...range.params, budget, ...where.walk.params, limit, offset) as Record<string, unknown>[];
    // A short page is the whole answer only if the walk reached the end of the range.
    if (rows.length === limit || (this.stmt(`SELECT COUNT(*) AS n FROM (${inner})`).get(...range.params, budget) as { n: number }).n < budget) {
      this.textPlans.walked++;
      return rows;
    }
    this.textPlans.walkGaveUp++;
    return null;
  }

  /**
   * A text search's plan, from its first matches in the trigram index (oldest first, read with the
   * other filters and the exact test, so each is a real match):
   * - all of them fit in the probe (a rare term): the page is read from that list of rows (and the rows
   *   not indexed yet), and the total is exact;
   * - a common term: its density among the oldest rows says how many rows a page costs in sort order;
   *   when that is within the walk budget, the page walks the sort's index (walk), the total is a lower
   *   bound; otherwise more matches are read, up to the count cap, and the list is used as above, or,
   *   beyond the cap, the index's whole match (as before) with a lower-bound total.
   */
  private textPlan(q: JobListQuery, text: string): TextPlan {
    const base = filterWhere({ ...q, text: undefined });
    const exact = textMatch(text);
    const tested = { sql: [...base.sql, exact.sql], params: [...base.params, ...exact.params] };
    const grams = trigrams(text);
    // Shorter than a trigram: the exact test alone, counted as before.
    if (grams === null) return { where: tested, total: null };
    const mark = (this.stmt('SELECT indexed_upto AS n FROM jobs_text_state WHERE id = 1').get() as { n: number }).n;
    const oldest = (this.stmt('SELECT min(rowid) AS n FROM jobs').get() as { n: number | null }).n ?? 0;
    const fts = this.selectiveQuery(grams, oldest, mark);
    // Each match with its sort key: a rare term's page is then ordered from these alone.
    const probe = this.stmt(
      `SELECT j.rowid, j.${q.sort} FROM jobs_text t CROSS JOIN jobs j NOT INDEXED ON j.rowid = t.rowid
        WHERE t.jobs_text MATCH ? AND t.rowid > ? AND ${tested.sql.join(' AND ')} LIMIT ?`,
    ).raw();
    const { probe: first, count: cap, walkBudget } = this.limits;
    const found = probe.all(fts, 0, ...tested.params, first + 1) as Keyed[];
    const fallback: Where = {
      sql: [...base.sql, 'rowid IN (SELECT rowid FROM jobs_text WHERE jobs_text MATCH ? UNION ALL SELECT rowid FROM jobs WHERE rowid > ?)', exact.sql],
      params: [...base.params, fts, mark, ...exact.params],
      deferred: true,
      plan: 'indexed',
    };
    // The rows a page costs in sort order, if the matches among the oldest rows are as dense everywhere;
    // the walk may take a few times that (it gives up then: the order puts the matches further away).
    const walkPlan = (n: number): Where['walk'] => {
      if (!this.canWalk(q.sort)) return undefined;
      const rows = ((q.offset + q.limit + 1) * (found[n - 1]![0] - oldest + 1)) / n;
      return rows <= walkBudget ? { ...tested, budget: Math.ceil(Math.min(walkBudget, Math.max(walkBudget / 8, 4 * rows))) } : undefined;
    };
    if (found.length > first) {
      const walk = walkPlan(first);
      if (walk !== undefined) return { where: { ...fallback, walk }, total: this.countIfCheap(q, base, tested) ?? { total: first, exact: false } };
      found.push(...(probe.all(fts, found.at(-1)![0], ...tested.params, cap - found.length + 1) as Keyed[]));
    }
    if (found.length > cap) return { where: { ...fallback, walk: walkPlan(cap) }, total: this.countIfCheap(q, base, tested) ?? { total: cap, exact: false } };
    // Every indexed match is in hand; with the matches above the mark (NOT INDEXED: a rowid range,
    // whatever other filter has an index), the whole answer, unless that passes the cap.
    found.push(
      ...(this.stmt(`SELECT rowid, ${q.sort} FROM jobs NOT INDEXED WHERE rowid > ? AND ${tested.sql.join(' AND ')} LIMIT ?`)
        .raw()
        .all(mark, ...tested.params, cap - found.length + 1) as Keyed[]),
    );
    if (found.length > cap) return { where: fallback, total: { total: cap, exact: false } };
    return { where: fallback, total: { total: found.length, exact: true }, listed: found };
  }

  /**
   * A page of a rare term's matches, all in hand with their sort keys: ordered here as SQLite orders
   * them (sqlCompare), then only the page's rows are read.
   */
  private fromList(q: JobListQuery, found: Keyed[], cursor: Cursor | undefined): Record<string, unknown>[] {
    this.textPlans.listed++;
    const sign = q.dir === 'asc' ? 1 : -1;
    const order = (a: Keyed, b: Keyed) => sign * (sqlCompare(a[1], b[1]) || a[0] - b[0]);
    found.sort(order);
    let from = 0;
    if (cursor !== undefined) {
      const at: Keyed = [cursor.rowid, cursor.value];
      // The first entry after the cursor (binary search: entries are in order).
      for (let hi = found.length; from < hi; ) {
        const mid = (from + hi) >>> 1;
        if (order(found[mid]!, at) <= 0) from = mid + 1;
        else hi = mid;
      }
    }
    const page = found.slice(from + q.offset, from + q.offset + q.limit).map((e) => e[0]);
    const byRowid = new Map<number, Record<string, unknown>>();
    for (const r of this.stmt('SELECT rowid AS __rowid, * FROM jobs WHERE rowid IN (SELECT value FROM json_each(?))').all(
      JSON.stringify(page),
    ) as Record<string, unknown>[]) {
      byRowid.set(r.__rowid as number, r);
    }
    return page.map((r) => byRowid.get(r)!);
  }


  /**
   * The index query of a text: its rarest trigrams only. Each trigram's share of the indexed rows is
   * estimated from its first GRAM_SAMPLE rows (a few hundred microseconds however common it is);
   * any subset of the trigrams still finds every match (the exact test follows), and intersecting
   * the list of a trigram every row has costs tens of milliseconds at a million rows.
   */
  private selectiveQuery(grams: readonly string[], oldest: number, mark: number): string {
    const sample = this.stmt(`SELECT COUNT(*) AS n, max(rowid) AS last FROM (SELECT rowid FROM jobs_text WHERE jobs_text MATCH ? LIMIT ${GRAM_SAMPLE})`);
    const share = grams
      .map((g) => {
        const { n, last } = sample.get(ftsAll([g])) as { n: number; last: number | null };
        return { g, share: n === 0 ? 0 : n / ((n < GRAM_SAMPLE ? mark : last!) - oldest + 1) };
      })
      .sort((a, b) => a.share - b.share);
    // Rarest first; each further trigram only while its list costs less than the rows it would spare
    // (counting the trigrams as independent: a correlated one spares less, which a probe never notices).
    const kept = [share[0]!];
    let expected = share[0]!.share;
    for (const s of share.slice(1, MAX_QUERY_GRAMS)) {
      if (s.share >= GRAM_PAYOFF * expected * (1 - s.share)) break;
      kept.push(s);
      expected *= s.share;
    }
    return ftsAll(kept.map((s) => s.g));
  }

  private run(where: Where, order: string, limit: number, offset: number): Record<string, unknown>[] {
    if (where.plan !== undefined) this.textPlans[where.plan]++;
    const whereSql = where.sql.length ? `WHERE ${where.sql.join(' AND ')}` : '';
    const sql = where.deferred
      ? `SELECT rowid AS __rowid, * FROM jobs WHERE rowid IN (SELECT rowid FROM jobs ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?) ORDER BY ${order}`
      : `SELECT rowid AS __rowid, * FROM jobs ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`;
    return this.stmt(sql).all(
      ...where.params,
      limit,
      offset,
    ) as Record<string, unknown>[];
  }

  /**
   * Rows in namespace_path or entity_name order (then rowid), optionally after a
   * cursor. A NULL is keyed 0, which sorts before every text as NULL does, so one
   * range covers both (no NULL segment). `few`: the filter matches few jobs, which
   * are sorted as they are. Otherwise the order comes from the column's side table
   * (job-sort-order, filled off the insert path) for rows up to its mark, merged
   * with the newer rows sorted here: SQLite merges the two sorted arms (the first
   * read in key order, no sort), then applies LIMIT and OFFSET (CROSS JOIN: the
   * order table drives, it has no index by rowid).
   */
  private runByOrder(
    col: SortOrderColumn,
    where: Where,
    few: boolean,
    dir: 'asc' | 'desc',
    limit: number,
    offset: number,
    after?: Cursor,
  ): Record<string, unknown>[] {
    const { table, key, state } = SORT_ORDERS[col];
    const d = dir === 'asc' ? 'ASC' : 'DESC';
    const cmp = dir === 'asc' ? '>' : '<';
    const filters = where.sql.map((w) => ` AND ${w}`).join('');
    const from = (k: string, rowid: string) => (after === undefined ? '' : ` AND (${k}, ${rowid}) ${cmp} (coalesce(?, 0), ?)`);
    const range = after === undefined ? [] : [after.value, after.rowid];
    const sorted = `SELECT rowid AS __rowid, *, coalesce(${col}, 0) AS __key FROM jobs`;
    const order = `ORDER BY __key ${d}, __rowid ${d} LIMIT ? OFFSET ?`;
    const rows = (
      few
        ? this.stmt(`${sorted} WHERE true${filters}${from(`coalesce(${col}, 0)`, 'rowid')} ${order}`).all(...where.params, ...range, limit, offset)
        : this.stmt(`
            SELECT p.job_rowid AS __rowid, jobs.*, p.${key} AS __key
              FROM ${table} AS p CROSS JOIN jobs ON jobs.rowid = p.job_rowid
              WHERE true${filters}${from(`p.${key}`, 'p.job_rowid')}
            UNION ALL
            ${sorted}
              WHERE rowid > (SELECT indexed_upto FROM ${state} WHERE id = 1)${filters}${from(`coalesce(${col}, 0)`, 'rowid')}
            ${order}`).all(...where.params, ...range, ...where.params, ...range, limit, offset)
    ) as Record<string, unknown>[];
    for (const r of rows) delete r.__key;
    return rows;
  }

  private countWhere(where: Where): number {
    const whereSql = where.sql.length ? `WHERE ${where.sql.join(' AND ')}` : '';
    return (this.stmt(`SELECT COUNT(*) AS n FROM jobs ${whereSql}`).get(...where.params) as { n: number }).n;
  }

  /**
   * A common term's exact total, when the jobs the other filters leave are few enough to test them all
   * (their number comes from the maintained counts or an index); null where that would cost.
   */
  private countIfCheap(q: JobListQuery, base: Where, tested: { sql: string[]; params: SqlValue[] }): { total: number; exact: boolean } | null {
    if (this.count({ ...q, text: undefined }, base).total > this.limits.exactScope) return null;
    return { total: this.countWhere(tested), exact: true };
  }

  /**
   * The total. Status, type and origin filters (and none) are read from
   * `job_counts`; crawler and parent filters count an index range; a text
   * search counts up to TEXT_COUNT_CAP matches and says when it stopped there.
   */
  private count(q: JobListQuery, where: Where): { total: number; exact: boolean } {
    if (q.crawler === undefined && q.parent_job_id === undefined && !q.text) {
      const w = filterWhere({ ...q, crawler: undefined, parent_job_id: undefined, text: undefined });
      const whereSql = w.sql.length ? `WHERE ${w.sql.join(' AND ')}` : '';
      const n = (this.stmt(`SELECT coalesce(SUM(n), 0) AS n FROM job_counts ${whereSql}`).get(...w.params) as { n: number }).n;
      return { total: n, exact: true };
    }
    if (!q.text && q.crawler === undefined && !q.status?.length && !q.job_type?.length && !q.origin?.length) {
      // Only the parent filter: the maintained count of its children (job_children, migration 007).
      const row = this.stmt('SELECT n FROM job_children WHERE parent_job_id = ?').get(q.parent_job_id!) as { n: number } | undefined;
      return { total: row?.n ?? 0, exact: true };
    }
    if (!q.text) return { total: this.countWhere(where), exact: true };
    const whereSql = `WHERE ${where.sql.join(' AND ')}`;
    const n = (
      this.stmt(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM jobs ${whereSql} LIMIT ${TEXT_COUNT_CAP + 1})`).get(...where.params) as { n: number }
    ).n;
    return n > TEXT_COUNT_CAP ? { total: TEXT_COUNT_CAP, exact: false } : { total: n, exact: true };
  }
}
