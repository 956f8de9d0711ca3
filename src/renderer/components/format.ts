/**
 * The one set of formatters every screen uses (numbers, percentages, durations,
 * ages, rates, times), in the reader's locale: the same fact reads the same on
 * the Overview, in Jobs and in a job's detail. Intl formatters are built once
 * and reused (tables re-render many times a second).
 */
import { memoryReading } from '../../shared/power-views';

const INT = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const DEC1 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const DEC2 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

const missing = (v: number | null | undefined): v is null | undefined => v === null || v === undefined || !Number.isFinite(v);

const COMPACT = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** A count: "1,168" (grouped as the reader's locale groups). */
export const formatCount = (n: number | null | undefined): string => (missing(n) ? '—' : INT.format(Math.round(n)));

/** A count where room is short (a chart's axis): "950", "1.2K", "3.4M" in the reader's locale. */
export const formatCompact = (n: number | null | undefined): string => (missing(n) ? '—' : COMPACT.format(n));

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A byte size in binary units, the number in the reader's locale: "512 B", "1.5 KiB", "1,023.9 MiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (missing(bytes)) return '—';
  let v = Math.max(0, bytes);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${(i === 0 ? INT : DEC1).format(v)} ${BYTE_UNITS[i]}`;
}

/** A heartbeat's memory_usage is free-form: a byte count, an object like Node's process.memoryUsage(), or text. */
export function formatMemory(memory: unknown): string | null {
  const reading = memoryReading(memory);
  if (reading) return reading.key === null ? formatBytes(reading.bytes) : `${formatBytes(reading.bytes)} ${reading.key}`;
  if (typeof memory === 'string' && memory.trim() !== '') return memory;
  if (typeof memory === 'object' && memory !== null) {
    const text = JSON.stringify(memory);
    return text.length > 40 ? `${text.slice(0, 37)}…` : text;
  }
  return null;
}

/**
 * A fraction 0…1 as a percentage with one decimal ("45.6%"): "0%" and "100%"
 * only when exactly so (a nearly finished job reads 99.9%, a started one 0.1%).
 */
export function formatPercent(fraction: number | null | undefined): string {
  if (missing(fraction)) return '—';
  const p = Math.min(1, Math.max(0, fraction)) * 100;
  if (p === 0 || p === 100) return `${p}%`;
  return `${DEC1.format(Math.min(99.9, Math.max(0.1, Math.round(p * 10) / 10)))}%`;
}

/**
 * A duration: "850 ms", "1.5 s", "42 s", "12 min 30 s", "3 h 5 min", "2 d 4 h".
 * Always the two largest units, so the same span never reads two ways.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (missing(ms)) return '—';
  const v = Math.max(0, ms);
  if (v < 1000) return `${INT.format(v)} ms`;
  if (v < 10_000) return `${DEC1.format(Math.round(v / 100) / 10)} s`;
  const s = Math.round(v / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** An age that ticks: whole seconds, rounded down ("4 s", "2 min 5 s", "3 h 10 min"). */
export const formatAge = (ms: number): string => formatDuration(Math.floor(Math.max(0, ms) / 1000) * 1000 || 0).replace(/^0 ms$/, '0 s');

/** A rate per second with sensible precision: "1,235 items/s", "12.5 items/s", "2.35 items/s". */
export function formatRate(perSecond: number | null | undefined, unit = 'items'): string {
  if (missing(perSecond)) return '—';
  const f = perSecond >= 100 ? INT : perSecond >= 10 ? DEC1 : DEC2;
  return `${f.format(perSecond)} ${unit}/s`;
}

const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const DAY_TIME = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false });
const FULL = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

const sameDay = (a: number, b: number): boolean => {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
};

/** A time of day with seconds ("14:02:33"). */
export const formatClock = (at: number): string => CLOCK.format(at);

/** "14:02:33" today, "3 Mar 14:02" before (a table cell has little room). */
export function formatWhen(at: number | null | undefined, now: number): string {
  if (missing(at)) return '—';
  return sameDay(at, now) ? CLOCK.format(at) : DAY_TIME.format(at);
}

const DATE = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** A calendar date ("3 Mar 2027"), for expiry dates and the like. */
export const formatDate = (at: number | null | undefined): string => (missing(at) ? '—' : DATE.format(at));

/** Full date and time with seconds, for titles, details and history. */
export const formatFull = (at: number | null | undefined): string => (missing(at) ? '—' : FULL.format(at));
