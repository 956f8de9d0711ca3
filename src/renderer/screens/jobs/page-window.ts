/**
 * The paging rules of the jobs table, as pure functions: which pages a visible
 * window needs, which cached pages to forget, and whether a job seen in an
 * event can belong to the current filter. No DOM, no store: unit-tested.
 */
import type { JobDto, JobSortField, JobStatus, ListJobsQuery } from '../../../shared/jobs';

/** Rows per listJobs call (the contract allows up to 1000; 200 keeps each answer small and quick). */
export const PAGE_SIZE = 200;
/** Pages kept in memory (4,000 rows): scrolling back is instant, memory stays flat at 100,000 jobs. */
export const MAX_CACHED_PAGES = 20;

export interface JobFilters {
  status: JobStatus[];
  /** '' = any type. */
  job_type: string;
  /** '' = any crawler. */
  crawler: string;
  /** Substring of the job id, entity id, namespace path or entity name. */
  text: string;
  /** '' = any parent (the detail page links "all children" here). */
  parent_job_id: string;
}

export interface JobSort {
  field: JobSortField;
  dir: 'asc' | 'desc';
}

export const EMPTY_FILTERS: JobFilters = { status: [], job_type: '', crawler: '', text: '', parent_job_id: '' };
export const DEFAULT_SORT: JobSort = { field: 'created_at', dir: 'desc' };

/** The listJobs / exportJobs filter for the table's state (empty fields are left out: no filter). */
export function toQuery(filters: JobFilters, sort: JobSort): Omit<ListJobsQuery, 'limit' | 'offset'> {
  const text = filters.text.trim();
  return {
    ...(filters.status.length > 0 && { status: [...filters.status] }),
    ...(filters.job_type && { job_type: [filters.job_type] }),
    ...(filters.crawler && { crawler: filters.crawler }),
    ...(filters.parent_job_id && { parent_job_id: filters.parent_job_id }),
    ...(text && { text }),
    sort: sort.field,
    dir: sort.dir,
  };
}

/**
 * The pages that hold rows [start, end] (inclusive), widened by `margin` rows
 * on both sides so the next page is there before it scrolls into view.
 */
export function pagesForRange(start: number, end: number, total: number, margin = 40, pageSize = PAGE_SIZE): number[] {
  if (total <= 0 || end < start) return [];
  const first = Math.max(0, Math.floor((start - margin) / pageSize));
  const last = Math.min(Math.floor((total - 1) / pageSize), Math.floor((end + margin) / pageSize));
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  return out;
}

/**
 * Pages to forget so that at most `max` stay: the least recently used first,
 * never one of `keep` (the pages on screen).
 */
export function pagesToEvict(usedAt: ReadonlyMap<number, number>, keep: ReadonlySet<number>, max = MAX_CACHED_PAGES): number[] {
  const excess = usedAt.size - max;
  if (excess <= 0) return [];
  return [...usedAt.entries()]
    .filter(([p]) => !keep.has(p))
    .sort((a, b) => a[1] - b[1])
    .slice(0, excess)
    .map(([p]) => p);
}

/**
 * Whether a job can be in the filtered list (as the store filters: a
 * case-insensitive substring for text, the lease holder for crawler).
 */
export function matchesFilters(job: JobDto, f: JobFilters): boolean {
  if (f.status.length > 0 && !f.status.includes(job.status)) return false;
  if (f.job_type && job.job_type !== f.job_type) return false;
  if (f.crawler && job.crawler_id !== f.crawler) return false;
  if (f.parent_job_id && job.parent_job_id !== f.parent_job_id) return false;
  const text = f.text.trim().toLowerCase();
  if (text) {
    const fields = [job.job_id, job.entity_id, job.namespace_path, job.entity_name];
    if (!fields.some((v) => v !== null && v.toLowerCase().includes(text))) return false;
  }
  return true;
}

/** Filters from the Jobs address (`#/jobs?status=failed,cancelled&q=acme&crawler=…`); `text` is read as `q`'s older name. */
export function filtersFromParams(params: Readonly<Record<string, string>>, statuses: readonly JobStatus[]): JobFilters {
  const status = (params.status ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is JobStatus => (statuses as readonly string[]).includes(s));
  return {
    status,
    job_type: params.job_type ?? '',
    crawler: params.crawler ?? '',
    text: params.q ?? params.text ?? '',
    parent_job_id: params.parent_job_id ?? '',
  };
}

/** The address parameters of filters: the inverse of filtersFromParams (empty filters are left out). */
export function filtersToParams(f: JobFilters): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ status: f.status.join(','), q: f.text, job_type: f.job_type, crawler: f.crawler, parent_job_id: f.parent_job_id }).filter(([, v]) => v !== ''),
  );
}

/** A sort from the address (`sort=priority&dir=asc`); anything unknown or missing falls back to the default, field and direction each. */
export function sortFromParams(params: Readonly<Record<string, string>>, fields: readonly JobSortField[]): JobSort {
  const field = (fields as readonly string[]).includes(params.sort ?? '') ? (params.sort as JobSortField) : DEFAULT_SORT.field;
  const dir = params.dir === 'asc' || params.dir === 'desc' ? params.dir : field === DEFAULT_SORT.field ? DEFAULT_SORT.dir : defaultDir(field);
  return { field, dir };
}

/** The first direction of a field: names read A→Z, numbers and times newest/largest first. */
export const defaultDir = (field: JobSortField): 'asc' | 'desc' =>
  field === 'namespace_path' || field === 'entity_name' || field === 'job_type' || field === 'status' ? 'asc' : 'desc';

/** The address parameters of a sort: the inverse of sortFromParams (the default sort is left out, so the plain address stays plain). */
export function sortToParams(sort: JobSort): Record<string, string> {
  if (sort.field === DEFAULT_SORT.field && sort.dir === DEFAULT_SORT.dir) return {};
  return { sort: sort.field, dir: sort.dir };
}

/** Indices [from, to] in either order, clamped to [0, total). */
export function rangeBetween(a: number, b: number, total: number): [number, number] {
  const lo = Math.max(0, Math.min(a, b));
  const hi = Math.min(total - 1, Math.max(a, b));
  return [lo, hi];
}
