/** An in-memory database migrated up to a given schema (all of them by default), as the store opens one. */
import Database from 'better-sqlite3';
import { runMigrations } from '../../src/main/store/migrate';
import { MIGRATIONS, type Migration } from '../../src/main/store/migrations';

export function migratedDb(migrations: readonly Migration[] = MIGRATIONS): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  runMigrations(db, migrations);
  return db;
}
