/**
 * One crawler connection: framing in, ordered processing, spelling-aware and
 * back-pressured writes out. The server decides what a line means; this class
 * guarantees lines are handled one at a time, in order, with bounded memory.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DiscoverySplitter, discoveredEntityKey, encodeConsoleMessage, type Spelling, type WebAppMessage } from '../../../shared/protocol';
import type { ConnectionInfo, ConnectionState } from '../../../shared/connection';
import type { ConnectionEvent, ConnectionEventOf, ConnectionEventType, ConnectionMetadata } from '../types/connection';
import { LineReader, type LineEvent } from './line-reader';

import { createConnectionError } from '../types/errors';

export interface SocketConnectionOptions {
  transport: 'unix' | 'tcp';
  maxMessageSize: number;
  messageDelimiter: string;
  /** Most bytes waiting to be written to this peer before senders must wait. */
  messageBufferSize: number;
  /** How long a sender waits for a slow peer to drain before the connection is dropped. */
  writeTimeout: number;
  /** Handles one framed line; the next line waits until the returned promise settles. */
  onLine: (connection: SocketConnection, event: LineEvent) => Promise<void> | void;
  crawlerId?: string;
  now?: () => number;
}

/** Inbound lines queued beyond this pause reading from the socket until the queue drains. */
const PAUSE_AT = 1024;
const RESUME_AT = 128;
/**
 * …and so do this many bytes of them (or twice maxMessageSize, if more): while a handler waits (a user's
 * async handler, a reply to a peer that does not read), a peer's large messages must not pile up in memory
 * (1,024 of them near the 1 MiB default would be a gigabyte). Reading resumes below half of it.
 */
const PAUSE_AT_BYTES = 8 * 1024 * 1024;
/**
 * Lines handled back to back give the event loop a turn after this long: a window of a whole discovery's
 * parts (DiscoverySplitter) arrives at once, some 30-50 ms of store work each at a million jobs, and other
 * crawlers, the UI and timers must not wait for all of them.
 */
const YIELD_AFTER_MS = 20;
/** Senders allowed to wait for one slow peer; past this, the peer is dropped rather than queued for. */
const MAX_WAITING_WRITERS = 256;

export class SocketConnection extends EventEmitter {
  readonly id = randomUUID();
  readonly transport: 'unix' | 'tcp';
  readonly connectedAt: number;
  readonly metadata: ConnectionMetadata;
  state: ConnectionState = 'connecting';
  /** Replies use this spelling; documented until the crawler has shown otherwise. */
  spelling: Spelling = 'documented';
  lastMessageAt: number | null = null;
  lastHeartbeatAt: number | null = null;
  readonly stats = { messagesReceived: 0, messagesSent: 0, bytesReceived: 0, bytesSent: 0, errors: 0 };

  private readonly reader: LineReader;
  private readonly queue: LineEvent[] = [];
  /** The bytes read that each queued line was made of (aligned with `queue`), their sum, and what was read towards lines still to come. */
  private readonly queueBytes: number[] = [];
  private queuedBytes = 0;
  private unqueuedBytes = 0;
  private readonly pauseAtBytes: number;
  private queueHead = 0;
  private processing = false;
  private paused = false;
  private closedReason: string | null = null;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;
  private readonly socketClosedPromise: Promise<void>;
  private waitingWriters = 0;
  private socketClosed = false;
  private finished = false;
  private readonly now: () => number;

  constructor(
    readonly socket: Socket,
    private readonly options: SocketConnectionOptions,
  ) {
    super();
    this.transport = options.transport;
    this.now = options.now ?? Date.now;
    this.connectedAt = this.now();
    this.metadata = {
      generatedId: options.crawlerId ?? `crawler-${this.id.slice(0, 8)}`,
      saidHello: false,
      authenticated: options.transport === 'unix',
      ...(socket.remoteAddress !== undefined && { remoteAddress: socket.remoteAddress }),
    };
    // Every line is parsed by the server: the reader hands on well-formed objects parsed (sparing its brace scan).
    // A jobs_discovered past maxMessageSize (one message with a whole discovery, as the crawler in the wild
    // sends it) is taken in bounded parts, from an authenticated peer only; anything else oversized is skipped.
    this.reader = new LineReader({
      delimiter: options.messageDelimiter,
      maxMessageBytes: options.maxMessageSize,
      parse: true,
      // Its parts come sorted by entity id, a window of 50,000 items at a time: they then write the store's
      // dedupe index (keyed by entity id) in runs, not a random leaf per job.
      split: () =>
        this.metadata.authenticated ? new DiscoverySplitter({ maxBytes: options.maxMessageSize, orderBy: discoveredEntityKey }) : null,
    });
    this.pauseAtBytes = Math.max(PAUSE_AT_BYTES, 2 * options.maxMessageSize);
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    this.socketClosedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setMaxListeners(MAX_WAITING_WRITERS + 16);

    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A final object without a delimiter is still a message (a crawler that writes and exits).
    socket.on('end', () => this.onData(Buffer.alloc(0), true));
    socket.on('close', () => this.onClose());
    // A reset or broken pipe ends in 'close'; the error itself is only worth noting.
    socket.on('error', (err) => {
      this.stats.errors++;
      this.closedReason ??= `socket error: ${err.message}`;
      this.setState('error');
      this.emitEvent({ type: 'error', connectionId: this.id, error: createConnectionError(err.message, this.id, { crawlerId: this.crawlerId }), timestamp: new Date() });
    });
  }

