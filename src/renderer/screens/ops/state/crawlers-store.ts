/**
 * Every crawler the console has seen (listCrawlers with the disconnected ones),
 * plus the disconnects this page witnessed. Connected crawlers' live data comes
 * from the shared console store (useConsole.crawlers); this store adds what it
 * does not keep: crawlers that are gone, and how they left.
 */
import { create } from 'zustand';
import type { ConsoleEvent, CrawlerView } from '../../../../shared/contract';
import { api } from '../../../state/bus';
import { messageOf } from '../format';
import type { GoneCrawler } from './crawler-health';
import { loadAnonymousRetention, saveAnonymousRetention } from './anonymous-crawlers';

interface CrawlersStore {
  records: Readonly<Record<string, CrawlerView>>;
  gone: Readonly<Record<string, GoneCrawler>>;
  loaded: boolean;
  loading: boolean;
  error: string | null;
  /** Disconnected anonymous crawlers older than this are left out by the console. */
  anonymousRetentionMs: number;
  /** How many it left out. */
  anonymousPruned: number;
  reload(): Promise<void>;
  setAnonymousRetention(ms: number): void;
}

export const useCrawlers = create<CrawlersStore>()((set, get) => ({
  records: {},
  gone: {},
  loaded: false,
  loading: false,
  error: null,
  anonymousRetentionMs: loadAnonymousRetention(),
  anonymousPruned: 0,
  setAnonymousRetention(ms) {
    saveAnonymousRetention(ms);
    set({ anonymousRetentionMs: ms });
    void get().reload();
  },
  async reload() {
    if (get().loading) return;
    set({ loading: true });
    try {
      const { crawlers, anonymous_pruned } = await api().listCrawlers({ include_disconnected: true, anonymous_retention_ms: get().anonymousRetentionMs });
      const records: Record<string, CrawlerView> = {};
      for (const c of crawlers) records[c.crawler_id] = c;
      // Disconnects seen live stay known (the store keeps the reason, not whether the crawler was lost).
      const gone = Object.fromEntries(Object.entries(get().gone).filter(([id]) => records[id]?.connection === null || !records[id]));
      set({ records, gone, loaded: true, loading: false, error: null, anonymousPruned: anonymous_pruned ?? 0 });
    } catch (error) {
      set({ loading: false, error: messageOf(error) });
    }
  },
}));

/** Jobs held per crawler change with every job_changed: the console's count is re-read, at most this often. */
const RELOAD_MIN_MS = 2_000;
let reloadTimer: ReturnType<typeof setTimeout> | null = null;
let lastReload = 0;

function scheduleReload(): void {
  if (reloadTimer !== null || !useCrawlers.getState().loaded) return;
  reloadTimer = setTimeout(
    () => {
      reloadTimer = null;
      lastReload = Date.now();
      void useCrawlers.getState().reload();
    },
    Math.max(0, lastReload + RELOAD_MIN_MS - Date.now()),
  );
}

/** Applies one batch's crawler events. Disconnects are kept here (the shared store drops them); job changes refresh the held-job counts. */
export function applyCrawlerEvents(events: readonly ConsoleEvent[]): void {
  let gone: Record<string, GoneCrawler> | null = null;
  const current = useCrawlers.getState().gone;
  for (const e of events) {
    if (e.type === 'job_changed' || e.type === 'bulk_applied') {
      scheduleReload();
      continue;
    }
    if (e.type === 'crawler_disconnected') {
      const c = e.crawler;
      // A connection that never said anything is not remembered by the console either.
      if (!c.said_hello && c.messages_received === 0) continue;
      gone ??= { ...current };
      gone[c.crawler_id] = { at: Date.now(), reason: e.reason, lost: e.lost, connection: c };
    } else if (e.type === 'crawler_connected' || e.type === 'crawler_updated') {
      if ((gone ?? current)[e.crawler.crawler_id] && e.crawler.state !== 'closed') {
        gone ??= { ...current };
        delete gone[e.crawler.crawler_id];
      }
    }
  }
  if (gone) useCrawlers.setState({ gone });
}
