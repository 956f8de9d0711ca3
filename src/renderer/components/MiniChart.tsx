/**
 * A small uPlot time chart (the crawler page's heartbeats, a job's progress):
 * one or two y scales, colours from the theme's CSS variables, redrawn in
 * place when the data changes and re-created when the colour scheme does.
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
  /** How a value reads in the legend and on its axis. */
  format: (v: number) => string;
  /** Steps instead of lines (counts such as active jobs). */
  stepped?: boolean;
}


function options(width: number, height: number, series: readonly MiniSeries[]): uPlot.Options {
  const text = css('--muted', '#5f6368');
  const grid = css('--border', '#dadce0');
  const font = '11px system-ui, sans-serif';
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
      values: (_u, splits) => splits.map((v) => s.format(v)),
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
          width: 1.5,
          points: { show: false },
          ...(s.stepped && { paths: uPlot.paths.stepped!({ align: 1 }) }),
          value: (_u, v) => (v === null || v === undefined ? '—' : s.format(v)),
        };
      }),
    ],
  };
}

export function MiniChart({ xs, series, height = 160, label, testId }: { xs: number[]; series: readonly MiniSeries[]; height?: number; label: string; testId?: string }) {
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
    const u = new uPlot(options(Math.max(240, el.clientWidth), height, shown), [[], ...shown.map(() => [])], el);
    chart.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(240, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
  }, [scheme, shape, height]);

  // After every (re)creation and on new data: the chart draws what it is given.
  useEffect(() => {
    chart.current?.setData([xs, ...series.map((s) => s.values)]);
  }, [xs, series, scheme, shape, height]);

  return <div ref={host} className="chart mini-chart" role="img" aria-label={label} data-testid={testId} data-points={xs.length} />;
}
