/**
 * The seed's SocketServer: a Unix-socket (and optional TCP) server for crawlers.
 * Framing and ordering live in SocketConnection; this class owns the listeners,
 * the connection registry, the session rules (hello, auth, limits, heartbeat
 * timeouts) and the turn from a line into a routed message or an `error` reply.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CrawlerMessageOf,
  type DecodeFailure,
  type ErrorData,
  PROTOCOL_VERSION,
  completeWebAppMessage,
  decodeCrawlerMessage,
  encodeConsoleMessage,
} from '../../shared/protocol';
import type { CrawlerMessage, OutgoingMessage, WebAppMessage } from './types/messages';
import type { ConnectionInfo, ConnectionStats } from '../../shared/connection';
import type { AggregateProgress } from '../../shared/progress';
import { SocketConnection } from './connection/socket-connection';
import type { LineEvent } from './connection/line-reader';
import { type ConfigurationManager, configManager as processConfigManager, parseSocketConfig, RESTART_REQUIRED_FIELDS } from './config';
import type { ResolvedSocketConfig, SocketConfigKey, SocketServerConfig } from './types/config';
import { ErrorCategory, ErrorManager, MessageError, createConnectionError } from './types/errors';
import { MessageRouter, getDefaultRouter, progressTracker as processProgressTracker } from './message-router';
import type { ProgressTracker } from '../observability/progress-tracker';
import { type Logger, silentLogger } from '../observability/logger';
import type { MessageProcessingResult } from './types/router';
import { type TlsIdentity, isLoopbackHost, loadTlsIdentity } from './tls-identity';
import { AuthThrottle, type PreAuthStats } from './auth-throttle';

/** The seed's ServerStatus. */
export interface ServerStatus {
  isRunning: boolean;
  connections: number;
  activeConnections: number;
  uptime: number;
  /** The configuration in force (every option resolved). */
  config: ResolvedSocketConfig;
}

export interface SocketServerEvents {
  listening: [{ socketPath: string; tcp: { host: string; port: number } | null }];
  crawler_connected: [ConnectionInfo];
  crawler_updated: [ConnectionInfo];
  crawler_disconnected: [{ connection: ConnectionInfo; reason: string; lost: boolean }];
  crawler_lost: [{ connection: ConnectionInfo; silentForMs: number }];
  heartbeat: [{ crawler_id: string; connection_id: string; at: number; data: CrawlerMessageOf<'heartbeat'>['data'] }];
  message_processed: [{ connection: SocketConnection; message: CrawlerMessage; result: MessageProcessingResult }];
  /** A connection the console accepted (Unix) or authenticated (TCP); the live object, for the console's job service. */
  connection_opened: [SocketConnection];
  /** A crawler said hello: its id (if it gave one) and capacity are now known. */
  /** A crawler said hello; the second value is the id the connection had before, when the hello changed it. */
  connection_identified: [SocketConnection, string | undefined];
  /** An accepted connection ended, after every line it sent was handled. `lost`: it went silent. */
  connection_closed: [{ connection: SocketConnection; reason: string; lost: boolean }];
  protocol_error: [{ crawler_id: string; connection_id: string; error: ErrorData }];
  stopped: [];
}

export interface SocketServerDeps {
  /** The router crawler messages go through. Default: the process's default router when the server starts (see createDefaultRouter). */
  router?: MessageRouter;
  /** Default: the process's `progressTracker` (the one the default router's handlers update). */
  progressTracker?: ProgressTracker;
  /** Runtime configuration this server follows while running. Default: the process's `configManager`. */
  configManager?: ConfigurationManager;
  errorManager?: ErrorManager;
  logger?: Logger;
  now?: () => number;
  /**
   * The TLS identity for the TCP listener when the configuration names no
   * certificate files (the console core passes its self-signed one).
   */
  tlsIdentity?: () => TlsIdentity;
}

/** decodeCrawlerMessage's option for a splitter's part, whose nesting its scan already bounded. */
const DEPTH_BOUNDED = { depthBounded: true } as const;
/** A TCP peer that authenticated (or a Unix one): these, and only these, count against maxConnections. */
const countsAsCrawler = (c: SocketConnection): boolean => c.state !== 'closed' && c.metadata.authenticated;

