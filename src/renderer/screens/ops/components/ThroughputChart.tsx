/**
 * Messages and items per second over the last five minutes (or a stored
 * history's range): a MiniChart with items on the left scale, messages on the right.
 */
import { useMemo, useState } from 'react';
import { MiniChart, type MiniSeries } from '../../../components/MiniChart';
import { formatRate } from '../format';
import { formatCompact } from '../../../components/format';
import { recentRate, useThroughput, WINDOW_SECONDS } from '../state/throughput';
import { CHART_RANGES, type ChartRange, useHistorySeries } from '../../power/history';

export function ThroughputChart() {
  const liveSeries = useThroughput((s) => s.series);
  const [range, setRange] = useState<ChartRange>('live');
  const history = useHistorySeries(range);
  const series = range === 'live' || !history ? liveSeries : history;
  const lines = useMemo(
    (): MiniSeries[] => [
      { label: 'Items/s', values: series.items, side: 'left', color: '--accent', format: (v) => formatRate(v, 'items'), axisFormat: formatCompact, axisLabel: 'items/s', fill: true, width: 2 },
      { label: 'Messages/s', values: series.messages, side: 'right', color: '--ok', format: (v) => formatRate(v, 'msgs'), axisFormat: formatCompact, axisLabel: 'messages/s' },
    ],
    [series],
  );
  const itemsNow = recentRate(liveSeries.items);
  const messagesNow = recentRate(liveSeries.messages);

  const seconds = Math.max(60, series.xs.length);
  const liveSpan = seconds >= WINDOW_SECONDS ? `${WINDOW_SECONDS / 60} minutes` : seconds > 90 ? `${Math.round(seconds / 60)} minutes` : `${seconds} seconds`;
  const span = range === 'live' ? liveSpan : (CHART_RANGES.find((r) => r.value === range)?.label ?? range);
  const summary = `Throughput over the last ${span}. Now: ${formatRate(itemsNow)} and ${formatRate(messagesNow, 'messages')}.`;
  return (
    <section className="card span-12" aria-labelledby="tp-title" data-testid="throughput">
      <h2 id="tp-title">
        Throughput <span className="count">last {span}</span>
        <span className="tp-ranges" role="group" aria-label="Time range">
          {CHART_RANGES.map((r) => (
            <button key={r.value} type="button" className="btn btn-small" aria-pressed={range === r.value} onClick={() => setRange(r.value)} data-testid={`tp-range-${r.value}`}>
              {r.label}
            </button>
          ))}
        </span>
      </h2>
      <p className="tp-now">
        <span>
          <span className="swatch swatch-items" aria-hidden="true" /> <strong data-testid="items-rate">{formatRate(itemsNow)}</strong>
        </span>
        <span>
          <span className="swatch swatch-messages" aria-hidden="true" /> <strong data-testid="messages-rate">{formatRate(messagesNow, 'messages')}</strong>
        </span>
        <span className="muted">mean of the last 10 s</span>
      </p>
      <MiniChart
        xs={series.xs}
        series={lines}
        height={220}
        minWidth={300}
        label={summary}
        testId="throughput-chart"
        points={range === 'live' ? series.xs.length : (history?.points ?? 0)}
        data={{ 'data-range': range }}
      />
      {history && !history.enabled ? <p className="muted small">Metrics collection is off (Settings → Metrics); no new samples are stored.</p> : null}
    </section>
  );
}
