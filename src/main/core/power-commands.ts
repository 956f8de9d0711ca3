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
import { crawlerView } from './crawler-view';

export interface PowerDeps {
  store: Store;
  server: SocketServer;
  jobs: Pick<JobService, 'flush' | 'heldCount' | 'capacityOf'>;
  liveness: LivenessWatch;
  heartbeats: HeartbeatHistory;
  samples: ProgressSamplesRepo;
  /** Writes the progress samples taken since the last tick (a result read right after a finish has its last point). */
  flushSamples: () => void;
  now: () => number;
}

export type PowerCommandName = 'getCrawler' | 'getJobResult';

export function createPowerCommandHandlers(d: PowerDeps): Pick<ConsoleCommandHandlers, PowerCommandName> {
  const { store, jobs } = d;
  return {
    async getCrawler({ crawler_id }) {
      jobs.flush();
      const stored = store.crawlers.getCrawler(crawler_id);
      if (!stored) throw new ApiError('not_found', `there is no crawler ${crawler_id}`);
      return {
        crawler: crawlerView(d, stored),
        heartbeats: d.heartbeats.points(crawler_id),
        window_ms: d.heartbeats.windowMs,
      };
    },

    async getJobResult({ job_id }) {
      jobs.flush();
      d.flushSamples();
      const job = store.jobs.getJob(job_id);
      if (!job) throw new ApiError('not_found', `there is no job ${job_id}`);
      return readJobResult(store, d.samples, job);
    },
  };
}
