/**
 * One crawler's page (`#/crawlers/<id>`): who it is and how it is connected,
 * its heartbeats of the last hour as a chart, its current and recent jobs, its
 * errors, and what an operator does with it (assign, quiet/resume, shutdown).
 * Everything comes from the query cache; heartbeats, connection changes, its
 * jobs' changes and its errors arrive as events and update it (query/live.ts).
 */
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import type { CommandOutput } from '../../../shared/contract';
import type { HeartbeatPoint } from '../../../shared/power-views';
import { isFinalJobStatus } from '../../../shared/jobs';
import { MiniChart, type MiniSeries } from '../../components/MiniChart';
import { formatAge, formatBytes, formatCount, formatDuration, formatFull, formatWhen } from '../../components/format';
import { useNow } from '../../components/use-now';
import { ViewLink, useNavigate, useViewParams } from '../../router';
import { queryKeys } from '../../query/keys';
import { api } from '../../state/bus';
import { useConsole } from '../../state/store';
import { StatusBadge } from '../jobs/StatusBadge';
import { shortId } from '../jobs/format';
import { ShutdownDialog } from '../ops';
import { QuietBadge, QuietButton } from '../power';
import { viewHealth } from '../ops/state/crawler-health';
import '../pages.css';

type CrawlerPageData = CommandOutput<'getCrawler'>;

type CrawlerView = CrawlerPageData['crawler'];

