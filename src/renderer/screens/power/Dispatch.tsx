/** Pause and quiet: the banner every screen shows while paused, the Overview's control, the crawler row's quiet button. */
import { useState } from 'react';
import { api } from '../../state/bus';
import { formatShortTime, messageOf } from '../ops/format';
import { setDispatch, useDispatchState, useIsQuiet } from './state/power-store';

/** Shown above every screen while dispatch is paused: nothing else explains an idle queue. */
export function DispatchBanner() {
  const dispatch = useDispatchState();
  const [busy, setBusy] = useState(false);
  if (!dispatch?.paused) return null;
  return (
    <div className="banner banner-warning power-banner" role="status" data-testid="dispatch-paused-banner">
      <span>
        <strong>Dispatch is paused</strong>
        {dispatch.paused_at ? ` since ${formatShortTime(dispatch.paused_at)}` : ''}
        {dispatch.reason ? ` (${dispatch.reason})` : ''}. Crawlers get no new jobs; running jobs go on and the queue keeps its jobs.
      </span>
      <button
        type="button"
        className="power-banner-button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void api()
            .resumeDispatch({})
            .then(setDispatch)
            .finally(() => setBusy(false));
        }}
        data-testid="dispatch-banner-resume"
      >
        Resume dispatch
      </button>
    </div>
  );
}

/** The Overview's card: pause or resume handing out work. */
export function DispatchCard() {
  const dispatch = useDispatchState();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const paused = dispatch?.paused ?? false;
  const run = async (fn: () => Promise<Parameters<typeof setDispatch>[0]>) => {
    setBusy(true);
    setError(null);
    try {
      setDispatch(await fn());
      setReason('');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const quiet = dispatch?.quiet.length ?? 0;
  return (
    <section className="card span-12 power-dispatch" aria-labelledby="dispatch-title" data-testid="dispatch-card" data-paused={paused}>
      <h2 id="dispatch-title">Dispatch</h2>
      <p className="lead" data-testid="dispatch-state">
        {dispatch === null ? 'Loading…' : paused ? 'Paused: no crawler is handed new work.' : 'Running: queued jobs go to crawlers with free capacity.'}
      </p>
      {quiet > 0 ? (
        <p className="muted small" data-testid="dispatch-quiet-count">
          {quiet} crawler{quiet === 1 ? ' is' : 's are'} quiet: {dispatch?.quiet.map((q) => q.crawler_id).join(', ')}
        </p>
      ) : null}
      <div className="row-actions">
        {paused ? (
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void run(() => api().resumeDispatch({}))} data-testid="dispatch-resume">
            Resume dispatch
          </button>
        ) : (
          <>
            <input
              className="power-reason"
              aria-label="Why (optional)"
              placeholder="why (optional)"
              value={reason}
              maxLength={200}
              onChange={(e) => setReason(e.target.value)}
              data-testid="dispatch-reason"
            />
            <button
              type="button"
              className="btn"
              disabled={busy || dispatch === null}
              onClick={() => void run(() => api().pauseDispatch(reason.trim() ? { reason: reason.trim() } : {}))}
              data-testid="dispatch-pause"
            >
              Pause dispatch
            </button>
          </>
        )}
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** "quiet" next to a crawler's state. */
export function QuietBadge({ crawlerId }: { crawlerId: string }) {
  const quiet = useIsQuiet(crawlerId);
  if (!quiet) return null;
  return (
    <span className="badge badge-quiet" title="Finishes what it holds; gets no new jobs" data-testid="crawler-quiet">
      quiet
    </span>
  );
}

/** Quiet a crawler (Sidekiq's "quiet"), or give it work again. */
export function QuietButton({ crawlerId, label }: { crawlerId: string; label: string }) {
  const quiet = useIsQuiet(crawlerId);
  const [busy, setBusy] = useState(false);
  const toggle = () => {
    setBusy(true);
    void (quiet ? api().resumeCrawler({ crawler_id: crawlerId }) : api().quietCrawler({ crawler_id: crawlerId }))
      .then(setDispatch)
      .finally(() => setBusy(false));
  };
  return (
    <button
      type="button"
      className="btn btn-small"
      disabled={busy}
      aria-label={quiet ? `Give ${label} work again` : `Quiet ${label}: it finishes its jobs and gets no new ones`}
      title={quiet ? 'Give it work again' : 'Finish what it holds, get nothing new'}
      onClick={toggle}
      data-testid={quiet ? 'crawler-resume' : 'crawler-quiet-button'}
    >
      {quiet ? 'Resume' : 'Quiet'}
    </button>
  );
}
