/**
 * CrawlerClient: the crawler side of the console protocol (see PROTOCOL.md),
 * for crawler authors, the simulator and tests.
 *
 * What it does for a crawler:
 * - connects to the console's Unix socket (or TCP, with an auth token), says
 *   `hello` (optional) and waits for `welcome`;
 * - sends heartbeats on a timer with the crawler's real state (`getState`);
 * - writes every crawler → console message from the internal (snake_case) model
 *   in the spelling the crawler chose;
 * - turns console → crawler messages into typed events, and answers
 *   `requestJobs()` / `refreshToken()` with the console's reply (with a timeout);
 * - when the console goes away, reconnects with exponential backoff and
 *   jitter, says hello again with the same crawler id and then **re-sends a
 *   `job_started` for every job it still holds** (given to it by
 *   `job_assignment`/`job_response`, or started, and not yet reported
 *   completed/failed/cancelled), so the console keeps those jobs leased to it;
 * - queues outgoing messages while disconnected, up to `maxQueuedMessages`:
 *   the oldest progress reports and heartbeats are dropped first when full;
 *   lifecycle messages are never dropped silently — when the queue is full of
 *   them, the send rejects with QueueFullError;
 * - respects back-pressure: when the socket's buffer is full it waits for
 *   'drain' and keeps the rest in its bounded queue;
 * - on `shutdown`, stops taking work, gives the crawler `timeout_seconds` to
 *   finish (the `onShutdown` hook, and the jobs it holds) and closes; never
 *   reconnects after a shutdown or close().
 *
 * The client never logs, and never puts the auth token in an error or event.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import {
  CrawlerDataSchemas,
  HelloDataSchema,
  JOB_ID_REQUIRED,
  decodeConsoleMessage,
  encodeCrawlerMessage,
  summarizeIssues,
  type CrawlerMessageType,
  type DiscoveryData,
  type ErrorData,
  type HeartbeatData,
  type HelloData,
  type JobAssignment,
  type JobCompletedData,
  type JobFailedData,
  type JobProgressData,
  type JobRequestData,
  type JobResponseJob,
  type JobStartedData,
  type JobsDiscoveredData,
  type OutgoingCrawlerMessage,
  type Spelling,
  type SystemStatus,
  type FrameEvent,
  FrameReader,
  type TokenRefreshRequestData,
  type WebAppMessage,
  type WebAppMessageOf,
  type WebAppMessageType,
} from '../shared/protocol';
import { DEFAULT_RECONNECT, type ReconnectOptions, backoffDelay } from './backoff';
import { Deque } from './deque';
import {
  ClientClosedError,
  ConnectError,
  ConnectionLostError,
  ConsoleError,
  InvalidMessageError,
  RequestTimeoutError,
} from './errors';
import { Outbox, type OutboxEntry, type SendResult } from './outbox';

export type { SendResult } from './outbox';
export type { ReconnectOptions } from './backoff';

export type TokenRefreshResult = WebAppMessageOf<'token_refresh_response'>['data'];
export type ShutdownRequest = WebAppMessageOf<'shutdown'>['data'];
export type WelcomeData = WebAppMessageOf<'welcome'>['data'];
export type JobCancelData = WebAppMessageOf<'job_cancel'>['data'];
/** `jobs_discovered` data as a crawler sends it (the console fills in `rejected_items`). */
export type DiscoveredJobsInput = Omit<JobsDiscoveredData, 'rejected_items'>;

/** The crawler's own state, reported in every heartbeat. */
export interface CrawlerState {
  activeJobs: number;
  totalProcessed?: number;
  systemStatus?: SystemStatus;
}

export interface CrawlerClientOptions {
  /** Unix socket of the console (default: env SOCKET_PATH, else /tmp/crawler-socket.sock). Ignored with `tcp`. */
  socketPath?: string;
  /** A remote console's TCP listener; needs `authToken` and `hello`. */
  tcp?: { host: string; port: number };
  /**
   * TLS to a remote console, pinned to its certificate's SHA-256 fingerprint (shown
   * in the console's Settings and at its start-up). The hello, and so the token,
   * is written only after the pin matched.
   */
  tls?: { fingerprint256: string };
  /** Lets `tcp` without `tls` reach a non-loopback host: the auth token and GitLab tokens then travel in clear text. */
  dangerouslyAllowPlaintextTcp?: boolean;
  /** Sent in `hello` (required by TCP listeners). Never logged or put in errors. */
  authToken?: string;
  /** A stable id for this crawler; else the console's id from the first `welcome` is kept. */
  crawlerId?: string;
  name?: string;
  version?: string;
  capabilities?: string[];
  /** Spelling of what this client writes (default 'documented'). */
  spelling?: Spelling;
  /** Say `hello` and wait for `welcome` on connect (default true). */
  hello?: boolean;
  /** Heartbeat period (default 30000; after `welcome`, the console's `heartbeat_interval_ms` unless this is smaller). */
  heartbeatIntervalMs?: number;
  maxConcurrentJobs?: number;
  /** Reconnect timing, or false to stay disconnected when the console goes away. */
  reconnect?: Partial<ReconnectOptions> | false;
  /** Most messages waiting to be written (default 10,000). */
  maxQueuedMessages?: number;
  /** How long requestJobs()/refreshToken() wait for their answer (default 30000). */
  requestTimeoutMs?: number;
  /** How long one connection attempt (socket + welcome) may take (default requestTimeoutMs). */
  connectTimeoutMs?: number;
  /** The crawler's state for heartbeats (default: jobs held by this client). */
  getState?: () => CrawlerState;
  /**
   * Called on a graceful `shutdown`: finish or hand back (job_failed with
   * is_recoverable) the active jobs before `deadline` (epoch ms). The client
   * closes when this resolves and no job is held, or at the deadline.
   */
  onShutdown?: (request: ShutdownRequest, deadline: number) => void | Promise<void>;
  /** Line delimiter (default '\n'). */
  messageDelimiter?: string;
  /**
   * How this client ends what it writes: 'delimited' (default) ends every message
   * with the delimiter; 'unterminated' writes bare JSON objects back to back, as the
   * GitLab crawler in the wild does; 'mixed' alternates (to exercise a console's
   * reader). What the client reads may use either framing, always.
   */
  framing?: Framing;
  /** Largest console message accepted, in bytes (default 1 MiB); larger ones are discarded. */
  maxMessageSize?: number;
  /** Check outgoing data against the protocol schemas before queueing (default true). */
  validate?: boolean;
  /** Source of randomness for the reconnect jitter (default Math.random). */
  random?: () => number;
}

