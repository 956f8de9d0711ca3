import { useId } from 'react';
import { type ShutdownDraft, parseShutdown } from '../state/shutdown';

/** Graceful or not, grace time, reason: shared by the per-crawler dialog and the Broadcast screen. */
export function ShutdownFields({ draft, onChange }: { draft: ShutdownDraft; onChange: (d: ShutdownDraft) => void }) {
  const id = useId();
  const parsed = parseShutdown(draft);
  const errors = parsed.ok ? {} : parsed.errors;
  return (
    <div className="form-grid">
      <label className="check">
        <input type="checkbox" checked={draft.graceful} onChange={(e) => onChange({ ...draft, graceful: e.target.checked })} data-testid="shutdown-graceful" />
        Graceful: let running jobs finish or hand them back before stopping
      </label>
      <div className="field">
        <label htmlFor={`${id}-seconds`}>Grace time (seconds)</label>
        <input
          id={`${id}-seconds`}
          type="number"
          min={0}
          max={86400}
          inputMode="numeric"
          value={draft.seconds}
          aria-invalid={errors.timeout_seconds ? true : undefined}
          aria-describedby={errors.timeout_seconds ? `${id}-seconds-err` : undefined}
          onChange={(e) => onChange({ ...draft, seconds: e.target.value })}
          data-testid="shutdown-seconds"
        />
        {errors.timeout_seconds ? (
          <span id={`${id}-seconds-err`} className="field-error">
            {errors.timeout_seconds}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason (optional, sent to the crawler)</label>
        <input
          id={`${id}-reason`}
          type="text"
          maxLength={500}
          value={draft.reason}
          placeholder="e.g. console maintenance"
          onChange={(e) => onChange({ ...draft, reason: e.target.value })}
          data-testid="shutdown-reason"
        />
        {errors.reason ? <span className="field-error">{errors.reason}</span> : null}
      </div>
    </div>
  );
}
