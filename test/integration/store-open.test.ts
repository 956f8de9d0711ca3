import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileKeyCipher,
  latestSchemaVersion,
  MIGRATIONS,
  openStore,
  StoreError,
  type Store,
  type TokenCipher,
} from '../../src/main/store';

let dir: string;
let cipher: TokenCipher;
const opened: Store[] = [];

const open = (opts: { dataDir?: string; file?: string } = { dataDir: dir }) => {
  const s = openStore({ ...opts, cipher });
  opened.push(s);
  return s;
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-open-'));
  cipher = createFileKeyCipher(dir);
});
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('opening the store', () => {
  it('creates console.db in the data dir and applies every migration from an empty file', () => {
    const store = open();
    expect(store.file).toBe(path.join(dir, 'console.db'));
    expect(fs.existsSync(store.file)).toBe(true);
    expect(store.migration).toEqual({ from: 0, to: latestSchemaVersion(), applied: MIGRATIONS.map((m) => `${m.version}_${m.name}`) });
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(tables(store.db)).toEqual(
      [
        'credentials', 'crawlers', 'discovered_entities', 'errors', 'job_events', 'job_progress', 'jobs',
        'job_accounts', 'job_tokens', 'health_probe', 'schedules', 'schedule_jobs', 'console_state', 'metric_samples',
        // maintained counts and the trigram search index (FTS5 keeps its own shadow tables)
        'job_counts', 'jobs_text', 'jobs_text_config', 'jobs_text_data', 'jobs_text_docsize', 'jobs_text_idx',
        // a finished job's progress over time (issue 15)
        'job_progress_samples',
        // how far the background indexer has come, and each job's number of children
        'jobs_text_state', 'job_children',
        // each crawler's heartbeats over the last hour, one row a sampling step (issue 15)
        'heartbeat_samples',
        // the namespace_path sort order, filled off the insert path (migration 010)
        'job_path_order', 'job_path_order_state',
        // the entity_name sort order, filled the same way (migration 011)
        'job_name_order', 'job_name_order_state',
      ].sort(),
    );
  });

  it('creates a missing data directory with mode 0700', () => {
    const nested = path.join(dir, 'a', 'b');
    const store = open({ dataDir: nested });
    expect(store.file).toBe(path.join(nested, 'console.db'));
    if (process.platform !== 'win32') expect(fs.statSync(nested).mode & 0o777).toBe(0o700);
  });

  it('turns on WAL, foreign keys and synchronous=NORMAL', () => {
    const store = open();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    // Foreign keys are really enforced: progress for a job that does not exist is refused by SQLite.
    expect(() =>
      store.db.prepare("INSERT INTO job_progress (job_id, entity_type, updated_at) VALUES ('nope', 'issue', 1)").run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('reopens an up-to-date database without applying anything and keeps its data', () => {
    const first = open();
    const job = first.jobs.insertJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: '7' });
    first.close();
    const second = open();
    expect(second.migration).toEqual({ from: latestSchemaVersion(), to: latestSchemaVersion(), applied: [] });
    expect(second.jobs.getJob(job.id)).toEqual(job);
  });

  it('rolls back a failing migration completely (no half-applied version)', async () => {
    const file = path.join(dir, 'broken.db');
    const db = new Database(file);
    const { runMigrations } = await import('../../src/main/store');
    expect(() =>
      runMigrations(db, [
        ...MIGRATIONS,
        { version: MIGRATIONS.length + 1, name: 'broken', up: 'CREATE TABLE half (x); SELECT * FROM no_such_table;' },
      ]),
    ).toThrow(new RegExp(`schema migration ${MIGRATIONS.length + 1} \\(broken\\) failed`));
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(tables(db)).not.toContain('half');
    db.close();
  });

  for (const mode of ['delete', 'wal'] as const) {
    it(`refuses a database from a newer app (journal ${mode}) and leaves the file untouched`, () => {
      const file = path.join(dir, 'console.db');
      const db = new Database(file);
      db.pragma(`journal_mode = ${mode}`);
      db.exec('CREATE TABLE future_things (x); INSERT INTO future_things VALUES (42);');
      db.pragma('user_version = 99');
      db.close();
      const past = new Date(Date.now() - 3_600_000);
      fs.utimesSync(file, past, past);
      const before = { bytes: fs.readFileSync(file), mtime: fs.statSync(file).mtimeMs };

      let err: unknown;
      try {
        open();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('schema_too_new');
      expect((err as StoreError).message).toBe(
        `database schema version 99 is newer than this app (max ${latestSchemaVersion()}); upgrade Crawl Console`,
      );
      expect(fs.readFileSync(file).equals(before.bytes)).toBe(true);
      expect(fs.statSync(file).mtimeMs).toBe(before.mtime);
      expect(fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).size > 0).toBe(false);
    });
  }

  it('refuses a file that is not a database, naming it', () => {
    const file = path.join(dir, 'console.db');
    fs.writeFileSync(file, 'this is not sqlite, just text that is long enough to have a header '.repeat(10));
    expect(() => open()).toThrow(/is not a SQLite database/);
  });

  it('opens a database at an explicit file path', () => {
    const file = path.join(dir, 'elsewhere', 'mine.db');
    const store = open({ file });
    expect(store.file).toBe(file);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('runs a caller transaction atomically: a throw rolls back every write in it', () => {
    const store = open();
    expect(() =>
      store.transaction(() => {
        store.jobs.insertJob({ id: 'tx-1', job_type: 'crawl_group' });
        store.errors.recordError({ category: 'internal', severity: 'low', message: 'inside' });
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(store.jobs.getJob('tx-1')).toBeNull();
    expect(store.errors.listErrors().total).toBe(0);
  });
});
