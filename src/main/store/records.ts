/**
 * The store's records: what the repositories return, validated from database
 * rows. Jobs use `id` and `leased_to` internally (the column names); `toJobDto`
 * gives the API/UI spelling (`job_id`, `crawler_id`) from src/shared/jobs.
 */
import { z } from 'zod';
import { SpellingSchema } from '../../shared/protocol/common';
import {
  JobDtoSchema,
  JobEntityProgressDtoSchema,
  JobEventDtoSchema,
  type JobDto,
} from '../../shared/jobs';
import { ErrorCategorySchema, ErrorSeveritySchema } from '../socket/types/errors';

const jobShape = JobDtoSchema.omit({ job_id: true, crawler_id: true }).shape;

/** A job row. */
export const JobSchema = z.object({
  id: z.string().min(1),
  ...jobShape,
  leased_to: z.string().nullable(),
});
export type Job = z.infer<typeof JobSchema>;

export function toJobDto(job: Job): JobDto {
  const { id, leased_to, ...rest } = job;
  return { job_id: id, crawler_id: leased_to, ...rest };
}

export const JobEventSchema = JobEventDtoSchema;
export type JobEvent = z.infer<typeof JobEventSchema>;

export const JobProgressRecordSchema = JobEntityProgressDtoSchema;
export type JobProgressRecord = z.infer<typeof JobProgressRecordSchema>;

export const CrawlerStatusSchema = z.enum(['connected', 'disconnected']);
export type CrawlerStatus = z.infer<typeof CrawlerStatusSchema>;

/** A crawler the console has seen (connected now or before). */
export const CrawlerSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  version: z.string().nullable(),
  host: z.string().nullable(),
  pid: z.number().int().nullable(),
  spelling: SpellingSchema.nullable(),
  capabilities: z.array(z.string()).nullable(),
  max_concurrent_jobs: z.number().int().nullable(),
  connected_at: z.number().nullable(),
  disconnected_at: z.number().nullable(),
  disconnect_reason: z.string().nullable(),
  last_heartbeat_at: z.number().nullable(),
  /** The last heartbeat's data (internal model), as received. */
  last_heartbeat: z.record(z.string(), z.unknown()).nullable(),
  status: CrawlerStatusSchema,
  total_processed: z.number().nullable(),
});
export type Crawler = z.infer<typeof CrawlerSchema>;

export { ErrorCategorySchema, ErrorSeveritySchema };

/** A recorded error. `job_id` may name a job the console does not know. */
export const ErrorRecordSchema = z.object({
  id: z.number().int(),
  at: z.number(),
  category: ErrorCategorySchema,
  severity: ErrorSeveritySchema,
  code: z.string().nullable(),
  message: z.string(),
  context: z.record(z.string(), z.unknown()).nullable(),
  crawler_id: z.string().nullable(),
  job_id: z.string().nullable(),
});
export type ErrorRecord = z.infer<typeof ErrorRecordSchema>;

/** A credential as anyone outside the store sees it: never the token, only its last characters. */
export const CredentialSchema = z.object({
  id: z.string(),
  gitlab_host: z.string(),
  label: z.string(),
  /** "••••abcd" (the last four characters), or "••••" for short tokens. */
  token_hint: z.string(),
  cipher_kind: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type Credential = z.infer<typeof CredentialSchema>;

/** An entity a crawler reported in a `discovery` message. */
export const DiscoveredEntitySchema = z.object({
  entity_type: z.string(),
  entity_id: z.string(),
  name: z.string(),
  path: z.string(),
  parent_id: z.string().nullable(),
  job_id: z.string().nullable(),
  crawler_id: z.string().nullable(),
  seen_at: z.number(),
});
export type DiscoveredEntity = z.infer<typeof DiscoveredEntitySchema>;

// ───────────────────────────── row decoding ─────────────────────────────

type Row = Record<string, unknown>;

/**
 * Turns a row into a record: JSON text columns parsed, 0/1 columns made
 * boolean, then validated by the record's schema (a row that does not fit is a
 * bug or a damaged database, and fails loudly).
 */
export function rowDecoder<S extends z.ZodType>(schema: S, jsonColumns: readonly string[], boolColumns: readonly string[] = []) {
  return (row: unknown): z.infer<S> => {
    const r = { ...(row as Row) };
    for (const c of jsonColumns) {
      const v = r[c];
      r[c] = typeof v === 'string' ? (JSON.parse(v) as unknown) : null;
    }
    for (const c of boolColumns) r[c] = r[c] === 1 || r[c] === 1n;
    return schema.parse(r);
  };
}

/** JSON text for a column, or null. */
export const toJson = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
