/**
 * The live crawler list, derived from events: pure functions so the rules
 * (who is shown, what a heartbeat changes) read in one place.
 */
import type { ConnectionInfo } from '../../shared/connection';
import type { ConsoleEvent, CrawlerView } from '../../shared/contract';
import type { HeartbeatData } from '../../shared/protocol';
import type { Liveness } from '../../shared/liveness';

/** A connected crawler as the list shows it. */
export interface LiveCrawler {
  connection: ConnectionInfo;
  /** The last heartbeat's data, when one arrived while this page was open (or from the store). */
  heartbeat: Partial<HeartbeatData> | null;
  /** The console's verdict (active / idle / late / lost …), null until it has judged this connection. */
  liveness: Liveness | null;
}

/** Keyed by connection id: a crawler is announced under a provisional id until its hello names it. */
export type CrawlerMap = Readonly<Record<string, LiveCrawler>>;

export function fromViews(views: readonly CrawlerView[]): CrawlerMap {
  const out: Record<string, LiveCrawler> = {};
  for (const v of views) {
    if (!v.connection || v.connection.state === 'closed') continue;
    out[v.connection.connection_id] = {
      connection: v.connection,
      heartbeat: (v.last_heartbeat as Partial<HeartbeatData> | null) ?? null,
      liveness: v.liveness,
    };
  }
  return out;
}

export function applyEvents(map: CrawlerMap, events: readonly ConsoleEvent[]): CrawlerMap {
  let next: Record<string, LiveCrawler> | null = null;
  const edit = () => (next ??= { ...map });
  for (const e of events) {
    switch (e.type) {
      case 'crawler_connected':
      case 'crawler_updated': {
        const id = e.crawler.connection_id;
        const m = edit();
        // A closed connection's last update can trail its disconnect within a batch: never revive it.
        if (e.crawler.state === 'closed') delete m[id];
        else m[id] = { connection: e.crawler, heartbeat: m[id]?.heartbeat ?? null, liveness: m[id]?.liveness ?? null };
        break;
      }
      case 'crawler_disconnected':
        delete edit()[e.crawler.connection_id];
        break;
      case 'heartbeat': {
        const current = (next ?? map)[e.connection_id];
        if (!current) break;
        const c = current.connection;
        edit()[e.connection_id] = {
          connection: { ...c, last_heartbeat_at: e.at, last_message_at: Math.max(c.last_message_at ?? 0, e.at) },
          heartbeat: e.data,
          liveness: current.liveness,
        };
        break;
      }
      case 'crawler_liveness': {
        const current = (next ?? map)[e.connection_id];
        if (current) edit()[e.connection_id] = { ...current, liveness: e.liveness };
        break;
      }
      default:
        break;
    }
  }
  return next ?? map;
}

/** When the crawler was last heard from (any message, a heartbeat included; else its connect): what its liveness is judged by. */
export const lastHeardAt = (c: ConnectionInfo): number => Math.max(c.last_message_at ?? 0, c.last_heartbeat_at ?? 0) || c.connected_at;

export function sortedCrawlers(map: CrawlerMap): LiveCrawler[] {
  return Object.values(map).sort((a, b) => a.connection.connected_at - b.connection.connected_at || a.connection.crawler_id.localeCompare(b.connection.crawler_id));
}
