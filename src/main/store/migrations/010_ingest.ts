import type { Migration } from './types';

/**
 * Ingest at 50,000 discovered jobs a second, continued (issue 14).
 *
 * - The namespace_path sort leaves the insert path. Its index on `jobs` took
 *   ~43% of an insert's CPU: a crawl's paths interleave groups, so each new
 *   entry lands at a random leaf (a page read, a page written per job at a
 *   million rows). `job_path_order` holds the same order — (path, rowid), a NULL
 *   path stored as the integer 0, which sorts before every text as NULL does —
 *   and is filled off the insert path by the store's path-order step, in key
 *   order. Rows up to `job_path_order_state.indexed_upto` (a rowid) are in it;
 *   the list merges them with the newer rows, sorted as they are, so the order
 *   is exact at any backlog. Changes and deletes of ordered rows keep it in
 *   step; deleting the newest rows lowers the mark (SQLite may reuse their rowids).
 * - job_children rows whose count falls to 0 are deleted (they were kept forever).
 */
export const migration010Ingest: Migration = {
  version: 10,
  name: 'ingest',
  up: /* sql */ `
    CREATE TABLE job_path_order (
      path_key  NOT NULL,  -- namespace_path, or 0 for NULL (no affinity: text stays text, 0 stays an integer)
      job_rowid INTEGER NOT NULL,
      PRIMARY KEY (path_key, job_rowid)
    ) WITHOUT ROWID;
    -- read in the old index's order, so the copy is appended, not scattered
    INSERT INTO job_path_order (path_key, job_rowid)
      SELECT coalesce(namespace_path, 0), rowid FROM jobs INDEXED BY jobs_sort_namespace ORDER BY namespace_path, rowid;
    DROP INDEX jobs_sort_namespace;
    CREATE TABLE job_path_order_state (
      id           INTEGER PRIMARY KEY CHECK (id = 1),
      indexed_upto INTEGER NOT NULL
    );
    INSERT INTO job_path_order_state (id, indexed_upto) SELECT 1, coalesce(max(rowid), 0) FROM jobs;

    CREATE TRIGGER job_path_order_delete AFTER DELETE ON jobs
      WHEN old.rowid <= (SELECT indexed_upto FROM job_path_order_state WHERE id = 1)
    BEGIN
      DELETE FROM job_path_order WHERE path_key = coalesce(old.namespace_path, 0) AND job_rowid = old.rowid;
      UPDATE job_path_order_state SET indexed_upto = (SELECT coalesce(max(rowid), 0) FROM jobs)
        WHERE id = 1 AND indexed_upto > (SELECT coalesce(max(rowid), 0) FROM jobs);
    END;
    CREATE TRIGGER job_path_order_update AFTER UPDATE OF namespace_path ON jobs
      WHEN old.namespace_path IS NOT new.namespace_path
        AND old.rowid <= (SELECT indexed_upto FROM job_path_order_state WHERE id = 1)
    BEGIN
      DELETE FROM job_path_order WHERE path_key = coalesce(old.namespace_path, 0) AND job_rowid = old.rowid;
      INSERT INTO job_path_order (path_key, job_rowid) VALUES (coalesce(new.namespace_path, 0), new.rowid);
    END;

    DELETE FROM job_children WHERE n <= 0;
    DROP TRIGGER job_children_delete;
    CREATE TRIGGER job_children_delete AFTER DELETE ON jobs WHEN old.parent_job_id IS NOT NULL BEGIN
      UPDATE job_children SET n = n - 1 WHERE parent_job_id = old.parent_job_id;
      DELETE FROM job_children WHERE parent_job_id = old.parent_job_id AND n <= 0;
    END;
    DROP TRIGGER job_children_update;
    -- also when a deleted parent's children lose their parent (ON DELETE SET NULL)
    CREATE TRIGGER job_children_update AFTER UPDATE OF parent_job_id ON jobs
      WHEN old.parent_job_id IS NOT new.parent_job_id
    BEGIN
      UPDATE job_children SET n = n - 1 WHERE parent_job_id = old.parent_job_id;
      DELETE FROM job_children WHERE parent_job_id = old.parent_job_id AND n <= 0;
      INSERT INTO job_children (parent_job_id, n) SELECT new.parent_job_id, 1 WHERE new.parent_job_id IS NOT NULL
        ON CONFLICT (parent_job_id) DO UPDATE SET n = n + 1;
    END;
  `,
};
