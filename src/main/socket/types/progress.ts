// The seed's `types/progress`: the progress types and the tracker, re-exported from where they live
// (src/main/observability), so the seed's import of ProgressTracker and ProgressEvent from this module works.
export type {
  AggregateProgress,
  EntityProgress,
  JobProgress,
  JobProgressState,
  MilestonePercentage,
  ProgressMilestone,
} from '../../../shared/progress';
export { ProgressTracker } from '../../observability/progress-tracker';
export type {
  ProgressStateChangedEvent,
  ProgressMilestoneReachedEvent,
  ProgressEvent,
  ProgressEventType,
  ProgressTrackerEventMap,
  ProgressTrackerOptions,
} from '../../observability/progress-types';
