/**
 * A uPlot time chart (the crawler page's heartbeats, a job's progress, the
 * Overview's throughput): one or two y scales, colours from the theme's CSS
 * variables, redrawn in place when the data changes and re-created when the
 * colour scheme does. uPlot draws on a canvas: hundreds of points a second
 * without touching React's tree, where an SVG chart would re-render its nodes.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar as css, useColorScheme } from './chart-theme';

export interface MiniSeries {
  label: string;
  /** One value per x; null leaves a gap. */
  values: (number | null)[];
  /** The y scale it is drawn on: 'left' or 'right'. */
  side: 'left' | 'right';
  /** A CSS variable of the theme (e.g. '--accent'). */
  color: string;
  /** How a value reads in the legend (and on its axis, unless axisFormat says otherwise). */
  format: (v: number) => string;
  /** How a value reads on its axis, where space is short. */
  axisFormat?: (v: number) => string;
  /** A title for its axis (e.g. 'items/s'). */
  axisLabel?: string;
  /** Steps instead of lines (counts such as active jobs). */
  stepped?: boolean;
  /** The area under the line tinted (the series that matters most). */
  fill?: boolean;
  /** Line width in CSS pixels (default 1.5). */
  width?: number;
}


function options(width: number, height: number, series: readonly MiniSeries[]): uPlot.Options {
  const text = css('--muted', '#5f6368');
  const grid = css('--border', '#dadce0');
  const font = '11px system-ui, sans-serif';
  const labelFont = '12px system-ui, sans-serif';
  const scaleOf = (side: 'left' | 'right') => (side === 'left' ? 'y' : 'y2');
  const axisFor = (side: 'left' | 'right'): uPlot.Axis | null => {
    const s = series.find((x) => x.side === side);
    if (!s) return null;
    return {
      scale: scaleOf(side),
      side: side === 'left' ? 3 : 1,
      stroke: text,
      grid: { show: side === 'left', stroke: grid, width: 1 },
      ticks: { show: false },
      size: 64,
      font,
      values: (_u, splits) => splits.map((v) => (s.axisFormat ?? s.format)(v)),
      ...(s.axisLabel !== undefined && { label: s.axisLabel, labelSize: 18, labelFont }),
    };
  };
  const axes = [{ stroke: text, grid: { show: false }, ticks: { show: false }, font }, axisFor('left'), axisFor('right')].filter((a): a is uPlot.Axis => a !== null);
  return {
    width,
    height,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] }, y2: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes,
    series: [
      {},
      ...series.map((s): uPlot.Series => {
        const color = css(s.color, '#1a5fb4');
        return {
          label: s.label,
          scale: scaleOf(s.side),
          stroke: color,
          width: s.width ?? 1.5,
          points: { show: false },
          ...(s.fill && { fill: `${color}22` }),
          ...(s.stepped && { paths: uPlot.paths.stepped!({ align: 1 }) }),
          value: (_u, v) => (v === null || v === undefined ? '—' : s.format(v)),
        };
      }),
    ],
  };
}

export interface MiniChartProps {
  xs: number[];
  series: readonly MiniSeries[];
  height?: number;
  /** Narrowest it is drawn, in CSS pixels (it follows its container's width above that). */
  minWidth?: number;
  /** What it shows, for screen readers (role img). */
  label: string;
  testId?: string;
  /** data-points: the samples it shows (default: one per x; gaps of a history are not samples). */
  points?: number;
  /** Other data-* attributes for tests and tools. */
  data?: Record<`data-${string}`, string | number>;
}

export function MiniChart({ xs, series, height = 160, minWidth = 240, label, testId, points, data }: MiniChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const scheme = useColorScheme();
  const shape = series.map((s) => `${s.label}:${s.side}:${s.color}`).join('|');
  // The series' labels and formats, as of the last (re)creation: read by the chart, not by React.
  const seriesRef = useRef(series);

  useEffect(() => {
    seriesRef.current = series;
  }, [series]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const shown = seriesRef.current;
    const u = new uPlot(options(Math.max(minWidth, el.clientWidth), height, shown), [[], ...shown.map(() => [])], el);
    chart.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(minWidth, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
  }, [scheme, shape, height, minWidth]);

  // After every (re)creation and on new data: the chart draws what it is given.
  useEffect(() => {
    chart.current?.setData([xs, ...series.map((s) => s.values)]);
  }, [xs, series, scheme, shape, height, minWidth]);

  return <div ref={host} className="chart mini-chart" role="img" aria-label={label} data-testid={testId} data-points={points ?? xs.length} {...data} />;
}
