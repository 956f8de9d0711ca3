/**
 * The jobs table's store: a window onto the job store, never the whole list.
 *
 * - Pages of PAGE_SIZE rows are fetched with listJobs around the rows on
 *   screen (throttled while scrolling); at most MAX_CACHED_PAGES stay cached,
 *   the least recently seen forgotten first. `total` from each answer sizes the
 *   scroll area, so 100,000 jobs cost a few pages of memory.
 * - Events: job_changed replaces cached rows in place; progress updates the bars
 *   of cached rows. When a row changes status, or a job the cache does not hold
 *   changes (it may now match the filter, or be new), the pages on screen are
 *   queried again, at most once a second.
 * - Filters, sort, selection and the last action's result live here too, so
 *   they survive a visit to a job's detail and back.
 */
import { create } from 'zustand';
import type { ConsoleEvent, EventBatch } from '../../../shared/contract';
import { type JobDto, type JobSortField, isFinalJobStatus } from '../../../shared/jobs';
import type { JobProgress } from '../../../shared/progress';
import { api, onBatch, onReconnect } from '../../state/bus';
import { type BulkAction, type BulkResult, runBulk } from './bulk';
import type { BulkSummary, BulkTarget } from '../../../shared/bulk';
import {
  DEFAULT_SORT,
  defaultDir,
  EMPTY_FILTERS,
  type JobFilters,
  type JobSort,
  PAGE_SIZE,
  matchesFilters,
  pagesForRange,
  pagesToEvict,
  rangeBetween,
  toQuery,
} from './page-window';

/** What a progress event tells a row. */
export type LiveProgress = Pick<JobProgress, 'overall_completion' | 'rate' | 'eta_ms' | 'state' | 'stage'>;

export interface CachedPage {
  rows: readonly JobDto[];
  /** Fetched before the latest re-query: shown, but fetched again when on screen. */
  stale: boolean;
}

export interface JobsTableState {
  filters: JobFilters;
  sort: JobSort;
  /** Jobs matching the filters; null until the first answer after a filter change. */
  total: number | null;
  /** False when `total` is a lower bound (a text search matching very many jobs): shown as "10,000+". */
  totalExact: boolean;
  pages: ReadonlyMap<number, CachedPage>;
  loading: boolean;
  error: string | null;
  live: Readonly<Record<string, LiveProgress>>;
  selected: ReadonlySet<string>;
  /** The row a shift-click extends from. */
  anchor: number | null;
  busy: BulkAction['kind'] | null;
  lastResult: BulkResult | null;
  /** "Select all N matching": the actions apply to the filter (server-side), not to `selected`. */
  matchAll: boolean;
  /** The last bulk action by filter's summary. */
  bulkSummary: BulkSummary | null;
  /** Bumped when the filters change from outside the filter bar (a link, "clear"): its inputs start again from the store. */
  filtersVersion: number;
}

export const useJobsTable = create<JobsTableState>()(() => ({
  filters: EMPTY_FILTERS,
  sort: DEFAULT_SORT,
  total: null,
  totalExact: true,
  pages: new Map(),
  loading: false,
  error: null,
  live: {},
  selected: new Set(),
  anchor: null,
  busy: null,
  lastResult: null,
  matchAll: false,
  bulkSummary: null,
  filtersVersion: 0,
}));

const set = useJobsTable.setState;
const get = useJobsTable.getState;

// ─────────── the controller's private state (not rendered) ───────────

/** Bumped when the filter or sort changes: answers to older queries are dropped. */
let generation = 0;
/** Bumped by each re-query: a page asked for before it comes back stale. */
let epoch = 0;
const inFlight = new Set<string>();
/**
 * pageKey → the listJobs cursor after that page's last row. The next page is
 * fetched by key from it (as cheap at row 900,000 as at row 200); a page with
 * no cached predecessor (a jump) is fetched by offset.
 */
const cursors = new Map<string, string | null>();
const usedAt = new Map<number, number>();
/** Job id → [page, row] of the cached rows. */
let index = new Map<string, [number, number]>();
/** Rows on screen (inclusive). */
let view = { start: 0, end: 30 };
/** The newest state seen in events, so that an answer older than an event does not roll a row back. */
const latest = new Map<string, JobDto>();
const LATEST_MAX = 5_000;

let fetchTimer: ReturnType<typeof setTimeout> | null = null;
let lastFetchAt = 0;
const FETCH_THROTTLE_MS = 80;
let requeryTimer: ReturnType<typeof setTimeout> | null = null;
let lastRequeryAt = 0;
/** Event-driven re-queries: at most one a second. */
export const REQUERY_MIN_MS = 1_000;

