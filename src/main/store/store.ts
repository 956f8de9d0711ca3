/**
 * The console's database: one SQLite file (`console.db`) in the data
 * directory, opened, checked and migrated here, with the repositories on top.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CredentialsRepo } from './credentials-repo';
import { CrawlersRepo } from './crawlers-repo';
import { DATABASE_FILE, ensureDataDir, resolveDataDir } from './data-dir';
import { EntitiesRepo } from './entities-repo';
import { StoreError } from './errors';
import { ErrorsRepo } from './errors-repo';
import { EventsRepo } from './events-repo';
import { JobsRepo } from './jobs-repo';
import { latestSchemaVersion, readUserVersion, runMigrations, tooNewError, type MigrationResult } from './migrate';
import { ProgressRepo } from './progress-repo';
import type { Job } from './records';
import {
  createSeedDatabaseOperations,
  createSocketDatabaseOperations,
  type AssignmentInput,
  type JobAccount,
  type ProgressUpdate,
  type SocketOperationsDeps,
  type SocketJobProgress,
  type StoreSocketOperations,
} from './socket-database-operations';
import type { SocketDatabaseOperations } from '../socket/types/database';
import type { TokenCipher } from './token-cipher';
import { sqliteCode } from './validate';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer';

export interface OpenStoreOptions {
  /** The data directory; `console.db` is created in it. Default: `resolveDataDir()`. */
  dataDir?: string;
  /** The database file itself (overrides `dataDir`). */
  file?: string;
  cipher: TokenCipher;
  /** Clock for timestamps (epoch ms). Default Date.now. */
  now?: () => number;
  /** How long a write waits for another connection's lock, ms. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * Copy the write-ahead log into the database from a worker thread (wal-checkpointer.ts).
   * Default true for a file; the main connection's own checkpoints run either way.
   */
  backgroundCheckpoints?: boolean;
  /** The background checkpointer failed and stopped (the store goes on without it). */
  onBackgroundError?: (err: Error) => void;
}

/**
 * The console's store. Its createJobFromAssignment … getJobProgress return the
 * console's own records; `socketDatabase` is the seed's SocketDatabaseOperations
 * (seed `Job`s, account fields kept) on the same tables.
 */
export class Store implements StoreSocketOperations {
  readonly jobs: JobsRepo;
  readonly events: EventsRepo;
  readonly progress: ProgressRepo;
  readonly crawlers: CrawlersRepo;
  readonly errors: ErrorsRepo;
  readonly credentials: CredentialsRepo;
  readonly entities: EntitiesRepo;
  private readonly ops: StoreSocketOperations;
  /** The seed's SocketDatabaseOperations, implemented on this store. */
  readonly socketDatabase: SocketDatabaseOperations;

