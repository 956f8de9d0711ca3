import type { ErrorCode } from '../../../shared/protocol';
import type { CrawlerMessage } from './messages';
import type { SocketConnection } from '../connection/socket-connection';

/** The seed's MessageProcessingResult, plus the error code the console replies with. */
export interface MessageProcessingResult {
  success: boolean;
  data?: unknown;
  error?: string;
  shouldRetry?: boolean;
  retryAfter?: number;
  /** Code of the `error` reply sent to the crawler when `success` is false. */
  code?: ErrorCode;
  /** True when a middleware dropped the message on purpose (no error reply). */
  dropped?: boolean;
  /** Which handler or middleware produced this result. */
  handledBy?: string;
}

/** The seed's MessageHandler. */
export interface MessageHandler {
  canHandle(message: CrawlerMessage): boolean;
  handle(message: CrawlerMessage, connection: SocketConnection): Promise<MessageProcessingResult>;
  getPriority(): number;
}

/** The seed's MessageMiddleware: `beforeProcess` returning null drops the message. */
export interface MessageMiddleware {
  name: string;
  priority: number;
  beforeProcess(message: CrawlerMessage, connection: SocketConnection): Promise<CrawlerMessage | null>;
  afterProcess?(message: CrawlerMessage, connection: SocketConnection, result: MessageProcessingResult): Promise<void>;
}
