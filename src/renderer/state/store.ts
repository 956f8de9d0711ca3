/**
 * The renderer's state: the connection, the server status and the live
 * crawler list. Fed by the transport's events; resynchronised from
 * `getStatus` + `listCrawlers` (one query, see bindTransport) whenever the event
 * stream (re)opens, since events missed while disconnected are not replayed.
 */
import { type QueryClient, QueryObserver } from '@tanstack/query-core';
import { create } from 'zustand';
import type { CommandOutput, EventBatch, ServerStatus } from '../../shared/contract';
import type { ConnectionStatus, ConsoleTransport } from '../transport/types';
import { type CrawlerMap, applyEvents, fromViews } from './crawlers';
import { dispatchBatch, dispatchReconnect, setTransport } from './bus';
import { queryClient } from '../query/client';
import { queryKeys } from '../query/keys';

export interface ConsoleState {
  /** Which door this page came through: the desktop app's bridge, or a browser over HTTP. */
  transportKind: ConsoleTransport['kind'] | null;
  connection: ConnectionStatus;
  connectionReason: string | null;
  /** When this page last knew the console's state, while it cannot reach it (null while connected): what it shows is from then. */
  staleSince: number | null;
  /** The console's clock minus this page's, measured at each resync: ages are measured on the console's clock. */
  clockOffset: number;
  status: ServerStatus | null;
  crawlers: CrawlerMap;
  /** True once the crawler list has been loaded at least once. */
  crawlersLoaded: boolean;
  lastError: string | null;
}

export const useConsole = create<ConsoleState>()(() => ({
  transportKind: null,
  connection: 'connecting',
  connectionReason: null,
  staleSince: null,
  clockOffset: 0,
  status: null,
  crawlers: {},
  crawlersLoaded: false,
  lastError: null,
}));

/**
 * The console's status and its connected crawlers, one query: read when the
 * event stream (re)opens, and again this often while it is open, since the
 * message counters and the server's clock move with no event.
 */
const SNAPSHOT_REFRESH_MS = 5_000;

interface Snapshot {
  status: ServerStatus;
  crawlers: CommandOutput<'listCrawlers'>['crawlers'];
  clockOffset: number;
}

/**
 * Connects the store to a transport. The periodic re-read is a query
 * (refetchInterval), not a timer of its own; `client` is the renderer's query
 * cache. @returns a function that disconnects it.
 */
export function bindTransport(transport: ConsoleTransport, client: QueryClient = queryClient): () => void {
  useConsole.setState({ transportKind: transport.kind });
  // Events that arrive while a snapshot is in flight (until it is written) are replayed over it: the snapshot may predate them.
  let replay: EventBatch[] | null = null;
  const snapshot = new QueryObserver<Snapshot>(client, {
    queryKey: queryKeys.consoleSnapshot,
    queryFn: async () => {
      replay ??= [];
      const sentAt = Date.now();
      const [status, { crawlers }] = await Promise.all([transport.api.getStatus({}), transport.api.listCrawlers({ include_disconnected: false })]);
      // The answer was made somewhere between sending and now: take the middle (an error of half the round trip at most).
      return { status, crawlers, clockOffset: Math.round(status.serverTime - (sentAt + Date.now()) / 2) };
    },
    enabled: false,
    // Not judged by age like the rest of the cache: read whenever the stream opens, and on the interval.
    staleTime: 0,
    refetchInterval: SNAPSHOT_REFRESH_MS,
    refetchIntervalInBackground: true,
    // Each answer is written whole (a new status object tells readers the counters were re-read).
    structuralSharing: false,
    retry: false,
  });
  let written = 0;
  let failed = 0;
  const offSnapshot = snapshot.subscribe((r) => {
    if (r.data && r.dataUpdatedAt !== written) {
      written = r.dataUpdatedAt;
      const events = (replay ?? []).flatMap((b) => b.events);
      replay = null;
      const { status, clockOffset, crawlers } = r.data;
      useConsole.setState({ status, clockOffset, crawlers: applyEvents(fromViews(crawlers), events), crawlersLoaded: true, lastError: null });
    } else if (r.error && r.errorUpdatedAt !== failed) {
      failed = r.errorUpdatedAt;
      replay = null;
      useConsole.setState({ lastError: r.error.message });
    }
  });
  setTransport(transport);
  const offEvents = transport.onEvents((batch: EventBatch) => {
    replay?.push(batch);
    useConsole.setState((s) => ({ crawlers: applyEvents(s.crawlers, batch.events) }));
    dispatchBatch(batch);
    // The console cut events this page fell behind on: reload everything (this snapshot too), as after a reconnect.
    if (batch.resync) {
      dispatchReconnect();
      // Already under way when the reconnect refetched every query in use (query/live.ts): that read is the one.
      void snapshot.refetch({ cancelRefetch: false });
    }
  });
  let lastOpenAt: number | null = null;
  const offStatus = transport.onStatus((connection, reason) => {
    if (connection === 'open') lastOpenAt = null;
    else if (useConsole.getState().connection === 'open') lastOpenAt = Date.now();
    // Stale only once there was something to show: the first connection attempt is "connecting", not "stale".
    useConsole.setState({ connection, connectionReason: reason ?? null, staleSince: lastOpenAt });
    if (connection === 'open') dispatchReconnect();
    // Read (and re-read on the interval) only while the stream is open; enabling reads it now (once: the reconnect above leaves a disabled query alone).
    snapshot.setOptions({ ...snapshot.options, enabled: connection === 'open' });
  });
  return () => {
    offEvents();
    offStatus();
    offSnapshot();
  };
}