/** Where the table was scrolled to, restored when the screen comes back (not state: nothing renders from it). */
let scrollTop = 0;

const pageKey = (page: number) => `${generation}:${page}`;

function rebuildIndex(pages: ReadonlyMap<number, CachedPage>): void {
  const next = new Map<string, [number, number]>();
  for (const [p, page] of pages) page.rows.forEach((r, i) => next.set(r.job_id, [p, i]));
  index = next;
}

function remember(job: JobDto): void {
  latest.delete(job.job_id);
  latest.set(job.job_id, job);
  if (latest.size > LATEST_MAX) latest.delete(latest.keys().next().value!);
}

/** A job the table holds (for the detail page to show at once, before its own answer). */
export function cachedJob(jobId: string): JobDto | undefined {
  const at = index.get(jobId);
  return latest.get(jobId) ?? (at ? get().pages.get(at[0])?.rows[at[1]] : undefined);
}

/** The row at an index, if its page is cached. */
export function rowAt(pages: ReadonlyMap<number, CachedPage>, i: number): JobDto | undefined {
  return pages.get(Math.floor(i / PAGE_SIZE))?.rows[i % PAGE_SIZE];
}

// ─────────── fetching ───────────

async function fetchPage(page: number): Promise<void> {
  const key = pageKey(page);
  if (inFlight.has(key)) return;
  inFlight.add(key);
  const gen = generation;
  const askedIn = epoch;
  set({ loading: true });
  try {
    const { filters, sort } = get();
    const after = page > 0 ? cursors.get(pageKey(page - 1)) : undefined;
    const res = await api().listJobs({
      ...toQuery(filters, sort),
      limit: PAGE_SIZE,
      ...(after ? { after } : { offset: page * PAGE_SIZE }),
    });
    if (gen !== generation) return;
    cursors.set(key, res.next_cursor ?? null);
    const exact = res.total_exact !== false;
    // A lower bound grows as pages arrive: one more page while there is a next one.
    const total = exact ? res.total : Math.max(res.total, page * PAGE_SIZE + res.jobs.length + (res.next_cursor ? PAGE_SIZE : 0));
    // Unchanged rows keep their object, so a re-query re-renders only the rows that changed.
    const before = new Map<string, JobDto>();
    for (const r of get().pages.get(page)?.rows ?? []) before.set(r.job_id, r);
    const rows = res.jobs.map((r) => {
      const newer = latest.get(r.job_id);
      const row = newer && newer.updated_at > r.updated_at ? newer : r;
      const old = before.get(row.job_id);
      return old && old.updated_at === row.updated_at && old.overall_completion === row.overall_completion && old.status === row.status ? old : row;
    });
    const pages = new Map(get().pages);
    pages.set(page, { rows, stale: askedIn < epoch });
    usedAt.set(page, Date.now());
    // Rows past the new end are gone.
    const lastPage = Math.floor(Math.max(0, total - 1) / PAGE_SIZE);
    for (const p of [...pages.keys()]) {
      if (p > lastPage) {
        pages.delete(p);
        usedAt.delete(p);
      }
    }
    const keep = new Set(pagesForRange(view.start, view.end, total));
    for (const p of pagesToEvict(usedAt, keep)) {
      pages.delete(p);
      usedAt.delete(p);
    }
    rebuildIndex(pages);
    const live: Record<string, LiveProgress> = {};
    for (const [id, l] of Object.entries(get().live)) if (index.has(id)) live[id] = l;
    // A selected row this page held that no longer matches (it changed state under a status filter, or was removed)
    // leaves the selection too: an action must never reach a job the operator can no longer see.
    const gone = [...before.keys()].filter((id) => !index.has(id) && get().selected.has(id));
    const selected = gone.length > 0 ? new Set([...get().selected].filter((id) => !gone.includes(id))) : null;
    set({ pages, total, totalExact: exact, error: null, live, ...(selected && { selected }) });
  } catch (error) {
    if (gen === generation) set({ error: `The jobs could not be loaded: ${(error as Error).message}` });
  } finally {
    inFlight.delete(key);
    if (gen === generation) {
      set({ loading: inFlight.size > 0 });
      // The answer may have changed the total, or the window moved meanwhile.
      if (!get().error) ensurePages();
    }
  }
}