function Facts({ rows }: { rows: [string, ReactNode, string?][] }) {
  return (
    <dl className="facts">
      {rows.map(([k, v, testId]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd data-testid={testId}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Identity({ c }: { c: CrawlerView }) {
  const tls = useConsole((s) => s.status?.tls ?? null);
  const now = useNow(10_000);
  // The message and byte counters come with no event: the shared store re-reads every connection's (state/store.ts).
  const live = useConsole((s) => (c.connection ? s.crawlers[c.connection.connection_id]?.connection : undefined));
  const conn = live ?? c.connection;
  const transport = !conn ? '—' : conn.transport === 'unix' ? 'Unix socket' : 'TCP';
  const tlsText = !conn || conn.transport === 'unix' ? 'not needed (local socket)' : tls ? `TLS, certificate ${tls.fingerprint256.slice(0, 23)}…` : 'none (plain TCP)';
  const rows: [string, ReactNode, string?][] = [
    ['Crawler id', <span className="mono" key="id">{c.crawler_id}</span>],
    ['Name', c.name ?? <span className="muted">not given</span>],
    ['Version', c.version ?? '—'],
    ['Host · pid', [c.host, c.pid].filter((v) => v !== null && v !== undefined).join(' · ') || '—'],
    ['Transport', transport, 'crawler-transport'],
    ['TLS', tlsText, 'crawler-tls'],
    ['Spelling', c.spelling ?? '—', 'crawler-spelling'],
    ['Said hello', conn ? (conn.said_hello ? 'yes' : 'no (the crawler in the wild does not)') : '—'],
    ['Capacity', `${c.active_jobs} of ${c.capacity} jobs`, 'crawler-capacity'],
    ['Connected since', conn ? <span title={formatFull(conn.connected_at)}>{formatWhen(conn.connected_at, now)}</span> : c.disconnected_at ? `left ${formatWhen(c.disconnected_at, now)}` : '—', 'crawler-connected-since'],
    ['Messages', conn ? `${formatCount(conn.messages_received)} in · ${formatCount(conn.messages_sent)} out` : '—', 'crawler-messages'],
    ['Traffic', conn ? `${formatBytes(conn.bytes_received)} in · ${formatBytes(conn.bytes_sent)} out` : '—'],
    ['Protocol errors', conn ? formatCount(conn.errors) : '—'],
    ['Items processed', formatCount(c.total_processed)],
  ];
  if (c.capabilities && c.capabilities.length > 0) rows.push(['Capabilities', c.capabilities.join(', ')]);
  if (!conn && c.disconnect_reason) rows.push(['Left because', c.disconnect_reason]);
  return (
    <section className="panel" aria-labelledby="identity-title" data-testid="crawler-identity">
      <h2 id="identity-title">Identity and connection</h2>
      <Facts rows={rows} />
    </section>
  );
}

function heartbeatCharts(points: readonly HeartbeatPoint[]): { xs: number[]; timing: MiniSeries[]; memory: MiniSeries[] | null } {
  const xs = points.map((p) => p.at / 1000);
  const timing: MiniSeries[] = [
    { label: 'Heartbeat gap', side: 'left', color: '--accent', values: points.map((p) => (p.gap_ms === null ? null : p.gap_ms / 1000)), format: (v) => formatDuration(v * 1000) },
    { label: 'Active jobs', side: 'right', color: '--ok', values: points.map((p) => p.active_jobs), format: (v) => (Number.isInteger(v) ? formatCount(v) : ''), stepped: true },
  ];
  const memory = points.some((p) => p.memory_bytes !== null)
    ? [{ label: 'Memory', side: 'left' as const, color: '--warn', values: points.map((p) => p.memory_bytes), format: (v: number) => formatBytes(v) }]
    : null;
  return { xs, timing, memory };
}

function Heartbeats({ data }: { data: CrawlerPageData }) {
  const now = useNow(1000);
  const clockOffset = useConsole((s) => s.clockOffset);
  const points = data.heartbeats;
  const last = points.at(-1) ?? null;
  const lastAt = data.crawler.connection?.last_heartbeat_at ?? data.crawler.last_heartbeat_at;
  const charts = useMemo(() => heartbeatCharts(points), [points]);
  const age = lastAt !== null ? formatAge(now + clockOffset - lastAt) : null;
  return (
    <section className="panel" aria-labelledby="hb-title" data-testid="crawler-heartbeats" data-count={points.length}>
      <h2 id="hb-title">
        Heartbeats <span className="count">last {formatDuration(data.window_ms)}</span>
      </h2>
      <p className="hb-now">
        <span>
          Last: <strong data-testid="heartbeat-age">{age === null ? 'none yet' : `${age} ago`}</strong>
        </span>
        <span>
          Active jobs: <strong data-testid="heartbeat-active">{last ? last.active_jobs : '—'}</strong>
        </span>
        <span>
          Memory: <strong data-testid="heartbeat-memory">{last?.memory_bytes != null ? formatBytes(last.memory_bytes) : 'not reported'}</strong>
        </span>
        <span>
          Status: <strong>{last?.system_status ?? '—'}</strong>
        </span>
      </p>
      {points.length === 0 ? (
        <p className="muted" data-testid="heartbeat-chart-empty">
          No heartbeat in the last hour{data.crawler.connection ? ' — the chart starts with the next one.' : '.'}
        </p>
      ) : (
        <>
          <MiniChart xs={charts.xs} series={charts.timing} label={`Heartbeat gaps and active jobs, ${points.length} heartbeats`} testId="heartbeat-chart" />
          {charts.memory ? <MiniChart xs={charts.xs} series={charts.memory} height={120} label="Reported memory" testId="memory-chart" /> : null}
        </>
      )}
    </section>
  );
}

function Jobs({ crawlerId }: { crawlerId: string }) {
  const q = useQuery({
    queryKey: queryKeys.crawlerJobs(crawlerId),
    queryFn: () => api().listJobs({ crawler: crawlerId, sort: 'updated_at', dir: 'desc', limit: 20 }),
  });
  const now = useNow(30_000);
  const jobs = q.data?.jobs ?? [];
  const current = jobs.filter((j) => !isFinalJobStatus(j.status));
  return (
    <section className="panel" aria-labelledby="cj-title" data-testid="crawler-jobs">
      <h2 id="cj-title">
        Jobs <span className="count">{q.data ? `${current.length} current · ${formatCount(q.data.total)} in all` : ''}</span>
        <ViewLink view="jobs" params={{ crawler: crawlerId }} className="link small" data-testid="crawler-all-jobs">
          all its jobs
        </ViewLink>
      </h2>
      {q.error ? <div className="banner banner-error">{q.error.message}</div> : null}
      {q.data && jobs.length === 0 ? <p className="muted">No job was ever leased to it.</p> : null}
      {jobs.length > 0 ? (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Type · target</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.job_id} data-testid="crawler-job-row" data-job-id={j.job_id}>
                <td>
                  <ViewLink view="job" params={{ job_id: j.job_id }} className="link mono" title={j.job_id}>
                    {shortId(j.job_id)}
                  </ViewLink>
                </td>
                <td>
                  <StatusBadge status={j.status} />
                </td>
                <td>
                  {j.job_type}
                  <span className="muted"> {j.namespace_path ?? j.entity_id ?? ''}</span>
                </td>
                <td title={formatFull(j.updated_at)}>{formatWhen(j.updated_at, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function Errors({ crawlerId }: { crawlerId: string }) {
  const q = useQuery({ queryKey: queryKeys.crawlerErrors(crawlerId), queryFn: () => api().listErrors({ crawler_id: crawlerId, limit: 10 }) });
  const now = useNow(30_000);
  const errors = q.data?.errors ?? [];
  return (
    <section className="panel" aria-labelledby="ce-title" data-testid="crawler-errors">
      <h2 id="ce-title">
        Errors <span className="count">{q.data ? `${formatCount(q.data.total)} recorded` : ''}</span>
        <ViewLink view="errors" params={{ crawler_id: crawlerId }} className="link small">
          all its errors
        </ViewLink>
      </h2>
      {q.error ? <div className="banner banner-error">{q.error.message}</div> : null}
      {q.data && errors.length === 0 ? <p className="muted">No error recorded for it.</p> : null}
      {errors.length > 0 ? (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Job</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e) => (
              <tr key={e.id} data-testid="crawler-error-row">
                <td title={formatFull(e.last_at ?? e.at)}>{formatWhen(e.last_at ?? e.at, now)}</td>
                <td>
                  <span className="mono small">{e.code ?? e.category}</span> {e.message}
                  {(e.count ?? 1) > 1 ? <span className="muted"> ×{formatCount(e.count)}</span> : null}
                </td>
                <td>
                  {e.job_id ? (
                    <ViewLink view="job" params={{ job_id: e.job_id }} className="link mono" title={e.job_id}>
                      {shortId(e.job_id)}
                    </ViewLink>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function Actions({ c }: { c: CrawlerView }) {
  const navigate = useNavigate();
  const [shutdown, setShutdown] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const connected = c.connection !== null;
  const full = c.active_jobs >= c.capacity;
  const label = c.name ?? c.crawler_id;
  return (
    <>
      <div className="page-actions ops-ui">
        <button
          type="button"
          className="btn btn-small"
          disabled={!connected || full}
          title={!connected ? 'Not connected' : full ? 'No free capacity' : undefined}
          onClick={() => navigate('assign', { crawler_id: c.crawler_id })}
          data-testid="crawler-assign"
        >
          Assign a job
        </button>
        <QuietButton crawlerId={c.crawler_id} label={label} />
        <button type="button" className="btn btn-small" disabled={!connected} onClick={() => setShutdown(true)} data-testid="crawler-shutdown">
          Shutdown…
        </button>
        {notice ? (
          <span role="status" className="muted" data-testid="crawler-notice">
            {notice}
          </span>
        ) : null}
      </div>
      <div className="ops-ui">
        <ShutdownDialog target={shutdown ? { crawler_id: c.crawler_id, name: c.name } : null} onClose={() => setShutdown(false)} onSent={setNotice} />
      </div>
    </>
  );
}

export function CrawlerScreen() {
  const crawlerId = useViewParams().crawler_id ?? '';
  const q = useQuery({
    queryKey: queryKeys.crawler(crawlerId),
    queryFn: () => api().getCrawler({ crawler_id: crawlerId }),
    enabled: crawlerId !== '',
  });
  const back = (
    <ViewLink view="crawlers" className="link back" data-testid="back-to-crawlers">
      ← All crawlers
    </ViewLink>
  );
  if (!q.data) {
    const notFound = q.error && 'code' in q.error && q.error.code === 'not_found';
    return (
      <section className="view crawler-page" aria-labelledby="view-title">
        {back}
        <h1 id="view-title">
          Crawler <span className="mono">{crawlerId}</span>
        </h1>
        {q.error ? (
          <div className="banner banner-error" role="alert" data-testid="crawler-error-state">
            {notFound ? `The console has never seen a crawler ${crawlerId}.` : `The crawler could not be loaded: ${q.error.message}`}
          </div>
        ) : (
          <p className="muted" aria-busy="true">
            Loading…
          </p>
        )}
      </section>
    );
  }
  const c = q.data.crawler;
  const state = viewHealth(c);
  return (
    <section className="view crawler-page" aria-labelledby="view-title" data-testid="crawler-page" data-crawler-id={c.crawler_id} data-state={state}>
      {back}
      <h1 id="view-title">
        {c.name ?? 'Crawler'} <span className="mono">{c.crawler_id}</span>{' '}
        <span className="ops-ui">
          <span className={`badge badge-${state}`} data-testid="crawler-state">
            {state}
          </span>{' '}
          <QuietBadge crawlerId={c.crawler_id} />
        </span>
      </h1>
      {c.anonymous ? <p className="subtitle">It never said hello: the console gave it this id, and it gets a new one when it reconnects.</p> : null}
      <Actions c={c} />
      <div className="page-grid">
        <Identity c={c} />
        <Heartbeats data={q.data} />
        <Jobs crawlerId={c.crawler_id} />
        <Errors crawlerId={c.crawler_id} />
      </div>
    </section>
  );
}
