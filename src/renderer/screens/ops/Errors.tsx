import { useEffect, useId, useMemo, useState } from 'react';
import { ErrorCategory, ErrorCategorySchema, ErrorSeverity, ErrorSeveritySchema } from '../../../shared/errors';
import { download } from '../../state/bus';
import { useConsole } from '../../state/store';
import { ErrorTableRow } from './components/ErrorTableRow';
import { exportedText } from '../../components/download';
import { formatInt, messageOf } from './format';
import { useCrawlers } from './state/crawlers-store';
import { ERRORS_PAGE_SIZE, type ErrorFilter, useErrors } from './state/errors-store';
import { ErrorGroups } from '../power';
import { useViewParams } from '../../router';
import type { BulkActionKind, BulkSummary, BulkTarget } from '../../../shared/bulk';
import { BulkFilterDialog, BulkSummaryPanel } from '../jobs/BulkByFilter';

const CATEGORIES = Object.values(ErrorCategory);
const SEVERITIES = Object.values(ErrorSeverity);

/** A filter from the screen's parameters (e.g. navigate('errors', { job_id })). */
function filterFromParams(params: Readonly<Record<string, string>>): ErrorFilter | null {
  const f: ErrorFilter = {};
  const category = ErrorCategorySchema.safeParse(params.category);
  const severity = ErrorSeveritySchema.safeParse(params.severity);
  if (category.success) f.category = category.data;
  if (severity.success) f.severity = severity.data;
  if (params.crawler_id) f.crawler_id = params.crawler_id;
  if (params.job_id) f.job_id = params.job_id;
  return Object.keys(f).length > 0 ? f : null;
}

/** Text filters apply shortly after typing stops, not on every key. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function Filters({ initial }: { initial: ErrorFilter }) {
  const id = useId();
  const filter = useErrors((s) => s.filter);
  const setFilter = useErrors((s) => s.setFilter);
  const records = useCrawlers((s) => s.records);
  const live = useConsole((s) => s.crawlers);
  const crawlerIds = useMemo(() => [...new Set([...Object.keys(records), ...Object.values(live).map((l) => l.connection.crawler_id)])].sort(), [records, live]);
  const [crawler, setCrawler] = useState(initial.crawler_id ?? '');
  const [job, setJob] = useState(initial.job_id ?? '');
  const crawlerTyped = useDebounced(crawler, 300);
  const jobTyped = useDebounced(job, 300);
  useEffect(() => {
    const current = useErrors.getState().filter;
    if ((current.crawler_id ?? '') !== crawlerTyped.trim() || (current.job_id ?? '') !== jobTyped.trim()) setFilter({ ...current, crawler_id: crawlerTyped, job_id: jobTyped });
  }, [crawlerTyped, jobTyped, setFilter]);
  const active = Object.keys(filter).length > 0;
  return (
    <form className="ops-filters" role="search" aria-label="Filter errors" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-cat`}>Category</label>
        <select id={`${id}-cat`} value={filter.category ?? ''} onChange={(e) => setFilter({ ...filter, category: (e.target.value || undefined) as ErrorFilter['category'] })} data-testid="filter-category">
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
        <select id={`${id}-sev`} value={filter.severity ?? ''} onChange={(e) => setFilter({ ...filter, severity: (e.target.value || undefined) as ErrorFilter['severity'] })} data-testid="filter-severity">
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
            setFilter({});
          }}
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}

function ExportButtons() {
  const filter = useErrors((s) => s.filter);
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

export function Errors() {
  const params = useViewParams();
  const { rows, total, offset, loaded, loading, error, unseen, expanded, filter } = useErrors();
  const { setOffset, toggle, setFilter, load } = useErrors.getState();
  useEffect(() => {
    const fromParams = filterFromParams(params);
    if (fromParams) setFilter(fromParams);
    else void load();
  }, [params, setFilter, load]);
  const filtered = Object.keys(filter).length > 0;
  const last = Math.min(offset + rows.length, total);
  return (
    <section className="view ops-ui" aria-labelledby="view-title">
      <h1 id="view-title">
        Errors <span className="count" data-testid="error-total">{loaded ? `${formatInt(total)} ${filtered ? 'matching' : 'recorded'}` : ''}</span>
      </h1>
      <ErrorGroups />
      <Filters key={JSON.stringify(params)} initial={filterFromParams(params) ?? filter} />
      <div className="toolbar">
        <ExportButtons />
      </div>
      {loaded ? <ErrorsBulkBar filter={filter} total={total} /> : null}
      {error ? (
        <div className="banner banner-error" role="alert">
          Could not load errors: {error}{' '}
          <button type="button" className="btn btn-small" onClick={() => void load()}>
            Try again
          </button>
        </div>
      ) : null}
      {unseen > 0 ? (
        <button type="button" className="banner banner-note banner-button" onClick={() => setOffset(0)} data-testid="errors-unseen">
          {unseen} new error{unseen === 1 ? '' : 's'} since this page — show the newest
        </button>
      ) : null}
      {!loaded ? (
        <p className="muted">Loading…</p>
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
            <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(offset - ERRORS_PAGE_SIZE)}>
              ← Newer
            </button>
            <span className="muted" data-testid="error-range">
              {formatInt(offset + 1)}–{formatInt(last)} of {formatInt(total)}
            </span>
            <button type="button" className="btn btn-small" disabled={last >= total} onClick={() => setOffset(offset + ERRORS_PAGE_SIZE)}>
              Older →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
