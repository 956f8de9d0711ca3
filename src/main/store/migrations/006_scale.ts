import type { Migration } from './types';

/**
 * A million jobs (issue 14): every query of the Jobs screen answered from an
 * index, totals from a maintained count, substring search from a trigram index.
 *
 * - Each sort the screen offers has an index on its column (SQLite appends the
 *   rowid, so `ORDER BY col, rowid` — the list's order — is the index order),
 *   and each filter has an index on (filter, created_at) for the default sort.
 * - `job_counts` holds the number of jobs per (status, job_type, origin), kept by
 *   triggers: totals for those filters and the overview's counts cost one small
 *   table read instead of a count over the whole store.
 * - `jobs_text` is a contentless FTS5 trigram index over the four searched
 *   columns (detail=none: no positions, the smallest form). It only narrows
 *   the candidates; the query re-checks them with the same LIKE as before, so
 *   results are exactly the old ones and nothing is stored twice.
 */
export const migration006Scale: Migration = {
  version: 6,
  name: 'scale',
  up: /* sql */ `
    -- filter + default sort (created_at); the old single-column forms are prefixes of these
    DROP INDEX jobs_leased_to;
    CREATE INDEX jobs_leased_to ON jobs (leased_to, created_at) WHERE leased_to IS NOT NULL;
    DROP INDEX jobs_parent;
    CREATE INDEX jobs_parent ON jobs (parent_job_id, created_at) WHERE parent_job_id IS NOT NULL;
    CREATE INDEX jobs_status_created ON jobs (status, created_at);
    CREATE INDEX jobs_type_created ON jobs (job_type, created_at);
    CREATE INDEX jobs_origin_created ON jobs (origin, created_at);

    -- one index per sort column (created_at has jobs_created)
    CREATE INDEX jobs_sort_updated ON jobs (updated_at);
    CREATE INDEX jobs_sort_priority ON jobs (priority);
    CREATE INDEX jobs_sort_status ON jobs (status);
    CREATE INDEX jobs_sort_type ON jobs (job_type);
    CREATE INDEX jobs_sort_namespace ON jobs (namespace_path);
    CREATE INDEX jobs_sort_entity_name ON jobs (entity_name);
    CREATE INDEX jobs_sort_started ON jobs (started_at);
    CREATE INDEX jobs_sort_finished ON jobs (finished_at);
    CREATE INDEX jobs_sort_completion ON jobs (overall_completion);
    CREATE INDEX jobs_sort_attempts ON jobs (attempts);

    CREATE TABLE job_counts (
      status   TEXT NOT NULL,
      job_type TEXT NOT NULL,
      origin   TEXT NOT NULL,
      n        INTEGER NOT NULL,
      PRIMARY KEY (status, job_type, origin)
    ) WITHOUT ROWID;
    INSERT INTO job_counts (status, job_type, origin, n)
      SELECT status, job_type, origin, COUNT(*) FROM jobs GROUP BY status, job_type, origin;
    CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
      INSERT INTO job_counts (status, job_type, origin, n) VALUES (new.status, new.job_type, new.origin, 1)
        ON CONFLICT (status, job_type, origin) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
      UPDATE job_counts SET n = n - 1 WHERE status = old.status AND job_type = old.job_type AND origin = old.origin;
    END;
    CREATE TRIGGER job_counts_update AFTER UPDATE OF status, job_type, origin ON jobs
      WHEN old.status IS NOT new.status OR old.job_type IS NOT new.job_type OR old.origin IS NOT new.origin
    BEGIN
      UPDATE job_counts SET n = n - 1 WHERE status = old.status AND job_type = old.job_type AND origin = old.origin;
      INSERT INTO job_counts (status, job_type, origin, n) VALUES (new.status, new.job_type, new.origin, 1)
        ON CONFLICT (status, job_type, origin) DO UPDATE SET n = n + 1;
    END;

    CREATE VIRTUAL TABLE jobs_text USING fts5(
      body, tokenize = 'trigram', detail = 'none', content = ''
    );
    INSERT INTO jobs_text (rowid, body)
      SELECT rowid, concat_ws(char(31), id, entity_id, namespace_path, entity_name) FROM jobs;
    CREATE TRIGGER jobs_text_insert AFTER INSERT ON jobs BEGIN
      INSERT INTO jobs_text (rowid, body) VALUES (new.rowid, concat_ws(char(31), new.id, new.entity_id, new.namespace_path, new.entity_name));
    END;
    -- a contentless index forgets a row given the text it indexed (cheaper to keep than contentless_delete)
    CREATE TRIGGER jobs_text_delete AFTER DELETE ON jobs BEGIN
      INSERT INTO jobs_text (jobs_text, rowid, body)
        VALUES ('delete', old.rowid, concat_ws(char(31), old.id, old.entity_id, old.namespace_path, old.entity_name));
    END;
    CREATE TRIGGER jobs_text_update AFTER UPDATE OF id, entity_id, namespace_path, entity_name ON jobs
      WHEN old.id IS NOT new.id OR old.entity_id IS NOT new.entity_id
        OR old.namespace_path IS NOT new.namespace_path OR old.entity_name IS NOT new.entity_name
    BEGIN
      INSERT INTO jobs_text (jobs_text, rowid, body)
        VALUES ('delete', old.rowid, concat_ws(char(31), old.id, old.entity_id, old.namespace_path, old.entity_name));
      INSERT INTO jobs_text (rowid, body) VALUES (new.rowid, concat_ws(char(31), new.id, new.entity_id, new.namespace_path, new.entity_name));
    END;
  `,
};
