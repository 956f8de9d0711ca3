/**
 * Operator power in the renderer: the dispatch state (paused, quiet crawlers)
 * and the schedules, loaded when the stream (re)opens and kept current by the
 * dispatch_changed / schedule_* events (no polling).
 */
import { create } from 'zustand';
import type { DispatchState, Schedule } from '../../../../shared/ops';
import { api, onBatch, onReconnect } from '../../../state/bus';

interface PowerState {
  dispatch: DispatchState | null;
  schedules: Record<string, Schedule>;
  schedulesLoaded: boolean;
  error: string | null;
}

export const usePower = create<PowerState>()(() => ({ dispatch: null, schedules: {}, schedulesLoaded: false, error: null }));

export async function reloadPower(): Promise<void> {
  try {
    const [dispatch, { schedules }] = await Promise.all([api().getDispatchState({}), api().listSchedules({})]);
    usePower.setState({ dispatch, schedules: Object.fromEntries(schedules.map((s) => [s.id, s])), schedulesLoaded: true, error: null });
  } catch (e) {
    usePower.setState({ error: e instanceof Error ? e.message : String(e) });
  }
}

export const setDispatch = (dispatch: DispatchState): void => usePower.setState({ dispatch });
export const putSchedule = (schedule: Schedule): void => usePower.setState((s) => ({ schedules: { ...s.schedules, [schedule.id]: schedule } }));

let started = false;
export function startPowerLive(): void {
  if (started) return;
  started = true;
  onReconnect(() => void reloadPower());
  onBatch((batch) => {
    for (const e of batch.events) {
      if (e.type === 'dispatch_changed') setDispatch(e.dispatch);
      else if (e.type === 'schedule_changed') putSchedule(e.schedule);
      else if (e.type === 'schedule_deleted') {
        usePower.setState((s) => {
          const { [e.schedule_id]: _gone, ...rest } = s.schedules;
          return { schedules: rest };
        });
      }
    }
  });
}

export const useIsQuiet = (crawlerId: string): boolean => usePower((s) => s.dispatch?.quiet.some((q) => q.crawler_id === crawlerId) ?? false);
