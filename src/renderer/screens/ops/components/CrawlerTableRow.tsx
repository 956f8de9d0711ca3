import { formatAge } from '../../../components/format';
import type { CrawlerLine } from '../state/crawler-health';
import { formatDuration, formatInt, formatMemory, formatShortTime, formatTime } from '../format';
import { QuietBadge, QuietButton } from '../../power';
import { ViewLink, useNavigate } from '../../../router';

const HEALTH_TEXT: Record<CrawlerLine['health'], string> = {
  active: 'active',
  idle: 'idle',
  connecting: 'connecting',
  error: 'error',
  late: 'late',
  lost: 'lost',
  disconnected: 'disconnected',
};

/** Why the console says so: the silence it judged and the limits in force. */
function verdictTitle(line: CrawlerLine): string | undefined {
  const l = line.connection ? line.liveness : null;
  if (!l) return undefined;
  return `The console's verdict: silent for ${formatDuration(l.silent_ms)} (late after ${formatDuration(l.late_after_ms)}, lost after ${formatDuration(l.lost_after_ms)})`;
}

function HeartbeatAge({ line, now }: { line: CrawlerLine; now: number }) {
  if (line.connected && line.heard_at !== null) {
    const what = line.heartbeat_at !== null ? 'heartbeat' : 'message';
    return (
      <td data-testid="heartbeat-age" className="age" title={`last ${what} at ${formatTime(line.heard_at)}`}>
        {formatAge(now - line.heard_at)} ago{what === 'message' ? <span className="muted"> (no heartbeat yet)</span> : null}
      </td>
    );
  }
  return (
    <td data-testid="heartbeat-age" className="age muted">
      {line.heartbeat_at !== null ? `${formatAge(now - line.heartbeat_at)} ago` : '—'}
    </td>
  );
}

export function CrawlerTableRow({ line, now, onShutdown }: { line: CrawlerLine; now: number; onShutdown: (line: CrawlerLine) => void }) {
  const navigate = useNavigate();
  const hb = line.heartbeat;
  const memory = formatMemory(hb?.memory_usage);
  const full = line.active_jobs !== null && line.capacity !== null && line.active_jobs >= line.capacity;
  const label = line.name ?? line.crawler_id;
  return (
    <tr data-testid="crawler-row" data-crawler-id={line.crawler_id} data-state={line.health} data-connected={line.connected}>
      <th scope="row">
        <ViewLink view="crawler" params={{ crawler_id: line.crawler_id }} className="link mono" data-testid="crawler-link">
          {line.crawler_id}
        </ViewLink>
        <span className="sub">{line.name ?? <span className="muted">unnamed</span>}</span>
      </th>
      <td>
        <span className={`badge badge-${line.health}`} data-testid="crawler-state" title={verdictTitle(line)}>
          {HEALTH_TEXT[line.health]}
        </span>
        <QuietBadge crawlerId={line.crawler_id} />
        {hb?.system_status && line.connected && hb.system_status !== 'idle' && hb.system_status !== line.health ? (
          <span className="sub muted" data-testid="system-status" title="The crawler's own status, from its last heartbeat">
            {hb.system_status}
          </span>
        ) : null}
      </td>
      <HeartbeatAge line={line} now={now} />
      <td className="num" data-testid="crawler-jobs">
        {line.connected ? (
          <>
            {line.active_jobs ?? '—'} <span className="muted">/ {line.capacity ?? '—'}</span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="num" data-testid="crawler-processed">
        {formatInt(line.total_processed)}
      </td>
      <td>
        {memory ?? <span className="muted">—</span>}
        {typeof hb?.uptime === 'number' ? <span className="sub muted">up {formatDuration(hb.uptime * 1000)}</span> : null}
      </td>
      <td>
        {line.spelling ?? '—'}
        <span className="sub muted">{line.transport === 'unix' ? 'Unix socket' : line.transport === 'tcp' ? 'TCP' : ''}</span>
      </td>
      <td>
        {line.connected ? (
          <span title={line.connected_at ? formatTime(line.connected_at) : undefined}>{line.connected_at ? formatShortTime(line.connected_at, now) : '—'}</span>
        ) : (
          <>
            <span className="muted">left {line.disconnected_at ? `${formatAge(now - line.disconnected_at)} ago` : ''}</span>
            {line.disconnect_reason ? (
              <span className="sub muted reason" title={line.disconnect_reason}>
                {line.disconnect_reason}
              </span>
            ) : null}
          </>
        )}
      </td>
      <td className="num" data-testid="messages-received">
        {line.connection ? formatInt(line.connection.messages_received) : '—'}
      </td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="btn btn-small"
            disabled={!line.connected || full}
            title={!line.connected ? 'Not connected' : full ? 'No free capacity' : undefined}
            aria-label={`Assign a job to ${label}`}
            onClick={() => navigate('assign', { crawler_id: line.crawler_id })}
            data-testid="crawler-assign"
          >
            Assign
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={!line.connected}
            aria-label={`Send shutdown to ${label}`}
            onClick={() => onShutdown(line)}
            data-testid="crawler-shutdown"
          >
            Shutdown…
          </button>
          <QuietButton crawlerId={line.crawler_id} label={label} />
          <button type="button" className="btn btn-small" aria-label={`Open the job list of ${label}`} onClick={() => navigate('jobs', { crawler: line.crawler_id })} data-testid="crawler-jobs-link">
            Job list
          </button>
        </div>
      </td>
    </tr>
  );
}
