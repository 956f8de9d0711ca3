import { useState } from 'react';
import { EmptyCrawlers } from '../../components/EmptyCrawlers';
import { api } from '../../state/bus';
import { useConsole } from '../../state/store';
import { ConfirmDialog } from './components/Dialog';
import { CrawlerTableRow } from './components/CrawlerTableRow';
import { ShutdownFields } from './components/ShutdownFields';
import { DEFAULT_SHUTDOWN, type ShutdownDraft, parseShutdown } from './state/shutdown';
import { formatDuration, messageOf } from './format';
import type { CrawlerLine } from './state/crawler-health';
import { useCrawlerRecords, useCrawlers } from './state/crawlers-store';
import { useCrawlerLines, useHeartbeatLimits } from './state/use-crawler-lines';
import { ANONYMOUS_RETENTION_CHOICES, foldAnonymous, ghostSummary } from './state/anonymous-crawlers';

/** Asks one crawler to stop (the Crawlers table and the crawler's page). */
export function ShutdownDialog({ target, onClose, onSent }: { target: Pick<CrawlerLine, 'crawler_id' | 'name'> | null; onClose: () => void; onSent: (text: string) => void }) {
  const [draft, setDraft] = useState<ShutdownDraft>(DEFAULT_SHUTDOWN);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setDraft(DEFAULT_SHUTDOWN);
    setError(null);
    onClose();
  };
  const send = async () => {
    if (!target) return;
    const parsed = parseShutdown(draft);
    if (!parsed.ok) return;
    setBusy(true);
    setError(null);
    try {
      await api().sendToCrawler({ crawler_id: target.crawler_id, message: { type: 'shutdown', data: parsed.data } });
      onSent(`Shutdown sent to ${target.name ?? target.crawler_id}${parsed.data.graceful ? ` (graceful, ${parsed.data.timeout_seconds} s)` : ' (immediate)'}.`);
      close();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog
      open={target !== null}
      title={`Send shutdown to ${target?.name ?? target?.crawler_id ?? ''}`}
      confirmLabel="Send shutdown"
      danger
      busy={busy}
      disabled={!parseShutdown(draft).ok}
      error={error}
      onConfirm={() => void send()}
      onClose={close}
      testId="shutdown-dialog"
    >
      <p>
        The crawler <code>{target?.crawler_id}</code> is asked to stop. Jobs it still holds when it leaves go back to the queue.
      </p>
      <ShutdownFields draft={draft} onChange={setDraft} />
    </ConfirmDialog>
  );
}

export function Crawlers() {
  const { lines, now, loaded } = useCrawlerLines();
  const recordsQuery = useCrawlerRecords();
  const error = recordsQuery.error ? messageOf(recordsQuery.error) : null;
  const limits = useHeartbeatLimits();
  const [showGone, setShowGone] = useState(true);
  const [target, setTarget] = useState<CrawlerLine | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const socketPath = useConsole((s) => s.status?.socketPath ?? '…');
  const connected = lines.filter((l) => l.connected).length;
  const shown = showGone ? lines : lines.filter((l) => l.connected);
  const records = recordsQuery.data?.records ?? {};
  const retention = useCrawlers((s) => s.anonymousRetentionMs);
  const pruned = recordsQuery.data?.anonymousPruned ?? 0;
  const [ghostsOpen, setGhostsOpen] = useState(false);
  const { rows, ghosts } = foldAnonymous(shown, records);
  const retentionLabel = ANONYMOUS_RETENTION_CHOICES.find((c) => c.ms === retention)?.label ?? `${Math.round(retention / 60_000)} minutes`;
  return (
    <section className="view ops-ui" aria-labelledby="view-title">
      <h1 id="view-title">
        Crawlers <span className="count" data-testid="crawler-count">{connected} connected</span>
        <span className="count" data-testid="crawler-seen">
          {lines.length} seen
        </span>
      </h1>
      {error ? (
        <div className="banner banner-error" role="alert">
          Could not load the crawlers the console remembers: {error}. They reload when the console reconnects.
        </div>
      ) : null}
      <p className="status-line" role="status" data-testid="crawler-notice">
        {notice}
      </p>
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : lines.length === 0 ? (
        <EmptyCrawlers />
      ) : (
        <>
          <div className="toolbar">
            <label className="check">
              <input type="checkbox" checked={showGone} onChange={(e) => setShowGone(e.target.checked)} data-testid="show-disconnected" />
              Show disconnected crawlers
            </label>
            <label className="check">
              Forget disconnected anonymous crawlers after{' '}
              <select value={retention} onChange={(e) => useCrawlers.getState().setAnonymousRetention(Number(e.target.value))} data-testid="anonymous-retention">
                {ANONYMOUS_RETENTION_CHOICES.map((c) => (
                  <option key={c.ms} value={c.ms}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
            {limits ? (
              <span className="muted small" data-testid="liveness-limits">
                Late: silent for {formatDuration(limits.late_after_ms)}; lost: silent for {formatDuration(limits.lost_after_ms)} (then dropped).
              </span>
            ) : null}
          </div>
          <div className="table-scroll">
            <table className="table table-crawlers" data-testid="crawler-table">
              <caption className="sr-only">Crawlers the console has seen</caption>
              <thead>
                <tr>
                  <th scope="col">Crawler</th>
                  <th scope="col">State</th>
                  <th scope="col">Last heartbeat</th>
                  <th scope="col" className="num">
                    Jobs
                  </th>
                  <th scope="col" className="num">
                    Items
                  </th>
                  <th scope="col">Memory</th>
                  <th scope="col">Protocol</th>
                  <th scope="col">Connected since</th>
                  <th scope="col" className="num">
                    Messages
                  </th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((l) => (
                  <CrawlerTableRow key={l.crawler_id} line={l} now={now} onShutdown={setTarget} />
                ))}
                {ghosts.length > 0 || (showGone && pruned > 0) ? (
                  <tr data-testid="anonymous-ghosts">
                    <td colSpan={10} className="muted">
                      {ghostSummary(ghosts.length, pruned, retentionLabel)}. Crawlers that never say hello get a new id each time they reconnect; their history is kept.{' '}
                      {ghosts.length > 0 ? (
                        <button type="button" className="btn btn-small" aria-expanded={ghostsOpen} onClick={() => setGhostsOpen((o) => !o)} data-testid="anonymous-ghosts-toggle">
                          {ghostsOpen ? 'Hide them' : 'Show them'}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ) : null}
                {ghostsOpen ? ghosts.map((l) => <CrawlerTableRow key={l.crawler_id} line={l} now={now} onShutdown={setTarget} />) : null}
              </tbody>
            </table>
          </div>
          {connected === 0 ? (
            <p className="muted" data-testid="none-connected">
              No crawler is connected now. Crawlers connect to <code>{socketPath}</code>.
            </p>
          ) : null}
        </>
      )}
      <ShutdownDialog target={target} onClose={() => setTarget(null)} onSent={setNotice} />
    </section>
  );
}
