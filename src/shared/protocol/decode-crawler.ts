/**
 * Decoding a crawler's line into the internal model. Never throws: every
 * refusal is a value with the error code the console replies with.
 */
import { type ErrorCode, JobIdSchema, NO_FIELDS, type Spelling, isIsoTimestamp, unknownFields } from './common';
import { MAX_MESSAGE_DEPTH, exceedsDepth, isWellFormedText } from './depth';
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

type Candidate = readonly [Spelling, (typeof WIRE_FORMS)[CrawlerMessageType]['documented']];

/** Per type, the wire forms to try in order: [documented first, crawler first]. Built once. */
const CANDIDATES = Object.fromEntries(
  Object.entries(WIRE_FORMS).map(([type, f]) => {
    const doc: Candidate = ['documented', f.documented];
    const cr: Candidate | null = f.crawler ? ['crawler', f.crawler] : null;
    return [type, cr ? [[doc, cr], [cr, doc]] : [[doc], [doc]]];
  }),
) as unknown as Record<CrawlerMessageType, readonly [readonly Candidate[], readonly Candidate[]]>;

function hasAnyKey(data: Record<string, unknown>, keys: readonly string[] | undefined): boolean {
  if (!keys) return false;
  for (const k of keys) if (Object.hasOwn(data, k)) return true;
  return false;
}

/**
 * `depthBounded`: the value is known to nest no deeper than MAX_MESSAGE_DEPTH (a DiscoverySplitter's part,
 * whose scan refused anything deeper), so the walk that checks it is skipped: a part holds 2,000 items.
 */