export class SocketServer extends EventEmitter<SocketServerEvents> {
  private currentConfig: ResolvedSocketConfig;
  private readonly ownRouter: MessageRouter | null;
  private boundRouter: MessageRouter | null = null;
  private readonly configManager: ConfigurationManager;
  private unsubscribeConfig: (() => void) | null = null;
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
  /** TCP peers that have not authenticated yet: a small pool of their own. */
  private readonly preAuth = new Set<SocketConnection>();
  private readonly throttle: AuthThrottle;
  private readonly tlsIdentitySource: (() => TlsIdentity) | undefined;
  private tlsIdentity: TlsIdentity | null = null;

  /**
   * @param config Options for this server over the runtime configuration
   * (`configManager`: defaults ← environment variables ← `updateConfig`).
   * `new SocketServer()` is configured by the environment alone.
   * @throws ConfigError naming a refused option.
   */
  constructor(config?: SocketServerConfig, deps: SocketServerDeps = {}) {
    super();
    this.configManager = deps.configManager ?? processConfigManager;
    this.currentConfig = parseSocketConfig({ ...this.configManager.getCurrentConfig(), ...definedOnly(config ?? {}) });
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger ?? silentLogger;
    this.tlsIdentitySource = deps.tlsIdentity;
    this.throttle = new AuthThrottle({ now: this.now });
    this.errorManager = deps.errorManager ?? deps.router?.errorManager ?? new ErrorManager();
    this.progressTracker = deps.progressTracker ?? processProgressTracker;
    this.ownRouter = deps.router ?? null;
  }

  /**
   * The router crawler messages go through: the one given to the constructor,
   * else the process's default router (bound when the server starts, so
   * handlers registered on `createDefaultRouter()` before `start()` are used).
   */
  get router(): MessageRouter {
    return this.boundRouter ?? this.ownRouter ?? getDefaultRouter();
  }

  /** The configuration in force. */
  get config(): ResolvedSocketConfig {
    return this.currentConfig;
  }

