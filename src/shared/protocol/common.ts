import { z } from 'zod';

/** The two spellings of the protocol found in the wild (see PROTOCOL.md). */
export const SpellingSchema = z.enum(['documented', 'crawler']);
export type Spelling = z.infer<typeof SpellingSchema>;

/** Version of the console's protocol, announced in `welcome`. */
export const PROTOCOL_VERSION = '1.0';

/**
 * ISO-8601 date-time. Crawlers written in Python send `isoformat()` without an
 * offset, so local (offset-less) times are accepted as well as `Z`/`+hh:mm`.
 */
export const IsoTimestamp = z.iso.datetime({ offset: true, local: true });

/** The same check without a schema run, for the per-message path (zod's own regex for these options). */
const ISO_TIMESTAMP_RE = z.core.regexes.datetime({ offset: true, local: true });
export const isIsoTimestamp = (s: string): boolean => ISO_TIMESTAMP_RE.test(s);

export const JobTypeSchema = z.enum(['discover_namespaces', 'crawl_user', 'crawl_group', 'crawl_project']);
export type JobType = z.infer<typeof JobTypeSchema>;

/** A job id as crawlers send it: a non-empty string (numbers are coerced to text). */
export const JobIdSchema = z.union([z.string().min(1).max(256), z.number().int().nonnegative()]).transform(String);

export const CountsSchema = z.record(z.string(), z.number());

/** Resume state: where a crawler left off. Open: crawlers add their own keys. */
export const ResumeStateSchema = z.looseObject({
  last_entity_id: z.string().optional(),
  current_page: z.number().optional(),
  entity_type: z.string().optional(),
});
export type ResumeState = z.infer<typeof ResumeStateSchema>;

export const CrawlerResumeStateSchema = z.looseObject({
  lastEntityId: z.union([z.string(), z.number()]).transform(String).optional(),
  currentPage: z.number().optional(),
  entityType: z.string().optional(),
});

/** Codes of the console's `error` replies: each one is something a crawler can act on. */
export const ErrorCodeSchema = z.enum([
  'invalid_json',
  'invalid_encoding',
  'not_an_object',
  'message_too_large',
  'unknown_type',
  'invalid_message',
  'auth_required',
  'auth_failed',
  'server_full',
  'unknown_job',
  'job_not_leased',
  'invalid_transition',
  'job_cancelled',
  'rate_limited',
  'internal_error',
  'crawler_id_in_use',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** Object keys as a list, typed. */
export const keysOf = <T extends object>(o: T): (keyof T & string)[] => Object.keys(o) as (keyof T & string)[];

/** Copies the fields of `source` not named in `known`: the unknown fields a crawler sent. */
export function unknownFields(source: Record<string, unknown>, known: ReadonlySet<string>, into?: Record<string, unknown>): Record<string, unknown> {
  // On the message path: no intermediate arrays, and one shared object when there is nothing to copy.
  let out = into;
  for (const k in source) {
    if (known.has(k) || !Object.hasOwn(source, k)) continue;
    out ??= {};
    out[k] = source[k];
  }
  return out ?? NO_FIELDS;
}

/** The frozen empty record `unknownFields` returns when a message has no unknown fields. */
export const NO_FIELDS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
