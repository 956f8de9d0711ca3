import type { Migration } from './types';

const statuses = `'queued','assigned','running','completed','failed','cancelled','waiting_credentials'`;

/** The first schema. Times are epoch milliseconds; JSON columns hold JSON text. */
export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up: /* sql */ `
    CREATE TABLE credentials (
      id               TEXT PRIMARY KEY,
      gitlab_host      TEXT NOT NULL,
      label            TEXT NOT NULL,
      token_ciphertext BLOB NOT NULL,
      token_hint       TEXT NOT NULL,
      cipher_kind      TEXT NOT NULL,
      created_at       INTEGER NOT NULL,
      updated_at       INTEGER NOT NULL
    );
    CREATE INDEX credentials_host ON credentials (gitlab_host, updated_at);

    CREATE TABLE jobs (
      id                       TEXT PRIMARY KEY,
      job_type                 TEXT NOT NULL,
      gitlab_host              TEXT NOT NULL DEFAULT '',
      entity_id                TEXT,
      namespace_path           TEXT,
      entity_name              TEXT,
      priority                 INTEGER NOT NULL DEFAULT 1,
      status                   TEXT NOT NULL CHECK (status IN (${statuses})),
      attempts                 INTEGER NOT NULL DEFAULT 0,
      parent_job_id            TEXT REFERENCES jobs (id) ON DELETE SET NULL,
      origin                   TEXT NOT NULL CHECK (origin IN ('operator','discovery','crawler')),
      leased_to                TEXT,
      lease_expires_at         INTEGER,
      credential_id            TEXT REFERENCES credentials (id) ON DELETE SET NULL,
      resume_state             TEXT,
      resume                   INTEGER NOT NULL DEFAULT 0 CHECK (resume IN (0, 1)),
      estimated_size           TEXT,
      not_before               INTEGER,
      last_error               TEXT,
      created_at               INTEGER NOT NULL,
      updated_at               INTEGER NOT NULL,
      started_at               INTEGER,
      finished_at              INTEGER,
      overall_completion       REAL,
      stage                    TEXT,
      message                  TEXT,
      last_progress_at         INTEGER,
      time_elapsed             INTEGER,
      estimated_time_remaining INTEGER,
      -- the seed's SocketJobProgress status and milestones, as last saved
      progress_status          TEXT,
      milestones               TEXT
    );
    -- dispatch: queued jobs, highest priority first, then oldest
    CREATE INDEX jobs_dispatch ON jobs (status, priority DESC, created_at);
    CREATE INDEX jobs_leased_to ON jobs (leased_to) WHERE leased_to IS NOT NULL;
    CREATE INDEX jobs_parent ON jobs (parent_job_id) WHERE parent_job_id IS NOT NULL;
    CREATE INDEX jobs_created ON jobs (created_at);
    CREATE INDEX jobs_credential ON jobs (credential_id) WHERE credential_id IS NOT NULL;
    -- retention: finished jobs by age
    CREATE INDEX jobs_retention ON jobs (status, coalesce(finished_at, updated_at));
    -- one child per discovered item and discovering job: re-sent jobs_discovered
    -- messages insert nothing (children inherit the parent's host, so this also
    -- keeps (job_type, gitlab_host, entity_id, namespace_path) unique per parent)
    CREATE UNIQUE INDEX jobs_discovered_once ON jobs (parent_job_id, job_type, entity_id)
      WHERE parent_job_id IS NOT NULL;

    CREATE TABLE job_progress (
      job_id                   TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      entity_type              TEXT NOT NULL,
      total_discovered         INTEGER,
      total_processed          INTEGER,
      current_page             INTEGER,
      items_per_page           INTEGER,
      sub_collection           TEXT,
      processing_rate          REAL,
      estimated_time_remaining REAL,
      item_counts              TEXT,
      extras                   TEXT,
      updated_at               INTEGER NOT NULL,
      PRIMARY KEY (job_id, entity_type)
    ) WITHOUT ROWID;

    CREATE TABLE job_events (
      id          INTEGER PRIMARY KEY,
      job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      at          INTEGER NOT NULL,
      kind        TEXT NOT NULL,
      from_status TEXT,
      to_status   TEXT,
      crawler_id  TEXT,
      reason      TEXT,
      details     TEXT
    );
    CREATE INDEX job_events_job ON job_events (job_id, id);

    CREATE TABLE crawlers (
      id                  TEXT PRIMARY KEY,
      name                TEXT,
      version             TEXT,
      host                TEXT,
      pid                 INTEGER,
      spelling            TEXT CHECK (spelling IN ('documented','crawler')),
      capabilities        TEXT,
      max_concurrent_jobs INTEGER,
      connected_at        INTEGER,
      disconnected_at     INTEGER,
      disconnect_reason   TEXT,
      last_heartbeat_at   INTEGER,
      last_heartbeat      TEXT,
      status              TEXT NOT NULL CHECK (status IN ('connected','disconnected')),
      total_processed     INTEGER
    );

    -- no foreign keys: an error may name a job or crawler the console never knew
    CREATE TABLE errors (
      id         INTEGER PRIMARY KEY,
      at         INTEGER NOT NULL,
      category   TEXT NOT NULL,
      severity   TEXT NOT NULL CHECK (severity IN ('low','medium','high','critical')),
      code       TEXT,
      message    TEXT NOT NULL,
      context    TEXT,
      crawler_id TEXT,
      job_id     TEXT
    );
    CREATE INDEX errors_at ON errors (at);
    CREATE INDEX errors_job ON errors (job_id) WHERE job_id IS NOT NULL;
    CREATE INDEX errors_crawler ON errors (crawler_id) WHERE crawler_id IS NOT NULL;

    CREATE TABLE discovered_entities (
      entity_type TEXT NOT NULL,
      entity_id   TEXT NOT NULL,
      name        TEXT NOT NULL,
      path        TEXT NOT NULL,
      parent_id   TEXT,
      job_id      TEXT,
      crawler_id  TEXT,
      seen_at     INTEGER NOT NULL,
      PRIMARY KEY (entity_type, entity_id)
    ) WITHOUT ROWID;
  `,
};
