/**
 * Events written into cached answers (pure: no cache, no DOM), one function per
 * kind of answer. live.ts calls them through setQueryData; tests call them directly.
 */
import type { CommandOutput, JobDetail } from '../../shared/contract';
import { type JobDto, isFinalJobStatus } from '../../shared/jobs';
import type { JobProgress } from '../../shared/progress';
import type { ErrorRecord } from '../../shared/records';
import type { ErrorFilter } from '../screens/ops/state/errors-page';

/** How many errors the Overview lists. */
export const LATEST_ERRORS = 10;

/** A page of the Errors screen, with the matching errors that arrived while it was not the newest page (their ids: a repeat is not new). */
export type ErrorsPage = CommandOutput<'listErrors'> & { unseen?: readonly number[] };

export const matchesFilter = (e: ErrorRecord, f: ErrorFilter): boolean =>
  (!f.category || e.category === f.category) &&
  (!f.severity || e.severity === f.severity) &&
  (!f.crawler_id || e.crawler_id === f.crawler_id) &&
  (!f.job_id || e.job_id === f.job_id);

/**
 * New errors (in the order they happened) on a list shown newest first: an
 * aggregated error that happened again comes back with its id and a higher
 * count and is updated in place; the others go on top, the list keeps `limit`.
 */
export function withNewErrors(list: readonly ErrorRecord[], fresh: readonly ErrorRecord[], limit: number): { list: ErrorRecord[]; added: number } {
  const latest = new Map<number, ErrorRecord>();
  for (const e of fresh) latest.set(e.id, e);
  const known = new Set(list.map((r) => r.id));
  const updated = list.map((r) => latest.get(r.id) ?? r);
  const added = [...latest.values()].filter((e) => !known.has(e.id)).reverse();
  return { list: [...added, ...updated].slice(0, limit), added: added.length };
}

/**
 * New errors on one cached page of the Errors screen (its filter and offset are
 * in its query key): the newest page takes the matching ones on top; an older
 * page updates the rows it shows and counts the others as unseen.
 */
export function withErrorsOnPage(page: ErrorsPage, filter: ErrorFilter, offset: number, fresh: readonly ErrorRecord[], pageSize: number): ErrorsPage {
  const matching = fresh.filter((e) => matchesFilter(e, filter));
  if (matching.length === 0) return page;
  if (offset === 0) {
    const { list, added } = withNewErrors(page.errors, matching, pageSize);
    return { ...page, errors: list, total: page.total + added };
  }
  // An older page keeps its rows where they are; only repeats of its own rows change in place.
  const latest = new Map(matching.map((e) => [e.id, e]));
  const known = new Set([...page.errors.map((r) => r.id), ...(page.unseen ?? [])]);
  const added = [...latest.keys()].filter((id) => !known.has(id));
  return { ...page, errors: page.errors.map((r) => latest.get(r.id) ?? r), total: page.total + added.length, unseen: [...(page.unseen ?? []), ...added] };
}

/** The job's own change: the newer job wins (an event may overtake a snapshot and vice versa). */
export function withJobChange(detail: JobDetail, job: JobDto): JobDetail {
  if (detail.job.job_id !== job.job_id || job.updated_at < detail.job.updated_at) return detail;
  // Back to the queue (retry, requeue): the last attempt's live figures no longer apply.
  const restarted = job.status === 'queued' || job.status === 'assigned';
  return { ...detail, job, live: restarted ? null : detail.live };
}

/** A progress event of the job: its live bars. A finished job keeps none (progress emitted before it finished is history). */
export function withJobProgress(detail: JobDetail, progress: JobProgress): JobDetail {
  if (detail.job.job_id !== progress.job_id || isFinalJobStatus(detail.job.status)) return detail;
  if (detail.live && detail.live.updated_at > progress.updated_at) return detail;
  return { ...detail, live: progress };
}

/**
 * A fresh getJob answer over what the cache holds: the snapshot was taken
 * before events the cache may already have, so the newer job and the newer
 * live figures win.
 */
export function mergeJobDetail(cached: JobDetail | undefined, fresh: JobDetail): JobDetail {
  if (!cached || cached.job.job_id !== fresh.job.job_id) return fresh;
  const job = cached.job.updated_at > fresh.job.updated_at ? cached.job : fresh.job;
  const keepLive = !isFinalJobStatus(job.status) && cached.live !== null && (!fresh.live || cached.live.updated_at > fresh.live.updated_at);
  return { ...fresh, job, live: keepLive ? cached.live : fresh.live };
}
