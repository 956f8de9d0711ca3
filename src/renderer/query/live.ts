/**
 * The console's events, written into the query cache: what an event carries
 * whole (a heartbeat, the dispatch state, a schedule) is set in place; what it
 * only signals (a job of this crawler changed, a new error) marks the queries
 * that show it stale, and those in use refetch. A reconnect (or a batch that
 * says the page fell behind) refetches everything in use.
 */
// query-core, not react-query: this module is React-free (the unit tests run it under Node).
import { type QueryClient, type QueryKey, hashKey } from '@tanstack/query-core';
import type { CommandOutput, ConsoleEvent, JobDetail } from '../../shared/contract';
import type { ErrorRecord } from '../../shared/records';
import { ERRORS_PAGE_SIZE, type ErrorFilter } from '../screens/ops/state/errors-page';
import type { Schedule } from '../../shared/ops';
import { withHeartbeat } from './heartbeats';
import { type ErrorsPage, LATEST_ERRORS, withErrorsOnPage, withJobChange, withJobProgress, withNewErrors } from './updates';
import { onBatch, onReconnect } from '../state/bus';
import { queryKeys } from './keys';

type CrawlerPage = CommandOutput<'getCrawler'>;
type Schedules = CommandOutput<'listSchedules'>;
type JobsPage = CommandOutput<'listJobs'>;

/**
 * Errors that arrived while a list of them was being read, by the list's query hash. The answer on its way
 * may have been read before they were recorded, and an event is sent once: so they are put on that answer
 * when it lands, or they would be missing until the next refetch.
 */
type ArrivedDuringRead = Map<string, { key: QueryKey; errors: ErrorRecord[] }>;

