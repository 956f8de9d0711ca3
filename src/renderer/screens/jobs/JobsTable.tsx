/**
 * The virtualized jobs grid: only the rows on screen (plus a few) are in the
 * DOM, whatever the total; rows come from the page cache (table-state).
 *
 * Keyboard: the grid is one tab stop (roving tabindex on rows); ↑/↓, Page
 * Up/Down, Home/End move; Enter opens the job; Space selects it (Shift+Space
 * extends from the last selected row).
 *
 * Any number of rows is reachable: past a cap the scroll range is scaled
 * (use-scaled-scroll, scroll-range), below it the browser scrolls as usual.
 */
import { type KeyboardEvent, memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { JobDto, JobSortField } from '../../../shared/jobs';
import { useNow } from '../../components/use-now';
import { formatFull, formatWhen, shortId } from './format';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from './StatusBadge';
import { type LiveProgress, rowAt, saveScroll, savedScroll, setWindow, sortBy, toggleRow, toggleRows, useJobsTable } from './table-state';
import { ViewLink, useNavigate } from '../../router';
import { capFrom } from './scroll-range';
import { useScaledScroll } from './use-scaled-scroll';

/** Must match .jobs-row's height in jobs.css. */
export const ROW_HEIGHT = 40;
/** Must match .jobs-head's height in jobs.css. */
const HEADER_HEIGHT = 38;
const OVERSCAN = 6;
/** The body's height cap; a test may lower it before the page loads (e2e/scroll.spec.ts), a page cannot raise it. */
const BODY_CAP = capFrom((globalThis as { __crawlConsoleMaxBodyHeight?: unknown }).__crawlConsoleMaxBodyHeight);

interface Column {
  key: string;
  label: string;
  sort?: JobSortField;
  className?: string;
}

const COLUMNS: Column[] = [
  { key: 'id', label: 'Job' },
  { key: 'type', label: 'Type', sort: 'job_type' },
  { key: 'status', label: 'State', sort: 'status' },
  { key: 'target', label: 'Namespace / entity', sort: 'namespace_path' },
  { key: 'crawler', label: 'Crawler' },
  { key: 'priority', label: 'Prio', sort: 'priority', className: 'num' },
  { key: 'attempts', label: 'Tries', sort: 'attempts', className: 'num' },
  { key: 'progress', label: 'Progress', sort: 'overall_completion' },
  { key: 'created', label: 'Created', sort: 'created_at' },
];

function HeaderRow({ visibleIds }: { visibleIds: string[] }) {
  const sort = useJobsTable((s) => s.sort);
  const allSelected = useJobsTable((s) => visibleIds.length > 0 && visibleIds.every((id) => s.selected.has(id)));
  const someSelected = useJobsTable((s) => visibleIds.some((id) => s.selected.has(id)));
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (box.current) box.current.indeterminate = someSelected && !allSelected;
  }, [someSelected, allSelected]);
  return (
    <div className="jobs-row jobs-head" role="row" aria-rowindex={1}>
      <div role="columnheader" className="cell cell-select">
        <input
          ref={box}
          type="checkbox"
          checked={allSelected}
          onChange={() => toggleRows(visibleIds)}
          aria-label={`Select all ${visibleIds.length} rows in view`}
          data-testid="select-all"
          disabled={visibleIds.length === 0}
        />
      </div>
      {COLUMNS.map((c) => {
        const active = c.sort !== undefined && sort.field === c.sort;
        return (
          <div
            key={c.key}
            role="columnheader"
            className={`cell cell-${c.key} ${c.className ?? ''}`}
            aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
          >
            {c.sort ? (
              <button type="button" className="sort-button" onClick={() => sortBy(c.sort!)} data-testid={`sort-${c.sort}`}>
                {c.label}
                <span className="sort-mark" aria-hidden="true">
                  {active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                </span>
              </button>
            ) : (
              c.label
            )}
          </div>
        );
      })}
    </div>
  );
}