  /** The crawler's own id once it gave one in hello, else the one the console made up. */
  get crawlerId(): string {
    return this.metadata.crawlerId ?? this.metadata.generatedId;
  }

  get isOpen(): boolean {
    return !this.socketClosed && !this.socket.destroyed && this.socket.writable;
  }

  /** Bytes held for this peer: an unfinished inbound line plus unsent outbound data. */
  get bufferedBytes(): number {
    return this.reader.bufferedBytes + this.socket.writableLength;
  }

  setState(next: ConnectionState): void {
    const previous = this.state;
    if (previous === next || previous === 'closed') return;
    this.state = next;
    this.emitEvent({ type: 'state_changed', connectionId: this.id, previousState: previous, newState: next, timestamp: new Date() });
  }

  override on<T extends ConnectionEventType>(type: T, listener: (event: ConnectionEventOf<T>) => void): this {
    return super.on(type, listener);
  }

  override once<T extends ConnectionEventType>(type: T, listener: (event: ConnectionEventOf<T>) => void): this {
    return super.once(type, listener);
  }

  /** Emits a seed connection event. 'error' is only emitted when someone listens (never an unhandled throw). */
  emitEvent(event: ConnectionEvent): void {
    if (event.type === 'error' && this.listenerCount('error') === 0) return;
    this.emit(event.type, event);
  }

  /**
   * Sends a console message in this connection's spelling. Waits while the peer
   * has more than `messageBufferSize` bytes unread; a peer that does not drain
   * within `writeTimeout`, or that has too many senders waiting, is disconnected.
   */
  async send(message: WebAppMessage): Promise<void> {
    const line = JSON.stringify(encodeConsoleMessage(message, this.spelling)) + this.options.messageDelimiter;
    await this.writeLine(line);
  }

  /**
   * Queues a message without ever waiting: true when it is written (Node holds
   * it until the peer reads), false when the peer already has
   * `messageBufferSize` bytes unread, in which case the message is dropped. A
   * peer that stays that full for `writeTimeout` is disconnected. For the
   * operator's sends (sendToCrawler, broadcast, assignments): one crawler that
   * does not read can never hold them up.
   */
  post(message: WebAppMessage): boolean {
    if (!this.isOpen) return false;
    const line = JSON.stringify(encodeConsoleMessage(message, this.spelling)) + this.options.messageDelimiter;
    const bytes = Buffer.byteLength(line);
    const unsent = this.socket.writableLength;
    if (unsent > 0 && unsent + bytes > this.options.messageBufferSize) {
      this.droppedMessages++;
      this.watchStall();
      return false;
    }
    this.socket.write(line);
    this.stats.messagesSent++;
    this.stats.bytesSent += bytes;
    return true;
  }

  /** Bytes written to this peer that it has not read yet (held by Node, beyond the kernel's buffer). */
  get unsentBytes(): number {
    return this.socket.writableLength;
  }

  /** Messages `post` dropped because the peer was not reading. */
  droppedMessages = 0;
  private stallTimer: NodeJS.Timeout | null = null;