function applyEvent(
  client: QueryClient,
  e: ConsoleEvent,
  stale: Set<string>,
  staleKeys: (readonly unknown[])[],
  soon: Set<readonly unknown[]>,
  arrived: ArrivedDuringRead,
): void {
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
      soon.add(queryKeys.connectedCrawlers);
      // What the console remembers of it (connected since, how it left) is read again; the live list has the news meanwhile.
      soon.add(queryKeys.crawlerRecordsAll);
      return;
    case 'aggregate':
      client.setQueryData(queryKeys.aggregate, e.aggregate);
      return;
    case 'progress':
      client.setQueryData<JobDetail>(queryKeys.job(e.progress.job_id), (d) => (d ? withJobProgress(d, e.progress) : d));
      return;
    case 'job_changed': {
      const job = e.job;
      // Counts by status and every crawler's held jobs moved: counted again, at most once a second.
      soon.add(queryKeys.jobCounts);
      soon.add(queryKeys.crawlerRecordsAll);
      // The job's page takes the job at once; its history, errors and children are fetched again (throttled).
      for (const [key, detail] of client.getQueriesData<JobDetail>({ queryKey: queryKeys.jobAll })) {
        if (key[1] === job.job_id) {
          client.setQueryData<JobDetail>(key, (d) => (d ? withJobChange(d, job) : d));
          soon.add(key);
        } else if (key[1] === job.parent_job_id || detail?.parent?.job_id === job.job_id) soon.add(key);
      }
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
      addError(client, e.error, arrived);
      if (e.error.job_id && client.getQueryData(queryKeys.job(e.error.job_id))) soon.add(queryKeys.job(e.error.job_id));
      if (e.error.crawler_id) mark(queryKeys.crawlerErrors(e.error.crawler_id));
      soon.add(queryKeys.errorGroupsAll);
      return;
    case 'jobs_discovered':
      // One event for a message's new jobs: they are queued and held by nobody, so the counts and the parent's page (its children) move.
      soon.add(queryKeys.jobCounts);
      for (const [key] of client.getQueriesData<JobDetail>({ queryKey: queryKeys.jobAll })) if (key[1] === e.parent_job_id) soon.add(key);
      return;
    case 'bulk_applied':
      // One event for a bulk action's many jobs (their job_changed are held back): every job, crawler and result query may show one of them.
      for (const [key] of client.getQueriesData({ queryKey: ['jobs'] })) mark(key);
      for (const [key] of client.getQueriesData({ queryKey: ['crawler'] })) mark(key);
      for (const [key] of client.getQueriesData({ queryKey: ['job-result'] })) mark(key);
      soon.add(queryKeys.connectedCrawlers);
      soon.add(queryKeys.jobCounts);
      soon.add(queryKeys.crawlerRecordsAll);
      soon.add(queryKeys.jobAll);
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

/** A new (or repeated) error, written into the Overview's latest errors and every cached page of the Errors screen it matches. */
function addError(client: QueryClient, error: ErrorRecord, arrived: ArrivedDuringRead): void {
  const noteIfReading = (key: QueryKey) => {
    if (client.getQueryState(key)?.fetchStatus !== 'fetching') return;
    const hash = hashKey(key);
    const entry = arrived.get(hash) ?? { key, errors: [] };
    // A page shows at most ERRORS_PAGE_SIZE of them: a flood during one read keeps no more.
    entry.errors = [...entry.errors, error].slice(-ERRORS_PAGE_SIZE);
    arrived.set(hash, entry);
  };
  noteIfReading(queryKeys.latestErrors);
  client.setQueryData<ErrorRecord[]>(queryKeys.latestErrors, (list) => (list ? withNewErrors(list, [error], LATEST_ERRORS).list : list));
  for (const [key, page] of client.getQueriesData<ErrorsPage>({ queryKey: queryKeys.errorsPageAll })) {
    // Older pages only count new errors (unseen), and their answer's total may include them already.
    if (key[3] === 0) noteIfReading(key);
    if (!page) continue;
    const filter = key[2] as ErrorFilter;
    const offset = key[3] as number;
    const next = withErrorsOnPage(page, filter, offset, [error], ERRORS_PAGE_SIZE);
    if (next !== page) client.setQueryData(key, next);
  }
}

const LATEST_ERRORS_HASH = hashKey(queryKeys.latestErrors);

const missingFrom = (list: readonly ErrorRecord[], errors: readonly ErrorRecord[]): ErrorRecord[] => {
  const have = new Set(list.map((e) => e.id));
  return errors.filter((e) => !have.has(e.id));
};

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
  const arrived: ArrivedDuringRead = new Map();
  // An answer that lands after errors arrived gets those it does not have (those it has are as new or newer).
  const offCache = client.getQueryCache().subscribe((event) => {
    // A list dropped from the cache (another filter, long unused) keeps nothing here either.
    if (event.type === 'removed') arrived.delete(event.query.queryHash);
    if (event.type !== 'updated') return;
    const entry = arrived.get(event.query.queryHash);
    if (!entry) return;
    if (event.action.type === 'error') arrived.delete(event.query.queryHash);
    if (event.action.type !== 'success' || event.action.manual) return;
    arrived.delete(event.query.queryHash);
    if (event.query.queryHash === LATEST_ERRORS_HASH) {
      client.setQueryData<ErrorRecord[]>(entry.key, (list) => (list ? withNewErrors(list, missingFrom(list, entry.errors), LATEST_ERRORS).list : list));
    } else {
      client.setQueryData<ErrorsPage>(entry.key, (page) =>
        page ? withErrorsOnPage(page, entry.key[2] as ErrorFilter, 0, missingFrom(page.errors, entry.errors), ERRORS_PAGE_SIZE) : page,
      );
    }
  });
  const offBatch = onBatch((batch) => {
    const stale = new Set<string>();
    const staleKeys: (readonly unknown[])[] = [];
    const soon = new Set<readonly unknown[]>();
    for (const e of batch.events) applyEvent(client, e, stale, staleKeys, soon, arrived);
    // One refetch per query per batch, however many of its events the batch held.
    for (const queryKey of staleKeys) void client.invalidateQueries({ queryKey, exact: true });
    for (const queryKey of soon) throttled(queryKey);
  });
  const offReconnect = onReconnect(() => void client.invalidateQueries());
  return () => {
    offCache();
    offBatch();
    offReconnect();
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  };
}
