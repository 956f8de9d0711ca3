/**
 * Jobs: storage and atomic state changes. The lifecycle rules (which change is
 * allowed when) belong to the caller; the store guarantees that a change
 * happens only from the statuses the caller names (compare-and-set in SQL)
 * and that it and its history entry are committed together.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { CountsSchema, ResumeStateSchema } from '../../shared/protocol/common';
import type { DiscoveredJob } from '../../shared/protocol/crawler-messages';
import {
  HELD_JOB_STATUSES,
  JOB_STATUSES,
  JobOriginSchema,
  JobStatusSchema,
  ListJobsQuerySchema,
  type JobStatus,
  type ListJobsQuery,
} from '../../shared/jobs';
import { StoreError } from './errors';
import { newJobId, newJobIds } from './job-id';
import { JobLister } from './job-list';
import { JobSortOrder } from './job-sort-order';
import type { MarkedFill } from './marked-fill';
import { JobTextIndex } from './job-text-index';
import { DISPATCHABLE_WHERE } from './dispatchable';
import type { EventInput, EventsRepo } from './events-repo';
import { JobSchema, rowDecoder, toJson, type Job } from './records';
import { redactResumeState, scrubSecretText } from './redact';
import { isDuplicateEntity, parseInput, sqliteCode } from './validate';

/** A new job. Everything but `job_type` has a default. */
export const NewJobSchema = z.object({
  /** Given by the operator or a crawler (adoption); a random UUID otherwise. */
  id: z.string().min(1).max(256).optional(),
  job_type: z.string().min(1),
  gitlab_host: z.string().default(''),
  entity_id: z.string().nullish(),
  namespace_path: z.string().nullish(),
  entity_name: z.string().nullish(),
  priority: z.number().int().default(1),
  status: JobStatusSchema.default('queued'),
  origin: JobOriginSchema.default('operator'),
  attempts: z.number().int().nonnegative().default(0),
  parent_job_id: z.string().nullish(),
  leased_to: z.string().nullish(),
  lease_expires_at: z.number().nullish(),
  credential_id: z.string().nullish(),
  resume_state: ResumeStateSchema.nullish(),
  resume: z.boolean().default(false),
  estimated_size: CountsSchema.nullish(),
  not_before: z.number().nullish(),
  started_at: z.number().nullish(),
  created_at: z.number().optional(),
});
export type NewJob = z.input<typeof NewJobSchema>;

/** The columns a state change may set. `increment_attempts` adds one to `attempts` in SQL. */
export const JobPatchSchema = JobSchema.pick({
  status: true,
  attempts: true,
  priority: true,
  leased_to: true,
  lease_expires_at: true,
  credential_id: true,
  resume_state: true,
  resume: true,
  estimated_size: true,
  not_before: true,
  last_error: true,
  started_at: true,
  finished_at: true,
  overall_completion: true,
  stage: true,
  message: true,
  last_progress_at: true,
  time_elapsed: true,
  estimated_time_remaining: true,
  job_type: true,
  gitlab_host: true,
  entity_id: true,
  namespace_path: true,
  entity_name: true,
})
  .partial()
  .extend({ increment_attempts: z.boolean().optional() });
export type JobPatch = z.input<typeof JobPatchSchema>;

export interface ListJobsResult {
  jobs: Job[];
  /** Jobs matching the filters, ignoring limit/offset (a lower bound when `total_exact` is false). */
  total: number;
  total_exact: boolean;
  /** The `after` of the next page; null when this page is the last. */
  next_cursor: string | null;
}

export interface DiscoveredJobsResult {
  /** The ids of the new child jobs, in the order of the items (read them with getJob: no row is built that no one reads). */
  created: string[];
  /** Items that already had a child job of this parent (nothing was written for them). */
  duplicates: number;
}

const decode = rowDecoder(JobSchema, ['resume_state', 'estimated_size'], ['resume']);
const JSON_COLUMNS = new Set(['resume_state', 'estimated_size']);
const SCRUBBED_COLUMNS = new Set(['last_error', 'message']);

