/**
 * The seed's SocketServer: a Unix-socket (and optional TCP) server for crawlers.
 * Framing and ordering live in SocketConnection; this class owns the listeners,
 * the connection registry, the session rules (hello, auth, limits, heartbeat
 * timeouts) and the turn from a line into a routed message or an `error` reply.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CrawlerMessage,
  type CrawlerMessageOf,
  type DecodeFailure,
  type ErrorData,
  PROTOCOL_VERSION,
  type WebAppMessage,
  completeWebAppMessage,
  decodeCrawlerMessage,
  encodeConsoleMessage,
} from '../../shared/protocol';
import type { ConnectionInfo, ConnectionStats } from '../../shared/connection';
import type { AggregateProgress } from '../../shared/progress';
import { SocketConnection } from './connection/socket-connection';
import type { LineEvent } from './connection/line-reader';
import { parseSocketConfig } from './config';
import type { SocketServerConfig, SocketServerConfigInput } from './types/config';
import { ErrorCategory, ErrorManager, MessageError, createConnectionError } from './types/errors';
import { type CrawlerBackend, MemoryBackend } from './backend';
import { type MessageRouter, createDefaultRouter } from './message-router';
import { ProgressTracker } from './progress/progress-tracker';
import { type Logger, silentLogger } from './logger';
import type { MessageProcessingResult } from './types/router';

/** The seed's ServerStatus. */
export interface ServerStatus {
  isRunning: boolean;
  connections: number;
  activeConnections: number;
  uptime: number;
  config: SocketServerConfig;
}

export interface SocketServerEvents {
  listening: [{ socketPath: string; tcp: { host: string; port: number } | null }];
  crawler_connected: [ConnectionInfo];
  crawler_updated: [ConnectionInfo];
  crawler_disconnected: [{ connection: ConnectionInfo; reason: string; lost: boolean }];
  crawler_lost: [{ connection: ConnectionInfo; silentForMs: number }];
  heartbeat: [{ crawler_id: string; connection_id: string; at: number; data: CrawlerMessageOf<'heartbeat'>['data'] }];
  message_processed: [{ connection: SocketConnection; message: CrawlerMessage; result: MessageProcessingResult }];
  protocol_error: [{ crawler_id: string; connection_id: string; error: ErrorData }];
  stopped: [];
}

export interface SocketServerDeps {
  router?: MessageRouter;
  backend?: CrawlerBackend;
  progressTracker?: ProgressTracker;
  errorManager?: ErrorManager;
  logger?: Logger;
  now?: () => number;
}

export class SocketServer extends EventEmitter<SocketServerEvents> {
  private currentConfig: SocketServerConfig;
  readonly router: MessageRouter;
  readonly backend: CrawlerBackend;
  readonly progressTracker: ProgressTracker;
  readonly errorManager: ErrorManager;
  private readonly logger: Logger;
  private readonly now: () => number;

  private unixServer: net.Server | null = null;
  private tcpServer: net.Server | null = null;
  private readonly connections = new Set<SocketConnection>();
  private readonly byCrawler = new Map<string, SocketConnection>();
  private startedAt: number | null = null;
  private starting = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private tcpAddress: { host: string; port: number } | null = null;
  private readonly lost = new WeakSet<SocketConnection>();

  constructor(config?: SocketServerConfigInput, deps: SocketServerDeps = {}) {
    super();
    this.currentConfig = parseSocketConfig(config ?? {});
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger ?? silentLogger;
    this.errorManager = deps.errorManager ?? deps.router?.errorManager ?? new ErrorManager();
    this.progressTracker = deps.progressTracker ?? new ProgressTracker();
    this.backend = deps.backend ?? new MemoryBackend(this.progressTracker);
    this.router =
      deps.router ?? createDefaultRouter({ backend: this.backend, progressTracker: this.progressTracker, errorManager: this.errorManager });
  }

  /** The configuration in force. */
  get config(): SocketServerConfig {
    return this.currentConfig;
  }

