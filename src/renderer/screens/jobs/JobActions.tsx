/**
 * Cancel / retry / priority buttons with their dialogs, for the table (many
 * jobs) and the detail page (one), and the per-job outcome of the last action.
 */
import { useState } from 'react';
import { type BulkAction, type BulkResult, summarize } from './bulk';
import { ConfirmCancelDialog, PriorityDialog } from './Dialogs';
import { shortId } from './format';
import { ViewLink } from '../../router';

export function JobActionButtons({
  count,
  busy,
  initialPriority = 1,
  onAction,
  label,
  unavailable = {},
}: {
  count: number;
  /** Actions that cannot apply (one job in a state that refuses them), with the reason shown as the button's title. */
  unavailable?: Partial<Record<BulkAction['kind'], string>>;
  busy: BulkAction['kind'] | null;
  initialPriority?: number;
  onAction: (action: BulkAction) => void;
  /** What the buttons act on, for screen readers: "the selected jobs", "this job". */
  label: string;
}) {
  const [dialog, setDialog] = useState<'cancel' | 'priority' | null>(null);
  const none = count === 0 || busy !== null;
  return (
    <div className="action-buttons" role="group" aria-label={`Actions on ${label}`}>
      <button type="button" className="danger-outline" disabled={none || !!unavailable.cancel} title={unavailable.cancel} onClick={() => setDialog('cancel')} data-testid="action-cancel">
        {busy === 'cancel' ? 'Cancelling…' : 'Cancel…'}
      </button>
      <button type="button" disabled={none || !!unavailable.retry} title={unavailable.retry} onClick={() => onAction({ kind: 'retry' })} data-testid="action-retry">
        {busy === 'retry' ? 'Retrying…' : 'Retry'}
      </button>
      <button type="button" disabled={none} onClick={() => setDialog('priority')} data-testid="action-priority">
        {busy === 'priority' ? 'Saving…' : 'Priority…'}
      </button>
      {dialog === 'cancel' ? (
        <ConfirmCancelDialog
          count={count}
          onClose={() => setDialog(null)}
          onConfirm={(reason) => {
            setDialog(null);
            onAction({ kind: 'cancel', ...(reason && { reason }) });
          }}
        />
      ) : null}
      {dialog === 'priority' ? (
        <PriorityDialog
          count={count}
          initial={initialPriority}
          onClose={() => setDialog(null)}
          onConfirm={(priority) => {
            setDialog(null);
            onAction({ kind: 'priority', priority });
          }}
        />
      ) : null}
    </div>
  );
}

/** Each job's outcome: the refused ones with the server's message first, the rest folded. */
export function BulkResultPanel({ result, onDismiss }: { result: BulkResult; onDismiss: () => void }) {
  const refused = result.outcomes.filter((o) => !o.ok);
  const done = result.outcomes.filter((o) => o.ok);
  return (
    <div className={`result-panel ${refused.length > 0 ? 'result-mixed' : 'result-ok'}`} role="status" data-testid="bulk-result">
      <div className="result-head">
        <strong data-testid="bulk-summary">{summarize(result)}</strong>
        <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss the result">
          Dismiss
        </button>
      </div>
      {refused.length > 0 ? (
        <ul className="result-list" data-testid="bulk-refused">
          {refused.slice(0, 50).map((o) => (
            <li key={o.job_id}>
              <ViewLink view="job" params={{ job_id: o.job_id }} className="link mono" title={o.job_id}>
                {shortId(o.job_id)}
              </ViewLink>{' '}
              <span className="bad-text">{o.message}</span>
            </li>
          ))}
          {refused.length > 50 ? <li className="muted">… and {refused.length - 50} more</li> : null}
        </ul>
      ) : null}
      {done.length > 0 && refused.length > 0 ? (
        <details>
          <summary>{done.length} done</summary>
          <ul className="result-list">
            {done.slice(0, 50).map((o) => (
              <li key={o.job_id}>
                <span className="mono">{shortId(o.job_id)}</span> {o.message}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
