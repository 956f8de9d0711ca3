/**
 * Query keys, one place: the event bridge (live.ts) and the screens must name
 * the same entry. Arrays from general to specific, so a prefix invalidates a family.
 */
export const queryKeys = {
  /** The console's status and connected crawlers (state/store.ts writes them into the live store). */
  consoleSnapshot: ['console', 'snapshot'] as const,
  crawler: (id: string) => ['crawler', id] as const,
  /** Every crawler the console remembers (listCrawlers with the disconnected ones), for one anonymous-crawler retention. */
  crawlerRecords: (anonymousRetentionMs: number) => ['crawlers', 'records', anonymousRetentionMs] as const,
  crawlerRecordsAll: ['crawlers', 'records'] as const,
  /** One job's page (getJob). */
  job: (id: string) => ['job', id] as const,
  jobAll: ['job'] as const,
  /** The Overview's jobs by status. */
  jobCounts: ['job-counts'] as const,
  /** The Overview's progress of running jobs (getAggregateProgress). */
  aggregate: ['aggregate'] as const,
  /** The Overview's latest errors. */
  latestErrors: ['errors', 'latest'] as const,
  /** One page of the Errors screen: its filter (cleaned) and offset. */
  errorsPage: (filter: object, offset: number) => ['errors', 'list', filter, offset] as const,
  errorsPageAll: ['errors', 'list'] as const,
  /** Jobs of one crawler (its page's "current and recent jobs"). */
  crawlerJobs: (id: string) => ['jobs', 'crawler', id] as const,
  /** Errors of one crawler (its page). */
  crawlerErrors: (id: string) => ['errors', 'crawler', id] as const,
  jobResult: (id: string) => ['job-result', id] as const,
  /** Error groups for one grouping, search and time range. */
  errorGroups: (by: string, q: string, range: string) => ['error-groups', by, q, range] as const,
  errorGroupsAll: ['error-groups'] as const,
  credentials: ['credentials'] as const,
  /** The running configuration (the Settings screen). */
  config: ['config'] as const,
  /** Connected crawlers with their free capacity (the Assign form's choice). */
  connectedCrawlers: ['crawlers', 'connected'] as const,
  /** The throughput chart's stored history for one range. */
  history: (range: string) => ['history', range] as const,
  dispatch: ['dispatch'] as const,
  schedules: ['schedules'] as const,
  jobSchedule: (jobId: string) => ['job-schedule', jobId] as const,
};
