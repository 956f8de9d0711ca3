/** The throughput chart's longer ranges: stored per-minute samples, a query refreshed once a minute while shown (and after a reconnect). */
import { useQuery } from '@tanstack/react-query';
import type { HistoryRange } from '../../../shared/ops';
import { api } from '../../state/bus';
import { queryKeys } from '../../query/keys';

export type ChartRange = 'live' | HistoryRange;
export const CHART_RANGES: { value: ChartRange; label: string }[] = [
  { value: 'live', label: 'Live' },
  { value: '15m', label: '15 min' },
  { value: '6h', label: '6 h' },
  { value: '7d', label: '7 days' },
];

export interface HistorySeries {
  xs: number[];
  items: (number | null)[];
  messages: (number | null)[];
  points: number;
  enabled: boolean;
}

/** A new sample is stored once a minute: the chart asks again at that pace while shown (no event announces a sample). */
const REFRESH_MS = 60_000;

export function useHistorySeries(range: ChartRange): HistorySeries | null {
  const q = useQuery({
    queryKey: queryKeys.history(range),
    enabled: range !== 'live',
    refetchInterval: REFRESH_MS,
    queryFn: async (): Promise<HistorySeries> => {
      const h = await api().getMetricsHistory({ range: range as HistoryRange });
      // Buckets without a sample are gaps (the console was not running), not zeros.
      const xs: number[] = [];
      const items: (number | null)[] = [];
      const messages: (number | null)[] = [];
      const byBucket = new Map(h.points.map((p) => [p.at, p]));
      for (let at = Math.ceil(h.since / h.bucket_ms) * h.bucket_ms; at <= h.until; at += h.bucket_ms) {
        const p = byBucket.get(at);
        xs.push(at / 1000);
        items.push(p ? p.items_per_s : null);
        messages.push(p ? p.messages_per_s : null);
      }
      return { xs, items, messages, points: h.points.length, enabled: h.enabled };
    },
  });
  return range === 'live' ? null : (q.data ?? null);
}
