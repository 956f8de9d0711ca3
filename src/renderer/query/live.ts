/**
 * The console's events, written into the query cache: what an event carries
 * whole (a heartbeat, the dispatch state, a schedule) is set in place; what it
 * only signals (a job of this crawler changed, a new error) marks the queries
 * that show it stale, and those in use refetch. A reconnect (or a batch that
 * says the page fell behind) refetches everything in use.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { CommandOutput, ConsoleEvent } from '../../shared/contract';
import type { Schedule } from '../../shared/ops';
import { withHeartbeat } from './heartbeats';
import { onBatch, onReconnect } from '../state/bus';
import { queryKeys } from './keys';

type CrawlerPage = CommandOutput<'getCrawler'>;
type Schedules = CommandOutput<'listSchedules'>;
type JobsPage = CommandOutput<'listJobs'>;

function applyEvent(client: QueryClient, e: ConsoleEvent, stale: Set<string>, staleKeys: (readonly unknown[])[], soon: Set<readonly unknown[]>): void {
  const mark = (key: readonly unknown[]) => {
    const id = JSON.stringify(key);
    if (!stale.has(id)) {
      stale.add(id);
      staleKeys.push(key);
    }
  };
  switch (e.type) {
    case 'heartbeat':
      client.setQueryData<CrawlerPage>(queryKeys.crawler(e.crawler_id), (page) => (page ? withHeartbeat(page, e) : page));
      return;
    case 'crawler_updated':
      if (e.crawler.said_hello) soon.add(queryKeys.connectedCrawlers);
      client.setQueryData<CrawlerPage>(queryKeys.crawler(e.crawler.crawler_id), (page) =>
        page?.crawler.connection?.connection_id === e.crawler.connection_id ? { ...page, crawler: { ...page.crawler, connection: e.crawler } } : page,
      );
      return;
    case 'crawler_liveness':
      client.setQueryData<CrawlerPage>(queryKeys.crawler(e.crawler_id), (page) =>
        page?.crawler.connection?.connection_id === e.connection_id ? { ...page, crawler: { ...page.crawler, liveness: e.liveness } } : page,
      );
      return;
    case 'crawler_connected':
    case 'crawler_disconnected':
      mark(queryKeys.crawler(e.crawler.crawler_id));
      mark(queryKeys.crawlers);
      soon.add(queryKeys.connectedCrawlers);
      return;
    case 'job_changed': {
      const job = e.job;
      // A crawler page's job list: the job is now or was in it.
      for (const [key, page] of client.getQueriesData<JobsPage>({ queryKey: ['jobs', 'crawler'] })) {
        if (key[2] === job.crawler_id || page?.jobs.some((j) => j.job_id === job.job_id)) mark(key);
      }
      if (job.crawler_id) {
        mark(queryKeys.crawler(job.crawler_id));
        soon.add(queryKeys.connectedCrawlers);
      }
      if (job.finished_at !== null) mark(queryKeys.jobResult(job.job_id));
      return;
    }
    case 'error':
      if (e.error.crawler_id) mark(queryKeys.crawlerErrors(e.error.crawler_id));
      soon.add(queryKeys.errorGroupsAll);
      return;
    case 'bulk_applied':
      // One event for a bulk action's many jobs (their job_changed are held back): every job, crawler and result query may show one of them.
      for (const [key] of client.getQueriesData({ queryKey: ['jobs'] })) mark(key);
      for (const [key] of client.getQueriesData({ queryKey: ['crawler'] })) mark(key);
      for (const [key] of client.getQueriesData({ queryKey: ['job-result'] })) mark(key);
      soon.add(queryKeys.connectedCrawlers);
      return;
    case 'dispatch_changed':
      client.setQueryData(queryKeys.dispatch, e.dispatch);
      return;
    case 'schedule_changed':
      client.setQueryData<Schedules>(queryKeys.schedules, (old) => (old ? { schedules: upsert(old.schedules, e.schedule) } : old));
      return;
    case 'schedule_deleted':
      client.setQueryData<Schedules>(queryKeys.schedules, (old) => (old ? { schedules: old.schedules.filter((s) => s.id !== e.schedule_id) } : old));
      return;
    default:
      return;
  }
}

export const upsert = (list: readonly Schedule[], s: Schedule): Schedule[] => {
  const i = list.findIndex((x) => x.id === s.id);
  return i < 0 ? [...list, s].sort((a, b) => a.name.localeCompare(b.name)) : list.map((x, j) => (j === i ? s : x));
};

/**
 * Queries that cost more than their events are worth (error groups counted over many rows,
 * every crawler's held-job count): marked stale at most this often, however many events arrive.
 */
const THROTTLE_MS = 1_000;

/** Connects the cache to the event stream. @returns a function that disconnects it. */
export function bindQueryCache(client: QueryClient): () => void {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const throttled = (queryKey: readonly unknown[]) => {
    const id = JSON.stringify(queryKey);
    if (timers.has(id)) return;
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id);
        void client.invalidateQueries({ queryKey });
      }, THROTTLE_MS),
    );
  };
  const offBatch = onBatch((batch) => {
    const stale = new Set<string>();
    const staleKeys: (readonly unknown[])[] = [];
    const soon = new Set<readonly unknown[]>();
    for (const e of batch.events) applyEvent(client, e, stale, staleKeys, soon);
    // One refetch per query per batch, however many of its events the batch held.
    for (const queryKey of staleKeys) void client.invalidateQueries({ queryKey, exact: true });
    for (const queryKey of soon) throttled(queryKey);
  });
  const offReconnect = onReconnect(() => void client.invalidateQueries());
  return () => {
    offBatch();
    offReconnect();
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  };
}
