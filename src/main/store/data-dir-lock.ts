/**
 * One console per data directory. Two consoles on one database would hand the
 * same job to two crawlers and race each other's lease expiry, so the second
 * one refuses to start, in one sentence naming the first (its pid).
 *
 * The lock is a file, `console.lock`, holding the owner's pid, host and start
 * time. It is created complete and atomically (written aside, then hard-linked
 * into place, which fails if the name exists), so a reader never sees half a
 * lock. A lock whose process is gone (same host, pid not running) is stale and
 * taken over; a lock from another host (a shared network folder) cannot be
 * checked and is refused with the way out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDirUnusable } from './data-dir';
import { StoreError } from './errors';

export const LOCK_FILE = 'console.lock';

export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
}

export interface DataDirLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

/** True when a process with this pid exists (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0 && typeof v.host === 'string') {
      return { pid: v.pid, host: v.host, started_at: typeof v.started_at === 'string' ? v.started_at : 'an unknown time' };
    }
  } catch {
    // Unreadable or not a lock we wrote: treated as stale below.
  }
  return null;
}

/** Takes the data directory's lock, or throws StoreError('data_dir_in_use') naming the console that holds it. */
export function lockDataDir(dir: string): DataDirLock {
  const file = path.join(dir, LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), started_at: new Date().toISOString() };
  const text = `${JSON.stringify(holder)}\n`;
  const aside = path.join(dir, `.${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  try {
    fs.writeFileSync(aside, text, { mode: 0o600, flag: 'wx' });
  } catch (cause) {
    throw dataDirUnusable(dir, cause);
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(aside, file);
        return held(file, holder, text);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw dataDirUnusable(dir, err);
      }
      const other = readHolder(file);
      if (other && other.host !== holder.host) {
        throw new StoreError(
          'data_dir_in_use',
          `The data directory ${dir} is locked by a Crawl Console on ${other.host} (pid ${other.pid}, since ${other.started_at}); stop it, or delete ${file} if it is gone, or choose another --data-dir.`,
        );
      }
      if (other && processAlive(other.pid)) {
        throw new StoreError(
          'data_dir_in_use',
          `Another Crawl Console (pid ${other.pid}, started ${other.started_at}) is using the data directory ${dir}; stop it first, or start this one with another --data-dir.`,
        );
      }
      // Stale (its process is gone) or unreadable: take it over.
      try {
        fs.unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw dataDirUnusable(dir, err);
      }
    }
    throw new StoreError('data_dir_in_use', `The data directory ${dir} is being locked by other consoles starting at the same time; try again.`);
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** Locks this process holds, released on exit (one listener for all of them). */
const heldLocks = new Set<() => void>();
let exitHookInstalled = false;

function held(file: string, holder: LockHolder, text: string): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldLocks.delete(release);
    try {
      // Only our own lock: a console that took over a lock it thought stale must keep its own.
      if (fs.readFileSync(file, 'utf8') === text) fs.unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  heldLocks.add(release);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A process that exits without stopping its core (an uncaught error) still frees the directory.
    process.on('exit', () => {
      for (const r of [...heldLocks]) r();
    });
  }
  return { file, holder, release };
}
