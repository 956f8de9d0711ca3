/** The job screens' dialogs, on the one Dialog of every screen (focus trapped, and returned to the opener). */
import { useId, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { formatCount } from './format';

/** Asks before something that cannot be undone (cancelling jobs). */
export function ConfirmCancelDialog({ count, onConfirm, onClose }: { count: number; onConfirm: (reason: string) => void; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const reasonId = useId();
  return (
    <Dialog title={count === 1 ? 'Cancel this job?' : `Cancel ${formatCount(count)} jobs?`} onClose={onClose} destructive className="jobs-ui" testId="confirm-cancel">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm(reason.trim());
        }}
      >
        <p>
          A running job stops on its crawler (it is sent <code>job_cancel</code>); queued jobs will not start. Jobs that have already finished are
          left as they are. A cancelled job can be retried later.
        </p>
        <label htmlFor={reasonId}>Reason (optional, kept in each job’s history)</label>
        <input id={reasonId} type="text" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder="cancelled by the operator" data-testid="cancel-reason" />
        <div className="dialog-actions">
          <button type="button" onClick={onClose} data-autofocus>
            Keep running
          </button>
          <button type="submit" className="danger" data-testid="confirm-cancel-button">
            {count === 1 ? 'Cancel job' : `Cancel ${formatCount(count)} jobs`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Sets a new priority (higher runs first) on one or many jobs. */
export function PriorityDialog({ count, initial, onConfirm, onClose }: { count: number; initial: number; onConfirm: (priority: number) => void; onClose: () => void }) {
  const [value, setValue] = useState(String(initial));
  const inputId = useId();
  const hintId = useId();
  const n = Number(value);
  const problem = value.trim() === '' || !Number.isInteger(n) ? 'a whole number' : n < -1000 || n > 1000 ? 'from -1000 to 1000' : null;
  return (
    <Dialog title={count === 1 ? 'Change the priority' : `Change the priority of ${formatCount(count)} jobs`} onClose={onClose} className="jobs-ui" testId="priority-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem) onConfirm(n);
        }}
      >
        <label htmlFor={inputId}>Priority</label>
        <input
          id={inputId}
          type="number"
          inputMode="numeric"
          step={1}
          min={-1000}
          max={1000}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={problem !== null}
          aria-describedby={hintId}
          data-autofocus
          data-testid="priority-input"
        />
        <p id={hintId} className={problem ? 'field-error' : 'hint'}>
          {problem ? `Enter ${problem}.` : 'Higher runs first; queued jobs are handed out in this order. Running jobs keep running.'}
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="primary" disabled={problem !== null} data-testid="priority-confirm">
            Set priority
          </button>
        </div>
      </form>
    </Dialog>
  );
}
