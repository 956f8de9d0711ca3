import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ErrorCategory, ErrorSeverity } from '../../../shared/errors';
import { api, download } from '../../state/bus';
import { useConsole } from '../../state/store';
import { ErrorTableRow } from './components/ErrorTableRow';
import { exportedText } from '../../components/download';
import { formatInt, messageOf } from './format';
import { useCrawlerRecords } from './state/crawlers-store';
import { ERRORS_PAGE_SIZE, type ErrorFilter, filterFromParams, offsetFromParams, pageToParams } from './state/errors-page';
import { ErrorGroups } from '../power';
import { navigate, useViewParams } from '../../router';
import { queryClient } from '../../query/client';
import { queryKeys } from '../../query/keys';
import type { ErrorsPage } from '../../query/updates';
import type { BulkActionKind, BulkSummary, BulkTarget } from '../../../shared/bulk';
import { BulkFilterDialog, BulkSummaryPanel } from '../jobs/BulkByFilter';

const CATEGORIES = Object.values(ErrorCategory);
const SEVERITIES = Object.values(ErrorSeverity);

/**
 * Shows another filter (from its newest page) or another page: its address, so
 * reload and Back keep it. A choice from a list and a page turn add a history
 * entry; typing (`replace`) rewrites the current one.
 */
const showPage = (filter: ErrorFilter, offset = 0, replace = false) => navigate('errors', pageToParams(filter, offset), { replace });
const showFilter = (filter: ErrorFilter, replace = false) => showPage(filter, 0, replace);

/** Text filters apply shortly after typing stops, not on every key. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function Filters({ filter }: { filter: ErrorFilter }) {
  const id = useId();
  const records = useCrawlerRecords().data?.records;
  const live = useConsole((s) => s.crawlers);
  const crawlerIds = useMemo(() => [...new Set([...Object.keys(records ?? {}), ...Object.values(live).map((l) => l.connection.crawler_id)])].sort(), [records, live]);
  const [crawler, setCrawler] = useState(filter.crawler_id ?? '');
  const [job, setJob] = useState(filter.job_id ?? '');
  // The address changed under the fields (Back, a link): they show it, unless they already say the same (adjusted while rendering, not in an effect).
  const [shown, setShown] = useState({ crawler: filter.crawler_id ?? '', job: filter.job_id ?? '' });
  if (shown.crawler !== (filter.crawler_id ?? '') || shown.job !== (filter.job_id ?? '')) {
    setShown({ crawler: filter.crawler_id ?? '', job: filter.job_id ?? '' });
    if (crawler.trim() !== (filter.crawler_id ?? '')) setCrawler(filter.crawler_id ?? '');
    if (job.trim() !== (filter.job_id ?? '')) setJob(filter.job_id ?? '');
  }
  const crawlerTyped = useDebounced(crawler, 300);
  const jobTyped = useDebounced(job, 300);
  // What was typed goes to the address once typing stops; a change of the address alone is not typing.
  const applied = useRef({ crawler: crawlerTyped, job: jobTyped });
  useEffect(() => {
    if (applied.current.crawler === crawlerTyped && applied.current.job === jobTyped) return;
    applied.current = { crawler: crawlerTyped, job: jobTyped };
    showFilter({ ...filter, crawler_id: crawlerTyped, job_id: jobTyped }, true);
  }, [crawlerTyped, jobTyped, filter]);
  const active = Object.keys(filter).length > 0;
  return (
    <form className="ops-filters" role="search" aria-label="Filter errors" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-cat`}>Category</label>
        <select id={`${id}-cat`} value={filter.category ?? ''} onChange={(e) => showFilter({ ...filter, category: (e.target.value || undefined) as ErrorFilter['category'] })} data-testid="filter-category">
          <option value="">All categories</option>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {c.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-sev`}>Severity</label>
        <select id={`${id}-sev`} value={filter.severity ?? ''} onChange={(e) => showFilter({ ...filter, severity: (e.target.value || undefined) as ErrorFilter['severity'] })} data-testid="filter-severity">
          <option value="">All severities</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-crawler`}>Crawler</label>
        <input id={`${id}-crawler`} list={`${id}-crawlers`} value={crawler} placeholder="any crawler id" onChange={(e) => setCrawler(e.target.value)} data-testid="filter-crawler" />
        <datalist id={`${id}-crawlers`}>
          {crawlerIds.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={`${id}-job`}>Job id</label>
        <input id={`${id}-job`} value={job} placeholder="any job" onChange={(e) => setJob(e.target.value)} data-testid="filter-job" />
      </div>
      <div className="field field-end">
        <button
          type="button"
          className="btn"
          disabled={!active}
          onClick={() => {
            setCrawler('');
            setJob('');
            showFilter({});
          }}
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}

function ExportButtons({ filter }: { filter: ErrorFilter }) {
  const [busy, setBusy] = useState<'csv' | 'json' | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const run = async (format: 'csv' | 'json') => {
    setBusy(format);
    setMessage(null);
    try {
      const out = await download({ kind: 'errors', input: { format, filter } });
      setMessage(exportedText(out, 'error'));
    } catch (e) {
      setMessage(`Export failed: ${messageOf(e)}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="ops-export">
      <button type="button" className="btn" onClick={() => void run('csv')} disabled={busy !== null} data-testid="export-errors-csv">
        {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
      <button type="button" className="btn" onClick={() => void run('json')} disabled={busy !== null} data-testid="export-errors-json">
        {busy === 'json' ? 'Exporting…' : 'Export JSON'}
      </button>
      <span className="muted small" role="status" data-testid="export-result">
        {message}
      </span>
    </div>
  );
}

/**
 * "Select all N matching" on the Errors screen: the jobs those errors name can be
 * retried or cancelled in one server-side command (applyBulk, errors scope).
 */