  /** After a drop: unless the peer drains within writeTimeout, it is a slow consumer and is disconnected. */
  private watchStall(): void {
    if (this.stallTimer) return;
    const onDrain = () => {
      if (this.stallTimer) clearTimeout(this.stallTimer);
      this.stallTimer = null;
    };
    this.socket.once('drain', onDrain);
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      this.socket.off('drain', onDrain);
      void this.close(`slow consumer: nothing read for ${this.options.writeTimeout} ms`, { graceful: false });
    }, this.options.writeTimeout);
    this.stallTimer.unref();
  }

  async writeLine(line: string): Promise<void> {
    if (!this.isOpen) throw new Error(`connection to ${this.crawlerId} is closed`);
    while (this.socket.writableLength > 0 && this.socket.writableLength + line.length > this.options.messageBufferSize) {
      await this.waitForDrain();
      if (!this.isOpen) throw new Error(`connection to ${this.crawlerId} closed while waiting to write`);
    }
    this.socket.write(line);
    this.stats.messagesSent++;
    this.stats.bytesSent += Buffer.byteLength(line);
  }

  /**
   * Closes the connection: flushes what is written, then ends; destroys if the
   * peer does not close in time. Resolves when the socket is closed (safe to await
   * from a message handler); `closed()` also waits for the lines still queued.
   */
  async close(reason: string, options: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    this.closedReason ??= reason;
    if (this.socket.destroyed) return this.socketClosedPromise;
    if (options.graceful === false) {
      this.socket.destroy();
    } else {
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), options.timeoutMs ?? 2000);
      timer.unref();
      this.socket.once('close', () => clearTimeout(timer));
    }
    return this.socketClosedPromise;
  }

  /** Resolves when the socket has closed and every line received before has been handled. */
  closed(): Promise<void> {
    return this.closedPromise;
  }

  info(): ConnectionInfo {
    const m = this.metadata;
    return {
      connection_id: this.id,
      crawler_id: this.crawlerId,
      transport: this.transport,
      state: this.state,
      spelling: this.spelling,
      said_hello: m.saidHello,
      ...(m.name !== undefined && { name: m.name }),
      ...(m.version !== undefined && { version: m.version }),
      ...(m.host !== undefined && { host: m.host }),
      ...(m.pid !== undefined && { pid: m.pid }),
      ...(m.maxConcurrentJobs !== undefined && { max_concurrent_jobs: m.maxConcurrentJobs }),
      ...(m.capabilities !== undefined && { capabilities: m.capabilities }),
      connected_at: this.connectedAt,
      last_message_at: this.lastMessageAt,
      last_heartbeat_at: this.lastHeartbeatAt,
      messages_received: this.stats.messagesReceived,
      messages_sent: this.stats.messagesSent,
      bytes_received: this.stats.bytesReceived,
      bytes_sent: this.stats.bytesSent,
      errors: this.stats.errors,
    };
  }

  private onData(chunk: Buffer, ended = false): void {
    this.stats.bytesReceived += chunk.length;
    const before = this.queue.length;
    this.reader.push(chunk, this.queue);
    if (ended) this.reader.flush(this.queue);
    this.unqueuedBytes += chunk.length;
    if (this.queue.length > before) {
      // The new lines were made of this read and what earlier reads left over: counted on the last of them.
      for (let i = before + 1; i < this.queue.length; i++) this.queueBytes.push(0);
      this.queueBytes.push(this.unqueuedBytes);
      this.queuedBytes += this.unqueuedBytes;
      this.unqueuedBytes = 0;
    }
    if (this.queue.length - this.queueHead > PAUSE_AT || this.queuedBytes > this.pauseAtBytes) this.pauseReading();
    if (!this.processing) void this.drainQueue();
  }

  private pauseReading(): void {
    if (this.paused || this.socket.destroyed) return;
    this.paused = true;
    this.socket.pause();
  }

  private async drainQueue(): Promise<void> {
    this.processing = true;
    let since = performance.now();
    try {
      while (this.queueHead < this.queue.length) {
        if (performance.now() - since > YIELD_AFTER_MS) {
          // Not reading meanwhile: what arrives waits in the socket (and the crawler's), not in this queue.
          // Reading resumes below the thresholds, as after any pause (the line handled next checks).
          this.pauseReading();
          await new Promise<void>((resolve) => setImmediate(resolve));
          since = performance.now();
        }
        const event = this.queue[this.queueHead]!;
        this.queuedBytes -= this.queueBytes[this.queueHead]!;
        this.queueHead++;
        if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
          this.queue.splice(0, this.queueHead);
          this.queueBytes.splice(0, this.queueHead);
          this.queueHead = 0;
        }
        // Lines that arrived before a close are still handled: a crawler may report
        // job_completed and disconnect at once, and that report must not be lost.
        const pending = this.options.onLine(this, event);
        if (pending) await pending;
        if (this.paused && this.queue.length - this.queueHead < RESUME_AT && this.queuedBytes < this.pauseAtBytes / 2 && !this.socket.destroyed) {
          this.paused = false;
          this.socket.resume();
        }
      }
      this.queue.length = 0;
      this.queueBytes.length = 0;
      this.queuedBytes = 0;
      this.queueHead = 0;
    } finally {
      this.processing = false;
      if (this.socketClosed) this.finishClose();
    }
  }

  private waitForDrain(): Promise<void> {
    if (this.waitingWriters >= MAX_WAITING_WRITERS) {
      void this.close('slow consumer: too many messages waiting', { graceful: false });
      return Promise.reject(new Error(`crawler ${this.crawlerId} is not reading its socket`));
    }
    this.waitingWriters++;
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        this.waitingWriters--;
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done();
      const timer = setTimeout(() => {
        void this.close(`slow consumer: nothing read for ${this.options.writeTimeout} ms`, { graceful: false });
        done(new Error(`crawler ${this.crawlerId} did not read its socket within ${this.options.writeTimeout} ms`));
      }, this.options.writeTimeout);
      timer.unref();
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }

  private onClose(): void {
    this.socketClosed = true;
    this.reader.reset();
    // 'disconnected' waits until every line received before the close is handled,
    // so what follows a disconnect (requeueing jobs) never overtakes them.
    if (!this.processing) this.finishClose();
  }

  private finishClose(): void {
    if (this.finished) return;
    this.finished = true;
    const reason = this.closedReason ?? 'peer closed the connection';
    if (this.state !== 'closed') {
      const previous = this.state;
      this.state = 'closed';
      this.emitEvent({ type: 'state_changed', connectionId: this.id, previousState: previous, newState: 'closed', timestamp: new Date() });
    }
    this.emitEvent({ type: 'disconnected', connectionId: this.id, reason, timestamp: new Date() });
    this.resolveClosed();
  }
}
