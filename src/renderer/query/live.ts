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

function applyEvent(client: QueryClient, e: ConsoleEvent, stale: Set<string>, staleKeys: (readonly unknown[])[]): void {
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
      return;
    case 'job_changed': {
      const job = e.job;
      // A crawler page's job list: the job is now or was in it.
      for (const [key, page] of client.getQueriesData<JobsPage>({ queryKey: ['jobs', 'crawler'] })) {
        if (key[2] === job.crawler_id || page?.jobs.some((j) => j.job_id === job.job_id)) mark(key);
      }
      if (job.crawler_id) mark(queryKeys.crawler(job.crawler_id));
      if (job.finished_at !== null) mark(queryKeys.jobResult(job.job_id));
      return;
    }
    case 'error':
      if (e.error.crawler_id) mark(queryKeys.crawlerErrors(e.error.crawler_id));
      groupsStale = true;
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

/** Error groups are counted over many rows: new errors re-count them at most this often. */
const GROUPS_MIN_MS = 1_000;
let groupsStale = false;

/** Connects the cache to the event stream. @returns a function that disconnects it. */
export function bindQueryCache(client: QueryClient): () => void {
  let groupsTimer: ReturnType<typeof setTimeout> | null = null;
  const offBatch = onBatch((batch) => {
    const stale = new Set<string>();
    const staleKeys: (readonly unknown[])[] = [];
    for (const e of batch.events) applyEvent(client, e, stale, staleKeys);
    // One refetch per query per batch, however many of its events the batch held.
    for (const queryKey of staleKeys) void client.invalidateQueries({ queryKey, exact: true });
    if (groupsStale && groupsTimer === null) {
      groupsTimer = setTimeout(() => {
        groupsTimer = null;
        groupsStale = false;
        void client.invalidateQueries({ queryKey: queryKeys.errorGroupsAll });
      }, GROUPS_MIN_MS);
    }
  });
  const offReconnect = onReconnect(() => void client.invalidateQueries());
  return () => {
    offBatch();
    offReconnect();
    if (groupsTimer) clearTimeout(groupsTimer);
  };
}