/** Converts a value to what its column stores. */
function columnValue(column: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  // A crawler's resume state may echo its token: redacted like every other free-form value.
  if (column === 'resume_state') return toJson(redactResumeState(value));
  if (JSON_COLUMNS.has(column)) return toJson(value);
  if (column === 'resume') return value ? 1 : 0;
  if (SCRUBBED_COLUMNS.has(column) && typeof value === 'string') return scrubSecretText(value);
  return value;
}

export class JobsRepo {
  private readonly getStmt: Database.Statement;
  private readonly statusStmt: Database.Statement;
  private readonly insertStmt: Database.Statement;
  private readonly insertBatchStmt: Database.Statement;
  private readonly nextRowidStmt: Database.Statement;
  private readonly countFromRowidStmt: Database.Statement;
  private readonly insertedIdsStmt: Database.Statement;
  private readonly queuedStmt: Database.Statement;
  private readonly leaseStmt: Database.Statement;
  private readonly leasedToStmt: Database.Statement;
  private readonly expiredStmt: Database.Statement;
  private readonly childrenStmt: Database.Statement;
  private readonly countStmt: Database.Statement;
  private readonly countInsertedStmt: Database.Statement;
  private readonly countChildrenStmt: Database.Statement;
  private readonly lister: JobLister;
  private readonly priorityStmt: Database.Statement;
  private readonly updateCache = new Map<string, Database.Statement>();
  /** The trigram search index, filled in the background (see job-text-index). */
  readonly textIndex: JobTextIndex;
  /** The namespace_path sort order, filled in the background (see job-sort-order). */
  readonly pathOrder: JobSortOrder;
  /** The entity_name sort order, filled in the background (see job-sort-order). */
  readonly nameOrder: JobSortOrder;
  /** Every table filled off the insert path (marked-fill): told of inserts, scheduled and stopped together. */
  readonly fills: readonly MarkedFill[];

  readonly insertJob: (input: NewJob, event?: Partial<EventInput>) => Job;
  readonly transition: (jobId: string, from: readonly JobStatus[], patch: JobPatch, event: EventInput) => boolean;
  /** `avoid`: job ids this crawler should not get (a lease of theirs it let expire); others are offered first. */
  readonly leaseNextJobs: (crawlerId: string, n: number, leaseMs: number, now?: number, avoid?: ReadonlySet<string>) => Job[];
  readonly insertDiscoveredJobs: (
    parentId: string,
    items: readonly DiscoveredJob[],
    options?: { crawler_id?: string | null; at?: number },
  ) => DiscoveredJobsResult;
  readonly setPriority: (
    jobId: string,
    priority: number,
    options?: { reason?: string; crawler_id?: string | null; fromStatuses?: readonly JobStatus[] },
  ) => boolean;

