/**
 * Every crawler the console has seen. What the console remembers (listCrawlers
 * with the disconnected ones) is a query (useCrawlerRecords; held-job counts
 * move with every job change, so live.ts marks it stale, throttled). What only
 * this page saw — how crawlers left, since the console's list says only that
 * they are gone — is kept here, from the events, with the page's choice of how
 * long to remember anonymous crawlers.
 */
import { useQuery } from '@tanstack/react-query';
import { create } from 'zustand';
import type { ConsoleEvent, CrawlerView } from '../../../../shared/contract';
import { api } from '../../../state/bus';
import { queryKeys } from '../../../query/keys';
import type { GoneCrawler } from './crawler-health';
import { loadAnonymousRetention, saveAnonymousRetention } from './anonymous-crawlers';

interface CrawlersStore {
  /** Disconnects this page witnessed, by crawler. */
  gone: Readonly<Record<string, GoneCrawler>>;
  /** Disconnected anonymous crawlers older than this are left out by the console. */
  anonymousRetentionMs: number;
  setAnonymousRetention(ms: number): void;
}

export const useCrawlers = create<CrawlersStore>()((set) => ({
  gone: {},
  anonymousRetentionMs: loadAnonymousRetention(),
  setAnonymousRetention(ms) {
    saveAnonymousRetention(ms);
    set({ anonymousRetentionMs: ms });
  },
}));

export interface CrawlerRecords {
  records: Readonly<Record<string, CrawlerView>>;
  /** How many anonymous crawlers the console left out. */
  anonymousPruned: number;
}

/** What the console remembers of every crawler, for the page's anonymous retention. */
export function useCrawlerRecords() {
  const retention = useCrawlers((s) => s.anonymousRetentionMs);
  return useQuery({
    queryKey: queryKeys.crawlerRecords(retention),
    queryFn: async (): Promise<CrawlerRecords> => {
      const { crawlers, anonymous_pruned } = await api().listCrawlers({ include_disconnected: true, anonymous_retention_ms: retention });
      return { records: Object.fromEntries(crawlers.map((c) => [c.crawler_id, c])), anonymousPruned: anonymous_pruned ?? 0 };
    },
    // Another retention shows the last answer until its own arrives (no "Loading…" flash).
    placeholderData: (previous) => previous,
  });
}

/** Applies one batch's crawler events: disconnects are kept here (the shared store drops them). */
export function applyCrawlerEvents(events: readonly ConsoleEvent[]): void {
  let gone: Record<string, GoneCrawler> | null = null;
  const current = useCrawlers.getState().gone;
  for (const e of events) {
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
