/** Number and time formatting for the operations screens (short, readable in a table cell). */
import { formatFull, formatWhen } from '../../components/format';

// One formatter for every screen (components/format); the names these screens always used stay.
export { formatBytes, formatDuration, formatMemory, formatPercent, formatRate, formatCount as formatInt } from '../../components/format';

export const formatTime = (at: number | null | undefined): string => formatFull(at);

/** "14:03:22" today, else date and time. */
export const formatShortTime = (at: number, now = Date.now()): string => formatWhen(at, now);

/** An ApiError (or anything thrown) as the sentence to show. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : typeof error === 'string' ? error : 'something went wrong');
