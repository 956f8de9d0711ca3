/**
 * What the parts of the job service share: the store, configuration, clock,
 * the live progress tracker, the ledger every status change goes through, and
 * a few of the service's own operations the parts call back into (late bound,
 * so the parts need not know each other to trigger a flush or a dispatch).
 */
import type { ConsoleEvent } from '../../shared/contract';
import type { ResolvedSocketConfig } from '../../shared/config';
import type { Logger } from '../observability/logger';
import type { ProgressTracker } from '../observability/progress-tracker';
import type { Store } from '../store';
import type { JobLedger } from './job-ledger';

export interface JobContext {
  readonly store: Store;
  readonly config: () => ResolvedSocketConfig;
  readonly tracker: ProgressTracker;
  readonly emit: (event: ConsoleEvent) => void;
  readonly logger: Logger;
  readonly now: () => number;
  readonly ledger: JobLedger;
  /** Writes pending progress and heartbeats: done before a lifecycle change, so history stays in message order. */
  readonly flush: () => void;
  /** Stores an error and shows it on the errors screen. */
  readonly recordError: (input: Parameters<Store['errors']['recordError']>[0]) => void;
  /** Starts a dispatch run without waiting for it. */
  readonly dispatchSoon: () => void;
}
