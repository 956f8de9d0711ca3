/**
 * The crawler client's errors: each says what happened and what the caller can
 * do about it. None ever carries the auth token or a job's access token.
 */
import type { ErrorData } from '../shared/protocol';

/** Base class: every error the client raises is a CrawlerClientError. */
export class CrawlerClientError extends Error {
  override readonly name: string = 'CrawlerClientError';
}

/** The outgoing queue is full of lifecycle messages: the console is not reading or is gone for long. */
export class QueueFullError extends CrawlerClientError {
  override readonly name = 'QueueFullError';
  constructor(
    readonly type: string,
    readonly capacity: number,
  ) {
    super(`cannot queue ${type}: the outgoing queue holds ${capacity} undelivered lifecycle messages (is the console reading?)`);
  }
}

/** A request (job_request, token_refresh_request, hello) got no answer in time. */
export class RequestTimeoutError extends CrawlerClientError {
  override readonly name = 'RequestTimeoutError';
  constructor(
    readonly type: string,
    readonly timeoutMs: number,
  ) {
    super(`no answer to ${type} within ${timeoutMs} ms`);
  }
}

/** The connection dropped while a request was on the wire: its answer will never come; ask again. */
export class ConnectionLostError extends CrawlerClientError {
  override readonly name = 'ConnectionLostError';
  constructor(readonly type: string) {
    super(`the connection to the console was lost before ${type} was answered`);
  }
}

/** The client was closed (by close() or a console shutdown); nothing more is sent. */
export class ClientClosedError extends CrawlerClientError {
  override readonly name = 'ClientClosedError';
  constructor(what = 'the crawler client') {
    super(`${what}: the client is closed`);
  }
}

/** A message that would be refused by the console: caught before it is sent. */
export class InvalidMessageError extends CrawlerClientError {
  override readonly name = 'InvalidMessageError';
  constructor(
    readonly type: string,
    detail: string,
  ) {
    super(`invalid ${type}: ${detail}`);
  }
}

/** The console answered with an `error` (e.g. auth_failed on hello, or a refused job_request). */
export class ConsoleError extends CrawlerClientError {
  override readonly name = 'ConsoleError';
  readonly code: ErrorData['code'];
  readonly data: ErrorData;
  constructor(data: ErrorData) {
    super(`console refused${data.ref_type ? ` ${data.ref_type}` : ''}: ${data.code}: ${data.message}`);
    this.code = data.code;
    this.data = data;
  }
}

/** Connecting failed (the socket could not be opened or closed during the handshake). */
export class ConnectError extends CrawlerClientError {
  override readonly name = 'ConnectError';
  constructor(
    readonly target: string,
    reason: string,
    readonly code?: string,
  ) {
    super(`cannot connect to the console at ${target}: ${reason}`);
  }
}
