/**
 * The Jobs screen's query at a million rows: filters, sort, keyset cursor,
 * substring search and totals, each shaped so SQLite answers from an index
 * (migrations 006 and 007) in time independent of the store's size.
 *
 * The order is the one the list always had: the sort column, then rowid, both
 * in the chosen direction (SQLite puts NULLs first ascending, last descending).
 */
import type Database from 'better-sqlite3';
import type { JobSortField } from '../../shared/jobs';
import { StoreError } from './errors';

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
 * Sort by path: filters matching at most this many jobs (an exact total) sort their
 * matches directly (SQLite reads them by the filter's own index); wider ones read
 * the maintained order (job_path_order). Tests set it to 0 to run every query
 * through the maintained order.
 */
export const PATH_SORT = { directMax: 2000 };

/** Text searches count their matches up to here; beyond, the total is a lower bound (`total_exact: false`). */
export const TEXT_COUNT_CAP = 10_000;

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
  const chars = Array.from(text);
  if (chars.length < 3) return null;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length && grams.size < max; i++) grams.add(chars.slice(i, i + 3).join(''));
  return [...grams].map((g) => `"${g.replace(/"/g, '""')}"`).join(' AND ');
}

interface Where {
  sql: string[];
  params: SqlValue[];
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

export interface JobListPage {
  rows: Record<string, unknown>[];
  total: number;
  total_exact: boolean;
  next_cursor: string | null;
}

/** Runs a job list query; rows are raw (the caller decodes them). */
export class JobLister {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

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
    const where = filterWhere(q);
    const { total, exact } = this.count(q, where);
    const col = q.sort;
    let rows: Record<string, unknown>[];
    const cursor = q.after === undefined ? undefined : decodeCursor(q.after);
    if (cursor !== undefined && (cursor.sort !== q.sort || cursor.dir !== q.dir)) {
      throw new StoreError('invalid', 'the page cursor (after) belongs to another sort order');
    }
    const byPath = col === 'namespace_path';
    const few = exact && total <= PATH_SORT.directMax;
    if (cursor !== undefined) {
      rows = byPath ? this.runByPath(where, few, q.dir, q.limit, q.offset, cursor) : this.afterCursor(q, where, cursor);
    } else if (exact && q.offset > total / 2 && q.offset < total) {
      // A deep page by offset (a jump to the end): walk from the other end, so
      // no page is further than half the list from where SQLite starts.
      const fromEnd = total - q.offset - q.limit;
      const limit = fromEnd < 0 ? q.limit + fromEnd : q.limit;
      const flipped = q.dir === 'asc' ? 'DESC' : 'ASC';
      rows = (
        byPath
          ? this.runByPath(where, few, q.dir === 'asc' ? 'desc' : 'asc', limit, Math.max(0, fromEnd))
          : this.run(where, `${col} ${flipped}, rowid ${flipped}`, limit, Math.max(0, fromEnd))
      ).reverse();
    } else {
      const dir = q.dir === 'asc' ? 'ASC' : 'DESC';
      rows = byPath ? this.runByPath(where, few, q.dir, q.limit, q.offset) : this.run(where, `${col} ${dir}, rowid ${dir}`, q.limit, q.offset);
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
      const rows = this.run({ sql: [...where.sql, ...sql], params: [...where.params, ...params] }, order, want, skip);
      out.push(...rows);
      // An offset past this segment continues into the next one; SQLite cannot say how far, so it is counted.
      if (skip > 0) skip = rows.length > 0 ? 0 : Math.max(0, skip - this.countWhere({ sql: [...where.sql, ...sql], params: [...where.params, ...params] }));
    }
    return out;
  }

  private run(where: Where, order: string, limit: number, offset: number): Record<string, unknown>[] {
    const whereSql = where.sql.length ? `WHERE ${where.sql.join(' AND ')}` : '';
    return this.stmt(`SELECT rowid AS __rowid, * FROM jobs ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
      ...where.params,
      limit,
      offset,
    ) as Record<string, unknown>[];
  }

  /**
   * Rows in namespace_path order (then rowid), optionally after a cursor. A NULL
   * path is keyed 0, which sorts before every text as NULL does, so one range
   * covers both (no NULL segment). `few`: the filter matches few jobs, which are
   * sorted as they are. Otherwise the order comes from `job_path_order`
   * (migration 009, filled off the insert path by job-path-order) for rows up to
   * its mark, merged with the newer rows sorted here: SQLite merges the two
   * sorted arms (the first read in key order, no sort), then applies LIMIT and
   * OFFSET (CROSS JOIN: the order table drives, it has no index by rowid).
   */
  private runByPath(where: Where, few: boolean, dir: 'asc' | 'desc', limit: number, offset: number, after?: Cursor): Record<string, unknown>[] {
    const d = dir === 'asc' ? 'ASC' : 'DESC';
    const cmp = dir === 'asc' ? '>' : '<';
    const filters = where.sql.map((w) => ` AND ${w}`).join('');
    const from = (key: string, rowid: string) => (after === undefined ? '' : ` AND (${key}, ${rowid}) ${cmp} (coalesce(?, 0), ?)`);
    const range = after === undefined ? [] : [after.value, after.rowid];
    const sorted = `SELECT rowid AS __rowid, *, coalesce(namespace_path, 0) AS __key FROM jobs`;
    const order = `ORDER BY __key ${d}, __rowid ${d} LIMIT ? OFFSET ?`;
    const rows = (
      few
        ? this.stmt(`${sorted} WHERE true${filters}${from('coalesce(namespace_path, 0)', 'rowid')} ${order}`).all(...where.params, ...range, limit, offset)
        : this.stmt(`
            SELECT p.job_rowid AS __rowid, jobs.*, p.path_key AS __key
              FROM job_path_order AS p CROSS JOIN jobs ON jobs.rowid = p.job_rowid
              WHERE true${filters}${from('p.path_key', 'p.job_rowid')}
            UNION ALL
            ${sorted}
              WHERE rowid > (SELECT indexed_upto FROM job_path_order_state WHERE id = 1)${filters}${from('coalesce(namespace_path, 0)', 'rowid')}
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
