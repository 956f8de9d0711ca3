/**
 * Decoding a crawler's line into the internal model. Never throws: every
 * refusal is a value with the error code the console replies with.
 */
import { type ErrorCode, IsoTimestamp, JobIdSchema, NO_FIELDS, type Spelling, unknownFields } from './common';
import {
  type CrawlerMessage,
  type CrawlerMessageType,
  JOB_ID_REQUIRED,
  WIRE_FORMS,
  summarizeIssues,
} from './crawler-messages';

export interface DecodeFailure {
  code: ErrorCode;
  message: string;
  /** The message type, when the line got far enough to say. */
  ref_type?: string;
  job_id?: string;
  /** The spelling the line showed, so the reply can match it. */
  spelling?: Spelling | null;
}
export type DecodeResult = { ok: true; message: CrawlerMessage } | { ok: false; error: DecodeFailure };

const ENVELOPE_KEYS = new Set(['type', 'timestamp', 'job_id', 'jobId', 'data']);
/** Types whose `data` may be absent on the wire. */
const DATA_OPTIONAL: ReadonlySet<string> = new Set(['job_request', 'job_started', 'token_refresh_request', 'hello']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const isCrawlerMessageType = (t: string): t is CrawlerMessageType => Object.hasOwn(WIRE_FORMS, t);

export function decodeCrawlerMessage(value: unknown): DecodeResult {
  if (!isRecord(value)) {
    return fail('not_an_object', `a message must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  const { type, timestamp, job_id: docJobId, jobId: crawlerJobId, data: rawData } = value;
  const envelopeSpelling: Spelling | null = docJobId !== undefined ? 'documented' : crawlerJobId !== undefined ? 'crawler' : null;

  if (typeof type !== 'string' || type.length === 0) {
    return fail('invalid_message', 'missing `type` (a string naming the message)', { spelling: envelopeSpelling });
  }
  if (!isCrawlerMessageType(type)) {
    return fail('unknown_type', `unknown message type "${truncate(type)}"`, { ref_type: truncate(type), spelling: envelopeSpelling });
  }
  const ref = { ref_type: type, spelling: envelopeSpelling };

  const rawJobId = docJobId ?? crawlerJobId;
  let job_id: string | undefined;
  if (rawJobId !== undefined && rawJobId !== null) {
    const parsed = JobIdSchema.safeParse(rawJobId);
    if (!parsed.success) return fail('invalid_message', `${type}: job id must be a non-empty string`, ref);
    job_id = parsed.data;
  } else if (JOB_ID_REQUIRED.has(type)) {
    return fail('invalid_message', `${type}: missing job id (\`job_id\` or \`jobId\`)`, ref);
  }
  const withJob = { ...ref, ...(job_id !== undefined && { job_id }) };

  if (typeof timestamp !== 'string' || !IsoTimestamp.safeParse(timestamp).success) {
    return fail('invalid_message', `${type}: \`timestamp\` must be an ISO-8601 date-time string`, withJob);
  }

  let data: Record<string, unknown>;
  if (rawData === undefined || rawData === null) {
    if (!DATA_OPTIONAL.has(type)) return fail('invalid_message', `${type}: missing \`data\` object`, withJob);
    data = {};
  } else if (!isRecord(rawData)) {
    return fail('invalid_message', `${type}: \`data\` must be an object`, withJob);
  } else {
    data = rawData;
  }

  const forms = WIRE_FORMS[type];
  const crawlerHinted =
    envelopeSpelling === 'crawler' || (forms.crawlerKeys?.some((k) => Object.hasOwn(data, k)) ?? false);
  const candidates = forms.crawler
    ? crawlerHinted
      ? ([['crawler', forms.crawler], ['documented', forms.documented]] as const)
      : ([['documented', forms.documented], ['crawler', forms.crawler]] as const)
    : ([['documented', forms.documented]] as const);

  let firstIssues: string | undefined;
  for (const [spelling, wire] of candidates) {
    const parsed = wire.schema.safeParse(data);
    if (!parsed.success) {
      firstIssues ??= summarizeIssues(parsed.error.issues);
      continue;
    }
    const envelopeExtras = unknownFields(value, ENVELOPE_KEYS);
    const extras = unknownFields(data, wire.known, envelopeExtras === NO_FIELDS ? undefined : { ...envelopeExtras });
    const message = {
      type,
      timestamp,
      ...(job_id !== undefined && { job_id }),
      data: wire.toInternal(parsed.data),
      spelling: forms.crawler ? spelling : type === 'discovery' ? 'crawler' : envelopeSpelling,
      extras,
    } as CrawlerMessage;
    return { ok: true, message };
  }
  return fail('invalid_message', `invalid ${type}: ${firstIssues ?? 'does not match the protocol'}`, {
    ...withJob,
    spelling: crawlerHinted ? 'crawler' : envelopeSpelling,
  });
}

function fail(code: ErrorCode, message: string, extra: Omit<DecodeFailure, 'code' | 'message'> = {}): DecodeResult {
  return { ok: false, error: { code, message, ...extra } };
}

function truncate(s: string, max = 64): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
