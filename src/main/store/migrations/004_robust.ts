import type { Migration } from './types';

/**
 * Error aggregation: identical errors (same category, code, crawler and job)
 * within a minute are one row with a count, so no peer can fill the disk
 * through the error log. `last_at` is when the latest of them happened.
 *
 * health_probe: one row the console rewrites to learn whether the disk takes
 * writes again after it was full (see core/storage-health).
 */
export const migration004Robust: Migration = {
  version: 4,
  name: 'robust',
  up: /* sql */ `
    ALTER TABLE errors ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);
    ALTER TABLE errors ADD COLUMN last_at INTEGER;
    CREATE TABLE health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
  `,
};
