import type { Migration } from './types';

/**
 * The crawler page's heartbeat chart survives a restart (issue 15): one row per
 * crawler per sampling step (`bucket`, the step's start), not one per heartbeat —
 * heartbeats inside a step are coalesced into its row by an upsert on
 * (crawler_id, bucket). Pruned by `bucket` in batches (the last hour is kept).
 * A rowid table, so a prune batch can name its rows by rowid.
 */
export const migration009Heartbeats: Migration = {
  version: 9,
  name: 'heartbeat_samples',
  up: /* sql */ `
    CREATE TABLE heartbeat_samples (
      crawler_id    TEXT    NOT NULL,
      bucket        INTEGER NOT NULL,
      at            INTEGER NOT NULL,
      gap_ms        INTEGER,
      active_jobs   INTEGER NOT NULL,
      memory_bytes  REAL,
      system_status TEXT    NOT NULL,
      UNIQUE (crawler_id, bucket)
    );
    CREATE INDEX heartbeat_samples_bucket ON heartbeat_samples (bucket);
  `,
};
