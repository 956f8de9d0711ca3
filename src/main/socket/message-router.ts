/**
 * The seed's MessageRouter: middleware by priority, then the highest-priority
 * handler that can handle the message. Nothing a handler or middleware throws
 * escapes: it becomes a failed result and an error record.
 *
 * It is the one path every crawler message takes: the console registers its
 * own handlers on it (priority 50) like any user, so a user's middleware and
 * higher-priority handlers really sit in front of them.
 */
import { decodeCrawlerMessage } from '../../shared/protocol';
import type { SocketConnection } from './connection/socket-connection';
import type { MessageHandler, MessageMiddleware, MessageProcessingResult } from './types/router';
import type { CrawlerMessage, CrawlerMessageInput } from './types/messages';
import { ErrorManager, createMessageError } from './types/errors';
import { RUN_SYNC, type SyncCapableHandler, registerHandlers, standaloneHandlers } from './handlers';
import { ProgressTracker } from '../observability/progress-tracker';

export type { MessageHandler, MessageMiddleware, MessageProcessingResult } from './types/router';

export interface MessageRouterOptions {
  /** Where failures are recorded (the console's error log). */
  errorManager?: ErrorManager;
}

export class MessageRouter {
  private readonly handlers = new Map<string, MessageHandler[]>();
  private middleware: MessageMiddleware[] = [];
  readonly errorManager: ErrorManager;

  constructor(options: MessageRouterOptions = {}) {
    this.errorManager = options.errorManager ?? new ErrorManager();
  }

  registerHandler(messageType: string, handler: MessageHandler): void {
    const list = this.handlers.get(messageType) ?? [];
    list.push(handler);
    // Stable sort: among equal priorities, the first registered wins.
    list.sort((a, b) => b.getPriority() - a.getPriority());
    this.handlers.set(messageType, list);
  }

