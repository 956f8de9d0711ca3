/**
 * The socket system's public API, with the seed's names (the counterpart of the
 * seed's `$lib/server/socket`).
 */
export { SocketServer, type ServerStatus, type SocketServerDeps, type SocketServerEvents } from './socket-server';
export { MessageRouter, createDefaultRouter, type DefaultRouterOptions } from './message-router';
export type { MessageHandler, MessageMiddleware, MessageProcessingResult } from './types/router';
export { SocketConnection } from './connection/socket-connection';
export { LineReader, type LineEvent } from './connection/line-reader';
export type { ConnectionEvent, ConnectionMetadata, ConnectionState, ConnectionStats, ConnectionInfo } from './types/connection';
export { MemoryBackend, type CrawlerBackend, type TokenRefreshAnswer } from './backend';
export { DEFAULT_HANDLER_PRIORITY, createDefaultHandlers } from './handlers';
export { ProgressTracker } from './progress/progress-tracker';
export * from './types/progress';
export * from './config';
export * from './types/config';
export * from './types/errors';
export { createLogger, silentLogger, type Logger } from './logger';
export * from '../../shared/protocol';
