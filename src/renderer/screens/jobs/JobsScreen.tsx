/** The Jobs screen: filters, the action bar, the virtualized table and its states. */
import { useEffect } from 'react';
import { JOB_STATUSES } from '../../../shared/jobs';
import { useConsole } from '../../state/store';
import { BulkResultPanel, JobActionButtons } from './JobActions';
import { ExportButtons, JobsFilters } from './JobsFilters';
import { JobsTable } from './JobsTable';
import { formatCount } from './format';
import { filtersFromParams } from './page-window';
import { clearFilters, clearSelection, dismissResult, perform, presetFilters, refresh, startLiveTable, useJobsTable } from './table-state';

function SelectionBar() {
  const selected = useJobsTable((s) => s.selected);
  const busy = useJobsTable((s) => s.busy);
  const count = selected.size;
  return (
    <div className="selection-bar" data-testid="selection-bar">
      <span className="selection-count" aria-live="polite" data-testid="selection-count">
        {count === 0 ? 'No job selected' : `${formatCount(count)} selected`}
      </span>
      <JobActionButtons count={count} busy={busy} label="the selected jobs" onAction={(a) => void perform(a)} />
      {count > 0 ? (
        <button type="button" className="link" onClick={clearSelection}>
          Clear selection
        </button>
      ) : (
        <span className="muted hint-inline">Tick rows to act on them (Shift-click selects a range).</span>
      )}
    </div>
  );
}

function TableState() {
  const total = useJobsTable((s) => s.total);
  const error = useJobsTable((s) => s.error);
  const filtered = useJobsTable((s) => {
    const f = s.filters;
    return f.status.length > 0 || f.job_type !== '' || f.crawler !== '' || f.text.trim() !== '' || f.parent_job_id !== '';
  });
  const navigate = useConsole((s) => s.navigate);
  if (error) {
    return (
      <div className="banner banner-error" role="alert" data-testid="jobs-error">
        {error}{' '}
        <button type="button" onClick={refresh}>
          Try again
        </button>
      </div>
    );
  }
  if (total === null) {
    return (
      <p className="muted" data-testid="jobs-loading" aria-busy="true">
        Loading jobs…
      </p>
    );
  }
  if (total === 0) {
    return filtered ? (
      <div className="empty" data-testid="jobs-empty">
        <h2>No job matches these filters</h2>
        <p>Widen the search, or clear the filters to see every job.</p>
        <button type="button" onClick={clearFilters}>
          Clear filters
        </button>
      </div>
    ) : (
      <div className="empty" data-testid="jobs-empty">
        <h2>No jobs yet</h2>
        <p>
          Create one on the <strong>Assign job</strong> screen — queue it for the next free crawler, or give it to a connected crawler now. A
          discovery job (<code>discover_namespaces</code>) fills this list with a crawl job for every group, project and user it finds.
        </p>
        <button type="button" className="primary" onClick={() => navigate('assign')}>
          Assign a job
        </button>
      </div>
    );
  }
  return <JobsTable />;
}

export function JobsScreen() {
  const params = useConsole((s) => s.params);
  const total = useJobsTable((s) => s.total);
  const totalExact = useJobsTable((s) => s.totalExact);
  const loading = useJobsTable((s) => s.loading);
  const result = useJobsTable((s) => s.lastResult);

  // A link's preset (from Crawlers: jobs of one crawler; from a job: its children) replaces the filters.
  useEffect(() => {
    if (Object.keys(params).length > 0) presetFilters(filtersFromParams(params, JOB_STATUSES));
  }, [params]);
  useEffect(() => startLiveTable(), []);

  return (
    <section className="view jobs-ui jobs-view" aria-labelledby="view-title">
      <div className="jobs-header">
        <h1 id="view-title">
          Jobs{' '}
          <span className="count" data-testid="jobs-total" title={totalExact ? undefined : 'A text search counts its matches up to this many; scroll on for the rest.'}>
            {total === null ? '' : `${formatCount(total)}${totalExact ? '' : '+'} ${total === 1 && totalExact ? 'job' : 'jobs'}`}
            {loading ? <span className="loading-dot" aria-label="updating" /> : null}
          </span>
        </h1>
        <ExportButtons />
      </div>
      <JobsFilters />
      <SelectionBar />
      {result ? <BulkResultPanel result={result} onDismiss={dismissResult} /> : null}
      <TableState />
    </section>
  );
}