  constructor(
    readonly db: Database.Database,
    readonly file: string,
    readonly cipher: TokenCipher,
    readonly now: () => number,
    readonly migration: MigrationResult,
    private readonly checkpointer: WalCheckpointer | null = null,
  ) {
    this.events = new EventsRepo(db, now);
    this.jobs = new JobsRepo(db, this.events, now);
    this.progress = new ProgressRepo(db, now);
    this.crawlers = new CrawlersRepo(db, now);
    this.errors = new ErrorsRepo(db, now);
    this.credentials = new CredentialsRepo(db, cipher, now);
    this.entities = new EntitiesRepo(db, now);
    const extrasStmt = db.prepare('SELECT progress_status, milestones FROM jobs WHERE id = ?');
    const getAccount = db.prepare('SELECT account_id, provider, user_id FROM job_accounts WHERE job_id = ?');
    const putAccount = db.prepare(
      'INSERT INTO job_accounts (job_id, account_id, provider, user_id) VALUES (@job_id, @account_id, @provider, @user_id) ' +
        'ON CONFLICT (job_id) DO UPDATE SET account_id = excluded.account_id, provider = excluded.provider, user_id = excluded.user_id',
    );
    const opsDeps: SocketOperationsDeps = {
      jobs: this.jobs,
      progress: this.progress,
      credentials: this.credentials,
      progressExtras: (id) => extrasStmt.get(id) as { progress_status: string | null; milestones: string | null } | undefined,
      accounts: {
        get: (id) => getAccount.get(id) as JobAccount | undefined,
        put: (id, a) => void putAccount.run({ job_id: id, ...a }),
      },
      transaction: (fn) => this.transaction(fn),
      now,
    };
    this.ops = createSocketDatabaseOperations(opsDeps);
    this.socketDatabase = createSeedDatabaseOperations(opsDeps);
    // Rows written before a restart (or before this index existed) are indexed now, in the background.
    for (const fill of this.jobs.fills) fill.schedule();
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Runs `fn` in one transaction (nested calls become savepoints); rolled back if it throws. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  createJobFromAssignmentSync(assignment: AssignmentInput): Job {
    return this.ops.createJobFromAssignmentSync(assignment);
  }
  createJobFromAssignment(assignment: AssignmentInput): Promise<Job> {
    return this.ops.createJobFromAssignment(assignment);
  }
  updateJobFromProgress(jobId: string, progress: ProgressUpdate): Promise<Job> {
    return this.ops.updateJobFromProgress(jobId, progress);
  }
  saveProgressUpdate(jobId: string, progress: SocketJobProgress): Promise<void> {
    return this.ops.saveProgressUpdate(jobId, progress);
  }
  getJobProgress(jobId: string): Promise<SocketJobProgress | null> {
    return this.ops.getJobProgress(jobId);
  }

  /** A one-row write that fails exactly when the database cannot take writes (disk full, read-only). */
  probeWrite(at: number): void {
    this.db.prepare('INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at').run(at);
  }

  /** Closes the database (idempotent). */
  close(): void {
    if (!this.db.open) return;
    for (const fill of this.jobs.fills) fill.stop();
    // Its connection first: the last one to close copies the rest of the log and removes it.
    this.checkpointer?.stop();
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }
}

/**
 * Opens (creating if needed) and migrates the database. A database written by a
 * newer version of the app is refused with StoreError('schema_too_new') and left
 * exactly as it was.
 */
export function openStore(options: OpenStoreOptions): Store {
  const file = options.file ?? path.join(options.dataDir ?? resolveDataDir(), DATABASE_FILE);
  const inMemory = file === ':memory:';
  if (!inMemory) {
    ensureDataDir(path.dirname(file));
    ownerOnly(file);
    refuseIfTooNew(file);
  }
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    // Checked again before anything writes: another process may have upgraded it meanwhile.
    const version = readUserVersion(db);
    if (version > latestSchemaVersion()) throw tooNewError(version, latestSchemaVersion());
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL is durable against a crash of the process (committed
    // transactions are in the WAL, which the OS keeps); only a power loss or OS
    // crash may undo the last commits, which would need FULL.
    db.pragma('synchronous = NORMAL');
    // A million jobs (issue 14): a 32 MiB page cache holds the indexes' upper levels and hot leaves
    // (SQLite's default is 2 MiB: at 1M jobs most index inserts then read their page from the OS).
    // The WAL worker (wal-checkpointer.ts) copies the log as it grows; this connection's own automatic
    // checkpoint is the backstop that finishes the copy, syncs both files and lets the log restart, on
    // this thread. During a burst the log seldom restarts otherwise, so the backstop comes due every
    // threshold: at 128 MiB instead of 32 (4 MiB by default), 16% less wall time a job with entity ids
    // in no order and 4% with ascending ones (store alone, 500,000 jobs), for a log of up to ~150 MiB
    // on disk during the burst (removed when the console closes).
    db.pragma('cache_size = -32768');
    db.pragma('wal_autocheckpoint = 32768');
    db.pragma('foreign_keys = ON');
    const migration = runMigrations(db);
    const checkpointer =
      inMemory || options.backgroundCheckpoints === false ? null : startWalCheckpointer(file, { onError: options.onBackgroundError });
    return new Store(db, file, options.cipher, options.now ?? Date.now, migration, checkpointer);
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The database holds job history and token ciphertext: owner-only (0600). It is
 * created so before SQLite opens it, because SQLite gives the -wal and -shm files
 * the database file's mode; files an older version left readable are fixed.
 */
function ownerOnly(file: string): void {
  if (process.platform === 'win32') return;
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_WRONLY, 0o600));
  } catch (cause) {
    throw new StoreError('invalid', `The database ${file} cannot be opened for writing (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); check the data directory's permissions.`, { cause });
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch {
      // Not there (yet): SQLite creates it with the database's mode.
    }
  }
}

/** Reads the schema version through a read-only connection, which cannot change the file. */
function refuseIfTooNew(file: string): void {
  if (!fs.existsSync(file)) return;
  let version: number;
  try {
    const ro = new Database(file, { readonly: true, fileMustExist: true });
    try {
      version = readUserVersion(ro);
    } finally {
      ro.close();
    }
  } catch (cause) {
    if (sqliteCode(cause) === 'SQLITE_NOTADB') {
      throw new StoreError('invalid', `${file} is not a SQLite database (is the data directory right?)`, { cause });
    }
    throw cause;
  }
  const max = latestSchemaVersion();
  if (version > max) throw tooNewError(version, max);
}
