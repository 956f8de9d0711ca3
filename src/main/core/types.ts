/**
 * The core as its front doors (the Electron shell, the headless HTTP host) see
 * it: the contract's command handlers, a stream of events, and a stop.
 */
import type { EventEmitter } from 'node:events';
import type { ConsoleCommandHandlers, ConsoleEvent } from '../../shared/contract';
import type { SocketServerConfigInput } from '../../shared/config';
import type { TokenCipher } from '../store/token-cipher';
import type { Logger } from '../socket/logger';

export interface ConsoleCoreEvents {
  event: [ConsoleEvent];
}

export interface ConsoleCore {
  /** Every command of the contract; inputs must already be validated (use `dispatchCommand`). */
  readonly commands: ConsoleCommandHandlers;
  /** Every event, unbatched: transports batch and coalesce them per client. */
  readonly events: EventEmitter<ConsoleCoreEvents>;
  readonly socketPath: string;
  readonly dataDir: string;
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
  /** Injectable clock for tests. */
  now?: () => number;
  /** How long per-minute history samples are kept, ms. Default 14 days. */
  metricsRetentionMs?: number;
}
