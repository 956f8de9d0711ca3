import { useState } from 'react';
import type { BulkActionKind, BulkSummary, BulkTarget } from '../../../../shared/bulk';
import { BulkFilterDialog, BulkSummaryPanel } from '../../jobs/BulkByFilter';
import { formatInt } from '../format';
import { useJobCounts } from '../state/overview-queries';

const SHORTCUTS: { kind: BulkActionKind; label: string; target: BulkTarget; count: 'failed' | 'queued'; testId: string; className: string }[] = [
  { kind: 'retry', label: 'Retry all failed', target: { scope: 'jobs', filter: { status: ['failed'] } }, count: 'failed', testId: 'retry-all-failed', className: 'btn btn-primary' },
  { kind: 'cancel', label: 'Cancel all queued', target: { scope: 'jobs', filter: { status: ['queued'] } }, count: 'queued', testId: 'cancel-all-queued', className: 'btn btn-danger' },
];

/** Overview shortcuts: one bulk action on every failed or queued job, with the same confirmation (N) and summary as the Jobs screen. */
export function BulkShortcuts() {
  const counts = useJobCounts().data ?? null;
  const [dialog, setDialog] = useState<(typeof SHORTCUTS)[number] | null>(null);
  const [summary, setSummary] = useState<BulkSummary | null>(null);
  return (
    <section className="card span-4" aria-labelledby="bulk-title" data-testid="bulk-shortcuts">
      <h2 id="bulk-title">Bulk actions</h2>
      <div className="dialog-actions">
        {SHORTCUTS.map((s) => {
          const n = counts?.[s.count] ?? null;
          return (
            <button key={s.testId} type="button" className={s.className} disabled={n === 0} onClick={() => setDialog(s)} data-testid={s.testId}>
              {s.label}
              {n === null ? '' : ` (${formatInt(n)})`}…
            </button>
          );
        })}
      </div>
      {summary ? <BulkSummaryPanel summary={summary} onDismiss={() => setSummary(null)} /> : null}
      {dialog ? (
        <BulkFilterDialog
          target={dialog.target}
          kind={dialog.kind}
          onClose={() => setDialog(null)}
          onDone={(s) => {
            setDialog(null);
            setSummary(s);
          }}
        />
      ) : null}
    </section>
  );
}
