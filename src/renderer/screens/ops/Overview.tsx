import { EmptyCrawlers } from '../../components/EmptyCrawlers';
import { AggregateCard } from './components/AggregateCard';
import { CrawlerCountsCard, JobCountsCard } from './components/CountsCards';
import { HealthCard } from './components/HealthCard';
import { LatestErrors } from './components/LatestErrors';
import { ThroughputChart } from './components/ThroughputChart';
import type { CrawlerLine } from './state/crawler-health';
import { useCrawlerLines } from './state/use-crawler-lines';
import { DispatchCard } from '../power';
import { BulkShortcuts } from './components/BulkShortcuts';
import { useJobCounts } from './state/overview-queries';

function countCrawlers(lines: readonly CrawlerLine[]) {
  const c = { connected: 0, late: 0, lost: 0, disconnected: 0, silentConnected: 0, busy: 0, capacity: 0 };
  for (const l of lines) {
    if (l.connected) {
      c.connected++;
      c.busy += l.active_jobs ?? 0;
      c.capacity += l.capacity ?? 0;
    }
    if (l.health === 'late') c.late++;
    else if (l.health === 'lost') {
      c.lost++; // silent past the timeout, or dropped for it
      if (l.connected) c.silentConnected++;
    } else if (!l.connected) c.disconnected++;
  }
  return c;
}

/** Everything at a glance: progress, counts, throughput, errors, health. */
export function Overview() {
  const { lines, loaded } = useCrawlerLines();
  const c = countCrawlers(lines);
  const queued = useJobCounts().data?.queued ?? null;
  return (
    <section className="view ops-ui" aria-labelledby="view-title" data-testid="overview">
      <h1 id="view-title">Overview</h1>
      {loaded && lines.length === 0 ? <EmptyCrawlers /> : null}
      <div className="grid">
        <AggregateCard />
        <HealthCard late={c.late} lost={c.silentConnected} connected={c.connected} queued={queued} />
        <CrawlerCountsCard connected={c.connected} late={c.late} lost={c.lost} gone={c.disconnected} busy={c.busy} capacity={c.capacity} />
        <JobCountsCard />
        <DispatchCard />
        <BulkShortcuts />
        <ThroughputChart />
        <LatestErrors />
      </div>
    </section>
  );
}