  unregisterHandler(messageType: string, handler: MessageHandler): boolean {
    const list = this.handlers.get(messageType);
    const i = list?.indexOf(handler) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  addMiddleware(middleware: MessageMiddleware): void {
    this.middleware = [...this.middleware, middleware].sort((a, b) => b.priority - a.priority);
  }

  removeMiddleware(name: string): boolean {
    const before = this.middleware.length;
    this.middleware = this.middleware.filter((m) => m.name !== name);
    return this.middleware.length !== before;
  }

  /** Message types with at least one handler. */
  getRegisteredTypes(): string[] {
    return [...this.handlers.entries()].filter(([, l]) => l.length > 0).map(([t]) => t);
  }

  /**
   * Runs a message through the middleware and the handlers. Takes what the
   * server decoded from a crawler's line, or a message written the seed's way
   * (documented spelling), which is decoded first; one that does not decode is
   * a failed result with the reason, like a bad line from a crawler.
   */
  processMessage(input: CrawlerMessageInput, connection: SocketConnection): Promise<MessageProcessingResult> {
    const routed = this.route(input, connection);
    return routed instanceof Promise ? routed : Promise.resolve(routed);
  }

  /**
   * processMessage for the server's per-line path: the same steps, but the
   * result itself when the handler answered synchronously (the console's do),
   * so a message costs no promise. Settles exactly as processMessage does.
   */
  route(input: CrawlerMessageInput, connection: SocketConnection): MessageProcessingResult | Promise<MessageProcessingResult> {
    const message = isDecoded(input) ? input : decodeInput(input);
    if ('failure' in message) {
      const result: MessageProcessingResult = { success: false, code: message.failure.code, error: message.failure.message };
      this.recordRaw(String((input as { type?: unknown }).type ?? 'unknown'), connection, result.error!, result.code);
      return result;
    }
    if (this.middleware.length > 0) return this.processWithMiddleware(message, connection);
    const handler = this.findHandler(message);
    if (!handler) return this.noHandler(message, connection);
    let pending: MessageProcessingResult | Promise<MessageProcessingResult>;
    try {
      const sync = (handler as SyncCapableHandler)[RUN_SYNC];
      pending = sync !== undefined && sync.handle === handler.handle ? sync.run(message, connection) : handler.handle(message, connection);
    } catch (err) {
      return this.fail(message, connection, `${message.type} handler`, err);
    }
    if (!isThenable(pending)) return this.settled(message, connection, pending);
    return pending.then(
      (result) => this.settled(message, connection, result),
      (err: unknown) => this.fail(message, connection, `${message.type} handler`, err),
    );
  }

  private settled(message: CrawlerMessage, connection: SocketConnection, result: MessageProcessingResult): MessageProcessingResult {
    if (!result.success) this.record(message, connection, result.error ?? 'refused', result.code);
    return result;
  }

  private findHandler(message: CrawlerMessage): MessageHandler | undefined {
    const list = this.handlers.get(message.type);
    if (!list) return undefined;
    for (const h of list) if (safeCanHandle(h, message)) return h;
    return undefined;
  }

  private noHandler(message: CrawlerMessage, connection: SocketConnection): MessageProcessingResult {
    const result: MessageProcessingResult = { success: false, code: 'unknown_type', error: `no handler accepts ${message.type} messages` };
    this.record(message, connection, result.error!);
    return result;
  }

  private async processWithMiddleware(message: CrawlerMessage, connection: SocketConnection): Promise<MessageProcessingResult> {
    let current: CrawlerMessage = message;
    for (const mw of this.middleware) {
      try {
        const next = await mw.beforeProcess(current, connection);
        if (next === null) return { success: true, dropped: true, handledBy: mw.name };
        current = next;
      } catch (err) {
        return this.fail(current, connection, `middleware ${mw.name}`, err);
      }
    }

    const handler = this.findHandler(current);
    let result: MessageProcessingResult;
    if (!handler) {
      result = this.noHandler(current, connection);
    } else {
      try {
        result = await handler.handle(current, connection);
        if (!result.success) this.record(current, connection, result.error ?? 'refused', result.code);
      } catch (err) {
        result = this.fail(current, connection, `${current.type} handler`, err);
      }
    }

    for (const mw of this.middleware) {
      if (!mw.afterProcess) continue;
      try {
        await mw.afterProcess(current, connection, result);
      } catch (err) {
        // The message was processed; a failing observer must not change its result.
        this.record(current, connection, `middleware ${mw.name} afterProcess failed: ${errorText(err)}`);
      }
    }
    return result;
  }

  private fail(message: CrawlerMessage, connection: SocketConnection, where: string, err: unknown): MessageProcessingResult {
    const error = `${where} failed: ${errorText(err)}`;
    this.record(message, connection, error, 'internal_error');
    return { success: false, code: 'internal_error', error, shouldRetry: false };
  }

  private record(message: CrawlerMessage, connection: SocketConnection, error: string, code?: string): void {
    this.recordRaw(message.type, connection, error, code, message.job_id);
  }

  private recordRaw(type: string, connection: SocketConnection, error: string, code?: string, jobId?: string): void {
    const e = createMessageError(error, type, []);
    e.context = { ...e.context, crawlerId: connection.crawlerId, jobId, code };
    void this.errorManager.handleError(e);
  }
}

/** Decoded messages carry `extras` (and `spelling`); a message written the seed's way does not. */
const isDecoded = (m: CrawlerMessageInput): m is CrawlerMessage => 'extras' in m;

function decodeInput(m: CrawlerMessageInput): CrawlerMessage | { failure: { code: NonNullable<MessageProcessingResult['code']>; message: string } } {
  const decoded = decodeCrawlerMessage(m);
  return decoded.ok ? decoded.message : { failure: { code: decoded.error.code, message: decoded.error.message } };
}

function safeCanHandle(h: MessageHandler, m: CrawlerMessage): boolean {
  try {
    return h.canHandle(m);
  } catch {
    return false;
  }
}

const isThenable = <T,>(v: T | Promise<T>): v is Promise<T> => typeof (v as { then?: unknown } | null)?.then === 'function';

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface DefaultRouterOptions extends MessageRouterOptions {
  /** Where the stand-alone handlers track progress. Default: the process's `progressTracker`. */
  progressTracker?: ProgressTracker;
}

/**
 * The process's progress tracker: what servers built without one report in
 * `getAggregateProgress()` and the default router's handlers update.
 */
export const progressTracker = new ProgressTracker();

let defaultRouter: MessageRouter | null = null;

/**
 * Creates a router with the stand-alone handler for every crawler message type
 * (hello is the server's own) and makes it the process's default router: a
 * SocketServer constructed without a router routes through the default router
 * current when it starts. So the seed's setup — create the server, then
 * `createDefaultRouter()`, register handlers and middleware on it, then
 * `start()` — routes the crawlers' messages through that router.
 */
export function createDefaultRouter(options: DefaultRouterOptions = {}): MessageRouter {
  const router = new MessageRouter(options);
  registerHandlers(router, standaloneHandlers(options.progressTracker ?? progressTracker));
  defaultRouter = router;
  return router;
}

/** The process's default router: the last one `createDefaultRouter()` made, made on first use. */
export function getDefaultRouter(): MessageRouter {
  return defaultRouter ?? createDefaultRouter();
}