  constructor(
    private readonly db: Database.Database,
    private readonly events: EventsRepo,
    private readonly now: () => number,
  ) {
    this.getStmt = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.statusStmt = db.prepare('SELECT status, priority FROM jobs WHERE id = ?');
    const cols = Object.keys(NewJobSchema.shape).concat('updated_at');
    this.insertStmt = db.prepare(
      `INSERT INTO jobs (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')}) RETURNING *`,
    );
    // One statement per batch (migration 014's discovered_batch): the items go in as one JSON array
    // (SQLite reads it in C), one row each, in order; the same statement counts them and writes the
    // parent's history entry. Run with no transaction open it is its own, so SQLite keeps no statement
    // journal (a copy of every page it changes, to undo it alone). The discovered-entity rules
    // (migrations 012-013) skip an item its parent already has a child for, or whose entity another
    // unfinished discovered job covers, including one inserted by an earlier item of the same batch.
    // Its jobs are the rows from `first` on (new rows take max(rowid) + 1): counted after, and only
    // when some items were duplicates (rare) are the new ids looked up (insertedIdsStmt).
    this.insertBatchStmt = db.prepare(`
      INSERT INTO discovered_batch (parent_job_id, gitlab_host, credential_id, parent_status, crawler_id, at, item_count, first_rowid, items)
      VALUES (@parent, @host, @credential, @status, @crawler, @at, @count, @first, @items)`);
    this.nextRowidStmt = db.prepare('SELECT coalesce(max(rowid), 0) + 1 FROM jobs').pluck();
    this.countFromRowidStmt = db.prepare('SELECT count(*) FROM jobs WHERE rowid >= ?').pluck();
    this.insertedIdsStmt = db.prepare('SELECT j.value AS id FROM json_each(?) AS j WHERE EXISTS (SELECT 1 FROM jobs WHERE id = j.value)').pluck();
    // Only work a crawler can do: a protocol job type and a GitLab host (a job adopted from a
    // crawler, or discovered under one, may lack either; it stays queued, visible, until edited
    // or cancelled). The WHERE is the jobs_dispatchable index's, word for word, so SQLite can read
    // that partial index in dispatch order and never walks the jobs no crawler can take (INDEXED BY:
    // always, whatever the statistics say).
    this.queuedStmt = db.prepare(`
      SELECT id FROM jobs INDEXED BY jobs_dispatchable
      WHERE ${DISPATCHABLE_WHERE} AND (not_before IS NULL OR not_before <= ?)
      ORDER BY priority DESC, created_at ASC, rowid ASC
      LIMIT ?`);
    this.leaseStmt = db.prepare(`
      UPDATE jobs SET status = 'assigned', leased_to = @crawler, lease_expires_at = @expires, updated_at = @now
      WHERE id = @id AND status = 'queued'
      RETURNING *`);
    const held = HELD_JOB_STATUSES.map((s) => `'${s}'`).join(', ');
    this.leasedToStmt = db.prepare(`SELECT * FROM jobs WHERE leased_to = ? AND status IN (${held}) ORDER BY created_at, rowid`);
    this.expiredStmt = db.prepare(
      `SELECT * FROM jobs WHERE status = 'assigned' AND lease_expires_at <= ? ORDER BY lease_expires_at, rowid`,
    );
    this.childrenStmt = db.prepare('SELECT * FROM jobs WHERE parent_job_id = ? ORDER BY created_at, rowid');
    // job_counts (migrations 006, 007): no count over the whole store. Updates and deletes are
    // counted by triggers; inserts by this repo, once per batch (this table's only writers).
    this.countStmt = db.prepare('SELECT status, SUM(n) AS n FROM job_counts GROUP BY status');
    this.countInsertedStmt = db.prepare(`
      INSERT INTO job_counts (status, job_type, origin, n) VALUES (?, ?, ?, ?)
        ON CONFLICT (status, job_type, origin) DO UPDATE SET n = n + excluded.n`);
    this.countChildrenStmt = db.prepare(`
      INSERT INTO job_children (parent_job_id, n) VALUES (?, ?)
        ON CONFLICT (parent_job_id) DO UPDATE SET n = n + excluded.n`);
    this.textIndex = new JobTextIndex(db);
    this.pathOrder = new JobSortOrder(db, 'namespace_path');
    this.nameOrder = new JobSortOrder(db, 'entity_name');
    this.fills = [this.textIndex, this.pathOrder, this.nameOrder];
    this.lister = new JobLister(db);
    this.priorityStmt = db.prepare('UPDATE jobs SET priority = ?, updated_at = ? WHERE id = ?');

    this.insertJob = db.transaction((input: NewJob, event?: Partial<EventInput>): Job => {
      const job = parseInput(NewJobSchema, input, 'job');
      const at = this.now();
      const params: Record<string, unknown> = {};
      for (const c of cols) params[c] = columnValue(c, (job as Record<string, unknown>)[c]);
      params.id = job.id ?? newJobId(at);
      params.created_at = job.created_at ?? at;
      params.updated_at = at;
      let row: unknown;
      try {
        row = this.insertStmt.get(params);
      } catch (err) {
        const code = sqliteCode(err);
        if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('conflict', `job ${String(params.id)} already exists`);
        if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
          throw new StoreError('invalid', 'the parent job or the credential of the new job does not exist');
        }
        if (isDuplicateEntity(err)) throw new StoreError('conflict', 'the parent job already has a child job for this entity');
        throw err;
      }
      // A discovered job that a discovered-entity rule skips (the insert trigger's RAISE(IGNORE)).
      if (row === undefined) {
        throw new StoreError(
          'conflict',
          'a job for this entity already exists: a child of the same parent, or another unfinished discovered job on this host',
        );
      }
      const created = decode(row);
      this.countInsertedStmt.run(created.status, created.job_type, created.origin, 1);
      if (created.parent_job_id !== null) this.countChildrenStmt.run(created.parent_job_id, 1);
      for (const fill of this.fills) fill.noteInserts();
      this.events.insert(
        created.id,
        { ...event, kind: event?.kind ?? (job.origin === 'crawler' ? 'adopted' : 'created'), at: event?.at ?? at },
        null,
        created.status,
      );
      return created;
    });

