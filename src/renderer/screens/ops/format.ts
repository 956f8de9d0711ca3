/** Number and time formatting for the operations screens (short, readable in a table cell). */
import { formatFull, formatWhen } from '../../components/format';

// One formatter for every screen (components/format); the names these screens always used stay.
export { formatDuration, formatPercent, formatRate, formatCount as formatInt } from '../../components/format';

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

export const formatTime = (at: number | null | undefined): string => formatFull(at);

/** "14:03:22" today, else date and time. */
export const formatShortTime = (at: number, now = Date.now()): string => formatWhen(at, now);

/** An ApiError (or anything thrown) as the sentence to show. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : typeof error === 'string' ? error : 'something went wrong');
