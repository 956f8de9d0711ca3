/**
 * A crawler's state as an operator reads it: the console's own liveness verdict
 * (judged in the main process, see shared/liveness) for a connected crawler,
 * how it left for one that is gone. Pure functions so the Overview counts and
 * the Crawlers table read the same lines.
 */
import type { ConnectionInfo } from '../../../../shared/connection';
import type { CrawlerView } from '../../../../shared/contract';
import type { HeartbeatData } from '../../../../shared/protocol';
import type { Liveness } from '../../../../shared/liveness';
import { type LiveCrawler, lastHeardAt } from '../../../state/crawlers';

export type CrawlerHealth = 'active' | 'idle' | 'connecting' | 'error' | 'late' | 'lost' | 'disconnected';

/** The console's verdict on a live connection; its own state until the first verdict arrives. */
export function liveHealth(l: Pick<LiveCrawler, 'connection' | 'liveness'>): CrawlerHealth {
  if (l.connection.state === 'closed') return 'disconnected';
  return l.liveness?.verdict ?? l.connection.state;
}

/** The server closes a silent crawler with a reason starting "heartbeat timeout". */
export const wasLost = (reason: string | null | undefined): boolean => !!reason && /^heartbeat timeout/i.test(reason);

/** One crawler as the console lists it (a crawler's page): the verdict while connected, else lost or gone. */
export function viewHealth(c: Pick<CrawlerView, 'connection' | 'liveness' | 'disconnect_reason'>): CrawlerHealth {
  if (c.connection && c.connection.state !== 'closed') return c.liveness?.verdict ?? c.connection.state;
  return wasLost(c.disconnect_reason) ? 'lost' : 'disconnected';
}

/** How a crawler that is gone left, as this page saw it (the store keeps only the reason). */
export interface GoneCrawler {
  at: number;
  reason: string;
  lost: boolean;
  /** Its last connection, for crawlers the store has not listed (seen only through events). */
  connection: ConnectionInfo;
}

/**
 * Disconnects seen live stay known unless the console's record shows a newer
 * connection (the crawler came back while this page missed it). A record still
 * showing the connection that closed is only older than the event (it is
 * re-read after it, throttled): the witnessed disconnect, and whether the
 * crawler was lost, win over it.
 */
export function goneStill(gone: Readonly<Record<string, GoneCrawler>>, records: Readonly<Record<string, CrawlerView>>): Readonly<Record<string, GoneCrawler>> {
  const kept = Object.entries(gone).filter(([id, g]) => {
    const conn = records[id]?.connection;
    return !conn || conn.connected_at <= g.connection.connected_at;
  });
  return kept.length === Object.keys(gone).length ? gone : Object.fromEntries(kept);
}

/** One line of the Crawlers table: what the store remembers and, when connected, its live connection. */
export interface CrawlerLine {
  crawler_id: string;
  name: string | null;
  health: CrawlerHealth;
  connected: boolean;
  connection: ConnectionInfo | null;
  /** The console's verdict, while connected. */
  liveness: Liveness | null;
  heartbeat: Partial<HeartbeatData> | null;
  /** Last heartbeat, else last message, else connect (connected crawlers only). */
  heard_at: number | null;
  heartbeat_at: number | null;
  active_jobs: number | null;
  capacity: number | null;
  total_processed: number | null;
  spelling: string | null;
  transport: string | null;
  connected_at: number | null;
  disconnected_at: number | null;
  disconnect_reason: string | null;
  version: string | null;
  host: string | null;
}

const numberOr = (v: unknown, fallback: number | null): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/**
 * Every crawler seen: the store's records merged with the live connections
 * (which are fresher) and with disconnects this page witnessed.
 */
