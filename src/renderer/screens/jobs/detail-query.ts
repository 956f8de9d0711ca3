/**
 * A job's page through the query cache: one getJob answer, kept current by
 * events in query/live.ts (the job's own job_changed and progress are written
 * in place; history, errors and children are fetched again, throttled, when the
 * job, a child, its parent or an error of it changes). The table's row is shown
 * at once while the rest loads. Actions on the job are a mutation.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { ApiError, type JobDetail } from '../../../shared/contract';
import type { JobDto } from '../../../shared/jobs';
import { api } from '../../state/bus';
import { queryClient } from '../../query/client';
import { queryKeys } from '../../query/keys';
import { mergeJobDetail } from '../../query/updates';
import { type BulkAction, runBulk } from './bulk';

const placeholderOf = (job: JobDto): JobDetail => ({ job, progress: [], live: null, events: [], errors: [], children: [], children_total: 0, parent: null });

/** An error as the page shows it: a code (not_found reads differently) and a message. */
export function describeError(error: unknown): { code: string; message: string } {
  return error instanceof ApiError ? { code: error.code, message: error.message } : { code: 'internal', message: (error as Error).message };
}

/** One job's page. `known` (the table's row) is shown while the rest loads (`partial`). */
export function useJobDetail(jobId: string, known: JobDto | undefined) {
  const key = queryKeys.job(jobId);
  const q = useQuery({
    queryKey: key,
    // Events may already be in the cache, newer than this answer (it was made before they were sent).
    queryFn: async () => mergeJobDetail(queryClient.getQueryData<JobDetail>(key), await api().getJob({ job_id: jobId })),
    enabled: jobId !== '',
    placeholderData: known && known.job_id === jobId ? placeholderOf(known) : undefined,
    // A job that is not there will not appear on a second try.
    retry: (failures, error) => failures < 1 && !(error instanceof ApiError && error.code === 'not_found'),
  });
  return { detail: q.data ?? null, partial: q.isPlaceholderData, error: q.error ? describeError(q.error) : null };
}

/** Cancel, retry or change the priority of the job shown; its result stays until dismissed (reset). */
export function useJobAction(jobId: string) {
  return useMutation({
    mutationFn: (action: BulkAction) => runBulk(action, [jobId]),
    onSuccess: (result) => {
      const job = result.outcomes[0]?.job;
      if (job) queryClient.setQueryData<JobDetail>(queryKeys.job(jobId), (d) => (d && d.job.updated_at <= job.updated_at ? { ...d, job } : d));
      void queryClient.invalidateQueries({ queryKey: queryKeys.job(jobId) });
    },
  });
}
