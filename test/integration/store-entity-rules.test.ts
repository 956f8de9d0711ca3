/**
 * Migration 012: the discovered-entity rules kept by one index and two triggers
 * instead of two unique indexes. The rules must decide exactly as the indexes
 * did, for every writer: a random sequence of inserts, changes and deletes is
 * run against a database at schema 11 (the unique indexes) and one at the
 * latest schema, and every outcome and the rows after it must agree.
 *
 * Migration 013: the rules compare hosts however they are spelled. The same
 * history runs with hosts spelled many ways on the latest schema and in one
 * form (normalizeHost's) at schema 11: the outcomes must still agree.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileKeyCipher, normalizeHost, openStore } from '../../src/main/store';
import { hostKeySql } from '../../src/main/store/migrations/013_host_key';
import { JOB_STATUSES } from '../../src/shared/jobs';
import { mulberry32 } from '../../src/simulator/prng';
import { isDuplicateEntity, sqliteCode } from '../../src/main/store/validate';
import { runMigrations } from '../../src/main/store/migrate';
import { MIGRATIONS } from '../../src/main/store/migrations';
import { migratedDb } from '../helpers/migrated-db';

type Outcome = 'done' | 'refused';

const COLS = 'id, job_type, gitlab_host, entity_id, parent_job_id, origin, status';
type Row = { gitlab_host: string };
const rows = (db: Database.Database, host: (h: string) => string = (h) => h) =>
  (db.prepare(`SELECT ${COLS} FROM jobs ORDER BY id`).all() as Row[]).map((r) => ({ ...r, gitlab_host: host(r.gitlab_host) }));

/**
 * Runs a write; a rule's refusal is an outcome, anything else fails the test. `refusal` says what a
 * refusal looks like on that schema: a unique index's at schema 11, the triggers' after it.
 */
function attempt(db: Database.Database, sql: string, params: unknown[], refusal: (err: unknown) => boolean): Outcome {
  try {
    return db.prepare(sql).run(...params).changes > 0 ? 'done' : 'refused';
  } catch (err) {
    if (refusal(err)) return 'refused';
    throw err;
  }
}
const uniqueIndex = (err: unknown) => sqliteCode(err) === 'SQLITE_CONSTRAINT_UNIQUE';

