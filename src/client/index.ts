/**
 * The crawler client library: everything a crawler needs to talk to the
 * console (see crawler-client.ts for the behaviour, PROTOCOL.md for the wire).
 */
export {
  CrawlerClient,
  DEFAULT_SOCKET_PATH,
  type ClientPhase,
  type CrawlerClientEvents,
  type CrawlerClientOptions,
  type CrawlerClientStats,
  type CrawlerState,
  type DiscoveredJobsInput,
  type Framing,
  type JobCancelData,
  type ShutdownRequest,
  type TokenRefreshResult,
  type WelcomeData,
} from './crawler-client';
export { type SendResult } from './outbox';
export { DEFAULT_RECONNECT, backoffDelay, type ReconnectOptions } from './backoff';
export {
  ClientClosedError,
  ConnectError,
  ConnectionLostError,
  ConsoleError,
  CrawlerClientError,
  InvalidMessageError,
  QueueFullError,
  RequestTimeoutError,
} from './errors';
export type {
  DiscoveredJob,
  DiscoveryData,
  ErrorData,
  HeartbeatData,
  JobAssignment,
  JobCompletedData,
  JobFailedData,
  JobProgressData,
  JobResponseJob,
  JobStartedData,
  JobType,
  ProgressEntity,
  ResumeState,
  Spelling,
  SystemStatus,
  TokenRefreshRequestData,
} from '../shared/protocol';
