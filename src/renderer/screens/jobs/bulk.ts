/**
 * Actions on one or many jobs: cancel, retry, change priority. Each job is its
 * own command (the contract has no bulk form), run a few at a time; every job
 * gets its own outcome, since some may fail (a finished job cannot be cancelled)
 * while the others succeed.
 */
import type { JobDto } from '../../../shared/jobs';
import { api } from '../../state/bus';

export type BulkAction = { kind: 'cancel'; reason?: string } | { kind: 'retry' } | { kind: 'priority'; priority: number };

export interface BulkOutcome {
  job_id: string;
  ok: boolean;
  /** What happened, in words: the server's message when it refused. */
  message: string;
  job?: JobDto;
}

export interface BulkResult {
  action: BulkAction;
  outcomes: BulkOutcome[];
  at: number;
}

/** At most this many commands in flight: a thousand cancels must not flood the console. */
const CONCURRENCY = 6;

export const ACTION_VERB: Record<BulkAction['kind'], string> = { cancel: 'Cancel', retry: 'Retry', priority: 'Change priority' };

async function runOne(action: BulkAction, job_id: string): Promise<BulkOutcome> {
  try {
    const { job } =
      action.kind === 'cancel'
        ? await api().cancelJob({ job_id, ...(action.reason ? { reason: action.reason } : {}) })
        : action.kind === 'retry'
          ? await api().retryJob({ job_id })
          : await api().setJobPriority({ job_id, priority: action.priority });
    const message = action.kind === 'cancel' ? 'cancelled' : action.kind === 'retry' ? 'queued again' : `priority is now ${job.priority}`;
    return { job_id, ok: true, message, job };
  } catch (error) {
    return { job_id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

export async function runBulk(action: BulkAction, ids: readonly string[]): Promise<BulkResult> {
  const outcomes: BulkOutcome[] = new Array<BulkOutcome>(ids.length);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      outcomes[i] = await runOne(action, ids[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  return { action, outcomes, at: Date.now() };
}

/** "2 cancelled, 1 refused" — the one-line summary of a result. */
export function summarize(result: BulkResult): string {
  const ok = result.outcomes.filter((o) => o.ok).length;
  const refused = result.outcomes.length - ok;
  const done = result.action.kind === 'cancel' ? 'cancelled' : result.action.kind === 'retry' ? 'queued again' : 'reprioritized';
  return `${ok} ${done}${refused > 0 ? `, ${refused} refused` : ''}`;
}
