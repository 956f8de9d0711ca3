/**
 * The headless console's access token, kept in the data directory so a restart
 * does not lock out the tabs that are open: created once (0600), read on every
 * start, replaced only by `crawl-console token --rotate`. `--token` and
 * CRAWL_CONSOLE_TOKEN override it without touching the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateToken } from './auth';
import { ensureDataDir } from '../store/data-dir';

export const TOKEN_FILE = 'console-token';

export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
}

export const tokenFilePath = (dataDir: string): string => path.join(dataDir, TOKEN_FILE);

/** A token is usable in `#token=…` and a Bearer header: non-empty, no whitespace. */
export const isUsableToken = (token: string): boolean => token.length > 0 && !/\s/.test(token);

function writeToken(file: string, token: string): void {
  // Written beside the old one and renamed over it: a crash never leaves an empty or half token.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600); // the umask may have narrowed it further, never widened; make it exact
  fs.renameSync(tmp, file);
}

/** Reads the stored token, or null when there is none yet. */
export function readStoredToken(dataDir: string): string | null {
  const file = tokenFilePath(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AccessTokenError(`Cannot read the console token at ${file}: ${(error as Error).message}`, { cause: error });
  }
  const token = text.trim();
  if (!isUsableToken(token)) {
    throw new AccessTokenError(`The console token file ${file} is empty or damaged: run "crawl-console token --rotate" to make a new one.`);
  }
  return token;
}

/** The stored token, created (0600) on first use. */
export function loadOrCreateToken(dataDir: string): { token: string; created: boolean } {
  const existing = readStoredToken(dataDir);
  if (existing !== null) return { token: existing, created: false };
  ensureDataDir(dataDir);
  const token = generateToken();
  writeToken(tokenFilePath(dataDir), token);
  return { token, created: true };
}

/** Replaces the stored token with a new one; tabs holding the old one are refused from the next start. */
export function rotateToken(dataDir: string): string {
  ensureDataDir(dataDir);
  const token = generateToken();
  writeToken(tokenFilePath(dataDir), token);
  return token;
}
