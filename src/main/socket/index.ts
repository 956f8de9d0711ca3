/**
 * The socket system's public API, with the seed's names (the counterpart of the
 * seed's `$lib/server/socket`).
 */
export { SocketServer, type ServerStatus, type SocketServerDeps, type SocketServerEvents } from './socket-server';
export {
  MessageRouter,
  createDefaultRouter,
  getDefaultRouter,
  progressTracker,
  type DefaultRouterOptions,
  type MessageRouterOptions,
} from './message-router';
export {
  DEFAULT_HANDLER_PRIORITY,
  handlerFor,
  registerHandlers,
  standaloneHandlers,
  type HandlerTable,
  type RoutedMessageType,
  type TypedHandler,
} from './handlers';
export { LineReader, type LineEvent } from './connection/line-reader';
export { ProgressTracker } from '../observability/progress-tracker';
export * from './config';
export { createLogger, silentLogger, type Logger } from '../observability/logger';
// The wire protocol (schemas, decode/encode). Its CrawlerMessage/WebAppMessage/JobAssignment/DiscoveredJob
// are shadowed by the seed's types below (explicit exports win over `export *`).
export * from '../../shared/protocol';
export * from './types';
export type { CrawlerMessage, DiscoveredJob, JobAssignment, WebAppMessage, WebAppMessageType } from './types/messages';
