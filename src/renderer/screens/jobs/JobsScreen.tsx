/** The Jobs screen: filters, the action bar, the virtualized table and its states. */
import { useEffect, useState } from 'react';
import type { BulkActionKind, BulkTarget } from '../../../shared/bulk';
import { BulkFilterDialog, BulkSummaryPanel } from './BulkByFilter';
import { BulkResultPanel, JobActionButtons } from './JobActions';
import { ExportButtons, JobsFilters } from './JobsFilters';
import { JobsTable } from './JobsTable';
import {
  bulkDone,
  bulkTarget,
  clearFilters,
  clearSelection,
  dismissBulkSummary,
  dismissResult,
  perform,
  refresh,
  selectAllMatching,
  startLiveTable,
  useJobsTable,
} from './table-state';
import { formatCount } from './format';
import { useNavigate } from '../../router';
import { useJobsAddress } from './address';

const BULK_BUTTONS: { kind: BulkActionKind; label: string; className?: string }[] = [
  { kind: 'cancel', label: 'Cancel all…', className: 'danger-outline' },
  { kind: 'retry', label: 'Retry all…' },
  { kind: 'priority', label: 'Priority…' },
  { kind: 'move_credential', label: 'Move to credential…' },
];

/** "All N matching" selected: the actions go to the server as one command on the filter. */
function MatchAllBar() {
  const total = useJobsTable((s) => s.total);
  const exact = useJobsTable((s) => s.totalExact);
  // The target is fixed when the dialog opens: the confirmation counts that filter, not a later one.
  const [dialog, setDialog] = useState<{ kind: BulkActionKind; target: BulkTarget } | null>(null);
  return (
    <div className="selection-bar selection-all" data-testid="selection-bar">
      <span className="selection-count" aria-live="polite" data-testid="selection-count">
        All {total === null ? '' : `${formatCount(total)}${exact ? '' : '+'} `}jobs matching these filters are selected.
      </span>
      <div className="action-buttons" role="group" aria-label="Actions on every matching job">
        {BULK_BUTTONS.map((b) => (
          <button key={b.kind} type="button" className={b.className} onClick={() => setDialog({ kind: b.kind, target: bulkTarget() })} data-testid={`bulk-${b.kind}`}>
            {b.label}
          </button>
        ))}
      </div>
      <button type="button" className="link" onClick={clearSelection} data-testid="clear-selection">
        Clear selection
      </button>
      {dialog ? (
        <BulkFilterDialog
          target={dialog.target}
          kind={dialog.kind}
          onClose={() => setDialog(null)}
          onDone={(summary) => {
            setDialog(null);
            bulkDone(summary);
          }}
        />
      ) : null}
    </div>
  );
}

function SelectionBar() {
  const selected = useJobsTable((s) => s.selected);
  const busy = useJobsTable((s) => s.busy);
  const matchAll = useJobsTable((s) => s.matchAll);
  const total = useJobsTable((s) => s.total);
  const exact = useJobsTable((s) => s.totalExact);
  const count = selected.size;
  if (matchAll) return <MatchAllBar />;
  return (
    <div className="selection-bar" data-testid="selection-bar">
      <span className="selection-count" aria-live="polite" data-testid="selection-count">
        {count === 0 ? 'No job selected' : `${formatCount(count)} selected`}
      </span>
      <JobActionButtons count={count} busy={busy} label="the selected jobs" onAction={(a) => void perform(a)} />
      {count > 0 && total !== null && (total > count || !exact) ? (
        <button type="button" className="link" onClick={selectAllMatching} data-testid="select-all-matching">
          Select all {formatCount(total)}
          {exact ? '' : '+'} matching
        </button>
      ) : null}
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
  const navigate = useNavigate();
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
  const total = useJobsTable((s) => s.total);
  const totalExact = useJobsTable((s) => s.totalExact);
  const loading = useJobsTable((s) => s.loading);
  const result = useJobsTable((s) => s.lastResult);
  const bulkSummary = useJobsTable((s) => s.bulkSummary);

  // The filters are the address's: a link (jobs of one crawler, a job's children), a reload or Back sets them.
  useJobsAddress();
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
      {bulkSummary ? <BulkSummaryPanel summary={bulkSummary} onDismiss={dismissBulkSummary} /> : null}
      <TableState />
    </section>
  );
}
