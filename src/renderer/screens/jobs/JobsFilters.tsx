/** The filter bar of the jobs table: state (several), type, crawler, free text; sort; export. */
import { useEffect, useId, useMemo, useState } from 'react';
import { JOB_SORT_FIELDS, JOB_STATUSES, type JobSortField } from '../../../shared/jobs';
import { JobTypeSchema } from '../../../shared/protocol';
import { download } from '../../state/bus';
import { exportedText } from '../../components/download';
import { STATUS_LABEL } from './format';
import { toQuery } from './page-window';
import { clearFilters, setFilters, sortBy, useJobsTable } from './table-state';
import { searchIndexHint } from './search-index-hint';
import { useConsole } from '../../state/store';
import { useCrawlerRecords } from '../ops/state/crawlers-store';

const TEXT_DEBOUNCE_MS = 250;

export const SORT_LABEL: Record<JobSortField, string> = {
  created_at: 'Created',
  updated_at: 'Last change',
  priority: 'Priority',
  status: 'State',
  job_type: 'Type',
  namespace_path: 'Namespace path',
  entity_name: 'Entity name',
  started_at: 'Started',
  finished_at: 'Finished',
  overall_completion: 'Progress',
  attempts: 'Attempts',
};

function StatusFilter() {
  const status = useJobsTable((s) => s.filters.status);
  return (
    <fieldset className="chips" data-testid="filter-status">
      <legend>State</legend>
      {JOB_STATUSES.map((s) => (
        <label key={s} className={`chip${status.includes(s) ? ' chip-on' : ''}`}>
          <input
            type="checkbox"
            checked={status.includes(s)}
            onChange={(e) => setFilters({ status: e.target.checked ? [...status, s] : status.filter((x) => x !== s) })}
            data-testid={`filter-status-${s}`}
          />
          {STATUS_LABEL[s]}
        </label>
      ))}
    </fieldset>
  );
}

/** Typed text reaches the store 250 ms after the last key (one query per pause, not per key). */
function TextFilter({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const id = useId();
  // The console's status (refreshed every few seconds) says while the index is behind; the hint goes when it is not.
  const hint = searchIndexHint(useConsole((s) => s.status?.searchIndex));
  useEffect(() => {
    if (text === useJobsTable.getState().filters.text) return;
    const t = setTimeout(() => setFilters({ text }), TEXT_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text]);
  return (
    <div className="field field-grow">
      <label htmlFor={id}>Search</label>
      <input
        id={id}
        type="search"
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="Job id, entity id, namespace path or name"
        maxLength={500}
        aria-describedby={hint ? `${id}-hint` : undefined}
        data-testid="filter-text"
      />
      {hint && (
        <p id={`${id}-hint`} className="hint" data-testid="search-index-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

function CrawlerFilter() {
  const crawler = useJobsTable((s) => s.filters.crawler);
  // The one cached list of crawlers the console remembers (the Crawlers table's); a convenience: the filter works with any preset id.
  const records = useCrawlerRecords().data?.records;
  const crawlers = useMemo(() => Object.values(records ?? {}), [records]);
  const id = useId();
  const ids = crawlers.map((c) => c.crawler_id);
  return (
    <div className="field">
      <label htmlFor={id}>Crawler</label>
      <select id={id} value={crawler} onChange={(e) => setFilters({ crawler: e.target.value })} data-testid="filter-crawler">
        <option value="">Any crawler</option>
        {crawler && !ids.includes(crawler) ? <option value={crawler}>{crawler}</option> : null}
        {crawlers.map((c) => (
          <option key={c.crawler_id} value={c.crawler_id}>
            {c.name ? `${c.crawler_id} (${c.name})` : c.crawler_id}
            {c.connection ? '' : ' — disconnected'}
          </option>
        ))}
      </select>
    </div>
  );
}

function TypeFilter() {
  const jobType = useJobsTable((s) => s.filters.job_type);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Type</label>
      <select id={id} value={jobType} onChange={(e) => setFilters({ job_type: e.target.value })} data-testid="filter-type">
        <option value="">Any type</option>
        {JobTypeSchema.options.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
        <option value="unknown">unknown (adopted)</option>
      </select>
    </div>
  );
}

function SortControl() {
  const sort = useJobsTable((s) => s.sort);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Sort by</label>
      <span className="inline">
        <select id={id} value={sort.field} onChange={(e) => sortBy(e.target.value as JobSortField, sort.dir)} data-testid="sort-field">
          {JOB_SORT_FIELDS.map((f) => (
            <option key={f} value={f}>
              {SORT_LABEL[f]}
            </option>
          ))}
        </select>
        <button
          type="button"
          onClick={() => sortBy(sort.field, sort.dir === 'asc' ? 'desc' : 'asc')}
          aria-label={`Sort direction: ${sort.dir === 'asc' ? 'ascending' : 'descending'}; change`}
          data-testid="sort-dir"
        >
          {sort.dir === 'asc' ? '↑ asc' : '↓ desc'}
        </button>
      </span>
    </div>
  );
}

export function ExportButtons() {
  const [busy, setBusy] = useState<'csv' | 'json' | null>(null);
  const [message, setMessage] = useState<{ text: string; bad: boolean } | null>(null);
  const run = async (format: 'csv' | 'json') => {
    setBusy(format);
    setMessage(null);
    try {
      const { filters, sort } = useJobsTable.getState();
      const out = await download({ kind: 'jobs', input: { format, filter: toQuery(filters, sort) } });
      setMessage({ text: exportedText(out, 'job'), bad: false });
    } catch (error) {
      setMessage({ text: `Export failed: ${(error as Error).message}`, bad: true });
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="export" role="group" aria-label="Export the jobs that match the filters">
      <button type="button" onClick={() => void run('csv')} disabled={busy !== null} data-testid="export-csv">
        {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
      <button type="button" onClick={() => void run('json')} disabled={busy !== null} data-testid="export-json">
        {busy === 'json' ? 'Exporting…' : 'Export JSON'}
      </button>
      {message ? (
        <span className={message.bad ? 'bad-text' : 'muted'} role="status" data-testid="export-message">
          {message.text}
        </span>
      ) : null}
    </div>
  );
}

export function JobsFilters() {
  const version = useJobsTable((s) => s.filtersVersion);
  const initialText = useJobsTable((s) => s.filters.text);
  const parent = useJobsTable((s) => s.filters.parent_job_id);
  const anyFilter = useJobsTable((s) => {
    const f = s.filters;
    return f.status.length > 0 || f.job_type !== '' || f.crawler !== '' || f.text.trim() !== '' || f.parent_job_id !== '';
  });
  return (
    <div className="filters" role="search" aria-label="Filter jobs">
      <StatusFilter />
      <div className="filter-row">
        <TextFilter key={version} initial={initialText} />
        <TypeFilter />
        <CrawlerFilter />
        <SortControl />
        {anyFilter ? (
          <button type="button" className="link clear-filters" onClick={clearFilters} data-testid="clear-filters">
            Clear filters
          </button>
        ) : null}
      </div>
      {parent ? (
        <p className="banner banner-note" data-testid="filter-parent">
          Showing the jobs discovered by job <span className="mono">{parent}</span>.{' '}
          <button type="button" className="link" onClick={() => setFilters({ parent_job_id: '' })}>
            Show all jobs
          </button>
        </p>
      ) : null}
    </div>
  );
}
