/**
 * The job lifecycle as a table: which event may move a job from which status,
 * to which status, recorded as which history kind, and why the rule exists.
 * Pure (no I/O): JobService asks it before every status change it writes, so
 * a change the table does not list is refused instead of written.
 *
 *   queued → assigned (leased to one crawler) → running → completed | failed | cancelled
 *                                     ↘ waiting_credentials ↗
 *
 * Two writes happen in the store without a `from` status to check and follow
 * the same rules: the batch lease (`leaseNextJobs`, the SQL form of `lease`
 * from queued) and adopting a job a crawler reports that the console never
 * made (it is created `running`).
 */
import { ApiError } from '../../shared/contract/errors';
import type { JobEventKind, JobStatus } from '../../shared/jobs';

export const LIFECYCLE_EVENTS = [
  'lease',
  'hand_over',
  'start',
  'complete',
  'fail',
  'lease_expired',
  'lease_expired_final',
  'requeue',
  'retry_later',
  'hand_back',
  'wait_for_token',
  'release_waiting',
  'token_provided',
  'token_saved',
  'rekey',
  'move_credential',
  'cancel',
  'retry',
] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

export interface LifecycleRule {
  /** The statuses the event may happen in. */
  readonly from: readonly JobStatus[];
  /** The status it leads to; null: the status stays (the holder, credential or lease changes). */
  readonly to: JobStatus | null;
  /** The history entry's kind. */
  readonly kind: JobEventKind;
  /** Why the rule exists, in one phrase (used in refusals). */
  readonly reason: string;
}

const NON_FINAL: readonly JobStatus[] = ['queued', 'assigned', 'running', 'waiting_credentials'];
const HELD: readonly JobStatus[] = ['assigned', 'running', 'waiting_credentials'];

export const LIFECYCLE: { readonly [E in LifecycleEvent]: LifecycleRule } = {
  lease: { from: ['queued'], to: 'assigned', kind: 'assigned', reason: 'a queued job is leased to one crawler' },
  hand_over: {
    from: ['assigned'],
    to: null,
    kind: 'updated',
    reason: 'a job held for a crawler without hello starts its lease when that crawler asks for work',
  },
  start: {
    from: ['queued', 'assigned', 'waiting_credentials'],
    to: 'running',
    kind: 'started',
    reason: 'a crawler reports that it works on the job',
  },
  complete: { from: NON_FINAL, to: 'completed', kind: 'completed', reason: 'a crawler reports the job done' },
  fail: { from: NON_FINAL, to: 'failed', kind: 'failed', reason: 'the job failed with no retries left, or for good' },
  lease_expired: {
    from: ['assigned'],
    to: 'queued',
    kind: 'lease_expired',
    reason: 'no job_started within the lease: the job goes back to the queue (an attempt spent)',
  },
  lease_expired_final: {
    from: ['assigned'],
    to: 'failed',
    kind: 'lease_expired',
    reason: 'no job_started within the lease and no retries left',
  },
  requeue: {
    from: HELD,
    to: 'queued',
    kind: 'requeued',
    reason: 'its crawler is gone, ran past jobTimeout or could not be reached',
  },
  retry_later: {
    from: ['queued', 'assigned', 'running'],
    to: 'queued',
    kind: 'retry_scheduled',
    reason: 'a recoverable failure with retries left runs again after a delay',
  },
  hand_back: {
    from: ['queued', 'assigned', 'running'],
    to: 'queued',
    kind: 'requeued',
    reason: 'a stopping crawler hands the job back (no attempt spent)',
  },
  wait_for_token: {
    from: ['assigned', 'running', 'waiting_credentials'],
    to: 'waiting_credentials',
    kind: 'waiting_credentials',
    reason: 'the job has no usable token',
  },
  release_waiting: {
    from: ['waiting_credentials'],
    to: null,
    kind: 'updated',
    reason: 'a job waiting for a token outlives the crawler that waited with it',
  },
  token_provided: {
    from: ['waiting_credentials'],
    to: 'running',
    kind: 'credentials_provided',
    reason: 'the waiting crawler is given a usable token',
  },
  token_saved: {
    from: ['waiting_credentials'],
    to: 'queued',
    kind: 'credentials_provided',
    reason: 'a usable token is saved: the job is handed out again',
  },
  rekey: { from: HELD, to: null, kind: 'updated', reason: 'the job moves with its crawler to its new id, or to the crawler that took it over' },
  move_credential: { from: NON_FINAL, to: null, kind: 'updated', reason: 'the operator moves the job to another credential' },
  cancel: { from: NON_FINAL, to: 'cancelled', kind: 'cancelled', reason: 'the operator cancels an unfinished job' },
  retry: { from: ['failed', 'cancelled'], to: 'queued', kind: 'retried', reason: 'the operator runs a failed or cancelled job again' },
};

/** A change the table does not allow: refused, never written. */
export class LifecycleError extends ApiError {
  constructor(
    readonly status: JobStatus,
    readonly event: LifecycleEvent,
    jobId?: string,
  ) {
    const rule = LIFECYCLE[event];
    super(
      'conflict',
      `${jobId ? `job ${jobId}` : 'a job'} is ${status}: ${event} (${rule.reason}) happens only to ${rule.from.join(', ')} jobs`,
    );
  }
}

export interface Transition {
  from: JobStatus;
  to: JobStatus;
  kind: JobEventKind;
  reason: string;
}

/** The transition `event` makes from `status`, or null if the table does not allow it. */
export function transitionOf(status: JobStatus, event: LifecycleEvent): Transition | null {
  const rule = LIFECYCLE[event];
  if (!rule.from.includes(status)) return null;
  return { from: status, to: rule.to ?? status, kind: rule.kind, reason: rule.reason };
}

/** Like transitionOf, but a change the table does not allow throws LifecycleError. */
export function nextState(status: JobStatus, event: LifecycleEvent, jobId?: string): Transition {
  const t = transitionOf(status, event);
  if (!t) throw new LifecycleError(status, event, jobId);
  return t;
}

/** Every status the table lets `event` happen in. */
export const allowedFrom = (event: LifecycleEvent): readonly JobStatus[] => LIFECYCLE[event].from;
