/** Number and time formatting for the operations screens (short, readable in a table cell). */

export const formatInt = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));

export function formatRate(perSecond: number | null | undefined, unit = 'items'): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  const digits = perSecond >= 100 ? 0 : perSecond >= 10 ? 1 : 2;
  return `${perSecond.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}/s`;
}

/** A duration in ms as "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 || m >= 10 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

export const formatPercent = (fraction: number | null | undefined): string =>
  fraction === null || fraction === undefined ? '—' : `${(Math.min(1, Math.max(0, fraction)) * 100).toFixed(fraction > 0 && fraction < 0.1 ? 1 : 0)}%`;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString('en-US', { maximumFractionDigits: i === 0 ? 0 : 1 })} ${units[i]}`;
}

/** A heartbeat's memory_usage is free-form: a byte count, or an object like Node's process.memoryUsage(). */
export function formatMemory(memory: unknown): string | null {
  if (typeof memory === 'number' && Number.isFinite(memory)) return formatBytes(memory);
  if (typeof memory === 'string' && memory.trim() !== '') return memory;
  if (typeof memory === 'object' && memory !== null) {
    const m = memory as Record<string, unknown>;
    for (const key of ['rss', 'heapUsed', 'used', 'heap_used', 'total']) {
      const v = m[key];
      if (typeof v === 'number' && Number.isFinite(v)) return `${formatBytes(v)} ${key}`;
    }
    const text = JSON.stringify(memory);
    return text.length > 40 ? `${text.slice(0, 37)}…` : text;
  }
  return null;
}

export const formatTime = (at: number | null | undefined): string => (at === null || at === undefined ? '—' : new Date(at).toLocaleString());

/** "14:03:22" today, else date and time. */
export function formatShortTime(at: number, now = Date.now()): string {
  const d = new Date(at);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

/** An ApiError (or anything thrown) as the sentence to show. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : typeof error === 'string' ? error : 'something went wrong');
