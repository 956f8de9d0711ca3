/**
 * A job's history in words: each stored event (created, assigned, started,
 * retried and why, finished …) becomes a line a person reads at a glance.
 * Pure (no DOM): unit-tested.
 */
import type { JobEventDto } from '../../../shared/jobs';
import { formatCount, formatPercent, shortId } from './format';

export interface TimelineEntry {
  id: number;
  at: number;
  kind: string;
  /** The line: "Assigned to sim-1-2". */
  title: string;
  /** Why, when the event says (the crawler's error, the operator's reason). */
  reason: string | null;
  /** "queued → assigned", when the status changed. */
  transition: string | null;
  /** Tone for the marker: good news, bad news, or neither. */
  tone: 'ok' | 'bad' | 'warn' | 'neutral';
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** " (rate_limit)" when the crawler said what kind of error it was. */
const errorType = (d: Record<string, unknown>): string => {
  const t = str(d.error_type);
  return t ? ` (${t})` : '';
};

function countsText(v: unknown): string | null {
  if (!v || typeof v !== 'object') return null;
  const parts = Object.entries(v as Record<string, unknown>)
    .filter(([, n]) => typeof n === 'number')
    .map(([k, n]) => `${formatCount(n as number)} ${k}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

export function describeEvent(e: JobEventDto): TimelineEntry {
  const d = e.details ?? {};
  const c = e.crawler_id;
  let title: string;
  let reason = e.reason;
  let tone: TimelineEntry['tone'] = 'neutral';
  switch (e.kind) {
    case 'created': {
      const parent = str(d.parent_job_id);
      if (parent) title = `Discovered by job ${shortId(parent)}${c ? ` on ${c}` : ''}; queued`;
      else if (reason && /^created\b/i.test(reason)) {
        // "created by the operator for sim-1": the reason says it all.
        title = reason.charAt(0).toUpperCase() + reason.slice(1);
        reason = null;
      } else title = 'Created';
      break;
    }
    case 'adopted':
      title = `Adopted from ${c ?? 'a crawler'} (the console did not create it)`;
      reason = null;
      break;
    case 'assigned':
      title = `Assigned to ${c ?? 'a crawler'}`;
      break;
    case 'started':
      title = `Started on ${c ?? 'a crawler'}`;
      tone = 'ok';
      break;
    case 'progress_milestone': {
      const p = num(d.percentage);
      title = p !== null ? `${formatPercent(p / 100)} done` : 'Milestone reached';
      reason = null;
      break;
    }
    case 'requeued':
      title = 'Back in the queue';
      tone = 'warn';
      break;
    case 'retry_scheduled':
      title = `Failed on ${c ?? 'its crawler'}${errorType(d)}; a retry is scheduled`;
      tone = 'warn';
      break;
    case 'retried':
      title = 'Retried';
      break;
    case 'completed': {
      const counts = countsText(d.final_counts);
      title = `Completed${c ? ` on ${c}` : ''}`;
      reason = counts ? `final counts: ${counts}` : reason;
      tone = 'ok';
      break;
    }
    case 'failed':
      title = `Failed${c ? ` on ${c}` : ''}${errorType(d)}`;
      tone = 'bad';
      break;
    case 'cancelled':
      title = 'Cancelled';
      tone = 'bad';
      break;
    case 'priority_changed': {
      const from = num(d.from);
      const to = num(d.to);
      title = from !== null && to !== null ? `Priority changed from ${from} to ${to}` : 'Priority changed';
      break;
    }
    case 'waiting_credentials':
      title = `Waiting for a GitLab token${c ? ` (${c} asked)` : ''}`;
      tone = 'warn';
      break;
    case 'credentials_provided':
      title = 'Token provided; running again';
      tone = 'ok';
      break;
    case 'lease_expired':
      title = `Lease expired: ${c ?? 'the crawler'} never started it`;
      tone = 'warn';
      break;
    case 'jobs_discovered': {
      const created = num(d.created);
      const dup = num(d.duplicates);
      title = `Discovered ${created !== null ? formatCount(created) : 'new'} jobs${dup ? ` (${formatCount(dup)} already known)` : ''}`;
      break;
    }
    case 'updated':
      title = 'Updated';
      break;
    default:
      title = e.kind.replace(/_/g, ' ');
  }
  const transition = e.from_status && e.to_status && e.from_status !== e.to_status ? `${e.from_status} → ${e.to_status}` : null;
  return { id: e.id, at: e.at, kind: e.kind, title, reason, transition, tone };
}

/**
 * Oldest first, as a story reads: in the order the console wrote the events (their
 * ids), which is the order things happened; times can tie (one millisecond) or step
 * back (a clock set back), so they do not decide the order.
 */
export function timeline(events: readonly JobEventDto[]): TimelineEntry[] {
  return [...events].sort((a, b) => a.id - b.id).map(describeEvent);
}
