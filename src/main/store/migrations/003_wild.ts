import type Database from 'better-sqlite3';
import type { Migration } from './types';

const UNFINISHED = `'queued','assigned','running','waiting_credentials'`;

/**
 * Working with the crawler in the wild (issue 10):
 * - credentials know their expiry, count token versions (a replaced token is a
 *   new version) and remember when GitLab last refused the current one (shown);
 * - which credential and token version each job was last handed (job_tokens),
 *   and whether GitLab refused it for that job, so a refresh for the token that
 *   just failed is not answered with it again;
 * - crawlers whose id the console made up (never said hello with an id);
 * - one unfinished discovered job per (host, job type, entity id).
 */
export const migration003Wild: Migration = {
  version: 3,
  name: 'wild',
  up: (db: Database.Database) => {
    db.exec(/* sql */ `
      ALTER TABLE credentials ADD COLUMN expires_at INTEGER;
      ALTER TABLE credentials ADD COLUMN token_version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE credentials ADD COLUMN rejected_at INTEGER;
      ALTER TABLE credentials ADD COLUMN rejected_reason TEXT;

      CREATE TABLE job_tokens (
        job_id        TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        credential_id TEXT NOT NULL,
        token_version INTEGER NOT NULL,
        handed_at     INTEGER NOT NULL,
        -- the crawler said GitLab refused this token for this job: never hand it to the job again
        refused       INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1))
      ) WITHOUT ROWID;

      ALTER TABLE crawlers ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1));
      CREATE INDEX crawlers_anonymous ON crawlers (anonymous, status, coalesce(disconnected_at, 0));
    `);
    // Databases written before this rule may already hold duplicates: keep the one
    // furthest along (running before waiting before assigned before queued, then the
    // oldest) and cancel the others, with the reason in their history.
    const at = Date.now();
    const dupes = db
      .prepare(
        /* sql */ `
        SELECT id, status, keep_id FROM (
          SELECT id, status,
                 first_value(id) OVER w AS keep_id,
                 row_number() OVER w AS n
          FROM jobs
          WHERE origin = 'discovery' AND entity_id IS NOT NULL AND status IN (${UNFINISHED})
          WINDOW w AS (PARTITION BY gitlab_host, job_type, entity_id
                       ORDER BY CASE status WHEN 'running' THEN 0 WHEN 'waiting_credentials' THEN 1
                                            WHEN 'assigned' THEN 2 ELSE 3 END, created_at, rowid)
        ) WHERE n > 1`,
      )
      .all() as { id: string; status: string; keep_id: string }[];
    const cancel = db.prepare(
      `UPDATE jobs SET status = 'cancelled', finished_at = @at, updated_at = @at, leased_to = NULL, lease_expires_at = NULL,
                       last_error = @reason WHERE id = @id`,
    );
    const event = db.prepare(
      `INSERT INTO job_events (job_id, at, kind, from_status, to_status, reason) VALUES (@id, @at, 'cancelled', @status, 'cancelled', @reason)`,
    );
    for (const d of dupes) {
      const reason = `duplicate of job ${d.keep_id} (same host, job type and entity); cancelled by the schema upgrade`;
      cancel.run({ id: d.id, at, reason });
      event.run({ id: d.id, at, status: d.status, reason });
    }
    db.exec(/* sql */ `
      -- A discovered entity has at most one unfinished job, whichever discovery found it.
      CREATE UNIQUE INDEX jobs_discovered_entity_unfinished ON jobs (gitlab_host, job_type, entity_id)
        WHERE origin = 'discovery' AND entity_id IS NOT NULL AND status IN (${UNFINISHED});
    `);
  },
};