export type Framing = 'delimited' | 'unterminated' | 'mixed';

export interface CrawlerClientEvents {
  /** A connection is ready (after `welcome` when hello is on). */
  connected: [{ crawlerId: string | null; reconnected: boolean }];
  welcome: [WelcomeData];
  disconnected: [{ reason: string; willReconnect: boolean }];
  reconnecting: [{ attempt: number; delayMs: number }];
  job_assignment: [JobAssignment];
  /** Every job_response; `requested` is false when no requestJobs() call was waiting for it. */
  job_response: [jobs: JobResponseJob[], info: { requested: boolean }];
  token_refresh_response: [answer: TokenRefreshResult, jobId: string | undefined];
  shutdown: [ShutdownRequest];
  job_cancel: [JobCancelData];
  /** The console's `error` replies. Emitted only when someone listens (never an unhandled throw). */
  error: [ErrorData];
  /** A console line this client could not read (bad JSON, unknown message, too long). */
  protocol_error: [{ message: string }];
  closed: [{ reason: string }];
}

export interface CrawlerClientStats {
  /** Messages written to the socket, by type. */
  sent: Partial<Record<CrawlerMessageType, number>>;
  /** Console messages received, by type. */
  received: Partial<Record<WebAppMessageType, number>>;
  /** Progress reports and heartbeats dropped (queue full, connection lost, job cancelled). */
  dropped: number;
  bytesSent: number;
  reconnects: number;
  /** job_started messages re-sent after a reconnect for jobs still held. */
  jobsReReported: number;
}

export type ClientPhase = 'idle' | 'connecting' | 'ready' | 'waiting' | 'closing' | 'closed';

interface HeldJob {
  started: JobStartedData;
  /** job_started messages for this job queued and not yet written. */
  startedPending: number;
}

interface PendingRequest<T> {
  readonly type: 'job_request' | 'token_refresh_request';
  readonly jobId?: string;
  entry: OutboxEntry | null;
  issued: boolean;
  timer: NodeJS.Timeout | null;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

interface Waiter {
  test: () => boolean;
  resolve: (met: boolean) => void;
  timer: NodeJS.Timeout | null;
}

/** Errors from a console that mean "do not try again with these credentials". */
const FATAL_CODES: ReadonlySet<string> = new Set(['auth_failed', 'auth_required']);
/** Error codes that mean the console no longer leases a job to this crawler. */
const JOB_GONE_CODES: ReadonlySet<string> = new Set(['job_cancelled', 'job_not_leased', 'unknown_job']);
const DROPPABLE: ReadonlySet<CrawlerMessageType> = new Set(['job_progress', 'heartbeat']);
const noop = (): void => undefined;

export const DEFAULT_SOCKET_PATH = '/tmp/crawler-socket.sock';

export class CrawlerClient extends EventEmitter<CrawlerClientEvents> {
  /** This crawler's id: the configured one, else the console's from `welcome` (kept across reconnects). */
  crawlerId: string | null;
  readonly spelling: Spelling;
  readonly stats: CrawlerClientStats = { sent: {}, received: {}, dropped: 0, bytesSent: 0, reconnects: 0, jobsReReported: 0 };

  // A true private field: util.inspect and JSON.stringify never show it.
  readonly #authToken: string | undefined;
  private readonly opts: {
    socketPath: string;
    tcp: { host: string; port: number } | null;
    /** The pinned fingerprint, normalised (hex digits, upper case), or null for plain TCP / Unix. */
    pin: string | null;
    hello: boolean;
    heartbeatIntervalMs: number;
    heartbeatExplicit: boolean;
    reconnect: ReconnectOptions | null;
    requestTimeoutMs: number;
    connectTimeoutMs: number;
    delimiter: string;
    framing: Framing;
    maxMessageSize: number;
    validate: boolean;
    name: string | undefined;
    version: string | undefined;
    capabilities: string[] | undefined;
    maxConcurrentJobs: number | undefined;
  };
  private readonly getStateFn: (() => CrawlerState) | undefined;
  private readonly onShutdownHook: CrawlerClientOptions['onShutdown'];
  private readonly random: () => number;

  private phaseValue: ClientPhase = 'idle';
  private socket: net.Socket | null = null;
  private readonly outbox: Outbox;
  /** Written before the outbox after a reconnect: re-reports, then writes the old connection lost. */
  private readonly urgent = new Deque<OutboxEntry>();
  private unflushed: OutboxEntry[] = [];
  private readonly inflight = new Set<OutboxEntry>();
  private waitingDrain = false;
  private pumping = false;

  private readonly held = new Map<string, HeldJob>();
  private jobRequests: PendingRequest<JobResponseJob[]>[] = [];
  private refreshRequests: PendingRequest<TokenRefreshResult>[] = [];
  private handshake: { resolve: () => void; reject: (err: Error) => void } | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatQueued = false;
  private heartbeatMs: number;
  private reconnectAttempt = 0;
  private connectPromise: Promise<void> | null = null;
  private closePromise: Promise<void> | null = null;
  private shuttingDownFlag = false;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly waiters = new Set<Waiter>();
  private lastActivity = new Date().toISOString();
  private jobsFinished = 0;
  private everReady = false;
  /** Messages encoded so far (the 'mixed' framing alternates on it). */
  private encoded = 0;
  private reconnecting = false;

