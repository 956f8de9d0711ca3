import { useMemo } from 'react';
import { useConsole } from '../../../state/store';
import { useNow } from '../../../components/use-now';
import { type CrawlerLine, type HeartbeatLimits, crawlerLines } from './crawler-health';
import { useCrawlers } from './crawlers-store';

/** The heartbeat limits in force (from the status the shared store keeps). */
export function useHeartbeatLimits(): HeartbeatLimits | null {
  const interval = useConsole((s) => s.status?.config.heartbeatInterval);
  const timeout = useConsole((s) => s.status?.config.heartbeatTimeout);
  return useMemo(() => (interval && timeout ? { heartbeatInterval: interval, heartbeatTimeout: timeout } : null), [interval, timeout]);
}

/** Every crawler seen, with its state recomputed each second (heartbeat ages tick). */
export function useCrawlerLines(): { lines: CrawlerLine[]; now: number; loaded: boolean } {
  const records = useCrawlers((s) => s.records);
  const gone = useCrawlers((s) => s.gone);
  const loaded = useCrawlers((s) => s.loaded);
  const liveMap = useConsole((s) => s.crawlers);
  const liveLoaded = useConsole((s) => s.crawlersLoaded);
  const defaultCapacity = useConsole((s) => s.status?.config.maxConcurrentJobs ?? null);
  const limits = useHeartbeatLimits();
  const now = useNow(1_000);
  const lines = useMemo(
    () => crawlerLines(records, Object.values(liveMap), gone, now, limits, defaultCapacity),
    [records, liveMap, gone, now, limits, defaultCapacity],
  );
  return { lines, now, loaded: loaded || liveLoaded };
}
