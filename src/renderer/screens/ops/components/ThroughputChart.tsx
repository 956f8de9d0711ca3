/**
 * Messages and items per second over the last five minutes, drawn with uPlot:
 * a canvas chart of ~50 KB that redraws 300 points a second without touching
 * React's tree, where an SVG chart library would re-render hundreds of nodes.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar as css, useColorScheme } from '../../../components/chart-theme';
import { formatRate } from '../format';
import { formatCompact } from '../../../components/format';
import { recentRate, useThroughput, WINDOW_SECONDS } from '../state/throughput';
import { CHART_RANGES, type ChartRange, useHistorySeries } from '../../power/history';

function chartOptions(width: number): uPlot.Options {
  const text = css('--muted', '#5f6368');
  const grid = css('--border', '#dadce0');
  const items = css('--accent', '#1a5fb4');
  const messages = css('--ok', '#1e7f3c');
  const axis = (scale: string, side: 1 | 3): uPlot.Axis => ({
    scale,
    side,
    stroke: text,
    grid: { show: side === 3, stroke: grid, width: 1 },
    ticks: { show: false },
    size: 56,
    values: (_u, splits) => splits.map((v) => formatCompact(v)),
    label: scale === 'items' ? 'items/s' : 'messages/s',
    labelSize: 18,
    labelFont: '12px system-ui, sans-serif',
    font: '11px system-ui, sans-serif',
  });
  return {
    width,
    height: 220,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, items: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] }, msgs: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [{ stroke: text, grid: { show: false }, ticks: { show: false }, font: '11px system-ui, sans-serif' }, axis('items', 3), axis('msgs', 1)],
    series: [
      {},
      { label: 'Items/s', scale: 'items', stroke: items, width: 2, fill: `${items}22`, points: { show: false }, value: (_u, v) => (v === null ? '—' : formatRate(v, 'items')) },
      { label: 'Messages/s', scale: 'msgs', stroke: messages, width: 1.5, points: { show: false }, value: (_u, v) => (v === null ? '—' : formatRate(v, 'msgs')) },
    ],
  };
}

export function ThroughputChart() {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const scheme = useColorScheme();
  const liveSeries = useThroughput((s) => s.series);
  const [range, setRange] = useState<ChartRange>('live');
  const history = useHistorySeries(range);
  const series = range === 'live' || !history ? liveSeries : history;
  // What the chart shows, for re-creating it on a theme change (the last data set below).
  const shown = useRef(series);
  const itemsNow = recentRate(liveSeries.items);
  const messagesNow = recentRate(liveSeries.messages);

  // (Re)create on mount and when the theme changes (colors are read from the CSS variables).
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const s = shown.current;
    const u = new uPlot(chartOptions(Math.max(300, el.clientWidth)), [s.xs, s.items, s.messages], el);
    chart.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(300, el.clientWidth), height: 220 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    shown.current = series;
    chart.current?.setData([series.xs, series.items, series.messages]);
  }, [series]);

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
      <div ref={host} className="chart" role="img" aria-label={summary} data-testid="throughput-chart" data-range={range} data-points={range === 'live' ? series.xs.length : (history?.points ?? 0)} />
      {history && !history.enabled ? <p className="muted small">Metrics collection is off (Settings → Metrics); no new samples are stored.</p> : null}
    </section>
  );
}