describe('discovered-entity rules (migration 012)', () => {
  let before: Database.Database;
  let after: Database.Database;
  beforeEach(() => {
    before = migratedDb(MIGRATIONS.slice(0, 11));
    after = migratedDb();
  });
  afterEach(() => {
    before.close();
    after.close();
  });

  it('replaces the two unique indexes with one plain index', () => {
    const indexes = (db: Database.Database) =>
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND name LIKE 'jobs_%'").all() as { name: string }[]).map(
        (r) => r.name,
      );
    expect(indexes(before)).toEqual(expect.arrayContaining(['jobs_discovered_once', 'jobs_discovered_entity_unfinished']));
    expect(indexes(after)).not.toContain('jobs_discovered_once');
    expect(indexes(after)).not.toContain('jobs_discovered_entity_unfinished');
    expect(indexes(after)).toContain('jobs_entity');
  });

  it('decides every insert, change and delete of a random history exactly as the unique indexes did', () => {
    const random = mulberry32(1412);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const TYPES = ['crawl_project', 'crawl_group'];
    // Spelled many ways on the latest schema; schema 11 (which compared hosts as written) is given
    // each in the one form normalizeHost makes, so the two must still decide alike.
    const HOSTS = ['a.example', 'https://A.example/', ' a.example', 'b.example', 'http://B.Example//', 'b.example/'];
    const canonical = (v: unknown) => (typeof v === 'string' && HOSTS.includes(v) ? normalizeHost(v) : v);
    const ENTITIES = [null, '1', '2', '3', '10'];
    const ORIGINS = ['discovery', 'operator'];
    const both = (sql: string, params: unknown[] = []) => {
      for (const db of [before, after]) db.prepare(sql).run(...params);
    };
    const old = (params: unknown[]) => params.map(canonical);
    both(`INSERT INTO jobs (id, job_type, gitlab_host, status, origin, created_at, updated_at) VALUES
          ('p1', 'discover_namespaces', 'a.example', 'running', 'operator', 0, 0),
          ('p2', 'discover_namespaces', 'b.example', 'running', 'operator', 0, 0)`);
    const PARENTS = [null, 'p1', 'p2'];
    let next = 0;
    const tally = { insert: { done: 0, refused: 0 }, update: { done: 0, refused: 0 } };

    for (let step = 0; step < 3000; step++) {
      const r = random();
      const ids = (after.prepare("SELECT id FROM jobs WHERE id NOT IN ('p1', 'p2')").all() as { id: string }[]).map((x) => x.id);
      let outcomes: [Outcome, Outcome];
      let what: string;
      if (r < 0.5 || ids.length === 0) {
        const row = [`j${next++}`, pick(TYPES), pick(HOSTS), pick(ENTITIES), pick(PARENTS), pick(ORIGINS), pick(JOB_STATUSES)];
        const cols = `INSERT INTO jobs (${COLS}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)`;
        // Schema 11: the discovered-jobs insert skipped a duplicate by ON CONFLICT DO NOTHING, and
        // any other insert was refused by the unique index; 012's trigger decides both itself.
        const sql11 = row[5] === 'discovery' ? `${cols} ON CONFLICT DO NOTHING` : cols;
        outcomes = [attempt(before, sql11, old(row), uniqueIndex), attempt(after, cols, row, isDuplicateEntity)];
        what = `insert ${JSON.stringify(row)}`;
        tally.insert[outcomes[1]]++;
      } else if (r < 0.93) {
        const column = pick(['status', 'status', 'status', 'entity_id', 'job_type', 'gitlab_host', 'parent_job_id', 'origin']);
        const value = { status: JOB_STATUSES, entity_id: ENTITIES, job_type: TYPES, gitlab_host: HOSTS, parent_job_id: PARENTS, origin: ORIGINS }[
          column
        ] as readonly (string | null)[];
        const params = [pick(value), pick(ids)];
        const sql = `UPDATE jobs SET ${column} = ? WHERE id = ?`;
        outcomes = [attempt(before, sql, old(params), uniqueIndex), attempt(after, sql, params, isDuplicateEntity)];
        what = `${sql} ${JSON.stringify(params)}`;
        tally.update[outcomes[1]]++;
      } else {
        // Deleting a parent sets its children's parent_job_id to NULL (a change the update trigger sees).
        const id = random() < 0.3 ? pick(['p1', 'p2']) : pick(ids);
        const sql = 'DELETE FROM jobs WHERE id = ?';
        outcomes = [attempt(before, sql, [id], uniqueIndex), attempt(after, sql, [id], isDuplicateEntity)];
        what = `${sql} ${id}`;
        if (id === 'p1' || id === 'p2') {
          both(`INSERT OR IGNORE INTO jobs (id, job_type, gitlab_host, status, origin, created_at, updated_at)
                VALUES (?, 'discover_namespaces', 'a.example', 'running', 'operator', 0, 0)`, [id]);
        }
      }
      expect(outcomes[1], `step ${step}: ${what}`).toBe(outcomes[0]);
      expect(rows(after, normalizeHost), `step ${step}: ${what}`).toEqual(rows(before));
    }
    // The history met the rules both ways, many times over (not a sequence that never collides).
    expect(tally.insert.refused).toBeGreaterThan(100);
    expect(tally.update.refused).toBeGreaterThan(50);
    expect(tally.insert.done).toBeGreaterThan(300);
    expect(tally.update.done).toBeGreaterThan(300);
  });

  it('upgrades a schema-11 database in place: existing jobs keep their rules', () => {
    const insert = before.prepare(
      `INSERT INTO jobs (${COLS}, created_at, updated_at) VALUES (?, 'crawl_project', 'a.example', ?, ?, 'discovery', ?, 0, 0)`,
    );
    insert.run('p', null, null, 'running');
    insert.run('c1', '1', 'p', 'queued');
    insert.run('c2', '2', 'p', 'completed');
    expect(runMigrations(before).applied).toEqual(MIGRATIONS.slice(11).map((m) => `${m.version}_${m.name}`));
    const tryInsert = (id: string, entity: string, parent: string | null) =>
      before
        .prepare(`INSERT INTO jobs (${COLS}, created_at, updated_at) VALUES (?, 'crawl_project', 'a.example', ?, ?, 'discovery', 'queued', 0, 0) RETURNING id`)
        .get(id, entity, parent);
    expect(tryInsert('x1', '1', null)).toBeUndefined(); // c1 covers entity 1, unfinished
    expect(tryInsert('x2', '2', 'p')).toBeUndefined(); // p already has a child for entity 2
    expect(tryInsert('x3', '2', null)).toEqual({ id: 'x3' }); // c2 is finished: another discovery may queue it
    expect(() => before.prepare("UPDATE jobs SET status = 'queued' WHERE id = 'c2'").run()).toThrow(/^duplicate entity:/);
  });

  it('through the store: a retry the rules refuse is told apart from other failures, and an operator duplicate is a conflict', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-rules-'));
    const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
    try {
      const item = { job_type: 'crawl_project' as const, entity_id: '7', namespace_path: 'g/p', entity_name: 'p', priority: 1 };
      const p1 = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'h.example' });
      const p2 = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'h.example' });
      const [a] = store.jobs.insertDiscoveredJobs(p1.id, [item]).created;
      expect(store.jobs.transition(a!, ['queued'], { status: 'cancelled' }, { kind: 'cancelled' })).toBe(true);
      const [b] = store.jobs.insertDiscoveredJobs(p2.id, [item]).created;
      expect(b).toBeDefined();
      let refusal: unknown;
      try {
        store.jobs.transition(a!, ['cancelled'], { status: 'queued' }, { kind: 'retried' });
      } catch (err) {
        refusal = err;
      }
      expect(isDuplicateEntity(refusal)).toBe(true);
      expect(store.jobs.getJob(a!)!.status).toBe('cancelled');
      // The same entity again, by hand: a child of p2 already covers it.
      expect(() => store.jobs.insertJob({ ...item, gitlab_host: 'h.example', parent_job_id: p2.id })).toThrow(
        expect.objectContaining({ code: 'conflict' }),
      );
      expect(() => store.jobs.insertJob({ ...item, gitlab_host: 'h.example', origin: 'discovery' })).toThrow(
        expect.objectContaining({ code: 'conflict' }),
      );
      expect(isDuplicateEntity(new Error('duplicate entity: but not from SQLite'))).toBe(false);
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('one host however it is spelled (migration 013)', () => {
  it('the rules’ host key in SQL agrees with normalizeHost on thousands of spellings', () => {
    const db = migratedDb();
    try {
      const key = db.prepare(`SELECT ${hostKeySql('h')} AS k FROM (SELECT ? AS h)`).pluck();
      const random = mulberry32(1313);
      const pieces = ['https', 'HTTP', 'git+ssh', '1http', 'h-t.t', ':', '//', '/', '://', ':///', 'GitLab', '.Example', '.com', ':8443', ' ', '\t', '\n', 'a', 'Z', '-', '+', '.', '/Path/Case', '', 'ü'];
      const seen = new Set<string>();
      for (let i = 0; i < 5000; i++) {
        let h = '';
        for (let n = 1 + Math.floor(random() * 7); n > 0; n--) h += pieces[Math.floor(random() * pieces.length)];
        seen.add(normalizeHost(h));
        // Lower case is ASCII only in SQLite; a host the console accepts is ASCII (GitlabHostSchema).
        if (/[^\x00-\x7f]/.test(h) && normalizeHost(h) !== h.trim()) continue;
        expect(key.get(h), JSON.stringify(h)).toBe(normalizeHost(h));
      }
      expect(seen.size).toBeGreaterThan(2000); // the spellings were varied, not a handful repeated
      for (const [a, b] of [
        ['https://GitLab.example.com/', 'gitlab.example.com'],
        ['http://gitlab.example.com:8080//', 'gitlab.example.com:8080'],
        ['  GITLAB.example.com/Group/Root/ ', 'gitlab.example.com/Group/Root'],
      ]) expect(key.get(a)).toBe(b);
    } finally {
      db.close();
    }
  });

  it('a second discovery under another spelling of the host queues nothing twice; an operator’s duplicate is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-host-key-'));
    const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
    try {
      const items = ['1', '2', '3'].map((entity_id) => ({ job_type: 'crawl_project' as const, entity_id, namespace_path: `g/p${entity_id}`, entity_name: `p${entity_id}`, priority: 1 }));
      const first = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'https://GitLab.example.com/' });
      const second = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.example.com' });
      const other = store.jobs.insertJob({ job_type: 'discover_namespaces', gitlab_host: 'gitlab.other.example' });
      expect(store.jobs.insertDiscoveredJobs(first.id, items).created).toHaveLength(3);
      expect(store.jobs.insertDiscoveredJobs(second.id, items)).toEqual({ created: [], duplicates: 3 });
      expect(store.jobs.insertDiscoveredJobs(other.id, items).created).toHaveLength(3); // another GitLab: its own jobs
      expect(() => store.jobs.insertJob({ ...items[0]!, gitlab_host: 'http://gitlab.EXAMPLE.com', origin: 'discovery' })).toThrow(
        expect.objectContaining({ code: 'conflict' }),
      );
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a schema-12 database in place: jobs written before compare by the same key', () => {
    const db = migratedDb(MIGRATIONS.slice(0, 12));
    try {
      const insert = db.prepare(
        `INSERT INTO jobs (${COLS}, created_at, updated_at) VALUES (?, 'crawl_project', ?, ?, NULL, 'discovery', 'queued', 0, 0) RETURNING id`,
      );
      insert.get('c1', 'https://H.example/', '1');
      expect(insert.get('c2', 'h.example', '1')).toEqual({ id: 'c2' }); // schema 12: two hosts
      expect(runMigrations(db).applied).toEqual(MIGRATIONS.slice(12).map((m) => `${m.version}_${m.name}`));
      expect(insert.get('c3', 'h.example/', '1')).toBeUndefined();
      expect(insert.get('c4', 'h2.example', '1')).toEqual({ id: 'c4' });
      // A change of spelling alone is no change of host: allowed, though two jobs already share the entity.
      expect(db.prepare("UPDATE jobs SET gitlab_host = 'h.example' WHERE id = 'c1'").run().changes).toBe(1);
    } finally {
      db.close();
    }
  });
});

describe('a discovered batch (migration 014)', () => {
  it('reads jobs by rowid or by an index search in every step, never by a scan (its cost must not grow with the store)', () => {
    const db = migratedDb();
    try {
      const trigger = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'discovered_batch_insert'").pluck().get() as string;
      const body = trigger.slice(trigger.indexOf('BEGIN') + 'BEGIN'.length, trigger.lastIndexOf('END'));
      const steps = body
        .replace(/--.*$/gm, '')
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean);
      expect(steps).toHaveLength(4);
      for (const step of steps) {
        // Each step as a statement of its own, the trigger's new.* values as parameters: its plan.
        const sql = step.replace(/\bnew\.\w+/g, '?');
        const params = Array.from({ length: sql.split('?').length - 1 }, () => null);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
        expect(plan.join('\n'), step).toMatch(/SEARCH jobs USING INTEGER PRIMARY KEY|SCAN item VIRTUAL TABLE/);
        expect(plan.filter((d) => /^SCAN jobs\b/.test(d)), step).toEqual([]);
      }
    } finally {
      db.close();
    }
  });
});
