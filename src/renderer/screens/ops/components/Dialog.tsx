import type { ReactNode } from 'react';
import { Dialog } from '../../../components/Dialog';

// The one dialog of every screen (components/Dialog): focus trapped, and returned to what opened it.
export { Dialog };

/** A confirmation: what will happen, and two buttons (the safe one focused first). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  disabled,
  error,
  onConfirm,
  onClose,
  testId,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  disabled?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
  testId?: string;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose} className="ops-ui" destructive={danger ?? false} {...(testId !== undefined && { testId })}>
      <div className="dialog-body">{children}</div>
      {error ? (
        <p className="form-error" role="alert" data-testid="dialog-error">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} data-autofocus>
          Cancel
        </button>
        <button type="button" className={danger ? 'btn btn-danger' : 'btn btn-primary'} onClick={onConfirm} disabled={busy || disabled} data-testid="confirm">
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
