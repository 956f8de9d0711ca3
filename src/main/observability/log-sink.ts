/**
 * Where log lines go: a file (or stderr) written asynchronously, never blocking
 * the caller and never killing the process.
 *
 * Why not pino.destination: its exit hook flushes synchronously and, on a full
 * disk, retries ENOSPC forever — the process then ignores SIGTERM — and an
 * unhandled write error crashes it. Here a failed write marks the sink
 * degraded (with the reason, for the console's health), keeps a bounded backlog
 * (later lines are dropped and counted), retries now and then, and recovers by
 * itself when the disk has room again. The exit flush makes one attempt.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface LogSinkHealth {
  /** Null while writing works; else why it does not ("ENOSPC: no space left on device"). */
  error: string | null;
  /** The error's code (ENOSPC, EROFS …). */
  code: string | null;
  /** Since when writing fails. */
  since: number | null;
  /** Lines dropped because the backlog was full, since start. */
  dropped: number;
}

export interface LogSinkOptions {
  /** A file (created owner-only, its folder 0700) or a file descriptor (2 = stderr). */
  destination: string | number;
  /** Most bytes held while the destination does not take them. */
  maxBacklogBytes?: number;
  /** How long to wait before trying a failed write again. */
  retryMs?: number;
  /** Told when the sink fails or recovers. */
  onHealthChange?: (health: LogSinkHealth) => void;
}

const DEFAULT_MAX_BACKLOG = 4 * 1024 * 1024;
const MAX_CHUNK = 256 * 1024;

export class LogSink {
  private readonly fd: number;
  private readonly ownsFd: boolean;
  private readonly maxBacklog: number;
  private readonly retryMs: number;
  private readonly onHealthChange: LogSinkOptions['onHealthChange'];
  private queue: string[] = [];
  private queued = 0;
  /** The chunk being written (kept on failure, to be written again). */
  private inFlight: Buffer | null = null;
  private writing = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private state: LogSinkHealth = { error: null, code: null, since: null, dropped: 0 };

  constructor(options: LogSinkOptions) {
    this.maxBacklog = options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG;
    this.retryMs = options.retryMs ?? 1_000;
    this.onHealthChange = options.onHealthChange;
    if (typeof options.destination === 'number') {
      this.fd = options.destination;
      this.ownsFd = false;
    } else {
      const dir = path.dirname(options.destination);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Logs name crawlers, jobs and hosts: owner-only, also when an older version left them readable.
      if (process.platform !== 'win32') fs.chmodSync(dir, 0o700);
      this.fd = fs.openSync(options.destination, 'a', 0o600);
      if (process.platform !== 'win32') fs.fchmodSync(this.fd, 0o600);
      this.ownsFd = true;
    }
  }

  get health(): LogSinkHealth {
    return { ...this.state };
  }

  /** Queues a line; returns at once. Dropped (and counted) when the backlog is full. */
  write(line: string): boolean {
    if (this.closed) return false;
    const bytes = Buffer.byteLength(line);
    if (this.queued + bytes > this.maxBacklog) {
      this.state.dropped += 1;
      return false;
    }
    this.queue.push(line);
    this.queued += bytes;
    if (!this.writing && this.retryTimer === null) this.pump();
    return true;
  }

  /** One synchronous attempt to write what is queued (at exit); gives up at the first error. */
  flushSync(): void {
    if (this.writing) return; // an async write owns the chunk; the OS finishes it
    try {
      for (let buf = this.take(); buf; buf = this.take()) {
        let off = 0;
        while (off < buf.length) off += fs.writeSync(this.fd, buf, off);
        this.inFlight = null;
      }
    } catch {
      // A full disk at exit: what is left is lost, the exit is not.
    }
  }

  close(): void {
    if (this.closed) return;
    this.flushSync();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.ownsFd && !this.writing) fs.closeSync(this.fd);
  }

  private take(): Buffer | null {
    if (this.inFlight) return this.inFlight;
    if (this.queue.length === 0) return null;
    let n = 0;
    let size = 0;
    while (n < this.queue.length && (n === 0 || size + this.queue[n]!.length <= MAX_CHUNK)) size += this.queue[n++]!.length;
    const text = this.queue.splice(0, n).join('');
    this.inFlight = Buffer.from(text);
    this.queued -= this.inFlight.length;
    return this.inFlight;
  }

  private pump(): void {
    const buf = this.take();
    if (!buf || this.closed) return;
    this.writing = true;
    fs.write(this.fd, buf, 0, buf.length, null, (err, written) => {
      this.writing = false;
      if (this.closed) {
        if (this.ownsFd) fs.close(this.fd, () => undefined);
        return;
      }
      if (err) {
        this.fail(err);
        return;
      }
      this.inFlight = written < buf.length ? buf.subarray(written) : null;
      if (this.state.error !== null) {
        this.state = { error: null, code: null, since: null, dropped: this.state.dropped };
        this.onHealthChange?.(this.health);
      }
      this.pump();
    });
  }

  private fail(err: NodeJS.ErrnoException): void {
    const message = `${err.code ?? 'error'}: ${err.message.replace(/^\w+: /, '')}`;
    if (this.state.error !== message) {
      this.state = { error: message, code: err.code ?? null, since: this.state.since ?? Date.now(), dropped: this.state.dropped };
      this.onHealthChange?.(this.health);
    }
    // Try again later; meanwhile lines queue up to the bound (the caller never waits).
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, this.retryMs);
    this.retryTimer.unref();
  }
}
