/**
 * The job detail's store: one getJob snapshot, kept current by events. The
 * job's own job_changed replaces it at once; progress events feed the live bars
 * (rate, remaining time); history, errors and children are fetched again
 * (at most once a second) when the job, one of its children, or an error of it changes.
 */
import { create } from 'zustand';
import { ApiError, type EventBatch, type JobDetail } from '../../../shared/contract';
import { type JobDto, isFinalJobStatus } from '../../../shared/jobs';
import type { JobProgress } from '../../../shared/progress';
import { api, onBatch, onReconnect } from '../../state/bus';
import { type BulkAction, type BulkResult, runBulk } from './bulk';

export interface JobDetailState {
  jobId: string | null;
  detail: JobDetail | null;
  /** True while `detail` holds only the job as the table knew it (history, errors and children still loading). */
  partial: boolean;
  /** Live progress from events (or the snapshot's), while the job runs. */
  live: JobProgress | null;
  loading: boolean;
  error: { code: string; message: string } | null;
  busy: BulkAction['kind'] | null;
  lastResult: BulkResult | null;
}

export const useJobDetail = create<JobDetailState>()(() => ({
  jobId: null,
  detail: null,
  partial: false,
  live: null,
  loading: false,
  error: null,
  busy: null,
  lastResult: null,
}));

const set = useJobDetail.setState;
const get = useJobDetail.getState;

const RELOAD_MIN_MS = 1_000;
let reloadTimer: ReturnType<typeof setTimeout> | null = null;
let lastLoadAt = 0;
let request = 0;

async function load(jobId: string): Promise<void> {
  const mine = ++request;
  lastLoadAt = Date.now();
  set({ loading: true });
  try {
    const detail = await api().getJob({ job_id: jobId });
    if (mine !== request || get().jobId !== jobId) return;
    const cur = get();
    // An event may be newer than the snapshot (it was taken before the event was sent).
    const job = cur.detail && cur.detail.job.job_id === jobId && cur.detail.job.updated_at > detail.job.updated_at ? cur.detail.job : detail.job;
    const mineLive = cur.live && cur.live.job_id === jobId ? cur.live : null;
    const live = mineLive && (!detail.live || mineLive.updated_at > detail.live.updated_at) ? mineLive : detail.live;
    set({ detail: { ...detail, job }, partial: false, live, loading: false, error: null });
  } catch (error) {
    if (mine !== request) return;
    const e = error instanceof ApiError ? { code: error.code, message: error.message } : { code: 'internal', message: (error as Error).message };
    set({ loading: false, error: e });
  }
}

function reloadSoon(): void {
  const jobId = get().jobId;
  if (!jobId || reloadTimer !== null) return;
  reloadTimer = setTimeout(
    () => {
      reloadTimer = null;
      if (get().jobId === jobId) void load(jobId);
    },
    Math.max(0, lastLoadAt + RELOAD_MIN_MS - Date.now()),
  );
}

function applyBatch(batch: EventBatch): void {
  const { jobId, detail } = get();
  if (!jobId) return;
  let reload = false;
  for (const e of batch.events) {
    if (e.type === 'job_changed') {
      if (e.job.job_id === jobId) {
        const cur = get().detail;
        if (cur && cur.job.job_id === jobId && e.job.updated_at >= cur.job.updated_at) {
          // Back to the queue (retry, requeue): the last attempt's live figures no longer apply.
          const restarted = e.job.status === 'queued' || e.job.status === 'assigned';
          set({ detail: { ...cur, job: e.job }, ...(restarted && { live: null }) });
        }
        reload = true;
      } else if (e.job.parent_job_id === jobId || (detail?.parent && e.job.job_id === detail.parent.job_id)) {
        reload = true;
      }
    } else if (e.type === 'bulk_applied') {
      // Many jobs changed at once, with one event: this one may be among them.
      reload = true;
    } else if (e.type === 'progress' && e.progress.job_id === jobId) {
      // A finished job keeps no live entry (progress emitted before it finished is history).
      const cur = get().detail;
      if (!cur || !isFinalJobStatus(cur.job.status)) set({ live: e.progress });
    } else if (e.type === 'error' && e.error.job_id === jobId) {
      reload = true;
    }
  }
  if (reload) reloadSoon();
}

/**
 * Shows a job: loads it and follows its events until the returned function is
 * called. `known` (the table's row) is shown at once while the rest loads.
 */
export function openJob(jobId: string, known?: JobDto): () => void {
  if (get().jobId !== jobId) {
    const placeholder: JobDetail | null = known ? { job: known, progress: [], live: null, events: [], errors: [], children: [], children_total: 0, parent: null } : null;
    set({ jobId, detail: placeholder, partial: placeholder !== null, live: null, error: null, lastResult: null });
  }
  void load(jobId);
  const offBatch = onBatch(applyBatch);
  const offReconnect = onReconnect(() => void load(jobId));
  return () => {
    offBatch();
    offReconnect();
    if (reloadTimer !== null) clearTimeout(reloadTimer);
    reloadTimer = null;
  };
}

export async function performOnJob(action: BulkAction): Promise<void> {
  const jobId = get().jobId;
  if (!jobId) return;
  set({ busy: action.kind, lastResult: null });
  try {
    const result = await runBulk(action, [jobId]);
    const job = result.outcomes[0]?.job;
    const cur = get().detail;
    if (job && cur && cur.job.job_id === job.job_id) set({ detail: { ...cur, job } });
    set({ lastResult: result });
    void load(jobId);
  } finally {
    set({ busy: null });
  }
}

export function dismissDetailResult(): void {
  set({ lastResult: null });
}
