/**
 * The contract's operator-power commands (issue 15): schedules, pause and
 * quiet, history, error groups. Inputs arrive validated by the contract.
 */
import type { ConsoleCommandHandlers, ConsoleEvent } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import type { Schedule } from '../../shared/ops';
import type { Store } from '../store';
import { listErrorGroups } from '../store/error-groups';
import type { ScheduleFields, SchedulesRepo } from '../store/schedules-repo';
import type { DispatchControl } from '../jobs/dispatch-control';
import type { JobService } from '../jobs/job-service';
import { nextRunAfter, type Scheduler } from '../jobs/scheduler';
import type { MetricsCollector } from './metrics';

export interface OpsDeps {
  store: Store;
  jobs: Pick<JobService, 'dispatch' | 'flush'>;
  schedules: SchedulesRepo;
  scheduler: Scheduler;
  dispatch: DispatchControl;
  metrics: MetricsCollector;
  flushErrors: () => void;
  emit: (event: ConsoleEvent) => void;
  now: () => number;
}

export type OpsCommandName =
  | 'listSchedules'
  | 'createSchedule'
  | 'updateSchedule'
  | 'setSchedulePaused'
  | 'runScheduleNow'
  | 'deleteSchedule'
  | 'getJobSchedule'
  | 'getDispatchState'
  | 'pauseDispatch'
  | 'resumeDispatch'
  | 'quietCrawler'
  | 'resumeCrawler'
  | 'getMetricsHistory'
  | 'listErrorGroups';

const fieldsOf = (s: Schedule): ScheduleFields => ({
  name: s.name,
  job_type: s.job_type,
  gitlab_host: s.gitlab_host,
  credential_id: s.credential_id,
  entity_id: s.entity_id,
  namespace_path: s.namespace_path,
  priority: s.priority,
  cron: s.cron,
  interval_ms: s.interval_ms,
  timezone: s.timezone,
  paused: s.paused,
  next_run_at: s.next_run_at,
});

export function createOpsCommandHandlers(d: OpsDeps): Pick<ConsoleCommandHandlers, OpsCommandName> {
  const { store, schedules, dispatch } = d;
  const changed = (schedule: Schedule): Schedule => {
    d.emit({ type: 'schedule_changed', schedule });
    return schedule;
  };
  const requireSchedule = (id: string): Schedule => {
    const s = schedules.get(id);
    if (!s) throw new ApiError('not_found', `there is no schedule ${id}`);
    return s;
  };
  const requireCredential = (id: string | null) => {
    if (id !== null && !store.credentials.getCredential(id)) throw new ApiError('not_found', `there is no saved credential ${id}`);
  };
  const dispatchChanged = (didChange: boolean) => {
    const state = dispatch.snapshot();
    if (didChange) d.emit({ type: 'dispatch_changed', dispatch: state });
    return state;
  };

  return {
    async listSchedules() {
      return { schedules: schedules.list() };
    },

    async createSchedule(input) {
      requireCredential(input.credential_id);
      const next = nextRunAfter(input, d.now());
      return { schedule: changed(schedules.insert({ ...input, next_run_at: input.paused ? null : next })) };
    },

    async updateSchedule({ id, ...patch }) {
      const current = requireSchedule(id);
      const fields: ScheduleFields = { ...fieldsOf(current) };
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) (fields as unknown as Record<string, unknown>)[k] = v;
      if (patch.cron !== undefined || patch.interval_ms !== undefined) {
        fields.cron = patch.cron ?? null;
        fields.interval_ms = patch.interval_ms ?? null;
      }
      if (fields.job_type !== 'discover_namespaces' && !fields.entity_id && !fields.namespace_path) {
        throw new ApiError('invalid_input', 'an entity id or a namespace path is required for this job type', [{ path: 'entity_id', message: 'required for this job type' }]);
      }
      requireCredential(fields.credential_id);
      const timingChanged = fields.cron !== current.cron || fields.interval_ms !== current.interval_ms || fields.timezone !== current.timezone;
      // Validated even when unchanged: a new time zone can make an old expression fail.
      const next = nextRunAfter(fields, d.now());
      if (timingChanged && !fields.paused) fields.next_run_at = next;
      return { schedule: changed(schedules.update(id, fields)) };
    },

    async setSchedulePaused({ id, paused }) {
      const current = requireSchedule(id);
      if (current.paused === paused) return { schedule: current };
      // Resumed schedules fire at their next time from now, not for the runs they missed.
      const fields = { ...fieldsOf(current), paused, next_run_at: paused ? null : nextRunAfter(current, d.now()) };
      return { schedule: changed(schedules.update(id, fields)) };
    },

    async runScheduleNow({ id }) {
      return d.scheduler.runNow(id);
    },

    async deleteSchedule({ id }) {
      if (!schedules.delete(id)) throw new ApiError('not_found', `there is no schedule ${id}`);
      d.emit({ type: 'schedule_deleted', schedule_id: id });
      return { deleted: true as const };
    },

    async getJobSchedule({ job_id }) {
      return { schedule: schedules.forJob(job_id) };
    },

    async getDispatchState() {
      return dispatch.snapshot();
    },

    async pauseDispatch({ reason }) {
      return dispatchChanged(dispatch.pause(reason ?? null));
    },

    async resumeDispatch() {
      const didChange = dispatch.resume();
      void d.jobs.dispatch();
      return dispatchChanged(didChange);
    },

    async quietCrawler({ crawler_id }) {
      return dispatchChanged(dispatch.setQuiet(crawler_id, true));
    },

    async resumeCrawler({ crawler_id }) {
      const didChange = dispatch.setQuiet(crawler_id, false);
      void d.jobs.dispatch();
      return dispatchChanged(didChange);
    },

    async getMetricsHistory({ range }) {
      return d.metrics.history(range);
    },

    async listErrorGroups(query) {
      d.flushErrors();
      return listErrorGroups(store.db, query);
    },
  };
}
