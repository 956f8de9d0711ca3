/**
 * A crawler's state as an operator reads it, from its connection and the age
 * of its heartbeat: pure functions so the Overview counts and the Crawlers
 * table use the same rules.
 */
import type { ConnectionInfo } from '../../../../shared/connection';
import type { CrawlerView } from '../../../../shared/contract';
import type { HeartbeatData } from '../../../../shared/protocol';
import { type LiveCrawler, lastHeardAt } from '../../../state/crawlers';

export type CrawlerHealth = 'active' | 'idle' | 'connecting' | 'error' | 'late' | 'lost' | 'disconnected';

export interface HeartbeatLimits {
  heartbeatInterval: number;
  heartbeatTimeout: number;
}

/** A crawler counts as late past 1.5 heartbeat intervals of silence, and lost past the timeout (the server drops it then). */
export const LATE_FACTOR = 1.5;

export function liveHealth(c: ConnectionInfo, now: number, limits: HeartbeatLimits | null): CrawlerHealth {
  if (c.state === 'closed') return 'disconnected';
  if (limits) {
    const silent = now - lastHeardAt(c);
    if (silent > limits.heartbeatTimeout) return 'lost';
    if (silent > limits.heartbeatInterval * LATE_FACTOR) return 'late';
  }
  return c.state;
}

/** The server closes a silent crawler with a reason starting "heartbeat timeout". */
export const wasLost = (reason: string | null | undefined): boolean => !!reason && /^heartbeat timeout/i.test(reason);

/** How a crawler that is gone left, as this page saw it (the store keeps only the reason). */
export interface GoneCrawler {
  at: number;
  reason: string;
  lost: boolean;
  /** Its last connection, for crawlers the store has not listed (seen only through events). */
  connection: ConnectionInfo;
}

/** One line of the Crawlers table: what the store remembers and, when connected, its live connection. */
export interface CrawlerLine {
  crawler_id: string;
  name: string | null;
  health: CrawlerHealth;
  connected: boolean;
  connection: ConnectionInfo | null;
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
  now: number,
  limits: HeartbeatLimits | null,
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
      const health = liveHealth(c, now, limits);
      lines.push({
        crawler_id: id,
        name: c.name ?? rec?.name ?? null,
        // The connection's state changes with heartbeats only: a crawler given work since its last one is busy.
        health: health === 'idle' && (activeJobs ?? 0) > 0 ? 'active' : health,
        connected: true,
        connection: c,
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
      health: g?.lost || (!g && wasLost(reason)) ? 'lost' : 'disconnected',
      connected: false,
      connection: null,
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
export function crawlerCounts(live: readonly LiveCrawler[], now: number, limits: HeartbeatLimits | null) {
  let late = 0;
  let lost = 0;
  for (const l of live) {
    const h = liveHealth(l.connection, now, limits);
    if (h === 'late') late++;
    else if (h === 'lost') lost++;
  }
  return { connected: live.length, late, lost };
}
