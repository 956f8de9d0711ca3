/**
 * The built-in handlers: one per crawler message type, each a thin adapter from
 * the router to the backend (the job service or the in-memory default), at
 * priority 50 so custom handlers (the seed's examples use 90–95) take precedence.
 */
import type { CrawlerMessage, CrawlerMessageOf, CrawlerMessageType } from '../../../shared/protocol';
import type { SocketConnection } from '../connection/socket-connection';
import type { CrawlerBackend } from '../backend';
import type { MessageHandler, MessageProcessingResult } from '../types/router';

export const DEFAULT_HANDLER_PRIORITY = 50;

class BackendHandler<T extends CrawlerMessageType> implements MessageHandler {
  constructor(
    private readonly type: T,
    private readonly run: (message: CrawlerMessageOf<T>, connection: SocketConnection) => Promise<MessageProcessingResult> | MessageProcessingResult,
  ) {}
  canHandle(message: CrawlerMessage): boolean {
    return message.type === this.type;
  }
  handle(message: CrawlerMessage, connection: SocketConnection): Promise<MessageProcessingResult> {
    try {
      const result = this.run(message as CrawlerMessageOf<T>, connection);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
  getPriority(): number {
    return DEFAULT_HANDLER_PRIORITY;
  }
}

export function createDefaultHandlers(backend: CrawlerBackend): [CrawlerMessageType, MessageHandler][] {
  return [
    ['heartbeat', new BackendHandler('heartbeat', (m, c) => backend.heartbeat(c, m))],
    ['job_started', new BackendHandler('job_started', (m, c) => backend.jobStarted(c, m))],
    ['job_progress', new BackendHandler('job_progress', (m, c) => backend.jobProgress(c, m))],
    ['job_completed', new BackendHandler('job_completed', (m, c) => backend.jobCompleted(c, m))],
    ['job_failed', new BackendHandler('job_failed', (m, c) => backend.jobFailed(c, m))],
    ['jobs_discovered', new BackendHandler('jobs_discovered', (m, c) => backend.jobsDiscovered(c, m))],
    ['discovery', new BackendHandler('discovery', (m, c) => backend.discovery(c, m))],
    [
      'job_request',
      new BackendHandler('job_request', async (m, c) => {
        const jobs = await backend.requestJobs(c, m);
        await c.send({ type: 'job_response', timestamp: new Date().toISOString(), data: { jobs } });
        return { success: true, data: { jobs: jobs.length } };
      }),
    ],
    [
      'token_refresh_request',
      new BackendHandler('token_refresh_request', async (m, c) => {
        const answer = await backend.refreshToken(c, m);
        if ('refused' in answer) return { success: false, code: answer.refused.code, error: answer.refused.error };
        await c.send({ type: 'token_refresh_response', timestamp: new Date().toISOString(), job_id: m.job_id!, data: answer });
        return { success: true, data: { refresh_successful: answer.refresh_successful } };
      }),
    ],
  ];
}
