import { type LiveCrawler, lastHeardAt } from '../state/crawlers';
import { formatAge } from './format';

export function CrawlerRow({ crawler, now }: { crawler: LiveCrawler; now: number }) {
  const c = crawler.connection;
  const heardAt = lastHeardAt(c);
  const what = c.last_heartbeat_at !== null ? 'heartbeat' : 'message';
  const systemStatus = crawler.heartbeat?.system_status;
  return (
    <tr data-testid="crawler-row" data-crawler-id={c.crawler_id}>
      <th scope="row" className="mono">
        {c.crawler_id}
      </th>
      <td>{c.name ?? <span className="muted">unnamed</span>}</td>
      <td>
        <span className={`state state-${c.state}`}>{c.state}</span>
        {systemStatus ? <span className="muted"> · {systemStatus}</span> : null}
      </td>
      <td>{c.spelling}</td>
      <td>{c.transport === 'unix' ? 'Unix socket' : 'TCP'}</td>
      <td data-testid="heartbeat-age" title={`last ${what} at ${new Date(heardAt).toLocaleString()}`}>
        {formatAge(now - heardAt)} ago{what === 'message' ? <span className="muted"> (no heartbeat yet)</span> : null}
      </td>
      <td className="num" data-testid="messages-received">
        {c.messages_received.toLocaleString()}
      </td>
    </tr>
  );
}
