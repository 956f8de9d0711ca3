/**
 * Bulk actions by filter (issue 15): the confirmation that states N and the
 * action, and the result summary (done, skipped and why). One server-side
 * command does the work (applyBulk); the page never loops over jobs.
 *
 * The confirmation asks previewBulk for N and a snapshot when it opens; applyBulk
 * is bound to both, so what runs is what the operator read (jobs created after
 * the count are left alone; if more match than were confirmed, it says so and
 * counts again).
 */
import { useEffect, useId, useState } from 'react';
import {
  BULK_ACTION_DONE,
  type BulkAction,
  type BulkActionKind,
  type BulkPreview,
  type BulkSummary,
  type BulkTarget,
  describeBulkStop,
} from '../../../shared/bulk';
import { FINAL_JOB_STATUSES, type JobStatus } from '../../../shared/jobs';
import { api, onBatch } from '../../state/bus';
import { ConfirmDialog } from '../ops/components/Dialog';
import { formatCount as fmt, formatDuration, formatFull } from '../../components/format';
import { ProgressBar } from '../../components/ProgressBar';
import { useCredentials } from '../ops/state/credentials-store';
const jobsWord = (n: number): string => `${fmt(n)} ${n === 1 ? 'job' : 'jobs'}`;

/** Which jobs, in words: "matching status failed · text “acme”". */
export function describeTarget(target: BulkTarget): string {
  const parts: string[] = [];
  const f = (target.filter ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(f)) {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    const label = key.replace(/_/g, ' ');
    if (key === 'text') parts.push(`text “${String(value)}”`);
    else if (key === 'since') parts.push(`since ${formatFull(Number(value))}`);
    else parts.push(`${label} ${Array.isArray(value) ? value.join(' or ') : String(value)}`);
  }
  const what = target.scope === 'errors' ? 'named by the errors matching' : 'matching';
  return parts.length > 0 ? `${what} ${parts.join(' · ')}` : target.scope === 'errors' ? 'named by any recorded error' : '(every job)';
}

/** How many of the matched jobs the action's rules will leave alone (the server says exactly which, after). */
function forecastSkips(kind: BulkActionKind, by: BulkPreview['by_status']): number {
  const n = (statuses: readonly JobStatus[]) => statuses.reduce((sum, s) => sum + (by[s] ?? 0), 0);
  const all = Object.values(by).reduce((sum, v) => sum + (v ?? 0), 0);
  if (kind === 'retry') return all - n(['failed', 'cancelled']);
  return n(FINAL_JOB_STATUSES);
}

const TITLE: Record<BulkActionKind, (n: string) => string> = {
  cancel: (n) => `Cancel ${n}?`,
  retry: (n) => `Retry ${n}?`,
  priority: (n) => `Change the priority of ${n}`,
  move_credential: (n) => `Move ${n} to another credential`,
};
const CONFIRM: Record<BulkActionKind, (n: string) => string> = {
  cancel: (n) => `Cancel ${n}`,
  retry: (n) => `Retry ${n}`,
  priority: (n) => `Set priority of ${n}`,
  move_credential: (n) => `Move ${n}`,
};
const EFFECT: Record<BulkActionKind, string> = {
  cancel: 'Queued jobs will not start; running jobs stop on their crawlers (they are sent job_cancel). A cancelled job can be retried later.',
  retry: 'Failed and cancelled jobs go back to the queue, resuming from their last state; their attempts start again.',
  priority: 'Higher runs first; queued jobs are handed out in this order.',
  move_credential: 'The jobs use the chosen credential from now on; jobs waiting for a token go on.',
};
const SKIPPED_BY_RULE: Record<BulkActionKind, string> = {
  cancel: 'already finished',
  retry: 'neither failed nor cancelled',
  priority: 'already finished',
  move_credential: 'already finished',
};

/**
 * The confirmation for one bulk action on a filter: counts the matches when it
 * opens, states N and the action, takes the action's parameter, and runs it.
 */
