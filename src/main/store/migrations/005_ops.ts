import type { Migration } from './types';

/**
 * Operator power (issue 15): recurring crawls, paused dispatch and quieted
 * crawlers, per-minute history samples, and the indexes error groups and
 * /metrics read through.
 */
export const migration005Ops: Migration = {
  version: 5,
  name: 'ops',
  up: /* sql */ `
    CREATE TABLE schedules (
      id             TEXT PRIMARY KEY,
      name           TEXT NOT NULL,
      job_type       TEXT NOT NULL,
      gitlab_host    TEXT NOT NULL,
      credential_id  TEXT REFERENCES credentials (id) ON DELETE SET NULL,
      entity_id      TEXT,
      namespace_path TEXT,
      priority       INTEGER NOT NULL DEFAULT 1,
      cron           TEXT,
      interval_ms    INTEGER,
      timezone       TEXT,
      paused         INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
      next_run_at    INTEGER,
      last_run_at    INTEGER,
      last_outcome   TEXT CHECK (last_outcome IN ('created','skipped','failed')),
      last_message   TEXT,
      last_job_id    TEXT,
      runs           INTEGER NOT NULL DEFAULT 0,
      skips          INTEGER NOT NULL DEFAULT 0,
      created_at     INTEGER NOT NULL,
      updated_at     INTEGER NOT NULL,
      CHECK ((cron IS NULL) <> (interval_ms IS NULL))
    );
    -- the scheduler's question each tick: which active schedules are due
    CREATE INDEX schedules_due ON schedules (next_run_at) WHERE paused = 0;

    -- which schedule created a job (a job created by hand has no row)
    CREATE TABLE schedule_jobs (
      job_id      TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
      schedule_id TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
      fired_at    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX schedule_jobs_schedule ON schedule_jobs (schedule_id, fired_at);

    -- console-wide switches that survive a restart (dispatch paused, quieted crawlers)
    CREATE TABLE console_state (
      key        TEXT PRIMARY KEY,
      value      TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    -- one row per sample interval (a minute by default): what happened in it, and the state at its end
    CREATE TABLE metric_samples (
      at                 INTEGER PRIMARY KEY,
      interval_ms        INTEGER NOT NULL,
      messages           INTEGER NOT NULL,
      items              INTEGER NOT NULL,
      errors             TEXT NOT NULL,
      queue              TEXT NOT NULL,
      crawlers_connected INTEGER NOT NULL
    );

    -- /metrics: jobs by status and type without reading the table
    CREATE INDEX jobs_status_type ON jobs (status, job_type);
    -- error groups: by code or category within a time range
    CREATE INDEX errors_code_at ON errors (code, at);
    CREATE INDEX errors_category_at ON errors (category, at);
  `,
};
