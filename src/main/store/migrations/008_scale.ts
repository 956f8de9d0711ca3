import type { Migration } from './types';

/** The job types a crawler can work on: the dispatch query and its index name them alike. */
export const DISPATCHABLE_WHERE = `status = 'queued' AND job_type IN ('discover_namespaces', 'crawl_user', 'crawl_group', 'crawl_project') AND gitlab_host <> ''`;

/**
 * Ingest at 50,000 discovered jobs a second (issue 14): fewer and cheaper
 * writes per new job, and no per-row trigger on the insert path.
 *
 * - Dispatch reads a partial index of the jobs a crawler can take, ordered as
 *   dispatch takes them. The old (status, priority, created_at) index made the
 *   dispatch after every jobs_discovered walk every queued job a crawler cannot
 *   take (no host, say): a scan per message, quadratic over an ingest.
 * - Dropped: jobs_status_type (/metrics reads job_counts instead) and
 *   jobs_origin_created (the Jobs screen has no origin filter; the API's origin
 *   filter still works, through the other indexes).
 * - job_counts: inserts are counted by the store (one upsert per batch and job
 *   type, not one per row); updates and deletes keep their triggers.
 * - jobs_text (trigram search) is filled off the insert path, in chunks, by the
 *   store's search indexer: rows up to `jobs_text_state.indexed_upto` (rowid)
 *   are in the index, the rest are searched by their LIKE alone, so results are
 *   exact before, during and after indexing. Changes and deletes of indexed rows
 *   keep the index in step; deleting the newest rows lowers the mark, because
 *   SQLite may give their rowids to the next inserts.
 * - job_children: how many children each job has (a discovery job's detail
 *   says "200,000 child jobs" without counting them on every open); inserts are
 *   counted by the store, changes and deletes by triggers.
 */
export const migration008Scale: Migration = {
  version: 8,
  name: 'scale_ingest',
  up: /* sql */ `
    DROP INDEX jobs_dispatch;
    CREATE INDEX jobs_dispatchable ON jobs (priority DESC, created_at) WHERE ${DISPATCHABLE_WHERE};
    DROP INDEX jobs_status_type;
    DROP INDEX jobs_origin_created;

    DROP TRIGGER job_counts_insert;

    CREATE TABLE jobs_text_state (
      id           INTEGER PRIMARY KEY CHECK (id = 1),
      indexed_upto INTEGER NOT NULL
    );
    INSERT INTO jobs_text_state (id, indexed_upto) SELECT 1, coalesce(max(rowid), 0) FROM jobs;

    DROP TRIGGER jobs_text_insert;
    DROP TRIGGER jobs_text_delete;
    CREATE TRIGGER jobs_text_delete AFTER DELETE ON jobs
      WHEN old.rowid <= (SELECT indexed_upto FROM jobs_text_state WHERE id = 1)
    BEGIN
      INSERT INTO jobs_text (jobs_text, rowid, body)
        VALUES ('delete', old.rowid, concat_ws(char(31), old.id, old.entity_id, old.namespace_path, old.entity_name));
      UPDATE jobs_text_state SET indexed_upto = (SELECT coalesce(max(rowid), 0) FROM jobs)
        WHERE id = 1 AND indexed_upto > (SELECT coalesce(max(rowid), 0) FROM jobs);
    END;
    CREATE TABLE job_children (
      parent_job_id TEXT PRIMARY KEY,
      n             INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO job_children (parent_job_id, n)
      SELECT parent_job_id, COUNT(*) FROM jobs WHERE parent_job_id IS NOT NULL GROUP BY parent_job_id;
    CREATE TRIGGER job_children_delete AFTER DELETE ON jobs WHEN old.parent_job_id IS NOT NULL BEGIN
      UPDATE job_children SET n = n - 1 WHERE parent_job_id = old.parent_job_id;
    END;
    -- also when a deleted parent's children lose their parent (ON DELETE SET NULL)
    CREATE TRIGGER job_children_update AFTER UPDATE OF parent_job_id ON jobs
      WHEN old.parent_job_id IS NOT new.parent_job_id
    BEGIN
      UPDATE job_children SET n = n - 1 WHERE parent_job_id = old.parent_job_id;
      INSERT INTO job_children (parent_job_id, n) SELECT new.parent_job_id, 1 WHERE new.parent_job_id IS NOT NULL
        ON CONFLICT (parent_job_id) DO UPDATE SET n = n + 1;
    END;

    DROP TRIGGER jobs_text_update;
    CREATE TRIGGER jobs_text_update AFTER UPDATE OF id, entity_id, namespace_path, entity_name ON jobs
      WHEN (old.id IS NOT new.id OR old.entity_id IS NOT new.entity_id
            OR old.namespace_path IS NOT new.namespace_path OR old.entity_name IS NOT new.entity_name)
        AND old.rowid <= (SELECT indexed_upto FROM jobs_text_state WHERE id = 1)
    BEGIN
      INSERT INTO jobs_text (jobs_text, rowid, body)
        VALUES ('delete', old.rowid, concat_ws(char(31), old.id, old.entity_id, old.namespace_path, old.entity_name));
      INSERT INTO jobs_text (rowid, body) VALUES (new.rowid, concat_ws(char(31), new.id, new.entity_id, new.namespace_path, new.entity_name));
    END;
  `,
};
