import { useMemo } from 'react';
import { useConsole } from '../../../state/store';
import { useNow } from '../../../components/use-now';
import type { CrawlerView } from '../../../../shared/contract';
import type { LivenessLimits } from '../../../../shared/liveness';
import { type CrawlerLine, crawlerLines, goneStill } from './crawler-health';
import { useCrawlerRecords, useCrawlers } from './crawlers-store';

const NO_RECORDS: Readonly<Record<string, CrawlerView>> = {};

/** The limits the console judges liveness by (from the status the shared store keeps). */
export function useHeartbeatLimits(): LivenessLimits | null {
  return useConsole((s) => s.status?.liveness ?? null);
}

/** Every crawler seen, with its state recomputed each second (heartbeat ages tick). */
export function useCrawlerLines(): { lines: CrawlerLine[]; now: number; loaded: boolean } {
  const q = useCrawlerRecords();
  const records = q.data?.records ?? NO_RECORDS;
  const witnessed = useCrawlers((s) => s.gone);
  const gone = useMemo(() => goneStill(witnessed, records), [witnessed, records]);
  const loaded = q.data !== undefined;
  const liveMap = useConsole((s) => s.crawlers);
  const liveLoaded = useConsole((s) => s.crawlersLoaded);
  const defaultCapacity = useConsole((s) => s.status?.config.maxConcurrentJobs ?? null);
  const now = useNow(1_000);
  const lines = useMemo(() => crawlerLines(records, Object.values(liveMap), gone, defaultCapacity), [records, liveMap, gone, defaultCapacity]);
  return { lines, now, loaded: loaded || liveLoaded };
}
