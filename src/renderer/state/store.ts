/**
 * The renderer's state: the connection, the server status and the live
 * crawler list. Fed by the transport's events; resynchronised from
 * `listCrawlers` whenever the event stream (re)opens, since events missed while
 * disconnected are not replayed.
 */
import { create } from 'zustand';
import type { EventBatch, ServerStatus } from '../../shared/contract';
import type { ConnectionStatus, ConsoleTransport } from '../transport/types';
import { type CrawlerMap, applyEvents, fromViews } from './crawlers';
import { dispatchBatch, dispatchReconnect, setTransport } from './bus';

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

/** While the page is open, counts drift (events carry no message counters): refresh now and then. */
const RESYNC_MS = 5_000;

/** Connects the store to a transport. @returns a function that disconnects it. */
export function bindTransport(transport: ConsoleTransport): () => void {
  useConsole.setState({ transportKind: transport.kind });
  // Events that arrive while a snapshot is in flight are replayed over it: the snapshot may predate them.
  let replay: EventBatch[] | null = null;
  let inFlight = false;
  const resync = async () => {
    if (inFlight) return;
    inFlight = true;
    replay = [];
    try {
      const sentAt = Date.now();
      const [status, { crawlers }] = await Promise.all([transport.api.getStatus({}), transport.api.listCrawlers({ include_disconnected: false })]);
      // The answer was made somewhere between sending and now: take the middle (an error of half the round trip at most).
      const clockOffset = Math.round(status.serverTime - (sentAt + Date.now()) / 2);
      const events = replay.flatMap((b) => b.events);
      useConsole.setState({ status, clockOffset, crawlers: applyEvents(fromViews(crawlers), events), crawlersLoaded: true, lastError: null });
    } catch (error) {
      useConsole.setState({ lastError: (error as Error).message });
    } finally {
      replay = null;
      inFlight = false;
    }
  };
  setTransport(transport);
  const offEvents = transport.onEvents((batch: EventBatch) => {
    replay?.push(batch);
    useConsole.setState((s) => ({ crawlers: applyEvents(s.crawlers, batch.events) }));
    dispatchBatch(batch);
    // The console cut events this page fell behind on: reload everything, as after a reconnect.
    if (batch.resync) {
      void resync();
      dispatchReconnect();
    }
  });
  let lastOpenAt: number | null = null;
  const offStatus = transport.onStatus((connection, reason) => {
    if (connection === 'open') lastOpenAt = null;
    else if (useConsole.getState().connection === 'open') lastOpenAt = Date.now();
    // Stale only once there was something to show: the first connection attempt is "connecting", not "stale".
    useConsole.setState({ connection, connectionReason: reason ?? null, staleSince: lastOpenAt });
    if (connection === 'open') {
      void resync();
      dispatchReconnect();
    }
  });
  const timer = setInterval(() => {
    if (useConsole.getState().connection === 'open') void resync();
  }, RESYNC_MS);
  return () => {
    offEvents();
    offStatus();
    clearInterval(timer);
  };
}
