/** Applies the schema migrations a database lacks, in order, from `PRAGMA user_version`. */
import type Database from 'better-sqlite3';
import { StoreError } from './errors';
import { MIGRATIONS, type Migration } from './migrations/index';

export const latestSchemaVersion = (migrations: readonly Migration[] = MIGRATIONS): number =>
  migrations.at(-1)?.version ?? 0;

export const readUserVersion = (db: Database.Database): number => db.pragma('user_version', { simple: true }) as number;

export function tooNewError(version: number, max: number): StoreError {
  return new StoreError(
    'schema_too_new',
    `database schema version ${version} is newer than this app (max ${max}); upgrade Crawl Console`,
  );
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

export function runMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list is broken: entry ${i} has version ${m.version}`);
  });
  const max = latestSchemaVersion(migrations);
  const from = readUserVersion(db);
  if (from > max) throw tooNewError(from, max);
  const applied: string[] = [];
  for (const m of migrations.slice(from)) {
    const apply = db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      // user_version lives in the database header, which the transaction covers.
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      apply();
    } catch (cause) {
      throw new StoreError('migration_failed', `schema migration ${m.version} (${m.name}) failed: ${String(cause)}`, { cause });
    }
    applied.push(`${m.version}_${m.name}`);
  }
  return { from, to: readUserVersion(db), applied };
}