const JobRow = memo(function JobRow({
  job,
  index,
  top,
  selected,
  live,
  focused,
  now,
}: {
  job: JobDto;
  index: number;
  top: number;
  selected: boolean;
  live: LiveProgress | undefined;
  focused: boolean;
  now: number;
}) {
  return (
    <div
      className={`jobs-row${selected ? ' row-selected' : ''}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={focused ? 0 : -1}
      data-index={index}
      data-testid="job-row"
      data-job-id={job.job_id}
      data-status={job.status}
      style={{ transform: `translateY(${top}px)` }}
    >
      <JobCells job={job} index={index} selected={selected} live={live} now={now} />
    </div>
  );
});

/** A row's cells, apart from its position: on a scaled range every row moves on every scroll event, its cells need not render again. */
const JobCells = memo(function JobCells({ job, index, selected, live, now }: { job: JobDto; index: number; selected: boolean; live: LiveProgress | undefined; now: number }) {
  const completion = live?.overall_completion ?? job.overall_completion;
  const target = job.namespace_path ?? job.entity_name ?? job.entity_id;
  return (
    <>
      <div role="gridcell" className="cell cell-select">
        <input
          type="checkbox"
          checked={selected}
          readOnly
          tabIndex={-1}
          onClick={(e) => toggleRow(index, job.job_id, e.shiftKey)}
          aria-label={`Select job ${job.job_id}`}
          data-testid="row-select"
        />
      </div>
      <div role="gridcell" className="cell cell-id">
        <ViewLink view="job" params={{ job_id: job.job_id }} className="link mono" tabIndex={-1} title={job.job_id} data-testid="row-open">
          {shortId(job.job_id)}
        </ViewLink>
      </div>
      <div role="gridcell" className="cell cell-type">
        {job.job_type}
      </div>
      <div role="gridcell" className="cell cell-status">
        <StatusBadge status={job.status} />
      </div>
      <div role="gridcell" className="cell cell-target" title={[job.namespace_path, job.entity_name, job.entity_id && `id ${job.entity_id}`].filter(Boolean).join(' · ')}>
        {target ?? <span className="muted">whole instance</span>}
        {job.entity_id && job.namespace_path ? <span className="muted"> · {job.entity_id}</span> : null}
      </div>
      <div role="gridcell" className="cell cell-crawler mono" title={job.crawler_id ?? undefined}>
        {job.crawler_id ?? <span className="muted">—</span>}
      </div>
      <div role="gridcell" className="cell cell-priority num">
        {job.priority}
      </div>
      <div role="gridcell" className="cell cell-attempts num">
        {job.attempts}
      </div>
      <div role="gridcell" className="cell cell-progress" data-testid="row-progress">
        <ProgressBar value={completion ?? (job.status === 'completed' ? 1 : job.status === 'queued' ? 0 : null)} label={`Progress of job ${shortId(job.job_id)}`} />
      </div>
      <div role="gridcell" className="cell cell-created" title={formatFull(job.created_at)}>
        {formatWhen(job.created_at, now)}
      </div>
    </>
  );
});

function PlaceholderRow({ index, top }: { index: number; top: number }) {
  return (
    <div className="jobs-row row-placeholder" role="row" aria-rowindex={index + 2} aria-busy="true" data-index={index} style={{ transform: `translateY(${top}px)` }}>
      <div role="gridcell" className="cell cell-loading">
        <span className="skeleton" />
        <span className="sr-only">Loading row {index + 1}</span>
      </div>
    </div>
  );
}

export function JobsTable() {
  const total = useJobsTable((s) => s.total) ?? 0;
  const pages = useJobsTable((s) => s.pages);
  const live = useJobsTable((s) => s.live);
  const selected = useJobsTable((s) => s.selected);
  const navigate = useNavigate();
  const now = useNow(30_000);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [focusIndex, setFocusIndex] = useState(0);
  const wantFocus = useRef(false);

  // The list starts below the sticky header, and keyboard scrolling keeps rows out from under it.
  const scroll = useScaledScroll(scrollRef, {
    rows: total,
    rowHeight: ROW_HEIGHT,
    header: HEADER_HEIGHT,
    overscan: OVERSCAN,
    cap: BODY_CAP,
    initialOffset: savedScroll,
    // Remembered for the way back from a job's detail.
    onOffset: saveScroll,
  });
  const { first, last, firstVisible, lastVisible } = scroll.rows;
  const items: number[] = [];
  for (let i = first; i >= 0 && i <= last; i++) items.push(i);

  useEffect(() => {
    setWindow(first, last);
  }, [first, last]);

  // Move DOM focus to the focused row once it is rendered (after a key press scrolled it into view).
  useLayoutEffect(() => {
    if (!wantFocus.current) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${focusIndex}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      wantFocus.current = false;
    }
  });

  const clampedFocus = total === 0 ? 0 : Math.min(focusIndex, total - 1);
  const moveTo = useCallback(
    (i: number) => {
      const next = Math.max(0, Math.min(total - 1, i));
      wantFocus.current = true;
      setFocusIndex(next);
      scroll.scrollToRow(next);
    },
    [total, scroll],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    if (target.tagName === 'BUTTON' || target.tagName === 'INPUT') return;
    const rowEl = target.closest<HTMLElement>('[data-index]');
    const current = rowEl ? Number(rowEl.dataset.index) : clampedFocus;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(current + 1),
      ArrowUp: () => moveTo(current - 1),
      PageDown: () => moveTo(current + pageRows),
      PageUp: () => moveTo(current - pageRows),
      Home: () => moveTo(0),
      End: () => moveTo(total - 1),
      Enter: () => {
        const job = rowAt(pages, current);
        if (job) navigate('job', { job_id: job.job_id });
      },
      ' ': () => {
        const job = rowAt(pages, current);
        if (job) toggleRow(current, job.job_id, e.shiftKey);
      },
    };
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  // Rows in view (at least half shown, overscan excluded): what "select all in view" selects.
  const viewTop = scroll.offset + HEADER_HEIGHT;
  const viewBottom = scroll.offset + scroll.range.viewport;
  const visibleIds: string[] = [];
  for (let i = firstVisible; i >= 0 && i <= lastVisible; i++) {
    const middle = HEADER_HEIGHT + i * ROW_HEIGHT + ROW_HEIGHT / 2;
    if (middle < viewTop || middle > viewBottom) continue;
    const job = rowAt(pages, i);
    if (job) visibleIds.push(job.job_id);
  }
  const focusRendered = clampedFocus >= first && clampedFocus <= last && rowAt(pages, clampedFocus) !== undefined;

  return (
    <div
      ref={scrollRef}
      className="jobs-scroll"
      role="grid"
      aria-label="Jobs"
      aria-rowcount={total + 1}
      aria-multiselectable="true"
      // The grid itself is the tab stop only while the focused row is scrolled away (then focus goes to the first row in view).
      tabIndex={focusRendered ? -1 : 0}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        if (e.target === e.currentTarget) {
          if (items.length > 0) moveTo(Math.max(first, Math.min(last, Math.ceil(scroll.offset / ROW_HEIGHT))));
          return;
        }
        const rowEl = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
        if (rowEl && rowEl.dataset.index !== undefined) setFocusIndex(Number(rowEl.dataset.index));
      }}
      data-testid="jobs-grid"
    >
      <HeaderRow visibleIds={visibleIds} />
      {/* Scaled, the rows sit relative to the viewport: one half-way past an end must not grow the scroll range. */}
      <div className="jobs-body" role="rowgroup" style={{ height: scroll.range.bodyHeight, ...(scroll.range.scaled && { overflow: 'clip' }) }}>
        {items.map((i) => {
          const job = rowAt(pages, i);
          const top = scroll.rowTop(i);
          return job ? (
            <JobRow
              key={i}
              job={job}
              index={i}
              top={top}
              selected={selected.has(job.job_id)}
              live={live[job.job_id]}
              focused={i === clampedFocus}
              now={now}
            />
          ) : (
            <PlaceholderRow key={i} index={i} top={top} />
          );
        })}
      </div>
    </div>
  );
}