  /**
   * Applies a new configuration while running. Limits, timeouts and sizes take
   * effect at once (sizes for new connections); where the server listens
   * (socketPath, host, port, enableTcp, backlog) only changes on restart.
   */
  applyConfig(next: SocketServerConfig): void {
    const keep = { socketPath: this.currentConfig.socketPath, host: this.currentConfig.host, port: this.currentConfig.port, enableTcp: this.currentConfig.enableTcp, backlog: this.currentConfig.backlog };
    const before = this.sweepTimer ? this.sweepInterval() : null;
    this.currentConfig = this.isRunning ? { ...next, ...keep } : next;
    // A shorter heartbeat timeout must be enforced from now on, not after the old (longer) sweep period.
    if (this.sweepTimer && before !== this.sweepInterval()) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = setInterval(() => this.sweep(), this.sweepInterval());
      this.sweepTimer.unref();
    }
  }

  get isRunning(): boolean {
    return this.startedAt !== null;
  }

  /** The Unix socket path crawlers connect to. */
  get socketPath(): string {
    return this.config.socketPath;
  }

  /** The TCP address actually bound (port 0 resolves to a free port), or null. */
  get tcpListenAddress(): { host: string; port: number } | null {
    return this.tcpAddress;
  }

  async start(): Promise<void> {
    if (this.isRunning || this.starting) throw new Error('Socket server is already running');
    this.starting = true;
    try {
      if (this.config.enableTcp && !this.config.authToken) {
        throw new Error('The TCP listener needs an auth token (authToken / SOCKET_AUTH_TOKEN): remote crawlers must authenticate');
      }
      this.unixServer = await this.listenUnix(this.config.socketPath);
      if (this.config.enableTcp) {
        try {
          this.tcpServer = await this.listenTcp(this.config.host, this.config.port);
        } catch (err) {
          await this.closeListeners();
          throw err;
        }
      }
      this.startedAt = this.now();
      this.sweepTimer = setInterval(() => this.sweep(), this.sweepInterval());
      this.sweepTimer.unref();
      this.logger.info({ socketPath: this.config.socketPath, tcp: this.tcpAddress }, 'socket server listening');
      this.emit('listening', { socketPath: this.config.socketPath, tcp: this.tcpAddress });
    } finally {
      this.starting = false;
    }
  }

  /** Stops accepting, closes every connection gracefully, removes the socket file; resolves when all is closed. */
  async stop(): Promise<void> {
    if (!this.isRunning) return;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    const listenersClosed = this.closeListeners();
    await Promise.all(
      [...this.connections].map(async (c) => {
        await c.close('server stopping', { timeoutMs: 2000 });
        await c.closed();
      }),
    );
    await listenersClosed;
    this.startedAt = null;
    this.logger.info('socket server stopped');
    this.emit('stopped');
  }

  getStatus(): ServerStatus {
    const open = [...this.connections].filter((c) => c.state !== 'closed');
    return {
      isRunning: this.isRunning,
      connections: open.length,
      activeConnections: open.filter((c) => c.state === 'active').length,
      uptime: this.startedAt === null ? 0 : this.now() - this.startedAt,
      config: this.config,
    };
  }

  getConnectionStats(): ConnectionStats {
    const stats = { total: 0, active: 0, idle: 0, error: 0 };
    for (const c of this.connections) {
      if (c.state === 'closed') continue;
      stats.total++;
      if (c.state === 'active') stats.active++;
      else if (c.state === 'idle') stats.idle++;
      else if (c.state === 'error') stats.error++;
    }
    return stats;
  }

  getAggregateProgress(): AggregateProgress | null {
    return this.progressTracker.getAggregateProgress();
  }

  listConnections(): ConnectionInfo[] {
    return [...this.connections].filter((c) => c.state !== 'closed').map((c) => c.info());
  }

  /** The open connection of a crawler, if any. */
  getConnection(crawlerId: string): SocketConnection | undefined {
    const c = this.byCrawler.get(crawlerId);
    return c && c.isOpen ? c : undefined;
  }

  /**
   * Sends a message to one crawler. Throws if the crawler has no connection, or
   * none that can take messages (closed, or a TCP peer that has not authenticated).
   */
  async sendToCrawler(crawlerId: string, message: WebAppMessage | Omit<WebAppMessage, 'timestamp'>): Promise<void> {
    const full = completeWebAppMessage(message);
    const connection = this.byCrawler.get(crawlerId);
    if (!connection) throw new Error(`No connection found for crawler ${crawlerId}`);
    if (!connection.isOpen || !connection.metadata.authenticated) {
      throw new Error(`No active connection available for crawler ${crawlerId}`);
    }
    await connection.send(full);
  }

  /**
   * Sends a message to every connected (and authenticated) crawler. Resolves
   * with how many received it; a crawler that cannot take it is skipped, not fatal.
   */
  async broadcast(message: WebAppMessage | Omit<WebAppMessage, 'timestamp'>): Promise<number> {
    const full = completeWebAppMessage(message);
    const targets = [...this.connections].filter((c) => c.isOpen && c.metadata.authenticated);
    const results = await Promise.allSettled(targets.map((c) => c.send(full)));
    return results.filter((r) => r.status === 'fulfilled').length;
  }

  // ───────────────────────────── listeners ─────────────────────────────

  private async listenUnix(socketPath: string): Promise<net.Server> {
    await prepareSocketPath(socketPath);
    const server = net.createServer({ pauseOnConnect: false }, (s) => this.accept(s, 'unix'));
    server.maxConnections = Number.MAX_SAFE_INTEGER; // the limit is ours, with an error reply
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, `Unix socket ${socketPath}`)));
      // Owner-only from the first instant: the socket is created under a 0177 umask.
      const previous = process.umask(0o177);
      try {
        server.listen({ path: socketPath, backlog: this.config.backlog }, () => resolve());
      } finally {
        process.umask(previous);
      }
    });
    if (!isNamedPipe(socketPath)) fs.chmodSync(socketPath, 0o600);
    server.on('error', (err) => this.logger.error({ err }, 'unix listener error'));
    return server;
  }

  private async listenTcp(host: string, port: number): Promise<net.Server> {
    const server = net.createServer((s) => this.accept(s, 'tcp'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, `TCP ${host}:${port}`)));
      server.listen({ host, port, backlog: this.config.backlog }, () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.tcpAddress = { host: addr.address, port: addr.port };
    server.on('error', (err) => this.logger.error({ err }, 'tcp listener error'));
    return server;
  }

  private async closeListeners(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const server of [this.unixServer, this.tcpServer]) {
      if (server) closing.push(new Promise((resolve) => server.close(() => resolve())));
    }
    const unixPath = this.unixServer ? this.config.socketPath : null;
    this.unixServer = null;
    this.tcpServer = null;
    this.tcpAddress = null;
    await Promise.all(closing);
    // net removes its own socket file on close; make sure, without touching anything that is not a socket.
    if (unixPath) removeIfSocket(unixPath);
  }

  // ───────────────────────────── connections ─────────────────────────────

  private accept(socket: net.Socket, transport: 'unix' | 'tcp'): void {
    const open = [...this.connections].filter((c) => c.state !== 'closed').length;
    if (open >= this.config.maxConnections) {
      const reply: WebAppMessage = {
        type: 'error',
        timestamp: new Date(this.now()).toISOString(),
        data: { code: 'server_full', message: `the console accepts at most ${this.config.maxConnections} crawler connections` },
      };
      socket.on('error', () => undefined);
      socket.end(JSON.stringify(encodeConsoleMessage(reply, 'documented')) + this.config.messageDelimiter);
      setTimeout(() => socket.destroy(), 1000).unref();
      this.recordConnectionError('connection refused: server full', 'refused', { code: 'server_full', transport, maxConnections: this.config.maxConnections });
      return;
    }
    if (transport === 'tcp') socket.setNoDelay(true);
    const connection = new SocketConnection(socket, {
      transport,
      maxMessageSize: this.config.maxMessageSize,
      messageDelimiter: this.config.messageDelimiter,
      messageBufferSize: this.config.messageBufferSize,
      writeTimeout: this.config.connectionTimeout,
      onLine: (c, e) => this.onLine(c, e),
      now: this.now,
    });
    this.connections.add(connection);
    this.byCrawler.set(connection.crawlerId, connection);
    connection.on('state_changed', () => this.emit('crawler_updated', connection.info()));
    connection.on('disconnected', (e) => this.onDisconnected(connection, e.reason));
    if (transport === 'unix') this.announce(connection);
  }

  private announce(connection: SocketConnection): void {
    this.logger.info({ crawlerId: connection.crawlerId, transport: connection.transport }, 'crawler connected');
    this.emit('crawler_connected', connection.info());
    safely(() => this.backend.crawlerConnected?.(connection), this.logger);
  }

  private onDisconnected(connection: SocketConnection, reason: string): void {
    this.connections.delete(connection);
    if (this.byCrawler.get(connection.crawlerId) === connection) this.byCrawler.delete(connection.crawlerId);
    const lost = this.lost.has(connection);
    this.logger.info({ crawlerId: connection.crawlerId, reason, lost }, 'crawler disconnected');
    // Only crawlers the console accepted are announced as gone (not an unauthenticated TCP peer).
    if (connection.metadata.authenticated) {
      this.emit('crawler_disconnected', { connection: connection.info(), reason, lost });
      safely(() => this.backend.crawlerDisconnected?.(connection, reason, lost), this.logger);
    }
  }

  private async onLine(connection: SocketConnection, event: LineEvent): Promise<void> {
    if (event.kind === 'oversized') {
      return this.refuse(connection, {
        code: 'message_too_large',
        message: `line of ${event.bytes} bytes exceeds maxMessageSize (${this.config.maxMessageSize} bytes) and was discarded`,
      });
    }
    if (event.kind === 'invalid_encoding') {
      return this.refuse(connection, { code: 'invalid_encoding', message: `line of ${event.bytes} bytes is not valid UTF-8 and was discarded` });
    }
    let value: unknown;
    try {
      value = JSON.parse(event.text);
    } catch (err) {
      return this.refuse(connection, { code: 'invalid_json', message: `invalid JSON: ${(err as Error).message}` });
    }
    const decoded = decodeCrawlerMessage(value);
    if (!decoded.ok) return this.refuse(connection, decoded.error);
    const message = decoded.message;
    connection.stats.messagesReceived++;
    connection.lastMessageAt = this.now();
    if (message.spelling) connection.spelling = message.spelling;

    if (message.type === 'hello') return this.onHello(connection, message);
    if (!connection.metadata.authenticated) {
      await this.refuse(connection, { code: 'auth_required', message: 'this listener requires a hello with a valid auth_token first', ref_type: message.type });
      // Not awaited: the close completes only after this line's handling returns.
      void connection.close('not authenticated');
      return;
    }
    if (message.type === 'heartbeat') this.onHeartbeat(connection, message);
    else if (connection.state === 'connecting') connection.setState('active');

    if (connection.listenerCount('message') > 0) {
      connection.emitEvent({ type: 'message', connectionId: connection.id, message, timestamp: new Date(this.now()) });
    }
    const result = await this.router.processMessage(message, connection);
    if (!result.success && !result.dropped) {
      await this.reply(connection, {
        code: result.code ?? 'internal_error',
        message: result.error ?? `${message.type} could not be processed`,
        ref_type: message.type,
        ...(message.job_id !== undefined && { job_id: message.job_id }),
      });
      this.emitProtocolError(connection, { code: result.code ?? 'internal_error', message: result.error ?? '', ref_type: message.type, ...(message.job_id !== undefined && { job_id: message.job_id }) });
    }
    if (this.listenerCount('message_processed') > 0) this.emit('message_processed', { connection, message, result });
  }

  private async onHello(connection: SocketConnection, message: CrawlerMessageOf<'hello'>): Promise<void> {
    const d = message.data;
    const wasAuthenticated = connection.metadata.authenticated;
    if (!wasAuthenticated) {
      if (!this.tokenMatches(d.auth_token)) {
        await this.refuse(connection, { code: 'auth_failed', message: 'auth_token missing or wrong', ref_type: 'hello' });
        void connection.close('authentication failed');
        return;
      }
      connection.metadata.authenticated = true;
    }
    if (d.crawler_id && d.crawler_id !== connection.crawlerId) {
      const previous = this.byCrawler.get(d.crawler_id);
      if (previous && previous !== connection && previous.isOpen) {
        // The same crawler reconnected before its old connection timed out: the new one wins.
        void previous.close('superseded by a new connection from the same crawler');
      }
      if (this.byCrawler.get(connection.crawlerId) === connection) this.byCrawler.delete(connection.crawlerId);
      connection.metadata.crawlerId = d.crawler_id;
    }
    this.byCrawler.set(connection.crawlerId, connection);
    const m = connection.metadata;
    m.saidHello = true;
    if (d.name !== undefined) m.name = d.name;
    if (d.version !== undefined) m.version = d.version;
    if (d.host !== undefined) m.host = d.host;
    if (d.pid !== undefined) m.pid = d.pid;
    if (d.max_concurrent_jobs !== undefined) m.maxConcurrentJobs = d.max_concurrent_jobs;
    if (d.capabilities !== undefined) m.capabilities = d.capabilities;
    if (connection.state === 'connecting') connection.setState('active');

    await connection
      .send({
        type: 'welcome',
        timestamp: new Date(this.now()).toISOString(),
        data: { crawler_id: connection.crawlerId, protocol_version: PROTOCOL_VERSION, heartbeat_interval_ms: this.config.heartbeatInterval },
      })
      .catch(() => undefined);
    if (!wasAuthenticated) this.announce(connection);
    else this.emit('crawler_updated', connection.info());
    safely(() => this.backend.crawlerIdentified?.(connection), this.logger);
  }

  private onHeartbeat(connection: SocketConnection, message: CrawlerMessageOf<'heartbeat'>): void {
    const at = this.now();
    connection.lastHeartbeatAt = at;
    const status = message.data.system_status;
    connection.setState(status === 'error' ? 'error' : status === 'idle' && message.data.active_jobs === 0 ? 'idle' : 'active');
    if (this.listenerCount('heartbeat') > 0) {
      this.emit('heartbeat', { crawler_id: connection.crawlerId, connection_id: connection.id, at, data: message.data });
    }
  }

  private tokenMatches(given: string | undefined): boolean {
    const expected = this.config.authToken;
    if (!expected || given === undefined) return false;
    // Compare digests so timing reveals neither the token nor its length.
    const a = createHash('sha256').update(given).digest();
    const b = createHash('sha256').update(expected).digest();
    return timingSafeEqual(a, b);
  }

  /** Records a refused line and answers it with an `error` message; the connection stays usable. */
  private async refuse(connection: SocketConnection, failure: DecodeFailure): Promise<void> {
    connection.stats.errors++;
    const data: ErrorData = {
      code: failure.code,
      message: failure.message,
      ...(failure.ref_type !== undefined && { ref_type: failure.ref_type }),
      ...(failure.job_id !== undefined && { job_id: failure.job_id }),
    };
    const category = PARSING_CODES.has(failure.code)
      ? ErrorCategory.MESSAGE_PARSING
      : failure.code === 'auth_failed' || failure.code === 'auth_required'
        ? ErrorCategory.AUTHENTICATION
        : ErrorCategory.MESSAGE_VALIDATION;
    const err = new MessageError(failure.message, failure.ref_type ?? 'unknown', [], {
      category,
      code: failure.code,
      context: { crawlerId: connection.crawlerId, code: failure.code, ...(failure.job_id !== undefined && { jobId: failure.job_id }) },
    });
    void this.errorManager.handleError(err);
    connection.emitEvent({ type: 'error', connectionId: connection.id, error: err, timestamp: new Date(this.now()) });
    this.emitProtocolError(connection, data);
    await this.reply(connection, data);
  }

  private emitProtocolError(connection: SocketConnection, error: ErrorData): void {
    if (this.listenerCount('protocol_error') > 0) {
      this.emit('protocol_error', { crawler_id: connection.crawlerId, connection_id: connection.id, error });
    }
  }

  private async reply(connection: SocketConnection, data: ErrorData): Promise<void> {
    if (!connection.isOpen) return;
    const message: WebAppMessage = {
      type: 'error',
      timestamp: new Date(this.now()).toISOString(),
      ...(data.job_id !== undefined && { job_id: data.job_id }),
      data,
    };
    // A peer that went away or stopped reading cannot be answered; that is not a server failure.
    await connection.send(message).catch(() => undefined);
  }

  private recordConnectionError(message: string, connectionId: string, context: Record<string, unknown>): void {
    void this.errorManager.handleError(createConnectionError(message, connectionId, context));
  }

  // ───────────────────────────── heartbeat monitoring ─────────────────────────────

  private sweepInterval(): number {
    return Math.max(10, Math.min(this.config.healthCheckInterval, Math.floor(this.config.heartbeatTimeout / 4)));
  }

  /** Marks crawlers silent past heartbeatTimeout as lost and closes them; drops TCP peers that never authenticated. */
  private sweep(): void {
    const now = this.now();
    for (const c of this.connections) {
      if (c.state === 'closed' || this.lost.has(c)) continue;
      const silentFor = now - (c.lastMessageAt ?? c.connectedAt);
      if (!c.metadata.authenticated && now - c.connectedAt > this.config.connectionTimeout) {
        void c.close(`no authenticated hello within ${this.config.connectionTimeout} ms`, { graceful: false });
        continue;
      }
      if (silentFor > this.config.heartbeatTimeout) {
        this.lost.add(c);
        this.logger.warn({ crawlerId: c.crawlerId, silentFor }, 'crawler lost: heartbeat timeout');
        this.recordConnectionError(`crawler ${c.crawlerId} lost: silent for ${silentFor} ms`, c.id, { crawlerId: c.crawlerId, silentFor });
        this.emit('crawler_lost', { connection: c.info(), silentForMs: silentFor });
        void c.close(`heartbeat timeout: silent for ${silentFor} ms (limit ${this.config.heartbeatTimeout} ms)`, { graceful: false });
      }
    }
  }
}

