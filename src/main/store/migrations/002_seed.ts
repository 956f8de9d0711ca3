import type { Migration } from './types';

/**
 * Who a job is for, when it was created from the seed's WebAppJobAssignmentData
 * (account, provider, user). Kept beside the jobs table, one row per such job,
 * so the job queries the UI makes are untouched.
 */
export const migration002Seed: Migration = {
  version: 2,
  name: 'seed',
  up: /* sql */ `
    CREATE TABLE job_accounts (
      job_id     TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
      account_id TEXT NOT NULL,
      provider   TEXT NOT NULL,
      user_id    TEXT
    ) WITHOUT ROWID;
  `,
};
