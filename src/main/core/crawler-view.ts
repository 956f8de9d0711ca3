/**
 * One crawler as the screens show it: what the store remembers, overlaid with
 * its live connection (if any) and the console's verdict on it. The Crawlers
 * list and a crawler's page build it here, so both say the same.
 */
import type { CrawlerView } from '../../shared/contract';
import type { Crawler } from '../store/records';
import type { SocketServer } from '../socket/socket-server';
import type { JobService } from '../jobs/job-service';
import type { LivenessWatch } from './liveness-watch';

export interface CrawlerViewDeps {
  server: SocketServer;
  jobs: Pick<JobService, 'heldCount' | 'capacityOf'>;
  liveness: LivenessWatch;
}

export function crawlerView(d: CrawlerViewDeps, { id, ...c }: Crawler): CrawlerView {
  const conn = d.server.getConnection(id);
  return {
    ...c,
    spelling: conn?.spelling ?? c.spelling,
    crawler_id: id,
    connection: conn?.info() ?? null,
    liveness: conn ? d.liveness.judge(conn.info()) : null,
    active_jobs: d.jobs.heldCount(id),
    capacity: conn ? d.jobs.capacityOf(conn) : (c.max_concurrent_jobs ?? d.server.config.maxConcurrentJobs),
  };
}
