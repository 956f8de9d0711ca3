import type { Migration } from './types';

/**
 * The entity_name sort leaves the insert path too (issue 14), as namespace_path
 * did in 010. Real project and group names are scattered relative to the order
 * a discovery lists them in, so each new entry of `jobs_sort_entity_name` landed
 * at a random leaf: measured, a store with scattered names ingested at 31–33 µs
 * a job against 18–20 µs with the bench's appending ones, and the gap grows with
 * the store. `job_name_order` holds the same order — (name, rowid), a NULL name
 * keyed as the integer 0 — filled off the insert path by the store's name-order
 * step; the list merges it with the newer rows, so the order is exact at any
 * backlog. Changes and deletes of ordered rows keep it in step; deleting the
 * newest rows lowers the mark.
 */
export const migration011NameOrder: Migration = {
  version: 11,
  name: 'name_order',
  up: /* sql */ `
    CREATE TABLE job_name_order (
      name_key  NOT NULL,  -- entity_name, or 0 for NULL (no affinity: text stays text, 0 stays an integer)
      job_rowid INTEGER NOT NULL,
      PRIMARY KEY (name_key, job_rowid)
    ) WITHOUT ROWID;
    -- read in the old index's order, so the copy is appended, not scattered
    INSERT INTO job_name_order (name_key, job_rowid)
      SELECT coalesce(entity_name, 0), rowid FROM jobs INDEXED BY jobs_sort_entity_name ORDER BY entity_name, rowid;
    DROP INDEX jobs_sort_entity_name;
    CREATE TABLE job_name_order_state (
      id           INTEGER PRIMARY KEY CHECK (id = 1),
      indexed_upto INTEGER NOT NULL
    );
    INSERT INTO job_name_order_state (id, indexed_upto) SELECT 1, coalesce(max(rowid), 0) FROM jobs;

    CREATE TRIGGER job_name_order_delete AFTER DELETE ON jobs
      WHEN old.rowid <= (SELECT indexed_upto FROM job_name_order_state WHERE id = 1)
    BEGIN
      DELETE FROM job_name_order WHERE name_key = coalesce(old.entity_name, 0) AND job_rowid = old.rowid;
      UPDATE job_name_order_state SET indexed_upto = (SELECT coalesce(max(rowid), 0) FROM jobs)
        WHERE id = 1 AND indexed_upto > (SELECT coalesce(max(rowid), 0) FROM jobs);
    END;
    CREATE TRIGGER job_name_order_update AFTER UPDATE OF entity_name ON jobs
      WHEN old.entity_name IS NOT new.entity_name
        AND old.rowid <= (SELECT indexed_upto FROM job_name_order_state WHERE id = 1)
    BEGIN
      DELETE FROM job_name_order WHERE name_key = coalesce(old.entity_name, 0) AND job_rowid = old.rowid;
      INSERT INTO job_name_order (name_key, job_rowid) VALUES (coalesce(new.entity_name, 0), new.rowid);
    END;
  `,
};
