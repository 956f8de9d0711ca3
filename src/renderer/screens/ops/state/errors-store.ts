/**
 * The Errors screen: a page of recorded errors filtered on the server
 * (listErrors), newest first; errors that arrive while the newest page is shown
 * and match the filter are put on top without a query.
 */
import { create } from 'zustand';
import type { ConsoleEvent } from '../../../../shared/contract';
import type { ErrorCategory, ErrorSeverity } from '../../../../shared/errors';
import type { ErrorRecord } from '../../../../shared/records';
import { api } from '../../../state/bus';
import { messageOf } from '../format';

export const ERRORS_PAGE_SIZE = 50;

export interface ErrorFilter {
  category?: ErrorCategory;
  severity?: ErrorSeverity;
  crawler_id?: string;
  job_id?: string;
}

interface ErrorsStore {
  filter: ErrorFilter;
  offset: number;
  rows: readonly ErrorRecord[];
  total: number;
  loaded: boolean;
  loading: boolean;
  error: string | null;
  /** Matching errors that arrived while an older page was shown. */
  unseen: number;
  expanded: Readonly<Record<number, true>>;
  setFilter(filter: ErrorFilter): void;
  setOffset(offset: number): void;
  toggle(id: number): void;
  load(): Promise<void>;
}

/** Drops empty fields so the query and the comparison see the same filter. */
export function cleanFilter(f: ErrorFilter): ErrorFilter {
  const out: ErrorFilter = {};
  if (f.category) out.category = f.category;
  if (f.severity) out.severity = f.severity;
  if (f.crawler_id?.trim()) out.crawler_id = f.crawler_id.trim();
  if (f.job_id?.trim()) out.job_id = f.job_id.trim();
  return out;
}

export const matchesFilter = (e: ErrorRecord, f: ErrorFilter): boolean =>
  (!f.category || e.category === f.category) &&
  (!f.severity || e.severity === f.severity) &&
  (!f.crawler_id || e.crawler_id === f.crawler_id) &&
  (!f.job_id || e.job_id === f.job_id);

let requestSeq = 0;

export const useErrors = create<ErrorsStore>()((set, get) => ({
  filter: {},
  offset: 0,
  rows: [],
  total: 0,
  loaded: false,
  loading: false,
  error: null,
  unseen: 0,
  expanded: {},
  setFilter(filter) {
    set({ filter: cleanFilter(filter), offset: 0 });
    void get().load();
  },
  setOffset(offset) {
    set({ offset: Math.max(0, offset) });
    void get().load();
  },
  toggle(id) {
    const expanded = { ...get().expanded };
    if (expanded[id]) delete expanded[id];
    else expanded[id] = true;
    set({ expanded });
  },
  async load() {
    const seq = ++requestSeq;
    const { filter, offset } = get();
    set({ loading: true });
    try {
      const { errors, total } = await api().listErrors({ ...filter, limit: ERRORS_PAGE_SIZE, offset });
      if (seq !== requestSeq) return; // a newer query (another filter) is on its way
      set({ rows: errors, total, loaded: true, loading: false, error: null, unseen: offset === 0 ? 0 : get().unseen });
    } catch (error) {
      if (seq === requestSeq) set({ loading: false, error: messageOf(error) });
    }
  },
}));

export function applyErrorEvents(events: readonly ConsoleEvent[]): void {
  const s = useErrors.getState();
  if (!s.loaded) return;
  const fresh = events.flatMap((e) => (e.type === 'error' && matchesFilter(e.error, s.filter) ? [e.error] : []));
  if (fresh.length === 0) return;
  const known = new Map(s.rows.map((r, i) => [r.id, i]));
  // An aggregated error that happened again comes back with the same id and a higher count: update it in place.
  const bumped = new Map(fresh.filter((e) => known.has(e.id)).map((e) => [e.id, e]));
  const rows = bumped.size ? s.rows.map((r) => bumped.get(r.id) ?? r) : s.rows;
  const added = fresh.filter((e) => !known.has(e.id)).reverse();
  if (rows !== s.rows && (added.length === 0 || s.offset !== 0)) useErrors.setState({ rows });
  if (added.length === 0) return;
  if (s.offset === 0) useErrors.setState({ rows: [...added, ...rows].slice(0, ERRORS_PAGE_SIZE), total: s.total + added.length });
  else useErrors.setState({ total: s.total + added.length, unseen: s.unseen + added.length });
}
