/**
 * Tests that stand in for the console's job service write it as a small class
 * with one method per message type; this registers such a class on a router
 * the way the console registers its own (one handler table, priority 50).
 */
import {
  type CrawlerMessageOf,
  type JobResponseJob,
  type MessageProcessingResult,
  MessageRouter,
  type SocketConnection,
  type TokenRefreshAnswer,
  registerHandlers,
} from '../../src/main/socket';

type Result = MessageProcessingResult | Promise<MessageProcessingResult>;

export interface TestBackend {
  heartbeat(c: SocketConnection, m: CrawlerMessageOf<'heartbeat'>): Result;
  jobStarted(c: SocketConnection, m: CrawlerMessageOf<'job_started'>): Result;
  jobProgress(c: SocketConnection, m: CrawlerMessageOf<'job_progress'>): Result;
  jobCompleted(c: SocketConnection, m: CrawlerMessageOf<'job_completed'>): Result;
  jobFailed(c: SocketConnection, m: CrawlerMessageOf<'job_failed'>): Result;
  jobsDiscovered(c: SocketConnection, m: CrawlerMessageOf<'jobs_discovered'>): Result;
  discovery(c: SocketConnection, m: CrawlerMessageOf<'discovery'>): Result;
  requestJobs(c: SocketConnection, m: CrawlerMessageOf<'job_request'>): JobResponseJob[];
  refreshToken(c: SocketConnection, m: CrawlerMessageOf<'token_refresh_request'>): TokenRefreshAnswer;
}

export function routerFor(b: TestBackend): MessageRouter {
  const router = new MessageRouter();
  const now = () => new Date().toISOString();
  registerHandlers(router, {
    heartbeat: (m, c) => b.heartbeat(c, m),
    job_started: (m, c) => b.jobStarted(c, m),
    job_progress: (m, c) => b.jobProgress(c, m),
    job_completed: (m, c) => b.jobCompleted(c, m),
    job_failed: (m, c) => b.jobFailed(c, m),
    jobs_discovered: (m, c) => b.jobsDiscovered(c, m),
    discovery: (m, c) => b.discovery(c, m),
    job_request: async (m, c) => {
      const jobs = b.requestJobs(c, m);
      await c.send({ type: 'job_response', timestamp: now(), data: { jobs } });
      return { success: true, data: { jobs: jobs.length } };
    },
    token_refresh_request: async (m, c) => {
      const answer = b.refreshToken(c, m);
      await c.send({ type: 'token_refresh_response', timestamp: now(), job_id: m.job_id, data: answer });
      return { success: true };
    },
  });
  return router;
}
