/**
 * The core as its front doors (the Electron shell, the headless HTTP host) see
 * it: the contract's command handlers, a stream of events, and a stop.
 */
import type { EventEmitter } from 'node:events';
import type { CommandParsedInput, ConsoleCommandHandlers, ConsoleEvent } from '../../shared/contract';
import type { ExportStream } from './export-stream';
import type { SocketServerConfigInput } from '../../shared/config';
import type { TokenCipher } from '../store/token-cipher';
import type { DataDirLock } from '../store/data-dir-lock';
import type { Logger } from '../observability/logger';
import type { MessageRouter } from '../socket/message-router';
import type { HeartbeatHistoryOptions } from './heartbeat-history';

export interface ConsoleCoreEvents {
  event: [ConsoleEvent];
}

export interface ConsoleCore {
  /** Every command of the contract; inputs must already be validated (use `dispatchCommand`). */
  readonly commands: ConsoleCommandHandlers;
  /** Every event, unbatched: transports batch and coalesce them per client. */
  readonly events: EventEmitter<ConsoleCoreEvents>;
  /** exportJobs / exportErrors as streams (the front doors send them as a download or into a file). */
  readonly exports: {
    jobs(input: CommandParsedInput<'exportJobs'>): ExportStream;
    errors(input: CommandParsedInput<'exportErrors'>): ExportStream;
  };
  readonly socketPath: string;
  readonly dataDir: string;
  /** The TCP listener for remote crawlers, if on: its address and TLS certificate fingerprint (null = plain TCP). */
  readonly tcp: { host: string; port: number; tls: { fingerprint256: string; certPath: string; selfSigned: boolean } | null } | null;
  /** The Prometheus exposition (`GET /metrics`), governed by the seed's enableMetrics. */
  readonly metrics: MetricsEndpoint;
  /** Stops the socket server, flushes pending writes and closes the database. */
  stop(): Promise<void>;
}

export interface MetricsEndpoint {
  readonly enabled: boolean;
  readonly contentType: string;
  text(): Promise<string>;
}

export interface ConsoleCoreOptions {
  /** Where the database, the key file and logs live. */
  dataDir: string;
  /** Socket server options over defaults and environment. */
  config?: SocketServerConfigInput;
  /** How tokens are encrypted at rest: Electron's safeStorage in the app, a key file headless (the default). */
  cipher?: TokenCipher;
  logger?: Logger;
  /**
   * The router crawler messages go through; the console registers its own
   * handlers on it (priority 50), after whatever middleware and handlers it
   * already holds. Default: a new router recording into the console's error log.
   */
  router?: MessageRouter;
  /** Injectable clock for tests. */
  now?: () => number;
  /** The data directory's lock when the caller took it already (before opening its log file); else the core takes one. Released when the core stops or fails to start. */
  dataDirLock?: DataDirLock;
  /** How long per-minute history samples are kept, ms. Default 14 days. */
  metricsRetentionMs?: number;
  /** The crawler page's heartbeat history: window, sampling step, crawlers kept. Defaults: 1 h, 5 s, 500. */
  heartbeatHistory?: HeartbeatHistoryOptions;
}
