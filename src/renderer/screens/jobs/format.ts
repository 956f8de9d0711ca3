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

// One formatter for every screen (components/format): the same fact reads the same in Jobs and on the Overview.
export { formatCount, formatDuration, formatFull, formatPercent, formatRate, formatWhen } from '../../components/format';
