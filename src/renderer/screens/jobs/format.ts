/**
 * Formatting for the job screens: pure functions (no DOM), so the table, the
 * detail page and the unit tests read the same words.
 */
import type { JobStatus } from '../../../shared/jobs';

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: 'queued',
  assigned: 'assigned',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  waiting_credentials: 'waiting for token',
};

/** The first block of a UUID is enough to tell jobs apart in a table; the full id is in the title and the detail. */
export function shortId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(id) ? id.slice(0, 8) : id.length > 14 ? `${id.slice(0, 13)}…` : id;
}

// Intl formatters are costly to build: one each, reused (a table re-renders dozens of times a second).
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const DAY_TIME = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false });
const FULL = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

const sameDay = (a: number, b: number): boolean => {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
};

/** "14:02:33" today, "3 Mar 14:02" before (the table has little room). */
export function formatWhen(at: number | null, now: number): string {
  if (at === null) return '—';
  return sameDay(at, now) ? TIME.format(at) : DAY_TIME.format(at);
}

/** Full date and time with seconds, for titles and the history. */
export function formatFull(at: number): string {
  return FULL.format(at);
}

/** A duration: "850 ms", "42 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Items per second, with sensible precision. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${rate >= 100 ? Math.round(rate).toLocaleString() : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2)} items/s`;
}

export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined) return '—';
  const p = fraction * 100;
  return `${p >= 99.95 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : Math.round(n).toLocaleString();
}