    this.transition = db.transaction(
      (jobId: string, from: readonly JobStatus[], patch: JobPatch, event: EventInput): boolean => {
        const cur = this.statusStmt.get(jobId) as { status: JobStatus } | undefined;
        if (cur === undefined || !from.includes(cur.status)) return false;
        const { increment_attempts: inc = false, ...fields } = parseInput(JobPatchSchema, patch, 'job change');
        if (inc && fields.attempts !== undefined) throw new StoreError('invalid', 'give attempts or increment_attempts, not both');
        const keys = Object.keys(fields)
          .filter((k) => (fields as Record<string, unknown>)[k] !== undefined)
          .sort();
        const at = event.at ?? this.now();
        const params: Record<string, unknown> = { __id: jobId, __now: at, __from: JSON.stringify(from) };
        for (const k of keys) params[k] = columnValue(k, (fields as Record<string, unknown>)[k]);
        if (this.updateStatement(keys, inc).run(params).changes !== 1) return false;
        this.events.insert(jobId, { ...event, at }, cur.status, fields.status ?? cur.status);
        return true;
      },
    );

    this.leaseNextJobs = db.transaction((crawlerId: string, n: number, leaseMs: number, now?: number, avoid?: ReadonlySet<string>): Job[] => {
      if (!(n > 0)) return [];
      const at = now ?? this.now();
      const expires = at + leaseMs;
      const skip = avoid?.size ?? 0;
      // With jobs to avoid, read that many more candidates so n others can still be found.
      let ids = this.queuedStmt.all(at, Math.floor(n) + skip) as { id: string }[];
      if (skip > 0) ids = ids.filter(({ id }) => !avoid!.has(id)).slice(0, Math.floor(n));
      const leased: Job[] = [];
      for (const { id } of ids) {
        const row = this.leaseStmt.get({ id, crawler: crawlerId, expires, now: at });
        if (row === undefined) continue;
        this.events.insert(
          id,
          { kind: 'assigned', at, crawler_id: crawlerId, details: { lease_expires_at: expires } },
          'queued',
          'assigned',
        );
        leased.push(decode(row));
      }
      return leased;
    });

