/** A heartbeat event written into a crawler page's cached data (pure: no cache, no DOM). */
import type { CommandOutput, ConsoleEvent } from '../../shared/contract';
import { heartbeatPoint } from '../../shared/power-views';

type CrawlerPage = CommandOutput<'getCrawler'>;

/** A heartbeat appended to a crawler page's history (the window's oldest points drop off). */
export function withHeartbeat(page: CrawlerPage, e: Extract<ConsoleEvent, { type: 'heartbeat' }>): CrawlerPage {
  const last = page.heartbeats.at(-1);
  if (last && last.at >= e.at) return page;
  const point = heartbeatPoint(last?.at ?? null, e.at, e.data);
  const from = e.at - page.window_ms;
  const heartbeats = [...page.heartbeats.filter((p) => p.at >= from), point];
  const connection = page.crawler.connection && page.crawler.connection.connection_id === e.connection_id ? { ...page.crawler.connection, last_heartbeat_at: e.at } : page.crawler.connection;
  return { ...page, heartbeats, crawler: { ...page.crawler, last_heartbeat_at: e.at, last_heartbeat: e.data, connection } };
}
