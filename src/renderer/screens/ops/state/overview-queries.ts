/**
 * What the Overview shows besides crawlers, through the query cache: jobs by
 * status, progress of running jobs and the latest errors. `aggregate` and
 * `error` events carry what they change and are written in place; a job's
 * change only says the counts moved, so they are counted again (throttled, in
 * live.ts).
 */
import { useQuery } from '@tanstack/react-query';
import { JOB_STATUSES, type JobStatus } from '../../../../shared/jobs';
import { api } from '../../../state/bus';
import { queryKeys } from '../../../query/keys';
import { LATEST_ERRORS } from '../../../query/updates';

export type JobCounts = Readonly<Record<JobStatus, number>>;


async function countJobs(): Promise<JobCounts> {
  const totals = await Promise.all(JOB_STATUSES.map((status) => api().listJobs({ status: [status], limit: 1 }).then((r) => r.total)));
  return Object.fromEntries(JOB_STATUSES.map((s, i) => [s, totals[i] ?? 0])) as Record<JobStatus, number>;
}

export const useJobCounts = () => useQuery({ queryKey: queryKeys.jobCounts, queryFn: countJobs });

export const useAggregate = () => useQuery({ queryKey: queryKeys.aggregate, queryFn: () => api().getAggregateProgress({}) });

export const useLatestErrors = () => useQuery({ queryKey: queryKeys.latestErrors, queryFn: () => api().listErrors({ limit: LATEST_ERRORS }).then((r) => r.errors) });
