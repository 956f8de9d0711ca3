/**
 * Errors read at volume: grouped by code, category, crawler or GitLab host,
 * each group with its count, first and last time and its newest example, in
 * one query (GROUP BY over the time range, served by errors_at or the
 * (code, at) / (category, at) indexes). Kept apart from ErrorsRepo so the
 * grouping and the store's own error aggregation can change independently.
 */
import type Database from 'better-sqlite3';
import { ErrorGroupsQuerySchema, type ErrorGroup, type ErrorGroupsQuery } from '../../shared/ops';
import { ErrorRecordSchema, rowDecoder } from './records';
import { parseInput } from './validate';

const decodeError = rowDecoder(ErrorRecordSchema, ['context']);

/** The column each grouping reads (the host comes from the job the error names). */
const KEY_SQL = {
  code: 'e.code',
  category: 'e.category',
  crawler: 'e.crawler_id',
  host: "nullif(j.gitlab_host, '')",
} as const;

/** LIKE with the caller's text taken literally. */
const likePattern = (word: string): string => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface ErrorGroupsResult {
  groups: ErrorGroup[];
  /** Errors matching the filter, across all groups. */
  total: number;
  /** Groups matching the filter (the answer holds at most `limit`). */
  groups_total: number;
}

export function listErrorGroups(db: Database.Database, query: ErrorGroupsQuery = {}): ErrorGroupsResult {
  const q = parseInput(ErrorGroupsQuerySchema, query, 'error group query');
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.since !== undefined) {
    where.push('e.at >= ?');
    params.push(q.since);
  }
  if (q.until !== undefined) {
    where.push('e.at < ?');
    params.push(q.until);
  }
  for (const word of (q.q ?? '').split(/\s+/).filter(Boolean).slice(0, 10)) {
    where.push("e.message LIKE ? ESCAPE '\\'");
    params.push(likePattern(word));
  }
  const join = q.by === 'host' ? 'LEFT JOIN jobs j ON j.id = e.job_id' : '';
  // Identical errors within a minute are one row with a count (the error log aggregates them): sum the counts.
  // SQLite takes a bare column (e.id) from the row that holds the MAX: the newest error of the group.
  const rows = db
    .prepare(
      `WITH g AS (
         SELECT ${KEY_SQL[q.by]} AS group_key, SUM(e.count) AS group_count, MIN(e.at) AS first_at, MAX(COALESCE(e.last_at, e.at)) AS last_at, e.id AS latest_id
         FROM errors e ${join}
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         GROUP BY group_key
       ), ranked AS (
         SELECT *, COUNT(*) OVER () AS groups_total, SUM(group_count) OVER () AS errors_total FROM g
       )
       SELECT e.*, r.group_key, r.group_count, r.first_at AS group_first_at, r.last_at AS group_last_at, r.groups_total, r.errors_total
       FROM ranked r JOIN errors e ON e.id = r.latest_id
       ORDER BY r.group_count DESC, r.last_at DESC
       LIMIT ?`,
    )
    .all(...params, q.limit) as Record<string, unknown>[];
  let total = 0;
  let groupsTotal = 0;
  const groups = rows.map((row) => {
    const { group_key, group_count, group_first_at, group_last_at, groups_total, errors_total, ...error } = row;
    total = Number(errors_total);
    groupsTotal = Number(groups_total);
    return {
      key: group_key === null || group_key === undefined ? null : String(group_key),
      count: Number(group_count),
      first_at: Number(group_first_at),
      last_at: Number(group_last_at),
      latest: decodeError(error),
    };
  });
  return { groups, total, groups_total: groupsTotal };
}