export function decodeCrawlerMessage(value: unknown, options?: { depthBounded?: boolean }): DecodeResult {
  if (!isRecord(value)) {
    return fail('not_an_object', `a message must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  const common = decodeCommon(value);
  if (common !== undefined) return common;
  const { type, timestamp, job_id: docJobId, jobId: crawlerJobId, data: rawData } = value;
  // Before anything else looks at it: a value too deep to serialise must never be kept.
  if (options?.depthBounded !== true && exceedsDepth(value, MAX_MESSAGE_DEPTH)) {
    const t = typeof type === 'string' && isCrawlerMessageType(type) ? { ref_type: type } : {};
    return fail('invalid_message', `message nests objects or arrays deeper than ${MAX_MESSAGE_DEPTH} levels`, t);
  }
  const envelopeSpelling: Spelling | null = docJobId !== undefined ? 'documented' : crawlerJobId !== undefined ? 'crawler' : null;

  if (typeof type !== 'string' || type.length === 0) {
    return fail('invalid_message', 'missing `type` (a string naming the message)', { spelling: envelopeSpelling });
  }
  if (!isCrawlerMessageType(type)) {
    return fail('unknown_type', `unknown message type "${truncate(type)}"`, { ref_type: truncate(type), spelling: envelopeSpelling });
  }
  // Failure details are built only on failure: this function runs once per message (and
  // module-level helpers, not closures: a closure per call costs more than the rest of the envelope).

  const rawJobId = docJobId ?? crawlerJobId;
  let job_id: string | undefined;
  if (rawJobId !== undefined && rawJobId !== null) {
    // The common case (a short string) without a schema run; anything else goes through JobIdSchema.
    if (typeof rawJobId === 'string' && rawJobId.length > 0 && rawJobId.length <= 256) {
      // Two different lone surrogates would become the same U+FFFD row in SQLite.
      if (!isWellFormedText(rawJobId)) return fail('invalid_message', `${type}: job id must be well-formed Unicode (it has a lone surrogate)`, ref(type, envelopeSpelling));
      job_id = rawJobId;
    } else {
      const parsed = JobIdSchema.safeParse(rawJobId);
      if (!parsed.success) return fail('invalid_message', `${type}: job id must be a non-empty string`, ref(type, envelopeSpelling));
      job_id = parsed.data;
    }
  } else if (JOB_ID_REQUIRED.has(type)) {
    return fail('invalid_message', `${type}: missing job id (job_id or jobId)`, ref(type, envelopeSpelling));
  }

  if (typeof timestamp !== 'string' || !isIsoTimestamp(timestamp)) {
    return fail('invalid_message', `${type}: timestamp must be an ISO-8601 date-time string`, withJob(type, envelopeSpelling, job_id));
  }

  let data: Record<string, unknown>;
  if (rawData === undefined || rawData === null) {
    if (!DATA_OPTIONAL.has(type)) return fail('invalid_message', `${type}: missing data object`, withJob(type, envelopeSpelling, job_id));
    data = {};
  } else if (!isRecord(rawData)) {
    return fail('invalid_message', `${type}: data must be an object`, withJob(type, envelopeSpelling, job_id));
  } else {
    data = rawData;
  }

  const forms = WIRE_FORMS[type];
  const crawlerHinted = envelopeSpelling === 'crawler' || hasAnyKey(data, forms.crawlerKeys);
  const candidates = CANDIDATES[type][crawlerHinted ? 1 : 0];

  let firstIssues: string | undefined;
  for (const [spelling, wire] of candidates) {
    // The hot forms' common shape is checked by hand (the schema's exact result); anything else by the schema.
    let parsedData = wire.fast?.(data);
    // A fast path answers only for data whose keys are all modelled (`known`): it has no extras of its own.
    const mayHaveExtras = parsedData === undefined;
    if (parsedData === undefined) {
      const parsed = wire.schema.safeParse(data);
      if (!parsed.success) {
        firstIssues ??= summarizeIssues(parsed.error.issues);
        continue;
      }
      parsedData = parsed.data;
    }
    const envelopeExtras = unknownFields(value, ENVELOPE_KEYS);
    const ownExtras = envelopeExtras === NO_FIELDS ? undefined : { ...envelopeExtras };
    const extras = mayHaveExtras ? unknownFields(data, wire.known, ownExtras) : (ownExtras ?? NO_FIELDS);
    const internal = wire.toInternal(parsedData);
    const messageSpelling = forms.crawler ? spelling : type === 'discovery' ? 'crawler' : envelopeSpelling;
    // Two plain literals, not a conditional spread: the spread cost more than the rest of the envelope.
    const message = (
      job_id !== undefined
        ? { type, timestamp, job_id, data: internal, spelling: messageSpelling, extras }
        : { type, timestamp, data: internal, spelling: messageSpelling, extras }
    ) as CrawlerMessage;
    return { ok: true, message };
  }
  return fail('invalid_message', `invalid ${type}: ${firstIssues ?? 'does not match the protocol'}`, {
    ...withJob(type, envelopeSpelling, job_id),
    spelling: crawlerHinted ? 'crawler' : envelopeSpelling,
  });
}

/**
 * Most of a crawler's traffic, decoded without the general path's passes (depth
 * walk, envelope extras, type tables): a job_progress or heartbeat whose
 * envelope holds only the protocol's keys (so nothing but `data` can nest),
 * with a well-formed job id and timestamp, and data the first wire form tried
 * answers for by its fast path (which admits only shallow, modelled fields; a
 * heartbeat's free-form memoryUsage object goes the general way). Returns
 * exactly what the general path returns for such a message, or undefined for
 * anything else: then the general path decides, errors included.
 */
function decodeCommon(value: Record<string, unknown>): DecodeResult | undefined {
  // The type as this module's own constant: a fresh string from the wire would be hashed again by every table lookup.
  const type = value.type === 'job_progress' ? 'job_progress' : value.type === 'heartbeat' ? 'heartbeat' : null;
  if (type === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  let rawJobId: unknown;
  let envelopeSpelling: Spelling | null = null;
  for (const k in value) {
    if (k === 'type' || k === 'timestamp' || k === 'data') continue;
    if ((k !== 'job_id' && k !== 'jobId') || envelopeSpelling !== null) return undefined;
    rawJobId = value[k];
    envelopeSpelling = k === 'job_id' ? 'documented' : 'crawler';
  }
  let job_id: string | undefined;
  if (envelopeSpelling !== null) {
    if (typeof rawJobId !== 'string' || rawJobId.length === 0 || rawJobId.length > 256 || !isWellFormedText(rawJobId)) return undefined;
    job_id = rawJobId;
  } else if (type === 'job_progress') {
    return undefined;
  }
  const timestamp = value.timestamp;
  if (typeof timestamp !== 'string' || !isIsoTimestamp(timestamp)) return undefined;
  const data = value.data;
  if (!isRecord(data) || (typeof data.memoryUsage === 'object' && data.memoryUsage !== null)) return undefined;
  const forms = type === 'job_progress' ? WIRE_FORMS.job_progress : WIRE_FORMS.heartbeat;
  const [spelling, wire] = (type === 'job_progress' ? CANDIDATES.job_progress : CANDIDATES.heartbeat)[envelopeSpelling === 'crawler' || hasAnyKey(data, forms.crawlerKeys) ? 1 : 0][0]!;
  const parsedData = wire.fast?.(data);
  if (parsedData === undefined) return undefined;
  const internal = wire.toInternal(parsedData);
  const message = (
    job_id !== undefined
      ? { type, timestamp, job_id, data: internal, spelling, extras: NO_FIELDS }
      : { type, timestamp, data: internal, spelling, extras: NO_FIELDS }
  ) as CrawlerMessage;
  return { ok: true, message };
}

function ref(type: string, spelling: Spelling | null): Omit<DecodeFailure, 'code' | 'message'> {
  return { ref_type: type, spelling };
}

function withJob(type: string, spelling: Spelling | null, job_id: string | undefined): Omit<DecodeFailure, 'code' | 'message'> {
  return { ref_type: type, spelling, ...(job_id !== undefined && { job_id }) };
}

function fail(code: ErrorCode, message: string, extra: Omit<DecodeFailure, 'code' | 'message'> = {}): DecodeResult {
  return { ok: false, error: { code, message, ...extra } };
}

function truncate(s: string, max = 64): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
