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

/**
 * Eight hex digits of a UUID are enough to tell jobs apart in a table; the full id is in the title and the
 * detail. A version-7 UUID (the console's own ids, store/job-id.ts) starts with its creation time, the same
 * for every job created within a minute or so: its last eight digits, random, are shown instead.
 */
export function shortId(id: string): string {
  if (UUID_V7.test(id)) return id.slice(-8);
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(id) ? id.slice(0, 8) : id.length > 14 ? `${id.slice(0, 13)}…` : id;
}
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

// One formatter for every screen (components/format): the same fact reads the same in Jobs and on the Overview.
export { formatCount, formatDuration, formatFull, formatPercent, formatRate, formatWhen } from '../../components/format';