  constructor(options: CrawlerClientOptions = {}) {
    super();
    const hello = options.hello ?? true;
    if (options.tcp && !hello) throw new Error('a TCP connection needs hello (it carries the auth token)');
    if (options.tcp && !options.authToken) throw new Error('a TCP connection needs an authToken');
    if (options.tls && !options.tcp) throw new Error('tls applies to a TCP connection: give tcp as well');
    const pin = options.tls ? normalizeFingerprint(options.tls.fingerprint256) : null;
    if (pin !== null && pin.length !== 64) throw new Error('tls.fingerprint256 must be a SHA-256 fingerprint (64 hex digits, colons allowed)');
    if (options.tcp && !options.tls && !isLoopbackHost(options.tcp.host) && !options.dangerouslyAllowPlaintextTcp) {
      throw new Error(`plain TCP to ${options.tcp.host} would send the auth token in clear text: give tls: { fingerprint256 } (or dangerouslyAllowPlaintextTcp)`);
    }
    if (options.crawlerId !== undefined) {
      const r = HelloDataSchema.shape.crawler_id.safeParse(options.crawlerId);
      if (!r.success) throw new Error(`invalid crawlerId: ${summarizeIssues(r.error.issues)}`);
    }
    this.crawlerId = options.crawlerId ?? null;
    this.spelling = options.spelling ?? 'documented';
    this.#authToken = options.authToken;
    const requestTimeoutMs = positive(options.requestTimeoutMs, 30_000, 'requestTimeoutMs');
    this.opts = {
      socketPath: options.socketPath ?? process.env.SOCKET_PATH ?? DEFAULT_SOCKET_PATH,
      tcp: options.tcp ?? null,
      pin,
      hello,
      heartbeatIntervalMs: positive(options.heartbeatIntervalMs, 30_000, 'heartbeatIntervalMs'),
      heartbeatExplicit: options.heartbeatIntervalMs !== undefined,
      reconnect: options.reconnect === false ? null : { ...DEFAULT_RECONNECT, ...options.reconnect },
      requestTimeoutMs,
      connectTimeoutMs: positive(options.connectTimeoutMs, requestTimeoutMs, 'connectTimeoutMs'),
      delimiter: options.messageDelimiter ?? '\n',
      framing: options.framing ?? 'delimited',
      maxMessageSize: positive(options.maxMessageSize, 1024 * 1024, 'maxMessageSize'),
      validate: options.validate ?? true,
      name: options.name,
      version: options.version,
      capabilities: options.capabilities,
      maxConcurrentJobs: options.maxConcurrentJobs,
    };
    this.heartbeatMs = this.opts.heartbeatIntervalMs;
    this.outbox = new Outbox(options.maxQueuedMessages ?? 10_000);
    this.getStateFn = options.getState;
    this.onShutdownHook = options.onShutdown;
    this.random = options.random ?? Math.random;
  }

  // ───────────────────────────── state ─────────────────────────────

  get phase(): ClientPhase {
    return this.phaseValue;
  }

  /** True while a connection is ready to carry messages. */
  get connected(): boolean {
    return this.phaseValue === 'ready';
  }

  /** True once the console asked this crawler to shut down. */
  get shuttingDown(): boolean {
    return this.shuttingDownFlag;
  }

  /** Messages waiting to be written (bounded by maxQueuedMessages). */
  get queuedMessages(): number {
    return this.outbox.size + this.urgent.length + this.unflushed.length;
  }

  /** Bytes handed to the socket and not yet flushed to the kernel. */
  get socketBufferedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /** Ids of the jobs this client holds: re-reported with job_started after a reconnect. */
  heldJobs(): string[] {
    return [...this.held.keys()];
  }

  /** Stops holding a job without reporting it (the crawler gave it up some other way). */
  releaseJob(jobId: string): boolean {
    const had = this.held.delete(jobId);
    if (had) this.notify();
    return had;
  }

  /** The target as shown in errors (never with credentials). */
  get target(): string {
    return this.opts.tcp ? `tcp://${this.opts.tcp.host}:${this.opts.tcp.port}` : this.opts.socketPath;
  }

  private get isClosing(): boolean {
    return this.phaseValue === 'closing' || this.phaseValue === 'closed';
  }

  // ───────────────────────────── connect / close ─────────────────────────────

  /**
   * Connects (and says hello, waiting for `welcome`). Rejects if the console
   * cannot be reached, unless `waitForConsole` is set: then it keeps trying with
   * the reconnect backoff until it connects or the client is closed.
   */
  connect(options: { waitForConsole?: boolean } = {}): Promise<void> {
    if (this.isClosing) return Promise.reject(new ClientClosedError('connect'));
    if (this.phaseValue === 'ready') return Promise.resolve();
    if (this.connectPromise) return this.connectPromise;
    if (this.reconnecting) return this.nextConnected();
    const run = async (): Promise<void> => {
      let attempt = 0;
      for (;;) {
        try {
          await this.establish(this.everReady);
          return;
        } catch (err) {
          if (this.isClosing) throw new ClientClosedError('connect');
          if (!options.waitForConsole || isFatal(err)) {
            this.phaseValue = 'idle';
            throw err;
          }
          const delayMs = backoffDelay(attempt++, this.opts.reconnect ?? DEFAULT_RECONNECT, this.random);
          this.emit('reconnecting', { attempt, delayMs });
          await this.sleep(delayMs);
          if (this.isClosing) throw new ClientClosedError('connect');
        }
      }
    };
    this.connectPromise = run().finally(() => (this.connectPromise = null));
    return this.connectPromise;
  }

