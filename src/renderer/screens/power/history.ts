/** The throughput chart's longer ranges: stored per-minute samples, refreshed once a minute while shown. */
import { useEffect, useState } from 'react';
import type { HistoryRange } from '../../../shared/ops';
import { api, onReconnect } from '../../state/bus';

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

const REFRESH_MS = 60_000;

export function useHistorySeries(range: ChartRange): HistorySeries | null {
  const [loaded, setLoaded] = useState<{ range: ChartRange; series: HistorySeries } | null>(null);
  useEffect(() => {
    if (range === 'live') return;
    let live = true;
    const load = () =>
      api()
        .getMetricsHistory({ range })
        .then((h) => {
          if (!live) return;
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
          setLoaded({ range, series: { xs, items, messages, points: h.points.length, enabled: h.enabled } });
        })
        .catch(() => undefined);
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    const off = onReconnect(() => void load());
    return () => {
      live = false;
      clearInterval(timer);
      off();
    };
  }, [range]);
  return loaded && loaded.range === range ? loaded.series : null;
}
