import { useState } from 'react';
import { api } from '../../state/bus';
import { useConsole } from '../../state/store';
import { ConfirmDialog } from './components/Dialog';
import { ShutdownFields } from './components/ShutdownFields';
import { DEFAULT_SHUTDOWN, type ShutdownDraft, parseShutdown } from './state/shutdown';
import { messageOf } from './format';
import { formatClock, formatCount } from '../../components/format';

/** A shutdown for every connected crawler: compose, see who it reaches, confirm, send. */
export function Broadcast() {
  const reach = useConsole((s) => Object.keys(s.crawlers).length);
  const connection = useConsole((s) => s.connection);
  const [draft, setDraft] = useState<ShutdownDraft>(DEFAULT_SHUTDOWN);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ delivered: number; at: number } | null>(null);
  const parsed = parseShutdown(draft);
  const canSend = parsed.ok && reach > 0 && connection === 'open';

  const send = async () => {
    if (!parsed.ok) return;
    setBusy(true);
    setError(null);
    try {
      const { delivered } = await api().broadcast({ type: 'shutdown', data: parsed.data });
      setResult({ delivered, at: Date.now() });
      setConfirming(false);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="view ops-ui" aria-labelledby="view-title">
      <h1 id="view-title">Broadcast</h1>
      <p className="lead">Send a <code>shutdown</code> to every connected crawler at once, for example before maintenance of the console or of GitLab.</p>
      <form
        className="card form-card"
        aria-labelledby="bc-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (canSend) setConfirming(true);
        }}
      >
        <h2 id="bc-title">Shutdown</h2>
        <ShutdownFields draft={draft} onChange={setDraft} />
        <p className="reach" aria-live="polite" data-testid="broadcast-reach" data-count={reach}>
          {reach === 0 ? (
            <>No crawler is connected: there is nobody to send it to.</>
          ) : (
            <>
              It will reach <strong>{reach}</strong> connected crawler{reach === 1 ? '' : 's'}.
            </>
          )}
        </p>
        <div className="form-actions">
          <button type="submit" className="btn btn-danger" disabled={!canSend} data-testid="broadcast-send">
            Send shutdown to all…
          </button>
        </div>
      </form>
      {result ? (
        <p className="result ok-text" role="status" data-testid="broadcast-result" data-delivered={result.delivered}>
          Delivered to {formatCount(result.delivered)} crawler{result.delivered === 1 ? '' : 's'} at {formatClock(result.at)}.
        </p>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Shut down every connected crawler?"
        confirmLabel={`Send to ${reach} crawler${reach === 1 ? '' : 's'}`}
        danger
        busy={busy}
        disabled={!canSend}
        error={error}
        onConfirm={() => void send()}
        onClose={() => {
          setConfirming(false);
          setError(null);
        }}
        testId="broadcast-dialog"
      >
        <p>
          {reach} crawler{reach === 1 ? '' : 's'} will be asked to stop
          {parsed.ok ? (parsed.data.graceful ? `, with ${parsed.data.timeout_seconds} s to finish or hand back their jobs` : ' immediately') : ''}.
          {parsed.ok && parsed.data.reason ? <> Reason: “{parsed.data.reason}”.</> : null} Jobs they still hold go back to the queue.
        </p>
      </ConfirmDialog>
    </section>
  );
}