/** Fetches the pages the window needs that are missing or stale. */
function ensurePages(): void {
  const { total, pages } = get();
  const wanted = total === null ? [0] : pagesForRange(view.start, view.end, total);
  const now = Date.now();
  for (const p of wanted) {
    usedAt.set(p, Math.max(usedAt.get(p) ?? 0, now));
    const page = pages.get(p);
    if (!page || page.stale) void fetchPage(p);
  }
  // A page only noted as wanted (never fetched) must not count against the cache.
  for (const p of [...usedAt.keys()]) if (!pages.has(p) && !inFlight.has(pageKey(p)) && !wanted.includes(p)) usedAt.delete(p);
}

/** Throttled: scrolling moves the window every frame, the store is asked at most every 80 ms. */
function ensurePagesSoon(): void {
  if (fetchTimer !== null) return;
  const wait = Math.max(0, lastFetchAt + FETCH_THROTTLE_MS - Date.now());
  fetchTimer = setTimeout(() => {
    fetchTimer = null;
    lastFetchAt = Date.now();
    ensurePages();
  }, wait);
}

/** The rows on screen changed (from the virtualizer). */
export function setWindow(start: number, end: number): void {
  if (start === view.start && end === view.end) return;
  view = { start, end };
  ensurePagesSoon();
}

/** Everything cached is stale; the pages on screen are fetched again. */
function requeryNow(): void {
  if (requeryTimer !== null) clearTimeout(requeryTimer);
  requeryTimer = null;
  lastRequeryAt = Date.now();
  epoch++;
  const pages = new Map<number, CachedPage>();
  for (const [p, page] of get().pages) pages.set(p, page.stale ? page : { rows: page.rows, stale: true });
  set({ pages });
  ensurePages();
}

function requerySoon(): void {
  if (requeryTimer !== null) return;
  const wait = Math.max(0, lastRequeryAt + REQUERY_MIN_MS - Date.now());
  requeryTimer = setTimeout(requeryNow, wait);
}

/** Forgets every page (filter or sort changed) and starts again from the top. */
function resetAndLoad(): void {
  generation++;
  epoch++;
  inFlight.clear();
  usedAt.clear();
  cursors.clear();
  index = new Map();
  set({ pages: new Map(), total: null, totalExact: true, loading: false, error: null, live: {}, selected: new Set(), anchor: null, matchAll: false });
  scrollTop = 0;
  view = { start: 0, end: Math.max(30, view.end - view.start) };
  ensurePages();
}

// ─────────── what the views call ───────────

export function setFilters(patch: Partial<JobFilters>): void {
  set((s) => ({ filters: { ...s.filters, ...patch } }));
  resetAndLoad();
}

/** Presets from a link; a no-op when they equal the current filters (the view keeps its scroll). */
export function presetFilters(filters: JobFilters): boolean {
  const cur = get().filters;
  const same =
    cur.job_type === filters.job_type &&
    cur.crawler === filters.crawler &&
    cur.text === filters.text &&
    cur.parent_job_id === filters.parent_job_id &&
    cur.status.join() === filters.status.join();
  if (same) return false;
  set((s) => ({ filters, filtersVersion: s.filtersVersion + 1 }));
  resetAndLoad();
  return true;
}

export function clearFilters(): void {
  set((s) => ({ filters: EMPTY_FILTERS, filtersVersion: s.filtersVersion + 1 }));
  resetAndLoad();
}

/** Clicking a header: sorts by it (newest / largest first), or flips the direction if it already sorts. */
export function sortBy(field: JobSortField, dir?: 'asc' | 'desc'): void {
  const cur = get().sort;
  const next = dir ?? (cur.field === field ? (cur.dir === 'asc' ? 'desc' : 'asc') : defaultDir(field));
  set({ sort: { field, dir: next } });
  resetAndLoad();
}

/** Sets the sort from the address; a no-op (the table keeps its place) when it is the one shown. */
export function presetSort(sort: JobSort): void {
  const cur = get().sort;
  if (cur.field === sort.field && cur.dir === sort.dir) return;
  set({ sort });
  resetAndLoad();
}

/** Reloads what is on screen (after the user's own action, or a reconnect). */
export function refresh(): void {
  if (get().total === null && get().pages.size === 0) ensurePages();
  else requeryNow();
}

export function saveScroll(top: number): void {
  scrollTop = top;
}
export const savedScroll = (): number => scrollTop;

export function toggleRow(i: number, jobId: string, extend: boolean): void {
  const s = get();
  const selected = new Set(s.selected);
  if (extend && s.anchor !== null && s.total !== null) {
    const [lo, hi] = rangeBetween(s.anchor, i, s.total);
    for (let k = lo; k <= hi; k++) {
      const row = rowAt(s.pages, k);
      if (row) selected.add(row.job_id);
    }
  } else if (selected.has(jobId)) selected.delete(jobId);
  else selected.add(jobId);
  set({ selected, anchor: extend && s.anchor !== null ? s.anchor : i, matchAll: false });
}