/** Refusals of a line that could not be read as a message at all. */
const PARSING_CODES: ReadonlySet<string> = new Set(['invalid_json', 'invalid_encoding', 'message_too_large', 'not_an_object']);

/**
 * Makes a socket path usable: a stale socket left by a crash is removed; a live
 * one (another console) is an error; a path that is not a socket is never touched.
 */
async function prepareSocketPath(socketPath: string): Promise<void> {
  if (isNamedPipe(socketPath)) return; // Windows pipes live in no folder and leave no file behind
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!stat.isSocket()) {
    throw new Error(`${socketPath} exists and is not a socket; refusing to replace it (choose another socketPath or remove it yourself)`);
  }
  if (await isListening(socketPath)) {
    throw new Error(`Another process is already listening on ${socketPath} (is another Crawl Console running?)`);
  }
  fs.unlinkSync(socketPath);
}

function isListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path: socketPath });
    const timer = setTimeout(() => finish(true), 1000); // accepted but silent: someone is there
    const finish = (live: boolean) => {
      clearTimeout(timer);
      probe.destroy();
      resolve(live);
    };
    probe.once('connect', () => finish(true));
    probe.once('error', () => finish(false));
  });
}

/** A Windows named pipe path (`\\.\pipe\name`): no file, no permissions to set. */
const isNamedPipe = (p: string): boolean => /^[\\/]{2}[.?][\\/]pipe[\\/]/i.test(p);

function removeIfSocket(socketPath: string): void {
  if (isNamedPipe(socketPath)) return;
  try {
    if (fs.lstatSync(socketPath).isSocket()) fs.unlinkSync(socketPath);
  } catch {
    // already gone
  }
}

function listenError(err: NodeJS.ErrnoException, what: string): Error {
  const reason =
    err.code === 'EADDRINUSE'
      ? 'address already in use'
      : err.code === 'EACCES'
        ? 'permission denied'
        : err.code === 'EADDRNOTAVAIL'
          ? 'address not available on this machine'
          : err.message;
  const e = new Error(`Cannot listen on ${what}: ${reason}`);
  (e as NodeJS.ErrnoException).code = err.code;
  return e;
}

function safely(fn: () => void, logger: Logger): void {
  try {
    fn();
  } catch (err) {
    logger.error({ err }, 'backend hook failed');
  }
}
