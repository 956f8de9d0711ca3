/**
 * The store's records: what the repositories return, validated from database
 * rows. Jobs use `id` and `leased_to` internally (the column names); `toJobDto`
 * gives the API/UI spelling (`job_id`, `crawler_id`) from src/shared/jobs.
 */
import { z } from 'zod';
import {
  JobDtoSchema,
  JobEntityProgressDtoSchema,
  JobEventDtoSchema,
  type JobDto,
} from '../../shared/jobs';

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

// Records every layer shows (crawlers, errors, credentials, entities) are defined once, in src/shared.
export {
  CrawlerSchema,
  CrawlerStatusSchema,
  CredentialSchema,
  DiscoveredEntitySchema,
  ErrorRecordSchema,
  type Crawler,
  type CrawlerStatus,
  type Credential,
  type DiscoveredEntity,
  type ErrorRecord,
} from '../../shared/records';
export { ErrorCategorySchema, ErrorSeveritySchema } from '../../shared/errors';

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