    // Not a db.transaction: the batch is one statement (see insertBatchStmt), atomic on its own.
    this.insertDiscoveredJobs = (parentId, items, options = {}) => {
      const parent = this.getJob(parentId);
      if (parent === null) throw new StoreError('not_found', `discovering job ${parentId} does not exist`);
      if (items.length === 0) return { created: [], duplicates: 0 };
      const started = performance.now();
      const at = options.at ?? this.now();
      // One row per item, no history entry per child: a discovered job's "created" entry is its
      // created_at and parent_job_id (the detail view shows it from those), and the parent's
      // jobs_discovered entry counts them.
      const ids = newJobIds(items.length, at);
      const rows = items.map((item, i) => [
        ids[i],
        item.job_type,
        item.entity_id,
        item.namespace_path ?? null,
        item.entity_name ?? null,
        item.priority,
        item.estimated_size === undefined ? null : JSON.stringify(item.estimated_size),
      ]);
      const first = this.nextRowidStmt.get() as number;
      this.insertBatchStmt.run({
        parent: parentId,
        host: parent.gitlab_host,
        credential: parent.credential_id,
        status: parent.status,
        crawler: options.crawler_id ?? null,
        at,
        count: items.length,
        first,
        items: JSON.stringify(rows),
      });
      const n = this.countFromRowidStmt.get(first) as number;
      // Every item went in (the usual case), or some were duplicates: then which ones did.
      let created = ids;
      if (n < items.length) {
        const inserted = new Set(this.insertedIdsStmt.all(JSON.stringify(ids)) as string[]);
        created = ids.filter((id) => inserted.has(id));
      }
      if (created.length > 0) {
        const writeMs = performance.now() - started;
        for (const fill of this.fills) fill.noteInserts(writeMs);
      }
      return { created, duplicates: items.length - created.length };
    };

    this.setPriority = db.transaction(
      (
        jobId: string,
        priority: number,
        options: { reason?: string; crawler_id?: string | null; fromStatuses?: readonly JobStatus[] } = {},
      ): boolean => {
        if (!Number.isInteger(priority)) throw new StoreError('invalid', `priority must be an integer, got ${priority}`);
        const cur = this.statusStmt.get(jobId) as { status: JobStatus; priority: number } | undefined;
        if (cur === undefined) return false;
        if (options.fromStatuses !== undefined && !options.fromStatuses.includes(cur.status)) return false;
        if (cur.priority === priority) return true;
        const at = this.now();
        this.priorityStmt.run(priority, at, jobId);
        this.events.insert(
          jobId,
          {
            kind: 'priority_changed',
            at,
            reason: options.reason ?? null,
            crawler_id: options.crawler_id ?? null,
            details: { from: cur.priority, to: priority },
          },
          cur.status,
          cur.status,
        );
        return true;
      },
    );
  }

  getJob(id: string): Job | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : decode(row);
  }

  /** Jobs a crawler holds (assigned, running or waiting for credentials), oldest first. */
  jobsLeasedTo(crawlerId: string): Job[] {
    return this.leasedToStmt.all(crawlerId).map(decode);
  }

  /** Assigned jobs whose lease ran out without a `job_started`. Running jobs have no lease (heartbeats keep them). */
  expiredLeases(now: number = this.now()): Job[] {
    return this.expiredStmt.all(now).map(decode);
  }

  /** The jobs a discovery job created, in creation order. */
  childJobs(parentId: string): Job[] {
    return this.childrenStmt.all(parentId).map(decode);
  }

  /** Number of jobs in each status (zero for the absent ones). */
  countByStatus(): Record<JobStatus, number> {
    const out = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    for (const r of this.countStmt.all() as { status: JobStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }

  /**
   * A page of jobs matching the filters, and how many match in all. An empty
   * list filter (`status: []`) means no filter.
   */
  listJobs(query: ListJobsQuery = {}): ListJobsResult {
    const q = parseInput(ListJobsQuerySchema, query, 'job query');
    const page = this.lister.list(q);
    return { jobs: page.rows.map(decode), total: page.total, total_exact: page.total_exact, next_cursor: page.next_cursor };
  }

  private updateStatement(keys: readonly string[], inc: boolean): Database.Statement {
    const cacheKey = `${keys.join(',')}|${inc ? 'inc' : ''}`;
    let stmt = this.updateCache.get(cacheKey);
    if (stmt === undefined) {
      // Column names come from JobPatchSchema's keys only (parsed input), never from callers' strings.
      const sets = keys.map((k) => `${k} = @${k}`);
      if (inc) sets.push('attempts = attempts + 1');
      sets.push('updated_at = @__now');
      stmt = this.db.prepare(
        `UPDATE jobs SET ${sets.join(', ')} WHERE id = @__id AND status IN (SELECT value FROM json_each(@__from))`,
      );
      this.updateCache.set(cacheKey, stmt);
    }
    return stmt;
  }
}
