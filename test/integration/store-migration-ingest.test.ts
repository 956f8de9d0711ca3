/**
 * Migrations 010 (ingest) and 011 (name order) on a database written before
 * them: the namespace_path and entity_name orders are copied whole (NULLs keyed
 * so they sort first), the indexes they replace are gone, and children counts
 * of 0 are deleted.
 */
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../../src/main/store/migrate';
import { MIGRATIONS } from '../../src/main/store/migrations';
import { migratedDb } from '../helpers/migrated-db';

describe('migration 010 (ingest)', () => {
  it('copies the namespace_path order of existing jobs and drops empty children counts', () => {
    const db = migratedDb(MIGRATIONS.slice(0, 9));
    try {
      const insert = db.prepare(
        `INSERT INTO jobs (id, job_type, namespace_path, status, origin, parent_job_id, created_at, updated_at)
         VALUES (?, 'crawl_project', ?, 'queued', ?, ?, 1, 1)`,
      );
      insert.run('parent', null, 'operator', null);
      const paths = ['b/x', null, 'a/y', 'B/z', 'a/y', null, 'é/1'];
      paths.forEach((p, i) => insert.run(`child-${i}`, p, 'discovery', 'parent'));
      insert.run('emptied-parent', 'q', 'operator', null);
      // Before 010 the store counted inserted children itself, and a count that fell to 0 stayed.
      db.prepare("INSERT INTO job_children (parent_job_id, n) VALUES ('parent', ?), ('emptied-parent', 0)").run(paths.length);

      expect(runMigrations(db, MIGRATIONS.slice(0, 10)).applied).toEqual(['10_ingest']);
      const want = db.prepare('SELECT rowid AS r FROM jobs NOT INDEXED ORDER BY namespace_path, rowid').all();
      const got = db.prepare('SELECT job_rowid AS r FROM job_path_order ORDER BY path_key, job_rowid').all();
      expect(got).toEqual(want);
      const max = (db.prepare('SELECT max(rowid) AS n FROM jobs').get() as { n: number }).n;
      expect(db.prepare('SELECT indexed_upto AS n FROM job_path_order_state').get()).toEqual({ n: max });
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'jobs_sort_namespace'").get()).toBeUndefined();
      expect(db.prepare('SELECT parent_job_id, n FROM job_children ORDER BY 1').all()).toEqual([{ parent_job_id: 'parent', n: paths.length }]);
    } finally {
      db.close();
    }
  });
});

describe('migration 011 (name order)', () => {
  it('copies the entity_name order of existing jobs, and keeps it in step with changes and deletes', () => {
    const db = migratedDb(MIGRATIONS.slice(0, 10));
    try {
      const insert = db.prepare(
        `INSERT INTO jobs (id, job_type, entity_name, status, origin, created_at, updated_at) VALUES (?, 'crawl_project', ?, 'queued', 'operator', 1, 1)`,
      );
      const names = ['beta', null, 'Alpha', 'alpha', null, 'ünïcode', '42', 'beta'];
      names.forEach((n, i) => insert.run(`job-${i}`, n));

      expect(runMigrations(db, MIGRATIONS.slice(0, 11)).applied).toEqual(['11_name_order']);
      const order = () => db.prepare('SELECT job_rowid AS r FROM job_name_order ORDER BY name_key, job_rowid').all();
      const want = () => db.prepare('SELECT rowid AS r FROM jobs NOT INDEXED ORDER BY entity_name, rowid').all();
      expect(order()).toEqual(want());
      const max = (db.prepare('SELECT max(rowid) AS n FROM jobs').get() as { n: number }).n;
      expect(db.prepare('SELECT indexed_upto AS n FROM job_name_order_state').get()).toEqual({ n: max });
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'jobs_sort_entity_name'").get()).toBeUndefined();
      // Renamed, named, unnamed and deleted jobs move in the order with it.
      db.prepare("UPDATE jobs SET entity_name = 'aaa' WHERE id = 'job-0'").run();
      db.prepare("UPDATE jobs SET entity_name = 'zzz' WHERE id = 'job-1'").run();
      db.prepare("UPDATE jobs SET entity_name = NULL WHERE id = 'job-2'").run();
      db.prepare("DELETE FROM jobs WHERE id = 'job-3'").run();
      expect(order()).toEqual(want());
    } finally {
      db.close();
    }
  });
});
