/**
 * The progress tracker's events and options. They live beside the tracker (not
 * in the socket layer) so the tracker depends on nothing above it; the socket
 * layer re-exports them under the seed's path (`socket/types/progress`).
 */
import type { JobProgressState, ProgressMilestone } from '../../shared/progress';

/** A job's progress state changed; `previousState` is null when the tracker first sees the job. */
export interface ProgressStateChangedEvent {
  type: 'state_changed';
  jobId: string;
  previousState: JobProgressState | null;
  newState: JobProgressState;
  timestamp: Date;
}

/** A job's overall completion crossed a milestone (once per milestone per job attempt). */
export interface ProgressMilestoneReachedEvent {
  type: 'milestone_reached';
  jobId: string;
  milestone: ProgressMilestone;
  timestamp: Date;
}

/** The seed's progress events. */
export type ProgressEvent = ProgressStateChangedEvent | ProgressMilestoneReachedEvent;
export type ProgressEventType = ProgressEvent['type'];

/** Event name → listener arguments, for node:events' typed EventEmitter. */
export interface ProgressTrackerEventMap {
  state_changed: [event: ProgressStateChangedEvent];
  milestone_reached: [event: ProgressMilestoneReachedEvent];
}

export interface ProgressTrackerOptions {
  /** The clock, in epoch ms (injectable for tests). Default Date.now. */
  now?: () => number;
  /** How long completed/failed jobs stay in the live set. Default 60 s. */
  retainFinishedMs?: number;
  /** The most jobs kept; past it the oldest finished job (else the least recently updated) is dropped. Default 50,000. */
  maxJobs?: number;
  /** A running job silent this long becomes `stalled`; 0 disables. Default 120 s. */
  stallAfterMs?: number;
  /** Rate estimation looks back this far. Default 30 s. */
  rateWindowMs?: number;
  /** Samples kept per job for rate estimation (one per rateWindowMs / rateSamples at most). Default 20. */
  rateSamples?: number;
  /** How often update() may sweep (evict, detect stalls). Default 1 s. */
  sweepIntervalMs?: number;
}
