/**
 * Handlers as a table: one function per crawler message type, typed by that
 * type (so `job_id` is a string where the protocol requires one), registered on
 * a MessageRouter like any user's handler. The console registers its job
 * service's table (src/main/jobs/console-handlers); `createDefaultRouter()`
 * registers the stand-alone table below. Both at priority 50, so a user's
 * handler of higher priority (the seed's examples use 90–95) and every
 * middleware sit in front of them.
 */
import type { CrawlerMessageOf, CrawlerMessageType } from '../../../shared/protocol';
import type { SocketConnection } from '../connection/socket-connection';
import type { MessageHandler, MessageProcessingResult } from '../types/router';
import type { CrawlerMessage } from '../types/messages';
import type { ProgressTracker } from '../../observability/progress-tracker';

export const DEFAULT_HANDLER_PRIORITY = 50;

/** Every type a crawler may send except `hello`, which the server answers itself (identity and auth). */
export type RoutedMessageType = Exclude<CrawlerMessageType, 'hello'>;

type MaybePromise<T> = T | Promise<T>;
export type TypedHandler<T extends RoutedMessageType> = (
  message: CrawlerMessageOf<T>,
  connection: SocketConnection,
) => MaybePromise<MessageProcessingResult>;

/** One handler for every routed message type: a missing type is a compile error. */
export type HandlerTable = { [T in RoutedMessageType]: TypedHandler<T> };

/** A MessageHandler for one message type, from a function typed by that type. */
export function handlerFor<T extends RoutedMessageType>(
  type: T,
  run: TypedHandler<T>,
  priority = DEFAULT_HANDLER_PRIORITY,
): MessageHandler {
  const handler: SyncCapableHandler = {
    canHandle: (message) => message.type === type,
    handle(message, connection) {
      try {
        // canHandle checked the type; the router calls handle only after it said yes.
        const result = run(message as CrawlerMessageOf<T>, connection);
        return result instanceof Promise ? result : Promise.resolve(result);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    getPriority: () => priority,
  };
  handler[RUN_SYNC] = { run: run as TypedHandler<RoutedMessageType> as SyncRun, handle: handler.handle };
  return handler;
}

type SyncRun = (message: CrawlerMessage, connection: SocketConnection) => MaybePromise<MessageProcessingResult>;

/**
 * What the router may call instead of `handle`: the table's function itself, so
 * a handler that answers synchronously costs no promise (the message path runs
 * one per message). `handle` is kept to check that nobody replaced it since.
 */
export const RUN_SYNC: unique symbol = Symbol('crawl-console.runSync');
export interface SyncCapableHandler extends MessageHandler {
  [RUN_SYNC]?: { run: SyncRun; handle: MessageHandler['handle'] };
}

/** Registers every entry of a table on a router. */
export function registerHandlers(
  router: { registerHandler(type: string, handler: MessageHandler): void },
  table: HandlerTable,
  priority = DEFAULT_HANDLER_PRIORITY,
): void {
  for (const type of Object.keys(table) as RoutedMessageType[]) {
    router.registerHandler(type, handlerFor(type, table[type] as TypedHandler<typeof type>, priority));
  }
}

const ok: MessageProcessingResult = { success: true };
const now = () => new Date().toISOString();

/**
 * The stand-alone handlers (a SocketServer used as a library, without the
 * console's job store): every well-formed report is accepted and tracked in
 * memory, nothing is stored, there is no work to hand out and no token to give.
 */
export function standaloneHandlers(progress: ProgressTracker): HandlerTable {
  return {
    heartbeat: () => ok,
    job_started: (m) => {
      progress.start(m.job_id);
      return ok;
    },
    job_progress: (m) => {
      progress.update(m.job_id, m.data);
      return ok;
    },
    job_completed: (m) => {
      if (m.data.success) progress.markCompleted(m.job_id, m.data.final_counts);
      else progress.markFailed(m.job_id);
      return ok;
    },
    job_failed: (m) => {
      progress.markFailed(m.job_id);
      return ok;
    },
    jobs_discovered: (m) => ({
      success: true,
      data: { accepted: m.data.discovered_jobs.length, rejected: m.data.rejected_items },
    }),
    discovery: () => ok,
    job_request: async (_m, c) => {
      await c.send({ type: 'job_response', timestamp: now(), data: { jobs: [] } });
      return { success: true, data: { jobs: 0 } };
    },
    token_refresh_request: async (m, c) => {
      await c.send({
        type: 'token_refresh_response',
        timestamp: now(),
        job_id: m.job_id,
        data: { access_token: '', refresh_successful: false },
      });
      return { success: true, data: { refresh_successful: false } };
    },
  };
}