export function crawlerLines(
  records: Readonly<Record<string, CrawlerView>>,
  live: readonly LiveCrawler[],
  gone: Readonly<Record<string, GoneCrawler>>,
  defaultCapacity: number | null,
): CrawlerLine[] {
  const liveById = new Map<string, LiveCrawler>();
  for (const l of live) {
    const prev = liveById.get(l.connection.crawler_id);
    // The same crawler reconnecting before its old connection closed: the newer connection wins.
    if (!prev || prev.connection.connected_at < l.connection.connected_at) liveById.set(l.connection.crawler_id, l);
  }
  const ids = new Set<string>([...Object.keys(records), ...liveById.keys(), ...Object.keys(gone)]);
  const lines: CrawlerLine[] = [];
  for (const id of ids) {
    const rec = records[id];
    const l = liveById.get(id);
    const g = l ? undefined : gone[id];
    if (l) {
      const c = l.connection;
      const hb = l.heartbeat ?? (rec?.last_heartbeat as Partial<HeartbeatData> | null | undefined) ?? null;
      // The console's count of jobs it leased to the crawler (fresh within seconds), else the crawler's own word.
      const activeJobs = rec?.connection ? rec.active_jobs : numberOr(hb?.active_jobs, rec?.active_jobs ?? null);
      lines.push({
        crawler_id: id,
        name: c.name ?? rec?.name ?? null,
        health: liveHealth(l),
        connected: true,
        connection: c,
        liveness: l.liveness,
        heartbeat: hb,
        heard_at: lastHeardAt(c),
        heartbeat_at: c.last_heartbeat_at ?? rec?.last_heartbeat_at ?? null,
        active_jobs: activeJobs,
        capacity: c.max_concurrent_jobs ?? rec?.capacity ?? defaultCapacity,
        total_processed: numberOr(hb?.total_processed, rec?.total_processed ?? null),
        spelling: c.spelling,
        transport: c.transport,
        connected_at: c.connected_at,
        disconnected_at: null,
        disconnect_reason: null,
        version: c.version ?? rec?.version ?? null,
        host: c.host ?? rec?.host ?? null,
      });
      continue;
    }
    const lastConn = g?.connection ?? rec?.connection ?? null;
    const reason = g?.reason ?? rec?.disconnect_reason ?? null;
    const hb = (rec?.last_heartbeat as Partial<HeartbeatData> | null | undefined) ?? null;
    lines.push({
      crawler_id: id,
      name: rec?.name ?? lastConn?.name ?? null,
      // Gone either way: how it left (the event's own word when this page saw it) decides lost or disconnected.
      health: g?.lost ? 'lost' : viewHealth({ connection: null, liveness: null, disconnect_reason: reason }),
      connected: false,
      connection: null,
      liveness: null,
      heartbeat: hb,
      heard_at: null,
      heartbeat_at: rec?.last_heartbeat_at ?? lastConn?.last_heartbeat_at ?? null,
      active_jobs: null,
      capacity: rec?.capacity ?? lastConn?.max_concurrent_jobs ?? null,
      total_processed: numberOr(hb?.total_processed, rec?.total_processed ?? null),
      spelling: rec?.spelling ?? lastConn?.spelling ?? null,
      transport: lastConn?.transport ?? null,
      connected_at: rec?.connected_at ?? lastConn?.connected_at ?? null,
      disconnected_at: g?.at ?? rec?.disconnected_at ?? null,
      disconnect_reason: reason,
      version: rec?.version ?? lastConn?.version ?? null,
      host: rec?.host ?? lastConn?.host ?? null,
    });
  }
  // Connected first (oldest connection first, so rows do not jump), then the most recently gone.
  return lines.sort(
    (a, b) =>
      Number(b.connected) - Number(a.connected) ||
      (a.connected ? (a.connected_at ?? 0) - (b.connected_at ?? 0) : (b.disconnected_at ?? 0) - (a.disconnected_at ?? 0)) ||
      a.crawler_id.localeCompare(b.crawler_id),
  );
}

/** Counts for the Overview: connected crawlers, and those of them late or lost. */
export function crawlerCounts(live: readonly LiveCrawler[]) {
  let late = 0;
  let lost = 0;
  for (const l of live) {
    const h = liveHealth(l);
    if (h === 'late') late++;
    else if (h === 'lost') lost++;
  }
  return { connected: live.length, late, lost };
}
