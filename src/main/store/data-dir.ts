/**
 * Where the console keeps its data: `--data-dir`, else CRAWL_CONSOLE_DATA_DIR,
 * else the platform's per-user application-data folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
