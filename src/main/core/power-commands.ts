/**
 * The contract's page commands (issue 15): one crawler with its heartbeat
 * history, and a finished job's result. Inputs arrive validated.
 */
import type { ConsoleCommandHandlers } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import type { Store } from '../store';
import type { ProgressSamplesRepo } from '../store/progress-samples-repo';
import type { SocketServer } from '../socket/socket-server';
import type { JobService } from '../jobs/job-service';
import { readJobResult } from '../jobs/job-result';
import type { HeartbeatHistory } from './heartbeat-history';
import type { LivenessWatch } from './liveness-watch';

export interface PowerDeps {
  store: Store;
  server: SocketServer;
  jobs: Pick<JobService, 'flush' | 'heldCount' | 'capacityOf'>;
  liveness: LivenessWatch;
  heartbeats: HeartbeatHistory;
  samples: ProgressSamplesRepo;
  now: () => number;
}

export type PowerCommandName = 'getCrawler' | 'getJobResult';

export function createPowerCommandHandlers(d: PowerDeps): Pick<ConsoleCommandHandlers, PowerCommandName> {
  const { store, server, jobs } = d;
  return {
    async getCrawler({ crawler_id }) {
      jobs.flush();
      const stored = store.crawlers.getCrawler(crawler_id);
      if (!stored) throw new ApiError('not_found', `there is no crawler ${crawler_id}`);
      const { id, ...c } = stored;
      const conn = server.getConnection(id);
      return {
        crawler: {
          ...c,
          spelling: conn?.spelling ?? c.spelling,
          crawler_id: id,
          connection: conn?.info() ?? null,
          liveness: conn ? d.liveness.judge(conn.info()) : null,
          active_jobs: jobs.heldCount(id),
          capacity: conn ? jobs.capacityOf(conn) : (c.max_concurrent_jobs ?? server.config.maxConcurrentJobs),
        },
        heartbeats: d.heartbeats.points(id, d.now()),
        window_ms: d.heartbeats.windowMs,
      };
    },

    async getJobResult({ job_id }) {
      jobs.flush();
      const job = store.jobs.getJob(job_id);
      if (!job) throw new ApiError('not_found', `there is no job ${job_id}`);
      return readJobResult(store, d.samples, job);
    },
  };
}
