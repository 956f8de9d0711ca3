/**
 * The core as its front doors (the Electron shell, the headless HTTP host) see
 * it: the contract's command handlers, a stream of events, and a stop.
 */
import type { EventEmitter } from 'node:events';
import type { CommandParsedInput, ConsoleCommandHandlers, ConsoleEvent } from '../../shared/contract';
import type { ExportStream } from './export-stream';
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
  /** exportJobs / exportErrors as streams (the front doors send them as a download or into a file). */
  readonly exports: {
    jobs(input: CommandParsedInput<'exportJobs'>): ExportStream;
    errors(input: CommandParsedInput<'exportErrors'>): ExportStream;
  };
  readonly socketPath: string;
  readonly dataDir: string;
  /** Stops the socket server, flushes pending writes and closes the database. */
  stop(): Promise<void>;
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
}
