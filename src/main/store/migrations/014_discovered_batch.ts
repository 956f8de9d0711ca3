import type { Migration } from './types';

/**
 * A batch of discovered jobs written by one statement (issue 14): an insert into
 * the view `discovered_batch` (one row: the batch) runs this trigger, which writes
 * the jobs, their counts, the parent's child count and its history entry.
 *
 * Why one statement: run on its own (no transaction open), a statement is its own
 * transaction, so SQLite keeps no statement journal for it. Inside a transaction it
 * must: an insert of many rows that may fail midway (any function call, a foreign key
 * or a trigger can) first copies every page it changes that existed before it to a
 * temporary file, so that it alone can be undone. With entity ids in no order that is
 * a page a job (the entity index's leaf): the store alone at 400,000 jobs, in batches
 * of 2,000, took 29.0-30.4 µs of CPU a job that way and takes 23.1-23.4 now (ascending
 * ids: 13.8-15.8 then, 13.3-13.9 now). The batch is still all or nothing (a failed
 * statement undoes all of it), and still part of an enclosing transaction if one is open.
 *
 * The caller passes what it already knows: the parent's host, credential and status,
 * the number of items, and the first rowid the batch's jobs will have (max(rowid) + 1:
 * new rows take the next rowid), by which the steps after the insert find what it wrote.
 * A duplicate item is skipped by the entity rules' insert trigger (migrations 012-013).
 */
export const migration014DiscoveredBatch: Migration = {
  version: 14,
  name: 'discovered_batch',
  up: /* sql */ `
    CREATE VIEW discovered_batch (parent_job_id, gitlab_host, credential_id, parent_status, crawler_id, at, item_count, first_rowid, items) AS
      SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE 0;

    CREATE TRIGGER discovered_batch_insert INSTEAD OF INSERT ON discovered_batch BEGIN
      -- items: a JSON array of [id, job_type, entity_id, namespace_path, entity_name, priority, estimated_size]
      INSERT INTO jobs (id, job_type, gitlab_host, entity_id, namespace_path, entity_name, priority, status,
                        parent_job_id, origin, credential_id, estimated_size, created_at, updated_at)
        SELECT item.value ->> 0, item.value ->> 1, new.gitlab_host, item.value ->> 2, item.value ->> 3, item.value ->> 4,
               item.value ->> 5, 'queued', new.parent_job_id, 'discovery', new.credential_id, item.value ->> 6, new.at, new.at
        FROM jsonb_each(new.items) AS item;
      INSERT INTO job_counts (status, job_type, origin, n)
        -- NOT INDEXED: the batch's rows by rowid (without it SQLite walks all of jobs_sort_type, in group order)
        SELECT 'queued', job_type, 'discovery', count(*) FROM jobs NOT INDEXED WHERE rowid >= new.first_rowid GROUP BY job_type
        ON CONFLICT (status, job_type, origin) DO UPDATE SET n = n + excluded.n;
      INSERT INTO job_children (parent_job_id, n)
        SELECT new.parent_job_id, n FROM (SELECT count(*) AS n FROM jobs WHERE rowid >= new.first_rowid) WHERE n > 0
        ON CONFLICT (parent_job_id) DO UPDATE SET n = n + excluded.n;
      INSERT INTO job_events (job_id, at, kind, from_status, to_status, crawler_id, reason, details)
        SELECT new.parent_job_id, new.at, 'jobs_discovered', new.parent_status, new.parent_status, new.crawler_id, NULL,
               json_object('created', n, 'duplicates', new.item_count - n)
        FROM (SELECT count(*) AS n FROM jobs WHERE rowid >= new.first_rowid) WHERE n > 0;
    END;
  `,
};
