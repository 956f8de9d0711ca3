/**
 * Operator power in the renderer: the dispatch state (paused, quiet crawlers)
 * and the schedules, as TanStack Query entries. Loaded by the first screen
 * that reads them, kept current by the dispatch_changed / schedule_* events
 * (query/live.ts writes them into the cache), refetched after a reconnect.
 */
import { useQuery } from '@tanstack/react-query';
import type { DispatchState, Schedule } from '../../../../shared/ops';
import { api } from '../../../state/bus';
import { queryClient } from '../../../query/client';
import { queryKeys } from '../../../query/keys';
import { upsert } from '../../../query/live';

export function useDispatchState(): DispatchState | null {
  return useQuery({ queryKey: queryKeys.dispatch, queryFn: () => api().getDispatchState({}) }).data ?? null;
}

/** A command's answer is the new state: shown at once, without waiting for its event. */
export const setDispatch = (dispatch: DispatchState): void => void queryClient.setQueryData(queryKeys.dispatch, dispatch);

export function useSchedules(): { schedules: readonly Schedule[]; loaded: boolean; error: string | null } {
  const q = useQuery({ queryKey: queryKeys.schedules, queryFn: () => api().listSchedules({}) });
  return { schedules: q.data?.schedules ?? [], loaded: q.isSuccess, error: q.error ? q.error.message : null };
}

export const putSchedule = (schedule: Schedule): void =>
  void queryClient.setQueryData<{ schedules: Schedule[] }>(queryKeys.schedules, (old) => ({ schedules: upsert(old?.schedules ?? [], schedule) }));

export const useIsQuiet = (crawlerId: string): boolean => useDispatchState()?.quiet.some((q) => q.crawler_id === crawlerId) ?? false;
