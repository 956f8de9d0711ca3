/**
 * The console's own handlers: the job service's answer to every crawler
 * message type, as one exhaustive table registered on the socket router like
 * any user's handler (priority 50). A user's middleware and handlers of higher
 * priority run in front of these.
 */
import type { HandlerTable } from '../socket/handlers';
import type { JobService } from './job-service';

const now = () => new Date().toISOString();

export function consoleHandlers(jobs: JobService): HandlerTable {
  return {
    heartbeat: (m, c) => jobs.heartbeat(c, m),
    job_started: (m, c) => jobs.jobStarted(c, m),
    job_progress: (m, c) => jobs.jobProgress(c, m),
    job_completed: (m, c) => jobs.jobCompleted(c, m),
    job_failed: (m, c) => jobs.jobFailed(c, m),
    jobs_discovered: (m, c) => jobs.jobsDiscovered(c, m),
    discovery: (m, c) => jobs.discovery(c, m),
    job_request: async (m, c) => {
      const handedOut = jobs.requestJobs(c, m);
      await c.send({ type: 'job_response', timestamp: now(), data: { jobs: handedOut } });
      return { success: true, data: { jobs: handedOut.length } };
    },
    token_refresh_request: async (m, c) => {
      const answer = await jobs.refreshToken(c, m);
      // Not the asker's job: an error reply (the router sends it), no token, nothing changed.
      if ('refused' in answer) return { success: false, code: answer.refused.code, error: answer.refused.error };
      await c.send({ type: 'token_refresh_response', timestamp: now(), job_id: m.job_id, data: answer });
      return { success: true, data: { refresh_successful: answer.refresh_successful } };
    },
  };
}
