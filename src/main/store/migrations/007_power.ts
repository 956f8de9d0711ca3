import type { Migration } from './types';

/**
 * A job's progress over time (issue 15, a finished job's results): a bounded
 * series per job, thinned as the job runs on (see ProgressSamplesRepo), gone
 * with its job. Keyed by (job_id, at) without a rowid: a job's series is one
 * contiguous range of the table's b-tree.
 */
export const migration007Power: Migration = {
  version: 7,
  name: 'power',
  up: /* sql */ `
    CREATE TABLE job_progress_samples (
      job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      at         INTEGER NOT NULL,
      completion REAL,
      processed  REAL NOT NULL,
      PRIMARY KEY (job_id, at)
    ) WITHOUT ROWID;
  `,
};
