import type { CrawlerMessage, Spelling } from '../../../shared/protocol';
import type { ConnectionState } from '../../../shared/connection';
import type { SocketError } from './errors';

export type { ConnectionState, ConnectionStats, ConnectionInfo } from '../../../shared/connection';

/** What the console knows about the crawler at the other end of a connection. */
export interface ConnectionMetadata {
  /**
   * The id the crawler gave (hello `crawler_id`); undefined while it has given
   * none, so `crawlerId !== undefined` means "this crawler identified itself".
   * `connection.crawlerId` is this, else `generatedId`.
   */
  crawlerId?: string;
  /** The id the console made up for this connection, used until (unless) the crawler gives its own. */
  generatedId: string;
  /** True once the crawler said hello (with or without an id of its own). */
  saidHello: boolean;
  /** True for Unix-socket peers; for TCP peers once their hello carried the right token. */
  authenticated: boolean;
  name?: string;
  version?: string;
  host?: string;
  pid?: number;
  maxConcurrentJobs?: number;
  capabilities?: string[];
  remoteAddress?: string;
}

/** The seed's connection events. */
export type ConnectionEvent =
  | { type: 'message'; connectionId: string; message: CrawlerMessage; timestamp: Date }
  | { type: 'error'; connectionId: string; error: SocketError; timestamp: Date }
  | { type: 'disconnected'; connectionId: string; reason: string; timestamp: Date }
  | { type: 'state_changed'; connectionId: string; previousState: ConnectionState; newState: ConnectionState; timestamp: Date };

export type ConnectionEventType = ConnectionEvent['type'];
export type ConnectionEventOf<T extends ConnectionEventType> = Extract<ConnectionEvent, { type: T }>;

export interface SpellingAware {
  spelling: Spelling;
}

// The seed imports SocketConnection together with ConnectionEvent from this module.
// No import cycle at run time: socket-connection imports only types from this module.
export { SocketConnection } from '../connection/socket-connection';