  /** Resolves on the next 'connected', rejects if the client closes first. */
  private nextConnected(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onConnected = (): void => {
        this.off('closed', onClosed);
        resolve();
      };
      const onClosed = (): void => {
        this.off('connected', onConnected);
        reject(new ClientClosedError('connect'));
      };
      this.once('connected', onConnected);
      this.once('closed', onClosed);
    });
  }

  /**
   * Closes the client: no more sends, no reconnects. With `flush` (default) it
   * first writes what is queued, for at most `timeoutMs` (default 2000); what
   * is left is rejected with ClientClosedError.
   */
  close(options: { flush?: boolean; timeoutMs?: number; reason?: string } = {}): Promise<void> {
    this.closePromise ??= this.doClose(options);
    return this.closePromise;
  }

  private async doClose(options: { flush?: boolean; timeoutMs?: number; reason?: string }): Promise<void> {
    const flush = options.flush ?? true;
    const deadline = Date.now() + Math.max(0, options.timeoutMs ?? 2000);
    const wasReady = this.phaseValue === 'ready';
    this.phaseValue = 'closing';
    this.stopHeartbeat();
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.sleepers.clear();
    this.handshake?.reject(new ClientClosedError('connect'));

    const socket = this.socket;
    if (socket && flush && wasReady) {
      this.pump(true);
      await this.waitFor(() => this.queuedMessages === 0 && this.inflight.size === 0, deadline);
    }
    if (socket && !socket.destroyed) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      if (flush) socket.end();
      else socket.destroy();
      const remaining = Math.max(0, deadline - Date.now());
      const timer = setTimeout(() => socket.destroy(), flush ? Math.max(remaining, 50) : 0);
      await closed;
      clearTimeout(timer);
    }
    this.failEverything(new ClientClosedError());
    this.phaseValue = 'closed';
    this.emit('closed', { reason: options.reason ?? 'closed by the crawler' });
  }

  /** One connection attempt: socket, then hello → welcome. Rejects (and cleans up) on any failure. */
  private establish(reconnected: boolean): Promise<void> {
    this.phaseValue = 'connecting';
    const target = this.target;
    return new Promise<void>((resolve, reject) => {
      const { tcp, pin } = this.opts;
      // The certificate is checked against the pin, not a CA: a self-signed console certificate is the normal case.
      const socket: net.Socket = tcp
        ? pin
          ? tls.connect({ host: tcp.host, port: tcp.port, rejectUnauthorized: false, ...(net.isIP(tcp.host) ? {} : { servername: tcp.host }) })
          : net.connect({ host: tcp.host, port: tcp.port })
        : net.connect({ path: this.opts.socketPath });
      this.socket = socket;
      const reader = new FrameReader({ delimiter: this.opts.delimiter, maxMessageBytes: this.opts.maxMessageSize });
      const events: FrameEvent[] = [];
      let settled = false;
      let established = false;
      let lastError: NodeJS.ErrnoException | null = null;

      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.handshake = null;
        socket.destroy();
        if (this.socket === socket) this.socket = null;
        reject(this.isClosing ? new ClientClosedError('connect') : err);
      };
      const done = (): void => {
        if (settled) return;
        settled = true;
        established = true;
        clearTimeout(timer);
        this.handshake = null;
        this.onReady(reconnected);
        resolve();
      };
      const timer = setTimeout(
        () => fail(new ConnectError(target, this.opts.hello ? `no welcome within ${this.opts.connectTimeoutMs} ms` : `not connected within ${this.opts.connectTimeoutMs} ms`)),
        this.opts.connectTimeoutMs,
      );

      // Over TLS, nothing is written before the handshake finished and the pin matched.
      socket.once(pin ? 'secureConnect' : 'connect', () => {
        if (pin) {
          const seen = normalizeFingerprint((socket as tls.TLSSocket).getPeerCertificate().fingerprint256 ?? '');
          if (seen !== pin) return fail(new ConnectError(target, `the console's TLS certificate does not match the pinned fingerprint (it presented ${formatFingerprint(seen)})`, 'ECERTPIN'));
        }
        if (this.opts.tcp) socket.setNoDelay(true);
        if (!this.opts.hello) return done();
        this.handshake = { resolve: done, reject: fail };
        this.writeHello(socket);
      });
      socket.on('data', (chunk: Buffer) => {
        if (this.socket !== socket) return;
        reader.push(chunk, events);
        for (let i = 0; i < events.length && this.socket === socket; i++) this.onFrame(events[i]!);
        events.length = 0;
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        lastError = err;
        if (!established) fail(new ConnectError(target, err.message, err.code));
      });
      socket.on('close', () => {
        if (!established) fail(new ConnectError(target, lastError?.message ?? 'the console closed the connection during the handshake', lastError?.code));
        else this.onSocketClosed(socket, lastError ? `socket error: ${lastError.message}` : 'the console closed the connection');
      });
    });
  }

  private writeHello(socket: net.Socket): void {
    const data: HelloData = definedOnly({
      crawler_id: this.crawlerId ?? undefined,
      name: this.opts.name,
      version: this.opts.version,
      host: os.hostname(),
      pid: process.pid,
      max_concurrent_jobs: this.opts.maxConcurrentJobs,
      capabilities: this.opts.capabilities,
      auth_token: this.#authToken,
    });
    const line = this.encodeLine({ type: 'hello', data });
    socket.write(line, (err) => {
      if (!err) this.countSent('hello', line);
    });
  }

  private onReady(reconnected: boolean): void {
    this.phaseValue = 'ready';
    this.everReady = true;
    this.reconnectAttempt = 0;
    if (reconnected) {
      this.stats.reconnects++;
      // Jobs still held are reported again first, so the console keeps them leased
      // to this crawler; then what the old connection did not deliver, in order.
      for (const [jobId, job] of this.held) {
        if (job.startedPending > 0) continue; // its own job_started is still to be written
        const { entry } = this.makeEntry({ type: 'job_started', job_id: jobId, data: job.started });
        this.trackStarted(jobId, entry);
        entry.onSettled = chain(entry.onSettled, (written) => {
          if (written) this.stats.jobsReReported++;
        });
        entry.state = 'queued';
        this.urgent.push(entry);
      }
    }
    for (const e of this.unflushed.sort((a, b) => a.seq - b.seq)) {
      e.state = 'queued';
      this.urgent.push(e);
    }
    this.unflushed = [];
    this.startHeartbeat();
    this.queueHeartbeat();
    this.emit('connected', { crawlerId: this.crawlerId, reconnected });
    this.pump();
  }

  private onSocketClosed(socket: net.Socket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.waitingDrain = false;
    this.stopHeartbeat();
    // Writes the socket never confirmed: lifecycle messages go again after a reconnect.
    for (const e of this.inflight) this.requeue(e);
    this.inflight.clear();
    // Requests already on the wire will not be answered by a new connection.
    this.failIssuedRequests();
    const willReconnect = !this.isClosing && !this.shuttingDownFlag && this.opts.reconnect !== null;
    if (!this.isClosing) this.phaseValue = willReconnect ? 'waiting' : 'idle';
    this.emit('disconnected', { reason, willReconnect });
    if (willReconnect) void this.reconnectLoop();
    this.notify();
  }

  private async reconnectLoop(): Promise<void> {
    const o = this.opts.reconnect;
    if (!o || this.reconnecting) return;
    this.reconnecting = true;
    try {
      await this.reconnectAttempts(o);
    } finally {
      this.reconnecting = false;
    }
  }

  private async reconnectAttempts(o: ReconnectOptions): Promise<void> {
    while (!this.isClosing && !this.shuttingDownFlag) {
      const delayMs = backoffDelay(this.reconnectAttempt++, o, this.random);
      this.emit('reconnecting', { attempt: this.reconnectAttempt, delayMs });
      await this.sleep(delayMs);
      if (this.isClosing || this.shuttingDownFlag) return;
      try {
        await this.establish(true);
        return;
      } catch (err) {
        if (this.isClosing) return;
        if (isFatal(err)) {
          await this.close({ flush: false, reason: (err as Error).message });
          return;
        }
        this.phaseValue = 'waiting';
      }
    }
  }

  // ───────────────────────────── inbound ─────────────────────────────

  private onFrame(event: FrameEvent): void {
    switch (event.kind) {
      case 'line':
        return this.onLine(event.text);
      case 'oversized':
        return this.protocolError(`discarded a console message of ${event.bytes} bytes (maxMessageSize is ${this.opts.maxMessageSize})`);
      case 'invalid_encoding':
        return this.protocolError(`discarded a console message of ${event.bytes} bytes that is not valid UTF-8`);
      case 'garbage':
        return this.protocolError(`skipped ${event.bytes} bytes from the console that cannot start a JSON object`);
      case 'not_an_object':
        return this.protocolError(`unreadable console message: a JSON ${event.got}, not an object`);
    }
  }

  private onLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      return this.protocolError(`invalid JSON from the console: ${(err as Error).message}`);
    }
    const decoded = decodeConsoleMessage(value);
    if (!decoded.ok) return this.protocolError(`unreadable console message: ${decoded.error}`);
    this.handleMessage(decoded.message);
  }

  private handleMessage(msg: WebAppMessage): void {
    this.stats.received[msg.type] = (this.stats.received[msg.type] ?? 0) + 1;
    switch (msg.type) {
      case 'welcome': {
        this.crawlerId = msg.data.crawler_id;
        const consoleMs = msg.data.heartbeat_interval_ms;
        this.heartbeatMs = this.opts.heartbeatExplicit ? Math.min(this.opts.heartbeatIntervalMs, consoleMs) : consoleMs;
        this.emit('welcome', msg.data);
        this.handshake?.resolve();
        return;
      }
      case 'error':
        return this.onConsoleError(msg.data);
      case 'job_assignment': {
        const a = msg.data;
        this.hold(a.job_id, definedOnly({ job_type: a.job_type, entity_id: a.entity_id, namespace_path: a.namespace_path }));
        this.emit('job_assignment', a);
        return;
      }
      case 'job_response': {
        for (const j of msg.data.jobs) this.hold(j.id, { entity_type: j.entityType, entity_id: j.entityId });
        const req = takeIssued(this.jobRequests);
        if (req) settleRequest(req, () => req.resolve(msg.data.jobs));
        this.emit('job_response', msg.data.jobs, { requested: req !== undefined });
        return;
      }
      case 'token_refresh_response': {
        const jobId = msg.job_id;
        const req = takeIssued(this.refreshRequests, (r) => jobId === undefined || r.jobId === jobId);
        if (req) settleRequest(req, () => req.resolve(msg.data));
        this.emit('token_refresh_response', msg.data, jobId);
        return;
      }
      case 'job_cancel': {
        const jobId = msg.data.job_id;
        this.held.delete(jobId);
        // Its queued progress would only be refused now.
        for (const e of this.outbox.cancelWhere((x) => x.jobId === jobId && x.droppable)) this.settleDropped(e);
        this.notify();
        this.emit('job_cancel', msg.data);
        return;
      }
      case 'shutdown':
        void this.onShutdownMessage(msg.data);
        return;
    }
  }

  private onConsoleError(data: ErrorData): void {
    if (this.handshake && data.ref_type === 'hello') {
      // A console from before `hello` existed answers unknown_type: carry on without it.
      if (data.code === 'unknown_type') this.handshake.resolve();
      else this.handshake.reject(new ConsoleError(data));
    } else if (this.handshake && data.code === 'server_full') {
      this.handshake.reject(new ConsoleError(data));
    }
    if (data.job_id !== undefined && JOB_GONE_CODES.has(data.code) && this.held.delete(data.job_id)) this.notify();
    if (data.ref_type === 'job_request') {
      const req = takeIssued(this.jobRequests);
      if (req) settleRequest(req, () => req.reject(new ConsoleError(data)));
    } else if (data.ref_type === 'token_refresh_request') {
      const req = takeIssued(this.refreshRequests, (r) => data.job_id === undefined || r.jobId === data.job_id);
      if (req) settleRequest(req, () => req.reject(new ConsoleError(data)));
    }
    if (this.listenerCount('error') > 0) this.emit('error', data);
  }

  private async onShutdownMessage(request: ShutdownRequest): Promise<void> {
    this.emit('shutdown', request);
    if (this.shuttingDownFlag || this.isClosing) return;
    this.shuttingDownFlag = true;
    const reason = `console shutdown${request.reason ? `: ${request.reason}` : ''}`;
    if (!request.graceful) {
      await this.close({ flush: false, reason });
      return;
    }
    const deadline = Date.now() + request.timeout_seconds * 1000;
    const finished = (async () => {
      try {
        await this.onShutdownHook?.(request, deadline);
      } catch {
        // The hook's failure must not keep the client open past the grace time.
      }
      await this.waitFor(() => this.held.size === 0, deadline);
    })();
    await Promise.race([finished, this.sleep(Math.max(0, deadline - Date.now()))]);
    await this.close({ flush: true, timeoutMs: Math.max(0, deadline - Date.now()), reason });
  }

  private protocolError(message: string): void {
    this.emit('protocol_error', { message });
  }

  // ───────────────────────────── senders ─────────────────────────────

  /** Sends a heartbeat now (one is also sent on every timer tick); `overrides` replace fields of the state. */
  heartbeat(overrides: Partial<HeartbeatData> = {}): Promise<SendResult> {
    return this.enqueue(() => this.buildHeartbeat(overrides), 'heartbeat');
  }

  /** Reports a job as started; the client holds the job until its job_completed/job_failed is written. */
  jobStarted(jobId: string, data: JobStartedData = {}, extras?: Record<string, unknown>): Promise<SendResult> {
    const { entry, promise } = this.makeEntry({ type: 'job_started', job_id: jobId, data, ...(extras && { extras }) });
    if (entry.state === 'failed') return promise;
    const held = this.held.get(jobId);
    if (held) held.started = { ...held.started, ...data };
    else this.held.set(jobId, { started: data, startedPending: 0 });
    this.trackStarted(jobId, entry);
    return this.queue(entry, promise);
  }

  jobProgress(jobId: string, data: JobProgressData, extras?: Record<string, unknown>): Promise<SendResult> {
    return this.send({ type: 'job_progress', job_id: jobId, data, ...(extras && { extras }) });
  }

  jobCompleted(jobId: string, data: JobCompletedData, extras?: Record<string, unknown>): Promise<SendResult> {
    return this.sendFinal({ type: 'job_completed', job_id: jobId, data, ...(extras && { extras }) });
  }

  jobFailed(jobId: string, data: JobFailedData, extras?: Record<string, unknown>): Promise<SendResult> {
    return this.sendFinal({ type: 'job_failed', job_id: jobId, data, ...(extras && { extras }) });
  }

  /** Reports the jobs a discovery job found (`jobId` is the discovering job). */
  jobsDiscovered(jobId: string, data: DiscoveredJobsInput, extras?: Record<string, unknown>): Promise<SendResult> {
    return this.send({ type: 'jobs_discovered', job_id: jobId, data: { ...data, rejected_items: [] }, ...(extras && { extras }) });
  }

  /** The crawler spelling's `discovery` report of entities found. */
  discovery(data: DiscoveryData, jobId?: string): Promise<SendResult> {
    return this.send({ type: 'discovery', ...(jobId !== undefined && { job_id: jobId }), data });
  }

  /** Sends a bare token_refresh_request; use refreshToken() to wait for the answer. */
  tokenRefreshRequest(jobId: string, data: TokenRefreshRequestData = {}): Promise<SendResult> {
    return this.send({ type: 'token_refresh_request', job_id: jobId, data });
  }

  /** Sends a bare job_request; use requestJobs() to wait for the answer. */
  jobRequest(data: JobRequestData = {}): Promise<SendResult> {
    return this.send({ type: 'job_request', data });
  }

  /** Sends any crawler → console message (internal model; written in this client's spelling). */
  send(msg: OutgoingCrawlerMessage): Promise<SendResult> {
    if (msg.type === 'job_started') return this.jobStarted(msg.job_id!, msg.data, msg.extras);
    if (msg.type === 'job_completed' || msg.type === 'job_failed') return this.sendFinal(msg);
    if (msg.type === 'hello') return Promise.reject(new InvalidMessageError('hello', 'the client says hello itself on connect'));
    const { entry, promise } = this.makeEntry(msg);
    return entry.state === 'failed' ? promise : this.queue(entry, promise);
  }

  /**
   * Asks the console for work and resolves with the jobs of its job_response
   * (empty: no work). Resolves [] at once while shutting down. Rejects with
   * RequestTimeoutError, ConnectionLostError (the connection dropped while the
   * request was on the wire) or ConsoleError.
   */
  requestJobs(maxJobs?: number): Promise<JobResponseJob[]> {
    if (this.isClosing) return Promise.reject(new ClientClosedError('requestJobs'));
    if (this.shuttingDownFlag) return Promise.resolve([]);
    return this.request<JobResponseJob[]>('job_request', { type: 'job_request', data: maxJobs !== undefined ? { max_jobs: maxJobs } : {} });
  }

  /** Asks for a fresh token for a job; resolves with the console's answer (check `refresh_successful`). */
  refreshToken(jobId: string, data: TokenRefreshRequestData = { current_token_expired: true }): Promise<TokenRefreshResult> {
    if (this.isClosing) return Promise.reject(new ClientClosedError('refreshToken'));
    return this.request<TokenRefreshResult>('token_refresh_request', { type: 'token_refresh_request', job_id: jobId, data }, jobId);
  }

  private request<T>(type: 'job_request' | 'token_refresh_request', msg: OutgoingCrawlerMessage, jobId?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const list = (type === 'job_request' ? this.jobRequests : this.refreshRequests) as PendingRequest<T>[];
      const req: PendingRequest<T> = { type, ...(jobId !== undefined && { jobId }), entry: null, issued: false, timer: null, resolve, reject };
      const { entry, promise } = this.makeEntry(msg);
      if (entry.state === 'failed') return void promise.catch(reject);
      req.entry = entry;
      entry.onIssued = () => (req.issued = true);
      list.push(req);
      req.timer = setTimeout(() => {
        removeFrom(list, req);
        // Not yet written: take it out, so a late job_request cannot lease jobs nobody waits for.
        if (!req.issued && req.entry && this.outbox.cancel(req.entry)) this.settleEntry(req.entry, false);
        reject(new RequestTimeoutError(type, this.opts.requestTimeoutMs));
      }, this.opts.requestTimeoutMs);
      this.queue(entry, promise).catch((err: Error) => {
        if (!removeFrom(list, req)) return;
        if (req.timer) clearTimeout(req.timer);
        reject(err);
      });
    });
  }

  private sendFinal(msg: Extract<OutgoingCrawlerMessage, { type: 'job_completed' | 'job_failed' }>): Promise<SendResult> {
    const { entry, promise } = this.makeEntry(msg);
    if (entry.state === 'failed') return promise;
    const jobId = msg.job_id!;
    entry.onSettled = chain(entry.onSettled, (written) => {
      if (!written) return;
      this.jobsFinished++;
      this.held.delete(jobId);
      this.notify();
    });
    return this.queue(entry, promise);
  }

  private trackStarted(jobId: string, entry: OutboxEntry): void {
    const held = this.held.get(jobId);
    if (held) held.startedPending++;
    entry.onSettled = chain(entry.onSettled, () => {
      const h = this.held.get(jobId);
      if (h) h.startedPending = Math.max(0, h.startedPending - 1);
    });
  }

  private hold(jobId: string, started: JobStartedData): void {
    if (!this.held.has(jobId)) this.held.set(jobId, { started, startedPending: 0 });
  }

  // ───────────────────────────── outgoing queue ─────────────────────────────

  private enqueue(msg: OutgoingCrawlerMessage | (() => OutgoingCrawlerMessage), type: CrawlerMessageType): Promise<SendResult> {
    const { entry, promise } = this.makeEntry(msg, type);
    return entry.state === 'failed' ? promise : this.queue(entry, promise);
  }

  /**
   * Builds an outbox entry (validated, timestamped now, encoded at write time).
   * A message that cannot be sent comes back with state 'failed' and a rejected promise.
   */
  private makeEntry(
    msgOrBuild: OutgoingCrawlerMessage | (() => OutgoingCrawlerMessage),
    lazyType?: CrawlerMessageType,
  ): { entry: OutboxEntry; promise: Promise<SendResult> } {
    let resolve!: (r: SendResult) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<SendResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Fire-and-forget callers must not crash the process; awaiting callers still see the rejection.
    promise.catch(noop);
    let type: CrawlerMessageType;
    let jobId: string | undefined;
    let build: () => string;
    let problem: string | null = null;
    if (typeof msgOrBuild === 'function') {
      type = lazyType!;
      build = () => this.encodeLine(msgOrBuild());
    } else {
      type = msgOrBuild.type;
      jobId = msgOrBuild.job_id;
      problem = this.check(msgOrBuild);
      // Stamped now: the time of the event, not of the write.
      const stamped = { ...msgOrBuild, timestamp: msgOrBuild.timestamp ?? new Date().toISOString() } as OutgoingCrawlerMessage;
      build = () => this.encodeLine(stamped);
    }
    const entry: OutboxEntry = {
      seq: -1,
      type,
      jobId,
      droppable: DROPPABLE.has(type),
      state: 'queued',
      build,
      resolve,
      reject,
    };
    if (this.isClosing) problem = 'closed';
    if (problem !== null) {
      entry.state = 'failed';
      reject(problem === 'closed' ? new ClientClosedError(type) : new InvalidMessageError(type, problem));
    }
    return { entry, promise };
  }

  private queue(entry: OutboxEntry, promise: Promise<SendResult>): Promise<SendResult> {
    let victim: OutboxEntry | null;
    try {
      victim = this.outbox.add(entry);
    } catch (err) {
      this.settleEntry(entry, false);
      entry.reject(err as Error);
      return promise;
    }
    if (victim) this.settleDropped(victim);
    if (entry.type !== 'heartbeat' && entry.type !== 'job_request') this.lastActivity = new Date().toISOString();
    this.pump();
    return promise;
  }

  /** Writes queued entries until the socket asks us to wait ('drain'). */
  private pump(closing = false): void {
    const socket = this.socket;
    if (!socket || this.waitingDrain || this.pumping) return;
    if (this.phaseValue !== 'ready' && !(closing && this.phaseValue === 'closing')) return;
    this.pumping = true;
    try {
      for (;;) {
        const entry = this.urgent.shift() ?? this.outbox.next();
        if (!entry) break;
        if (entry.state !== 'queued') continue;
        let line: string;
        try {
          line = entry.build();
        } catch (err) {
          entry.state = 'failed';
          this.settleEntry(entry, false);
          entry.reject(err as Error);
          continue;
        }
        entry.state = 'inflight';
        this.inflight.add(entry);
        entry.onIssued?.();
        const more = socket.write(line, (err) => this.afterWrite(entry, line, err ?? null));
        if (!more) {
          this.waitingDrain = true;
          socket.once('drain', () => {
            if (this.socket !== socket) return;
            this.waitingDrain = false;
            this.pump(this.phaseValue === 'closing');
          });
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private afterWrite(entry: OutboxEntry, line: string, err: Error | null): void {
    if (entry.state === 'written') return;
    if (!err) {
      // Confirmed, even if a close already moved it back: it went out, so it must
      // not go twice, and it counts as sent (the console has it).
      this.inflight.delete(entry);
      if (entry.state === 'unflushed') removeFrom(this.unflushed, entry);
      if (entry.state === 'dropped') this.stats.dropped--;
      entry.state = 'written';
      this.countSent(entry.type, line);
      this.settleEntry(entry, true);
      entry.resolve('sent');
      this.notify();
      return;
    }
    if (entry.state === 'inflight') {
      this.inflight.delete(entry);
      this.requeue(entry);
    }
  }

  /** A write the socket did not confirm: progress is dropped, anything else waits for the next connection. */
  private requeue(entry: OutboxEntry): void {
    if (entry.droppable) {
      entry.state = 'dropped';
      this.settleDropped(entry);
      return;
    }
    entry.state = 'unflushed';
    this.unflushed.push(entry);
  }

  private settleDropped(entry: OutboxEntry): void {
    entry.state = 'dropped';
    this.stats.dropped++;
    this.settleEntry(entry, false);
    entry.resolve('dropped');
  }

  private settleEntry(entry: OutboxEntry, written: boolean): void {
    const done = entry.onSettled;
    entry.onSettled = undefined;
    done?.(written);
  }

  private countSent(type: CrawlerMessageType, line: string): void {
    this.stats.sent[type] = (this.stats.sent[type] ?? 0) + 1;
    this.stats.bytesSent += Buffer.byteLength(line);
  }

  private encodeLine(msg: OutgoingCrawlerMessage): string {
    const json = JSON.stringify(encodeCrawlerMessage(msg, this.spelling));
    const framing = this.opts.framing;
    if (framing === 'delimited' || (framing === 'mixed' && this.encoded++ % 2 === 0)) return json + this.opts.delimiter;
    return json;
  }

  /** The reason a message would be refused by the console, or null. */
  private check(msg: OutgoingCrawlerMessage): string | null {
    if (JOB_ID_REQUIRED.has(msg.type) && (typeof msg.job_id !== 'string' || msg.job_id.length === 0)) return 'a job id is required';
    if (!this.opts.validate) return null;
    const r = CrawlerDataSchemas[msg.type].safeParse(msg.data);
    return r.success ? null : summarizeIssues(r.error.issues);
  }

  /** Requests on the wire when the connection dropped: rejected (the caller asks again); their entries never go again. */
  private failIssuedRequests(): void {
    const fail = <T>(list: PendingRequest<T>[]): PendingRequest<T>[] => {
      for (const req of list.filter((r) => r.issued)) {
        if (req.entry && req.entry.state === 'unflushed') {
          removeFrom(this.unflushed, req.entry);
          req.entry.state = 'cancelled';
          this.settleEntry(req.entry, false);
        }
        settleRequest(req, () => req.reject(new ConnectionLostError(req.type)));
      }
      return list.filter((r) => !r.issued);
    };
    this.jobRequests = fail(this.jobRequests);
    this.refreshRequests = fail(this.refreshRequests);
  }

  private failEverything(err: Error): void {
    const entries = [...this.outbox.drain(), ...this.urgent, ...this.unflushed, ...this.inflight];
    this.urgent.clear();
    this.unflushed = [];
    this.inflight.clear();
    for (const e of entries) {
      if (e.state === 'written' || e.state === 'dropped' || e.state === 'failed') continue;
      e.state = 'failed';
      this.settleEntry(e, false);
      e.reject(err);
    }
    for (const req of this.jobRequests.splice(0)) settleRequest(req, () => req.reject(err));
    for (const req of this.refreshRequests.splice(0)) settleRequest(req, () => req.reject(err));
    this.notify();
  }

  // ───────────────────────────── heartbeats ─────────────────────────────

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => this.queueHeartbeat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** At most one heartbeat waits in the queue; it is built when written, so it carries the state of that moment. */
  private queueHeartbeat(): void {
    if (this.phaseValue !== 'ready' || this.heartbeatQueued) return;
    this.heartbeatQueued = true;
    const { entry, promise } = this.makeEntry(() => this.buildHeartbeat({}), 'heartbeat');
    entry.onSettled = () => (this.heartbeatQueued = false);
    void this.queue(entry, promise);
  }

  private buildHeartbeat(overrides: Partial<HeartbeatData>): OutgoingCrawlerMessage {
    let state: CrawlerState;
    try {
      state = this.getStateFn ? this.getStateFn() : this.defaultState();
    } catch {
      state = { ...this.defaultState(), systemStatus: 'error' };
    }
    const mem = process.memoryUsage();
    const data: HeartbeatData = {
      active_jobs: Math.max(0, Math.trunc(state.activeJobs)),
      system_status: state.systemStatus ?? (state.activeJobs > 0 ? 'crawling' : 'idle'),
      last_activity: this.lastActivity,
      total_processed: Math.max(0, state.totalProcessed ?? this.jobsFinished),
      uptime: Math.round(process.uptime()),
      memory_usage: { rss: mem.rss, heapUsed: mem.heapUsed },
      ...overrides,
    };
    return { type: 'heartbeat', data };
  }

  private defaultState(): CrawlerState {
    return { activeJobs: this.held.size, totalProcessed: this.jobsFinished, systemStatus: this.held.size > 0 ? 'crawling' : 'idle' };
  }

  // ───────────────────────────── waiting ─────────────────────────────

  /** A delay that close() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const s = {
        timer: setTimeout(() => {
          this.sleepers.delete(s);
          resolve();
        }, ms),
        resolve,
      };
      this.sleepers.add(s);
    });
  }

  /** Resolves true when `test` holds (re-checked on every state change), false at the deadline. */
  private waitFor(test: () => boolean, deadline: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = { test, resolve, timer: null };
      w.timer = setTimeout(() => {
        this.waiters.delete(w);
        resolve(test());
      }, Math.max(0, deadline - Date.now()));
      this.waiters.add(w);
    });
  }

  private notify(): void {
    for (const w of this.waiters) {
      if (!w.test()) continue;
      this.waiters.delete(w);
      if (w.timer) clearTimeout(w.timer);
      w.resolve(true);
    }
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function definedOnly<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function isFatal(err: unknown): boolean {
  return err instanceof ConsoleError && FATAL_CODES.has(err.code);
}

function removeFrom<T>(list: T[], item: T): boolean {
  const i = list.indexOf(item);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** The oldest request whose message was written (and that matches), removed from the list. */
function takeIssued<T>(list: PendingRequest<T>[], match: (r: PendingRequest<T>) => boolean = () => true): PendingRequest<T> | undefined {
  const i = list.findIndex((r) => r.issued && match(r));
  if (i < 0) return undefined;
  return list.splice(i, 1)[0];
}

function settleRequest(req: { timer: NodeJS.Timeout | null }, settle: () => void): void {
  if (req.timer) clearTimeout(req.timer);
  req.timer = null;
  settle();
}

function chain(first: ((written: boolean) => void) | undefined, next: (written: boolean) => void): (written: boolean) => void {
  return first ? (w) => (first(w), next(w)) : next;
}

/** Fingerprints compare without case or separators: `AB:CD…` and `abcd…` are the same pin. */
const normalizeFingerprint = (fp: string): string => fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
const formatFingerprint = (hex: string): string => (hex.match(/../g) ?? []).join(':') || 'none';

/** A loopback host: plain TCP there cannot be overheard from another machine. */
const isLoopbackHost = (host: string): boolean =>
  /^(localhost|::1|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.test(host.trim().replace(/^\[|\]$/g, ''));
