import type Database from 'better-sqlite3';

/**
 * One schema version. `up` runs inside a transaction together with the
 * `user_version` bump, so a version is applied completely or not at all.
 */
export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database.Database) => void);
}
