/**
 * What the Overview shows besides crawlers: aggregate progress, jobs by state
 * and the latest errors. Loaded once per (re)connection, then kept current
 * from events.
 *
 * Job counts: a job_changed event carries the job's new status only, so the
 * store remembers the status of every job it has seen in an event (job_id →
 * status) and moves one count from the old status to the new. A job it has not
 * seen either is new since the counts were loaded (created_at tells) and is
 * added, or existed before with an unknown status: then the counts are queried
 * again, at most once a second.
 */
import { create } from 'zustand';
import type { ConsoleEvent } from '../../../../shared/contract';
import { JOB_STATUSES, type JobStatus } from '../../../../shared/jobs';
import type { AggregateProgress } from '../../../../shared/progress';
import type { ErrorRecord } from '../../../../shared/records';
import { api } from '../../../state/bus';
import { messageOf } from '../format';

export type JobCounts = Readonly<Record<JobStatus, number>>;

const LATEST_ERRORS = 10;
const RECOUNT_MIN_MS = 1_000;
/** Past this many remembered jobs the map is dropped and the counts re-queried: memory stays bounded. */
const MAX_REMEMBERED_JOBS = 50_000;

interface OverviewStore {
  aggregate: AggregateProgress | null;
  aggregateLoaded: boolean;
  counts: JobCounts | null;
  latestErrors: readonly ErrorRecord[];
  errorsLoaded: boolean;
  error: string | null;
}

export const useOverview = create<OverviewStore>()(() => ({
  aggregate: null,
  aggregateLoaded: false,
  counts: null,
  latestErrors: [],
  errorsLoaded: false,
  error: null,
}));

const zeroCounts = (): Record<JobStatus, number> => Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;

let known = new Map<string, JobStatus>();
let countsAsOf = 0;
let counting = false;
let recountAgain = false;
let recountTimer: ReturnType<typeof setTimeout> | null = null;
let lastCount = 0;

async function loadCounts(): Promise<void> {
  if (counting) {
    recountAgain = true;
    return;
  }
  counting = true;
  recountAgain = false;
  lastCount = Date.now();
  try {
    const totals = await Promise.all(JOB_STATUSES.map((status) => api().listJobs({ status: [status], limit: 1 }).then((r) => r.total)));
    const counts = zeroCounts();
    JOB_STATUSES.forEach((s, i) => (counts[s] = totals[i] ?? 0));
    known = new Map();
    // Jobs created before the answer may or may not be in it: their events trigger a recount, never a double count.
    countsAsOf = Date.now();
    useOverview.setState({ counts });
  } catch (error) {
    useOverview.setState({ error: messageOf(error) });
  } finally {
    counting = false;
    // Events that arrived while counting may or may not be in the totals: count once more.
    if (recountAgain) scheduleRecount();
  }
}

function scheduleRecount(): void {
  if (counting) {
    recountAgain = true;
    return;
  }
  if (recountTimer !== null) return;
  const wait = Math.max(0, lastCount + RECOUNT_MIN_MS - Date.now());
  recountTimer = setTimeout(() => {
    recountTimer = null;
    void loadCounts();
  }, wait);
}

export function reloadOverview(): void {
  void loadCounts();
  api()
    .getAggregateProgress({})
    .then((aggregate) => useOverview.setState({ aggregate, aggregateLoaded: true }))
    .catch((error: unknown) => useOverview.setState({ error: messageOf(error) }));
  api()
    .listErrors({ limit: LATEST_ERRORS })
    .then(({ errors }) => useOverview.setState({ latestErrors: errors, errorsLoaded: true, error: null }))
    .catch((error: unknown) => useOverview.setState({ error: messageOf(error) }));
}

export function applyOverviewEvents(events: readonly ConsoleEvent[]): void {
  let aggregate: AggregateProgress | null | undefined;
  let newErrors: ErrorRecord[] | null = null;
  let counts: Record<JobStatus, number> | null = null;
  const base = useOverview.getState().counts;
  for (const e of events) {
    if (e.type === 'aggregate') aggregate = e.aggregate;
    else if (e.type === 'error') (newErrors ??= []).push(e.error);
    // Many jobs changed at once (one event instead of one per job): count again.
    else if (e.type === 'bulk_applied') scheduleRecount();
    else if (e.type === 'job_changed') {
      if (!base) continue;
      if (counting) {
        recountAgain = true;
        continue;
      }
      const job = e.job;
      const before = known.get(job.job_id);
      if (before === job.status) continue;
      if (before === undefined && job.created_at < countsAsOf) {
        // Counted before under a status this page never saw: ask again (throttled).
        scheduleRecount();
        continue;
      }
      counts ??= { ...base };
      if (before !== undefined) counts[before] = Math.max(0, counts[before] - 1);
      counts[job.status] += 1;
      known.set(job.job_id, job.status);
      if (known.size > MAX_REMEMBERED_JOBS) scheduleRecount();
    }
  }
  const patch: Partial<OverviewStore> = {};
  if (aggregate !== undefined) {
    patch.aggregate = aggregate;
    patch.aggregateLoaded = true;
  }
  if (newErrors) patch.latestErrors = [...newErrors.reverse(), ...useOverview.getState().latestErrors].slice(0, LATEST_ERRORS);
  if (counts) patch.counts = counts;
  if (Object.keys(patch).length > 0) useOverview.setState(patch);
}