  /**
   * Applies configuration changes (what `configManager.updateConfig` changed
   * reaches a running server through this). Limits, timeouts and sizes apply
   * from the next connection, message or sweep; where the server listens
   * (RESTART_REQUIRED_FIELDS) only changes on restart.
   * @throws ConfigError, leaving the configuration unchanged.
   */
  applyConfig(changes: SocketServerConfig): void {
    const next = parseSocketConfig({ ...this.currentConfig, ...definedOnly(changes) });
    if (this.isRunning) {
      for (const key of RESTART_REQUIRED_FIELDS) (next as Record<SocketConfigKey, unknown>)[key] = this.currentConfig[key];
    }
    const previousSweep = this.sweepInterval();
    this.currentConfig = next;
    if (this.sweepTimer && this.sweepInterval() !== previousSweep) this.scheduleSweep();
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

  /** The TCP listener's TLS certificate (fingerprint crawlers pin), or null when TCP is off or plain. */
  get tls(): { fingerprint256: string; certPath: string; selfSigned: boolean } | null {
    const t = this.tcpServer ? this.tlsIdentity : null;
    return t ? { fingerprint256: t.fingerprint256, certPath: t.certPath, selfSigned: t.selfSigned } : null;
  }

  /** How many TCP peers wait to authenticate, and what failed before authentication (counted, not logged row by row). */
  getPreAuthStats(): PreAuthStats {
    return this.throttle.stats(this.preAuth.size);
  }

  async start(): Promise<void> {
    if (this.isRunning || this.starting) throw new Error('Socket server is already running');
    this.starting = true;
    try {
      if (this.config.enableTcp) this.tlsIdentity = this.prepareTcp();
      this.unixServer = await this.listenUnix(this.config.socketPath);
      if (this.config.enableTcp) {
        try {
          this.tcpServer = await this.listenTcp(this.config.host, this.config.port, this.tlsIdentity);
        } catch (err) {
          await this.closeListeners();
          throw err;
        }
      }
      this.startedAt = this.now();
      this.boundRouter = this.ownRouter ?? getDefaultRouter();
      // Later runtime changes win over this server's constructor options, for the options they change.
      this.unsubscribeConfig = this.configManager.onConfigUpdate((config, change) => {
        try {
          this.applyConfig(Object.fromEntries(change.changed.map((k) => [k, config[k]])) as SocketServerConfig);
        } catch (err) {
          this.logger.error({ err }, 'runtime configuration refused by the socket server');
        }
      });
      this.scheduleSweep();
      this.logger.info(
        { socketPath: this.config.socketPath, tcp: this.tcpAddress, tlsFingerprint256: this.tls?.fingerprint256 ?? null },
        'socket server listening',
      );
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
    this.unsubscribeConfig?.();
    this.unsubscribeConfig = null;
    const listenersClosed = this.closeListeners();
    await Promise.all(
      [...this.connections].map(async (c) => {
        await c.close('server stopping', { timeoutMs: 2000 });
        await c.closed();
      }),
    );
    await listenersClosed;
    this.startedAt = null;
    this.boundRouter = null;
    this.logger.info('socket server stopped');
    this.emit('stopped');
  }

  getStatus(): ServerStatus {
    const open = [...this.connections].filter(countsAsCrawler);
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
      if (!countsAsCrawler(c)) continue;
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
    return [...this.connections].filter(countsAsCrawler).map((c) => c.info());
  }

  /** The open connection of a crawler, if any. */
  getConnection(crawlerId: string): SocketConnection | undefined {
    const c = this.byCrawler.get(crawlerId);
    return c && c.isOpen ? c : undefined;
  }

  /**
   * Sends a message to one crawler. Never waits on the crawler: the message is
   * queued (up to messageBufferSize unread bytes) or, for a crawler that does
   * not read, dropped with a recorded error and a rejection. Throws if the
   * crawler has no connection, or none that can take messages (closed, or a TCP
   * peer that has not authenticated).
   */
  async sendToCrawler(crawlerId: string, message: OutgoingMessage): Promise<void> {
    const full = completeWebAppMessage(message);
    const connection = this.byCrawler.get(crawlerId);
    if (!connection) throw new Error(`No connection found for crawler ${crawlerId}`);
    if (!connection.isOpen || !connection.metadata.authenticated) {
      throw new Error(`No active connection available for crawler ${crawlerId}`);
    }
    if (!connection.post(full)) {
      const why = `${full.type} to crawler ${crawlerId} dropped: it has ${connection.unsentBytes} bytes unread (limit ${this.config.messageBufferSize})`;
      this.recordConnectionError(why, connection.id, { crawlerId, type: full.type, unsentBytes: connection.unsentBytes });
      throw new Error(why);
    }
  }

  /**
   * Sends a message to every connected (and authenticated) crawler without
   * waiting on any of them. Resolves with how many got it queued; a crawler that
   * does not read is skipped (one recorded error names them all), not fatal.
   */
  async broadcast(message: OutgoingMessage): Promise<number> {
    const full = completeWebAppMessage(message);
    const targets = [...this.connections].filter((c) => c.isOpen && c.metadata.authenticated);
    const dropped: string[] = [];
    let delivered = 0;
    for (const c of targets) {
      if (c.post(full)) delivered++;
      else dropped.push(c.crawlerId);
    }
    if (dropped.length > 0) {
      this.recordConnectionError(`broadcast ${full.type} dropped for ${dropped.length} crawler(s) that are not reading: ${dropped.slice(0, 20).join(', ')}`, 'broadcast', {
        type: full.type,
        crawlerIds: dropped.slice(0, 100),
      });
    }
    return delivered;
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

  /**
   * The start-up rules of the TCP door, each refusal one sentence: a token of at
   * least 16 characters, and TLS unless on loopback or loudly opted out.
   */
  private prepareTcp(): TlsIdentity | null {
    const c = this.config;
    if (!c.authToken) {
      throw new Error('The TCP listener needs an auth token (authToken / SOCKET_AUTH_TOKEN): remote crawlers must authenticate');
    }
    if (c.authToken.length < MIN_TOKEN_LENGTH) {
      throw new Error(`The TCP auth token is ${c.authToken.length} characters long; use at least ${MIN_TOKEN_LENGTH} (for example: openssl rand -hex 24).`);
    }
    const loopback = isLoopbackHost(c.host);
    const useTls = c.tcpTls ?? !loopback;
    if (!useTls) {
      if (!loopback && !c.dangerouslyAllowPlaintextTcp) {
        throw new Error(
          `Plain TCP on ${c.host} would send GitLab tokens in clear text; enable TLS (tcpTls) or, only on a network you trust, set dangerouslyAllowPlaintextTcp.`,
        );
      }
      if (!loopback) this.logger.warn({ host: c.host }, 'PLAINTEXT TCP on a non-loopback address: GitLab tokens and the auth token travel unencrypted');
      return null;
    }
    if (c.tlsCertPath || c.tlsKeyPath) {
      if (!c.tlsCertPath || !c.tlsKeyPath) throw new Error('A TLS certificate needs its key: set both tlsCertPath and tlsKeyPath, or neither.');
      return loadTlsIdentity(c.tlsCertPath, c.tlsKeyPath);
    }
    if (this.tlsIdentitySource) return this.tlsIdentitySource();
    throw new Error('TLS on the TCP listener needs a certificate: set tlsCertPath and tlsKeyPath (the console makes one itself in its data directory).');
  }

  private async listenTcp(host: string, port: number, identity: TlsIdentity | null): Promise<net.Server> {
    let server: net.Server;
    if (identity) {
      const tlsServer = tls.createServer(
        { cert: identity.cert, key: identity.key, minVersion: 'TLSv1.2', handshakeTimeout: this.config.authTimeout },
        (s) => this.accept(s, 'tcp'),
      );
      // A peer that cannot complete a handshake (plain TCP to a TLS port, a wrong pin) is a pre-auth failure.
      tlsServer.on('tlsClientError', (_err, s) => {
        this.throttle.fail(s.remoteAddress ?? 'unknown', 'tls_handshake');
        s.destroy();
      });
      server = tlsServer;
    } else {
      server = net.createServer((s) => this.accept(s, 'tcp'));
    }
    // Locked-out addresses are cut before the TLS handshake: they cost one accept.
    if (identity) {
      server.on('connection', (s: net.Socket) => {
        if (this.throttle.isLocked(s.remoteAddress ?? 'unknown')) {
          this.throttle.refusedWhileLocked();
          s.destroy();
        }
      });
    }
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
    if (socket.destroyed) return; // cut by the throttle before TLS finished
    if (transport === 'tcp') {
      if (this.throttle.isLocked(socket.remoteAddress ?? 'unknown')) {
        this.throttle.refusedWhileLocked();
        socket.on('error', () => undefined);
        socket.destroy();
        return;
      }
      // Unauthenticated peers wait in their own small pool: they never take a crawler's place.
      if (this.preAuth.size >= this.config.maxPreAuthConnections) {
        this.throttle.fail(socket.remoteAddress ?? 'unknown', 'pre_auth_pool_full', { throttle: false });
        socket.on('error', () => undefined);
        socket.destroy();
        return;
      }
    } else if (this.crawlerCount() >= this.config.maxConnections) {
      this.refuseFull(socket, transport);
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
    connection.on('state_changed', () => {
      if (connection.metadata.authenticated) this.emit('crawler_updated', connection.info());
    });
    connection.on('disconnected', (e) => this.onDisconnected(connection, e.reason));
    if (transport === 'unix') {
      this.byCrawler.set(connection.crawlerId, connection);
      this.announce(connection);
      return;
    }
    this.preAuth.add(connection);
    const deadline = setTimeout(() => {
      if (connection.metadata.authenticated || !connection.isOpen) return;
      this.preAuthFailed(connection, 'auth_timeout', {
        code: 'auth_required',
        message: `no hello with a valid auth_token within ${this.config.authTimeout} ms`,
      });
    }, this.config.authTimeout);
    deadline.unref();
    connection.once('disconnected', () => clearTimeout(deadline));
  }

  /** Open connections that count against maxConnections. */
  private crawlerCount(): number {
    let n = 0;
    for (const c of this.connections) if (countsAsCrawler(c)) n++;
    return n;
  }

  private refuseFull(socket: net.Socket, transport: 'unix' | 'tcp'): void {
    const reply: WebAppMessage = {
      type: 'error',
      timestamp: new Date(this.now()).toISOString(),
      data: { code: 'server_full', message: `the console accepts at most ${this.config.maxConnections} crawler connections` },
    };
    socket.on('error', () => undefined);
    socket.end(JSON.stringify(encodeConsoleMessage(reply, 'documented')) + this.config.messageDelimiter);
    setTimeout(() => socket.destroy(), 1000).unref();
    this.recordConnectionError('connection refused: server full', 'refused', { code: 'server_full', transport, maxConnections: this.config.maxConnections });
  }

  /**
   * A TCP peer failed before authenticating: one `error` reply, the connection
   * closed, the failure counted (never an error row per line) and, for its
   * address, throttled.
   */
  private preAuthFailed(connection: SocketConnection, reason: string, data: ErrorData, options: { throttle?: boolean } = {}): void {
    this.preAuth.delete(connection);
    const lockedNow = this.throttle.fail(connection.metadata.remoteAddress ?? 'unknown', reason, options);
    if (lockedNow && this.throttle.mayRecordLockout()) {
      this.recordConnectionError(`TCP peer ${connection.metadata.remoteAddress ?? 'unknown'} locked out after repeated failed authentication`, connection.id, {
        remoteAddress: connection.metadata.remoteAddress ?? null,
        stats: this.throttle.stats(this.preAuth.size),
      });
    }
    if (connection.isOpen) {
      const message: WebAppMessage = { type: 'error', timestamp: new Date(this.now()).toISOString(), data };
      connection.post(message);
    }
    void connection.close(`pre-auth: ${reason}`, { timeoutMs: 500 });
  }

  /** A line from a TCP peer that has not authenticated: only a hello with the right token is heard. */
  private async onPreAuthLine(connection: SocketConnection, event: LineEvent): Promise<void> {
    if (!connection.isOpen || !this.preAuth.has(connection)) return; // already refused: the rest is not read
    if (event.kind !== 'line') {
      return this.preAuthFailed(connection, event.kind, { code: 'auth_required', message: 'this listener requires a hello with a valid auth_token first' });
    }
    let value: unknown;
    try {
      value = JSON.parse(event.text);
    } catch {
      return this.preAuthFailed(connection, 'invalid_json', { code: 'auth_required', message: 'this listener requires a hello with a valid auth_token first' });
    }
    const decoded = decodeCrawlerMessage(value);
    if (!decoded.ok || decoded.message.type !== 'hello') {
      return this.preAuthFailed(connection, decoded.ok ? 'not_hello' : 'undecodable', {
        code: 'auth_required',
        message: 'this listener requires a hello with a valid auth_token first',
        ...(decoded.ok ? { ref_type: decoded.message.type } : {}),
      });
    }
    const hello = decoded.message;
    if (!this.tokenMatches(hello.data.auth_token)) {
      return this.preAuthFailed(connection, 'auth_failed', { code: 'auth_failed', message: 'auth_token missing or wrong', ref_type: 'hello' });
    }
    if (hello.data.crawler_id && this.idInUse(hello.data.crawler_id, connection)) {
      return this.preAuthFailed(connection, 'crawler_id_in_use', idInUseError(hello.data.crawler_id), { throttle: false });
    }
    if (this.crawlerCount() >= this.config.maxConnections) {
      this.preAuth.delete(connection);
      this.recordConnectionError('connection refused: server full', connection.id, { transport: 'tcp', maxConnections: this.config.maxConnections });
      connection.post({
        type: 'error',
        timestamp: new Date(this.now()).toISOString(),
        data: { code: 'server_full', message: `the console accepts at most ${this.config.maxConnections} crawler connections` },
      });
      void connection.close('server full', { timeoutMs: 500 });
      return;
    }
    this.preAuth.delete(connection);
    this.throttle.succeeded(connection.metadata.remoteAddress ?? 'unknown');
    connection.metadata.authenticated = true;
    connection.stats.messagesReceived++;
    connection.lastMessageAt = this.now();
    if (hello.spelling) connection.spelling = hello.spelling;
    return this.onHello(connection, hello, true);
  }

  /** True when another open connection already holds `crawlerId`. */
  private idInUse(crawlerId: string, connection: SocketConnection): boolean {
    const holder = this.byCrawler.get(crawlerId);
    return holder !== undefined && holder !== connection && holder.isOpen;
  }

  private announce(connection: SocketConnection): void {
    this.logger.info({ crawlerId: connection.crawlerId, transport: connection.transport }, 'crawler connected');
    this.emit('crawler_connected', connection.info());
    safely(() => this.emit('connection_opened', connection), this.logger);
  }

  private onDisconnected(connection: SocketConnection, reason: string): void {
    this.connections.delete(connection);
    this.preAuth.delete(connection);
    if (this.byCrawler.get(connection.crawlerId) === connection) this.byCrawler.delete(connection.crawlerId);
    const lost = this.lost.has(connection);
    this.logger.info({ crawlerId: connection.crawlerId, reason, lost }, 'crawler disconnected');
    // Only crawlers the console accepted are announced as gone (not an unauthenticated TCP peer).
    if (connection.metadata.authenticated) {
      this.emit('crawler_disconnected', { connection: connection.info(), reason, lost });
      safely(() => this.emit('connection_closed', { connection, reason, lost }), this.logger);
    }
  }

  /** One framed line. Returns a promise only when something waits (a reply, an async handler): most lines cost none. */
  private onLine(connection: SocketConnection, event: LineEvent): Promise<void> | void {
    if (!connection.metadata.authenticated) return this.onPreAuthLine(connection, event);
    if (event.kind === 'oversized') {
      return this.refuse(connection, {
        code: 'message_too_large',
        message: `message of ${event.bytes} bytes exceeds maxMessageSize (${this.config.maxMessageSize} bytes) and ${event.reason ?? 'was discarded'}`,
      });
    }
    if (event.kind === 'invalid_encoding') {
      return this.refuse(connection, { code: 'invalid_encoding', message: `message of ${event.bytes} bytes is not valid UTF-8 and was discarded` });
    }
    if (event.kind === 'garbage') {
      return this.refuse(connection, {
        code: 'invalid_json',
        message: `skipped ${event.bytes} bytes that cannot start a JSON object (every message is a JSON object; reading resumes at the next "{" or delimiter)`,
      });
    }
    if (event.kind === 'not_an_object') {
      return this.refuse(connection, { code: 'not_an_object', message: `a message must be a JSON object, got ${event.got === 'array' ? 'an array' : event.got} (${event.bytes} bytes skipped)` });
    }
    // The reader parsed it already where that spared its brace scan.
    let value: unknown = event.value;
    if (value === undefined) {
      try {
        value = JSON.parse(event.text);
      } catch (err) {
        return this.refuse(connection, { code: 'invalid_json', message: `invalid JSON: ${(err as Error).message}` });
      }
    }
    const decoded = decodeCrawlerMessage(value, event.depthBounded === true ? DEPTH_BOUNDED : undefined);
    if (!decoded.ok) return this.refuse(connection, decoded.error);
    const message = decoded.message;
    connection.stats.messagesReceived++;
    connection.lastMessageAt = this.now();
    if (message.spelling) connection.spelling = message.spelling;

    if (message.type === 'hello') return this.onHello(connection, message, false);
    if (message.type === 'heartbeat') this.onHeartbeat(connection, message);
    else if (connection.state === 'connecting') connection.setState('active');

    if (connection.listenerCount('message') > 0) {
      connection.emitEvent({ type: 'message', connectionId: connection.id, message, timestamp: new Date(this.now()) });
    }
    const router = this.router;
    // A router whose processMessage was overridden is called through it; ours answers synchronously when it can.
    const routed = router.processMessage === MessageRouter.prototype.processMessage ? router.route(message, connection) : router.processMessage(message, connection);
    if (routed instanceof Promise) return routed.then((result) => this.afterRouted(connection, message, result));
    return this.afterRouted(connection, message, routed);
  }

  private afterRouted(connection: SocketConnection, message: CrawlerMessage, result: MessageProcessingResult): Promise<void> | void {
    if (!result.success && !result.dropped) return this.replyToFailure(connection, message, result);
    if (this.listenerCount('message_processed') > 0) this.emit('message_processed', { connection, message, result });
  }

  private async replyToFailure(connection: SocketConnection, message: CrawlerMessage, result: MessageProcessingResult): Promise<void> {
    await this.reply(connection, {
      code: result.code ?? 'internal_error',
      message: result.error ?? `${message.type} could not be processed`,
      ref_type: message.type,
      ...(message.job_id !== undefined && { job_id: message.job_id }),
    });
    this.emitProtocolError(connection, { code: result.code ?? 'internal_error', message: result.error ?? '', ref_type: message.type, ...(message.job_id !== undefined && { job_id: message.job_id }) });
    if (this.listenerCount('message_processed') > 0) this.emit('message_processed', { connection, message, result });
  }

  /**
   * A hello on an authenticated connection (`justAuthenticated`: the TCP hello
   * that authenticated it). Claiming the id of another live connection is
   * refused: the live crawler keeps its connection and its jobs.
   */
  private async onHello(connection: SocketConnection, message: CrawlerMessageOf<'hello'>, justAuthenticated: boolean): Promise<void> {
    const d = message.data;
    const wasAuthenticated = !justAuthenticated;
    const previousId = connection.crawlerId;
    if (d.crawler_id && d.crawler_id !== connection.crawlerId) {
      if (this.idInUse(d.crawler_id, connection)) {
        return this.refuse(connection, { ...idInUseError(d.crawler_id), ref_type: 'hello' });
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
    safely(() => this.emit('connection_identified', connection, previousId !== connection.crawlerId ? previousId : undefined), this.logger);
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
      : failure.code === 'auth_failed' || failure.code === 'auth_required' || failure.code === 'crawler_id_in_use'
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

  private scheduleSweep(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepInterval());
    this.sweepTimer.unref();
  }

  private sweepInterval(): number {
    return Math.max(10, Math.min(this.config.healthCheckInterval, Math.floor(this.config.heartbeatTimeout / 4)));
  }

  /** Marks crawlers silent past heartbeatTimeout as lost and closes them; drops TCP peers that never authenticated. */
  private sweep(): void {
    const now = this.now();
    for (const c of this.connections) {
      if (c.state === 'closed' || this.lost.has(c)) continue;
      const silentFor = now - (c.lastMessageAt ?? c.connectedAt);
      // Pre-auth peers have their own deadline (authTimeout), set when they connect.
      if (!c.metadata.authenticated) continue;
      if (silentFor > this.config.heartbeatTimeout) {
        this.lost.add(c);
        this.logger.warn({ crawlerId: c.crawlerId, silentFor }, 'crawler lost: heartbeat timeout');
        this.recordConnectionError(`crawler ${c.crawlerId} lost: silent for ${silentFor} ms`, c.id, { crawlerId: c.crawlerId, silentFor });
        this.emit('crawler_lost', { connection: c.info(), silentForMs: silentFor });
        void c.close(`heartbeat timeout: silent for ${silentFor} ms (limit ${this.config.heartbeatTimeout} ms)`, { graceful: false });
      }
    }
    this.throttle.prune();
  }
}

/** The shortest TCP auth token the console starts with (a guessable token is an open door to GitLab tokens). */
export const MIN_TOKEN_LENGTH = 16;

const idInUseError = (crawlerId: string): ErrorData => ({
  code: 'crawler_id_in_use',
  message: `crawler id ${crawlerId} is in use by a connected crawler; choose another id or wait until it disconnects`,
});

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
    logger.error({ err }, 'connection listener failed');
  }
}

const definedOnly = (input: SocketServerConfig): SocketServerConfig =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as SocketServerConfig;