function ErrorsBulkBar({ filter, total }: { filter: ErrorFilter; total: number }) {
  const key = JSON.stringify(filter);
  const [selectedFor, setSelectedFor] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ kind: BulkActionKind; target: BulkTarget } | null>(null);
  const [summary, setSummary] = useState<BulkSummary | null>(null);
  // A selection belongs to the filter it was made under.
  const selected = selectedFor === key;
  const open = (kind: BulkActionKind) => setDialog({ kind, target: { scope: 'errors', filter } });
  return (
    <>
      <div className="toolbar selection-bar" data-testid="errors-selection-bar">
        {selected ? (
          <>
            <span aria-live="polite" data-testid="errors-selection-count">
              All {formatInt(total)} errors matching these filters are selected.
            </span>
            <button type="button" className="btn" onClick={() => open('retry')} data-testid="errors-bulk-retry">
              Retry their jobs…
            </button>
            <button type="button" className="btn btn-danger" onClick={() => open('cancel')} data-testid="errors-bulk-cancel">
              Cancel their jobs…
            </button>
            <button type="button" className="btn btn-small" onClick={() => setSelectedFor(null)}>
              Clear selection
            </button>
          </>
        ) : (
          <button type="button" className="btn" disabled={total === 0} onClick={() => setSelectedFor(key)} data-testid="errors-select-all">
            Select all {formatInt(total)} matching
          </button>
        )}
      </div>
      {summary ? <BulkSummaryPanel summary={summary} onDismiss={() => setSummary(null)} /> : null}
      {dialog ? (
        <BulkFilterDialog
          target={dialog.target}
          kind={dialog.kind}
          onClose={() => setDialog(null)}
          onDone={(s) => {
            setDialog(null);
            setSelectedFor(null);
            setSummary(s);
          }}
        />
      ) : null}
    </>
  );
}

/** A page of errors under a filter, newest first; live.ts puts new matching errors on top. */
function useErrorsPage(filter: ErrorFilter, offset: number) {
  return useQuery({
    queryKey: queryKeys.errorsPage(filter, offset),
    queryFn: (): Promise<ErrorsPage> => api().listErrors({ ...filter, limit: ERRORS_PAGE_SIZE, offset }),
    // Another filter or page shows the last rows (marked busy) until its own arrive.
    placeholderData: keepPreviousData,
  });
}