/** The header checkbox: selects the given rows, or unselects them when all are selected already. */
export function toggleRows(ids: readonly string[]): void {
  const selected = new Set(get().selected);
  const all = ids.length > 0 && ids.every((id) => selected.has(id));
  for (const id of ids) {
    if (all) selected.delete(id);
    else selected.add(id);
  }
  set({ selected, matchAll: false });
}

export function clearSelection(): void {
  set({ selected: new Set(), anchor: null, matchAll: false });
}

/** Gmail's "Select all N matching": the actions then apply to every job the filter matches, on the server. */
export function selectAllMatching(): void {
  set({ matchAll: true });
}

/** The filter the table shows, as a bulk action's target. */
export function bulkTarget(): BulkTarget {
  const { sort: _sort, dir: _dir, ...filter } = toQuery(get().filters, get().sort);
  return { scope: 'jobs', filter };
}

/** A bulk action by filter finished: its summary is shown, the selection ends, the rows on screen are read again. */
export function bulkDone(summary: BulkSummary): void {
  set({ bulkSummary: summary, selected: new Set(), anchor: null, matchAll: false, lastResult: null });
  requeryNow();
}

export function dismissBulkSummary(): void {
  set({ bulkSummary: null });
}

export function dismissResult(): void {
  set({ lastResult: null });
}

/** Runs an action on the selected jobs, shows each job's outcome, and reloads the rows on screen. */
export async function perform(action: BulkAction, ids: readonly string[] = [...get().selected]): Promise<BulkResult> {
  set({ busy: action.kind, lastResult: null });
  try {
    const result = await runBulk(action, ids);
    for (const o of result.outcomes) if (o.job) remember(o.job);
    set({ lastResult: result });
    requeryNow();
    return result;
  } finally {
    set({ busy: null });
  }
}

// ─────────── live updates ───────────

export function applyEvents(events: readonly ConsoleEvent[]): void {
  let pages: Map<number, CachedPage> | null = null;
  let live: Record<string, LiveProgress> | null = null;
  let requery = false;
  const { filters, sort } = get();
  for (const e of events) {
    if (e.type === 'job_changed') {
      const job = e.job;
      remember(job);
      const at = index.get(job.job_id);
      if (!at) {
        // New, or changed somewhere off screen: the total or the window may differ now.
        requery = true;
        continue;
      }
      pages ??= new Map(get().pages);
      const page = pages.get(at[0]);
      const old = page?.rows[at[1]];
      if (!page || !old || old.job_id !== job.job_id || job.updated_at < old.updated_at) continue;
      const rows = page.rows.slice();
      rows[at[1]] = job;
      pages.set(at[0], { rows, stale: page.stale });
      if (old.status !== job.status || !matchesFilters(job, filters) || (sort.field !== 'created_at' && old[sort.field] !== job[sort.field])) requery = true;
      if (job.status !== 'running') {
        live ??= { ...get().live };
        delete live[job.job_id];
      }
    } else if (e.type === 'bulk_applied' || e.type === 'jobs_discovered') {
      // Many jobs changed or were added at once (one event, not one per job): the rows on screen are read again.
      requery = true;
    } else if (e.type === 'progress') {
      const p = e.progress;
      if (!index.has(p.job_id)) continue;
      // A finished job has no live figures: progress that was emitted before it finished must not bring them back.
      const known = cachedJob(p.job_id);
      if (known && isFinalJobStatus(known.status)) continue;
      live ??= { ...get().live };
      live[p.job_id] = { overall_completion: p.overall_completion, rate: p.rate, eta_ms: p.eta_ms, state: p.state, stage: p.stage };
    }
  }
  if (pages || live) set({ ...(pages && { pages }), ...(live && { live }) });
  if (requery) requerySoon();
}

/**
 * Connects the table to the event stream while the screen is shown; loads the
 * window at once (events were not followed while it was hidden).
 */
export function startLiveTable(): () => void {
  const offBatch = onBatch((batch: EventBatch) => applyEvents(batch.events));
  const offReconnect = onReconnect(() => refresh());
  refresh();
  return () => {
    offBatch();
    offReconnect();
    if (requeryTimer !== null) clearTimeout(requeryTimer);
    requeryTimer = null;
    if (fetchTimer !== null) clearTimeout(fetchTimer);
    fetchTimer = null;
  };
}
