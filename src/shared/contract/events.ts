/**
 * Events the core pushes to UIs. Transports deliver them in batches (at most
 * ~10 a second per client) and coalesce them: within a batch only the latest
 * state per job, per crawler and of the aggregate is kept.
 */
import { z } from 'zod';
import { JobDtoSchema } from '../jobs';
import { ErrorRecordSchema } from '../records';
import { ConnectionInfoSchema } from '../connection';
import { AggregateProgressSchema, JobProgressSchema } from '../progress';
import { HeartbeatDataSchema } from '../protocol';
import { DispatchStateSchema, ScheduleSchema } from '../ops';
import { LivenessSchema } from '../liveness';
import { BulkActionKindSchema, BulkSummarySchema } from '../bulk';

export const ConsoleEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('crawler_connected'), crawler: ConnectionInfoSchema }),
  z.object({ type: z.literal('crawler_updated'), crawler: ConnectionInfoSchema }),
  z.object({ type: z.literal('crawler_disconnected'), crawler: ConnectionInfoSchema, reason: z.string(), lost: z.boolean() }),
  z.object({ type: z.literal('heartbeat'), crawler_id: z.string(), connection_id: z.string(), at: z.number(), data: HeartbeatDataSchema }),
  z.object({ type: z.literal('job_changed'), job: JobDtoSchema }),
  z.object({ type: z.literal('progress'), progress: JobProgressSchema }),
  z.object({ type: z.literal('error'), error: ErrorRecordSchema }),
  z.object({ type: z.literal('aggregate'), aggregate: AggregateProgressSchema.nullable() }),
  z.object({ type: z.literal('dispatch_changed'), dispatch: DispatchStateSchema }),
  z.object({ type: z.literal('schedule_changed'), schedule: ScheduleSchema }),
  z.object({ type: z.literal('schedule_deleted'), schedule_id: z.string() }),
  /** The console's verdict on a connected crawler changed (active / idle / late / lost …). */
  z.object({ type: z.literal('crawler_liveness'), crawler_id: z.string(), connection_id: z.string(), liveness: LivenessSchema }),
  /**
   * A crawler's jobs_discovered message added jobs under a discovery job: one event per message, not one
   * job_changed per new job (a large GitLab sends them a thousand at a time; lists and counts reload).
   * Coalesced per parent, so a page may see only the latest message's figures.
   */
  z.object({
    type: z.literal('jobs_discovered'),
    parent_job_id: z.string(),
    crawler_id: z.string().nullable(),
    created: z.number().int(),
    duplicates: z.number().int(),
  }),
  /** A bulk action changed many jobs at once: one event instead of one job_changed per job (lists reload). */
  z.object({ type: z.literal('bulk_applied'), summary: BulkSummarySchema }),
  /** A bulk action's progress, after each chunk (coalesced: a page sees the latest). */
  z.object({ type: z.literal('bulk_progress'), action: BulkActionKindSchema, processed: z.number().int(), expected: z.number().int() }),
]);
export type ConsoleEvent = z.infer<typeof ConsoleEventSchema>;
export type ConsoleEventType = ConsoleEvent['type'];

/**
 * One delivery to a client. `dropped` counts events coalesced away or cut to keep the batch bounded.
 * `resync: true` means events were cut that the client cannot do without (its budget in bytes
 * overflowed): it must reload its state from the commands, as after a reconnect.
 */
export const EventBatchSchema = z.object({
  seq: z.number().int(),
  events: z.array(ConsoleEventSchema),
  dropped: z.number().int(),
  resync: z.literal(true).optional(),
});
export type EventBatch = z.infer<typeof EventBatchSchema>;

/**
 * The key under which an event supersedes an earlier one in the same batch
 * (latest state wins, delivered where the latest was emitted: survivors keep
 * their order), or null for events that are all kept (errors, connects).
 */
export function coalesceKey(e: ConsoleEvent): string | null {
  switch (e.type) {
    case 'job_changed':
      return `job:${e.job.job_id}`;
    case 'progress':
      return `progress:${e.progress.job_id}`;
    case 'heartbeat':
      return `heartbeat:${e.connection_id}`;
    case 'crawler_updated':
      return `crawler:${e.crawler.connection_id}`;
    case 'aggregate':
      return 'aggregate';
    case 'crawler_liveness':
      return `liveness:${e.connection_id}`;
    case 'bulk_progress':
      return 'bulk_progress';
    case 'jobs_discovered':
      return `discovered:${e.parent_job_id}`;
    default:
      return null;
  }
}
