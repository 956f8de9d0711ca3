/**
 * Records the console keeps besides jobs — crawlers seen, errors, saved
 * credentials (masked), discovered entities — as every layer sees them.
 * Times are epoch milliseconds.
 */
import { z } from 'zod';
import { SpellingSchema } from './protocol/common';
import { ErrorCategorySchema, ErrorSeveritySchema } from './errors';

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
  /** How many identical errors (same category, code, crawler, job, minute) this row stands for; absent means 1. */
  count: z.number().int().min(1).optional(),
  /** When the latest of them happened (absent or null: only once, at `at`). */
  last_at: z.number().nullable().optional(),
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
  /** When the token stops working (GitLab tokens have an expiry), if the operator gave it. */
  expires_at: z.number().nullable().optional(),
  /** Counts token replacements: a job handed version n that reports it failed needs n+1. */
  token_version: z.number().int().optional(),
  /** When a crawler reported that GitLab refused the current token; cleared by a new token. */
  rejected_at: z.number().nullable().optional(),
  rejected_reason: z.string().nullable().optional(),
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