export function Errors() {
  const params = useViewParams();
  const filter = useMemo(() => filterFromParams(params), [params]);
  // The page is in the address too (another filter starts at the newest: showFilter leaves the offset out).
  const offset = offsetFromParams(params);
  const setOffset = (o: number) => showPage(filter, Math.max(0, o));
  const [expanded, setExpanded] = useState<Readonly<Record<number, true>>>({});
  const toggle = (rowId: number) =>
    setExpanded((x) => {
      const next = { ...x };
      if (next[rowId]) delete next[rowId];
      else next[rowId] = true;
      return next;
    });
  const q = useErrorsPage(filter, offset);
  const loaded = q.data !== undefined;
  const loading = q.isFetching;
  const rows = q.data?.errors ?? [];
  const total = q.data?.total ?? 0;
  const unseen = q.data?.unseen?.length ?? 0;
  const error = q.error ? messageOf(q.error) : null;
  const load = () => void q.refetch();
  const showNewest = () => {
    // The older pages moved down by the errors that arrived: read again when shown.
    void queryClient.invalidateQueries({ queryKey: queryKeys.errorsPageAll });
    setOffset(0);
  };
  const filtered = Object.keys(filter).length > 0;
  const last = Math.min(offset + rows.length, total);
  return (
    <section className="view ops-ui" aria-labelledby="view-title">
      <h1 id="view-title">
        Errors <span className="count" data-testid="error-total">{loaded ? `${formatInt(total)} ${filtered ? 'matching' : 'recorded'}` : ''}</span>
      </h1>
      <ErrorGroups />
      <Filters filter={filter} />
      <div className="toolbar">
        <ExportButtons filter={filter} />
      </div>
      {loaded ? <ErrorsBulkBar filter={filter} total={total} /> : null}
      {error ? (
        <div className="banner banner-error" role="alert">
          Could not load errors: {error}{' '}
          <button type="button" className="btn btn-small" onClick={load}>
            Try again
          </button>
        </div>
      ) : null}
      {unseen > 0 ? (
        <button type="button" className="banner banner-note banner-button" onClick={showNewest} data-testid="errors-unseen">
          {unseen} new error{unseen === 1 ? '' : 's'} since this page — show the newest
        </button>
      ) : null}
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : rows.length === 0 && offset > 0 && total > 0 ? (
        <div className="empty" data-testid="errors-past-end">
          <h2>No errors this far back</h2>
          <p>
            {formatInt(total)} {filtered ? 'match' : 'are recorded'}: fewer than this page starts at.{' '}
            <button type="button" className="btn btn-small" onClick={showNewest}>
              Show the newest
            </button>
          </p>
        </div>
      ) : rows.length === 0 ? (
        <div className="empty" data-testid="errors-empty">
          <h2>{filtered ? 'No error matches these filters' : 'No error recorded'}</h2>
          <p>
            {filtered
              ? 'Clear or change the filters to see other errors. New errors that match appear here as they happen.'
              : 'Refused messages, lost crawlers and failed jobs are recorded here as they happen, with their full context.'}
          </p>
        </div>
      ) : (
        <>
          <div className="table-scroll">
            <table className="table table-errors" data-testid="error-table" aria-busy={loading}>
              <caption className="sr-only">Recorded errors, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="sr-only">Context</span>
                  </th>
                  <th scope="col">Time</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Category</th>
                  <th scope="col">Message</th>
                  <th scope="col">Crawler</th>
                  <th scope="col">Job</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <ErrorTableRow key={e.id} error={e} expanded={!!expanded[e.id]} onToggle={() => toggle(e.id)} />
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages of errors">
            <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(offset - ERRORS_PAGE_SIZE)} data-testid="errors-newer">
              ← Newer
            </button>
            <span className="muted" data-testid="error-range">
              {formatInt(offset + 1)}–{formatInt(last)} of {formatInt(total)}
            </span>
            <button type="button" className="btn btn-small" disabled={last >= total} onClick={() => setOffset(offset + ERRORS_PAGE_SIZE)} data-testid="errors-older">
              Older →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