export function BulkFilterDialog({
  target,
  kind,
  onClose,
  onDone,
}: {
  target: BulkTarget;
  kind: BulkActionKind;
  onClose: () => void;
  onDone: (summary: BulkSummary) => void;
}) {
  const [preview, setPreview] = useState<BulkPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState('');
  const [priority, setPriority] = useState('1');
  const [credentialId, setCredentialId] = useState('');
  const [progress, setProgress] = useState<{ processed: number; expected: number } | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const id = useId();
  // While it runs, the console reports after each chunk (a page sees the latest, at most ~10 a second).
  useEffect(() => {
    if (!busy) return;
    return onBatch((batch) => {
      for (const e of batch.events) if (e.type === 'bulk_progress' && e.action === kind) setProgress({ processed: e.processed, expected: e.expected });
    });
  }, [busy, kind]);

  /** Bumped by "Count again". */
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    api()
      .previewBulk({ target })
      .then(
        (p) => {
          if (!live) return;
          setPreview(p);
          setError(null);
        },
        (e: unknown) => {
          if (live) setError(e instanceof Error ? e.message : String(e));
        },
      );
    return () => {
      live = false;
    };
  }, [target, round]);
  const count = () => {
    setPreview(null);
    setError(null);
    setRound((r) => r + 1);
  };
  // The one cached list of credentials (every screen that offers them shares it).
  const { credentials: saved, loaded: credentialsLoaded } = useCredentials();
  const credentials = credentialsLoaded ? saved : null;

  const n = preview?.matched ?? null;
  const p = Number(priority);
  const paramProblem =
    kind === 'priority' && (priority.trim() === '' || !Number.isInteger(p) || p < -1000 || p > 1000)
      ? 'Enter a whole number from -1000 to 1000.'
      : kind === 'move_credential' && credentialId === ''
        ? 'Choose a credential.'
        : null;
  const action = (): BulkAction =>
    kind === 'cancel'
      ? { kind, ...(reason.trim() && { reason: reason.trim() }) }
      : kind === 'priority'
        ? { kind, priority: p }
        : kind === 'move_credential'
          ? { kind, credential_id: credentialId }
          : { kind: 'retry' };

  const run = async () => {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await api().applyBulk({ target, action: action(), expected: preview.matched, snapshot: preview.snapshot }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  // Stops the running action after its current slice; applyBulk then answers with a summary that says so.
  const cancelRun = async () => {
    setCancelling(true);
    try {
      await api().cancelBulk({});
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setCancelling(false);
    }
  };

  const skips = preview ? forecastSkips(kind, preview.by_status) + (preview.missing_jobs ?? 0) : 0;
  return (
    <ConfirmDialog
      open
      title={n === null ? 'Counting the matching jobs…' : TITLE[kind](jobsWord(n))}
      confirmLabel={n === null ? 'Counting…' : CONFIRM[kind](jobsWord(n))}
      danger={kind === 'cancel'}
      busy={busy}
      disabled={n === null || n === 0 || paramProblem !== null}
      error={error}
      onConfirm={() => void run()}
      onClose={onClose}
      testId="bulk-dialog"
    >
      <p data-testid="bulk-statement">
        {n === null ? (
          'Counting…'
        ) : (
          <>
            {BULK_VERB_ING[kind]} <strong data-testid="bulk-matched">{jobsWord(n)}</strong> {describeTarget(target)}
            {preview?.errors_matched !== undefined ? ` (${fmt(preview.errors_matched)} errors)` : ''}.
          </>
        )}
      </p>
      {n !== null && skips > 0 ? (
        <p className="muted" data-testid="bulk-forecast">
          {fmt(skips)} of them {skips === 1 ? 'is' : 'are'} {preview?.missing_jobs ? 'gone or ' : ''}
          {SKIPPED_BY_RULE[kind]} and will be left as {skips === 1 ? 'it is' : 'they are'}.
        </p>
      ) : null}
      <p className="muted">{EFFECT[kind]} Jobs created after this count are not included.</p>
      {kind === 'cancel' ? (
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason (optional, kept in each job’s history)</label>
          <input id={`${id}-reason`} type="text" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder="cancelled by the operator" />
        </div>
      ) : null}
      {kind === 'priority' ? (
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <input id={`${id}-priority`} type="number" step={1} min={-1000} max={1000} value={priority} onChange={(e) => setPriority(e.target.value)} data-testid="bulk-priority" />
        </div>
      ) : null}
      {kind === 'move_credential' ? (
        <div className="field">
          <label htmlFor={`${id}-credential`}>Credential</label>
          <select id={`${id}-credential`} value={credentialId} onChange={(e) => setCredentialId(e.target.value)} data-testid="bulk-credential">
            <option value="">{credentials === null ? 'Loading…' : credentials.length === 0 ? 'No saved credential' : 'Choose…'}</option>
            {(credentials ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.label} — {c.gitlab_host} ({c.token_hint})
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {paramProblem && n !== null ? <p className="hint">{paramProblem}</p> : null}
      {busy ? (
        <p role="status" data-testid="bulk-progress">
          <ProgressBar value={progress && progress.expected > 0 ? progress.processed / progress.expected : 0} label="Bulk action progress" showText={false} /> {progress ? `${fmt(progress.processed)} of ${fmt(progress.expected)}` : 'Starting…'}{' '}
          {/* Offered once the console reports the action under way (a cancel before it starts would find nothing to stop). */}
          {progress ? (
            <button type="button" className="btn btn-small" onClick={() => void cancelRun()} disabled={cancelling} data-testid="bulk-cancel">
              {cancelling ? 'Cancelling…' : 'Cancel bulk action'}
            </button>
          ) : null}
        </p>
      ) : null}
      {error && preview ? (
        <button type="button" className="btn btn-small" onClick={count} data-testid="bulk-recount">
          Count again
        </button>
      ) : null}
    </ConfirmDialog>
  );
}

const BULK_VERB_ING: Record<BulkActionKind, string> = {
  cancel: 'Cancels',
  retry: 'Retries',
  priority: 'Sets the priority of',
  move_credential: 'Moves',
};

/** What a bulk action did: done, and skipped by reason (most first). */
export function BulkSummaryPanel({ summary, onDismiss }: { summary: BulkSummary; onDismiss: () => void }) {
  return (
    <div className={`result-panel ${summary.skipped_total > 0 || summary.stopped ? 'result-mixed' : 'result-ok'}`} role="status" data-testid="bulk-filter-summary">
      <div className="result-head">
        <span>
          <strong data-testid="bulk-done">
            {fmt(summary.done)} {summary.done === 1 ? 'job' : 'jobs'} {BULK_ACTION_DONE[summary.action.kind]}
            {summary.skipped_total > 0 ? `, ${fmt(summary.skipped_total)} skipped` : ''}
          </strong>{' '}
          <span className="muted">
            of {jobsWord(summary.expected)} confirmed, in {formatDuration(summary.took_ms)}
          </span>
        </span>
        <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss the summary">
          Dismiss
        </button>
      </div>
      {summary.stopped ? (
        <p data-testid="bulk-stopped">{describeBulkStop(summary.stopped)}</p>
      ) : null}
      {summary.skipped.length > 0 ? (
        <ul className="result-list" data-testid="bulk-skipped">
          {summary.skipped.map((s) => (
            <li key={s.reason}>
              {fmt(s.count)} {s.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
