/**
 * Query keys, one place: the event bridge (live.ts) and the screens must name
 * the same entry. Arrays from general to specific, so a prefix invalidates a family.
 */
export const queryKeys = {
  crawler: (id: string) => ['crawler', id] as const,
  crawlers: ['crawlers'] as const,
  /** Jobs of one crawler (its page's "current and recent jobs"). */
  crawlerJobs: (id: string) => ['jobs', 'crawler', id] as const,
  /** Errors of one crawler (its page). */
  crawlerErrors: (id: string) => ['errors', 'crawler', id] as const,
  jobResult: (id: string) => ['job-result', id] as const,
  /** Error groups for one grouping, search and time range. */
  errorGroups: (by: string, q: string, range: string) => ['error-groups', by, q, range] as const,
  errorGroupsAll: ['error-groups'] as const,
  credentials: ['credentials'] as const,
  /** Connected crawlers with their free capacity (the Assign form's choice). */
  connectedCrawlers: ['crawlers', 'connected'] as const,
  /** The throughput chart's stored history for one range. */
  history: (range: string) => ['history', range] as const,
  dispatch: ['dispatch'] as const,
  schedules: ['schedules'] as const,
  jobSchedule: (jobId: string) => ['job-schedule', jobId] as const,
};
