/**
 * Where the console keeps its data: `--data-dir`, else CRAWL_CONSOLE_DATA_DIR,
 * else the platform's per-user application-data folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreError } from './errors';

export const DATA_DIR_ENV = 'CRAWL_CONSOLE_DATA_DIR';
export const DATABASE_FILE = 'console.db';

export interface ResolveDataDirOptions {
  cliDataDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** The data directory to use (absolute). Pure: creates nothing; see `ensureDataDir`. */
export function resolveDataDir(options: ResolveDataDirOptions = {}): string {
  const { cliDataDir, env = process.env, platform = process.platform, home = os.homedir() } = options;
  if (cliDataDir) return path.resolve(cliDataDir);
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv) return path.resolve(fromEnv);
  switch (platform) {
    case 'win32': {
      const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
      return path.win32.join(appData, 'Crawl Console');
    }
    case 'darwin':
      return path.posix.join(home, 'Library', 'Application Support', 'Crawl Console');
    default: {
      // XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
      const xdg = env.XDG_DATA_HOME;
      const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
      return path.posix.join(base, 'crawl-console');
    }
  }
}

/** Creates the directory (mode 0700: it holds tokens and the key) if missing; returns it. */
export function ensureDataDir(dir: string): string {
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'it is on a read-only file system',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'a part of its path is a file',
  EEXIST: 'a file of that name is in the way',
  ELOOP: 'its path loops through symbolic links',
  ENAMETOOLONG: 'its path is too long',
};

/** One sentence for a data directory that cannot be used, naming the way out. */
export function dataDirUnusable(dir: string, cause: unknown): StoreError {
  const code = (cause as NodeJS.ErrnoException | null)?.code ?? '';
  const reason = REASONS[code] ?? (cause instanceof Error ? cause.message : String(cause));
  return new StoreError(
    'data_dir_unusable',
    `The data directory ${dir} cannot be used (${reason}); choose a writable folder with --data-dir or ${DATA_DIR_ENV}.`,
    { cause },
  );
}

export interface PrepareDataDirOptions {
  /** Told when something was fixed (a directory other users could write to is made owner-only). */
  onWarning?: (message: string) => void;
}

/**
 * Makes the data directory ready for a console: created owner-only (0700),
 * writable, and not writable by anyone else — it holds the tokens' key and
 * the database. A directory other users can write to is fixed (0700) with a
 * warning when it is ours; a shared one (sticky, like /tmp) or another user's
 * is refused. Every refusal is one StoreError sentence ('data_dir_unusable').
 */
export function prepareDataDir(dir: string, options: PrepareDataDirOptions = {}): string {
  let stat: fs.Stats;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    stat = fs.statSync(dir);
  } catch (cause) {
    throw dataDirUnusable(dir, cause);
  }
  if (!stat.isDirectory()) throw dataDirUnusable(dir, Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
  if (process.platform !== 'win32' && (stat.mode & 0o022) !== 0) {
    const mode = (stat.mode & 0o7777).toString(8).padStart(4, '0');
    const ours = process.getuid?.() === stat.uid;
    if (!ours || (stat.mode & 0o1000) !== 0) {
      throw new StoreError(
        'data_dir_unusable',
        `The data directory ${dir} is writable by other users (mode ${mode}${ours ? ', a shared folder' : ', owned by another user'}); choose a folder of your own with --data-dir or ${DATA_DIR_ENV}.`,
      );
    }
    try {
      fs.chmodSync(dir, 0o700);
    } catch (cause) {
      throw dataDirUnusable(dir, cause);
    }
    options.onWarning?.(`The data directory ${dir} was writable by other users (mode ${mode}); it is now owner-only (0700).`);
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (cause) {
    throw dataDirUnusable(dir, cause);
  }
  return dir;
}
