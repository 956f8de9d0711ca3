/**
 * Copies the write-ahead log into the database file from a worker thread.
 *
 * In WAL mode every commit appends pages to the log, and a checkpoint copies
 * them into the database and syncs both files. Run by the connection that
 * commits (SQLite's automatic checkpoint), that copy and its two fsyncs happen
 * on the main thread, inside whichever commit crosses the threshold: measured
 * at a million jobs, a 130–170 ms stall every 32 MiB of log and ~2.5 µs of
 * wall time per discovered job (issue 14). Here a second connection, in a
 * worker thread, runs PASSIVE checkpoints every `intervalMs` (they never block
 * a writer or a reader), so by the time the main connection's own automatic
 * checkpoint comes due, nearly every page is already copied and synced: it
 * finishes the remainder and restarts the log (which only a writer can do).
 * That automatic checkpoint stays on: if the worker cannot start or fails,
 * nothing changes but where the copying happens.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker, as source (CommonJS): a file of its own would need a bundler entry
 * and a loader for TypeScript in every runtime (Electron, the headless host, tests).
 */
const WORKER_SOURCE = /* js */ `
const { workerData, parentPort } = require('node:worker_threads');
const state = new Int32Array(workerData.state);
const done = () => { Atomics.store(state, 0, 1); Atomics.notify(state, 0); };
let db;
let timer;
try {
  const Database = require(workerData.module);
  // No busy wait: a PASSIVE checkpoint that meets another one gives way and is tried next time.
  db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
  db.pragma('synchronous = NORMAL');
} catch (err) {
  parentPort.postMessage({ error: 'cannot open the database: ' + (err && err.message) });
  done();
}
const stop = () => {
  clearTimeout(timer);
  try { if (db && db.open) db.close(); } finally { done(); parentPort.close(); }
};
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    if (err && err.code !== 'SQLITE_BUSY' && err.code !== 'SQLITE_LOCKED') {
      parentPort.postMessage({ error: 'checkpoint failed: ' + err.message });
      stop();
      return;
    }
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', (m) => { if (m === 'stop') stop(); });
if (db) timer = setTimeout(tick, workerData.intervalMs);
`;

export interface WalCheckpointerOptions {
  /** How often the worker copies the log. Default 100 ms. */
  intervalMs?: number;
  /** The worker failed (it has stopped; the main connection's own checkpoints carry on). */
  onError?: (err: Error) => void;
  /** How long `stop` waits for the worker to close its connection. Default 2 s. */
  stopTimeoutMs?: number;
}

export interface WalCheckpointer {
  /** Stops the worker and waits (synchronously, bounded) until its connection is closed. Idempotent. */
  stop(): void;
}

export function startWalCheckpointer(file: string, options: WalCheckpointerOptions = {}): WalCheckpointer {
  const state = new SharedArrayBuffer(4);
  const flag = new Int32Array(state);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      // Resolved here: an eval'd worker resolves modules from the working directory, not this file.
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      intervalMs: options.intervalMs ?? 100,
      state,
    },
    // A small heap: the worker holds a connection and a timer, nothing else.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  // Never what keeps the process alive.
  worker.unref();
  const fail = (err: Error) => options.onError?.(err);
  worker.on('message', (m: { error?: string }) => {
    if (typeof m.error === 'string') fail(new Error(`WAL checkpointer: ${m.error}`));
  });
  worker.on('error', fail);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
      // Synchronous, so a closed store has no connection left open on its file
      // (the last connection to close removes the log).
      Atomics.wait(flag, 0, 0, options.stopTimeoutMs ?? 2000);
      void worker.terminate();
    },
  };
}
