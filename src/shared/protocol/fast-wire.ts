/**
 * Hand-checked fast paths for the hottest wire forms (heartbeat and
 * job_progress, both spellings): most of a crawler's traffic, where a zod run
 * per message was the largest single cost of decoding.
 *
 * Each checker is conservative: it returns exactly what the form's zod schema
 * would return (same values, same keys in the same order) for the plain,
 * common shape, and `undefined` for anything else — an unknown key, a wrong
 * type, an out-of-range number, an optional field it does not model — so that
 * input goes through the schema as before and every error still comes from zod.
 * tests/unit/fast-wire.test.ts holds each checker to its schema.
 */

import { JobTypeSchema, isIsoTimestamp } from './common';

type Obj = Record<string, unknown>;

const OBJECT_PROTO = Object.prototype;

/** A plain object (what JSON.parse makes); class instances, arrays and null-prototype objects go to the schema. */
const isPlain = (v: unknown): v is Obj => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === OBJECT_PROTO;
/** z.number(): finite. */
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** z.number().nonnegative(). */
const isNonNeg = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
/** z.number().int().nonnegative(). */
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Why the fast path stepped aside: the schema decides. */
const NO = undefined;

/** Documented heartbeat data: { active_jobs, last_activity, system_status } and nothing else. */
export function fastDocHeartbeat(d: Obj): Obj | undefined {
  if (!isPlain(d)) return NO;
  let n = 0;
  for (const k in d) {
    if (k !== 'active_jobs' && k !== 'last_activity' && k !== 'system_status') return NO;
    n++;
  }
  if (n !== 3) return NO;
  const { active_jobs, last_activity, system_status } = d;
  if (!isCount(active_jobs) || typeof last_activity !== 'string' || !isIsoTimestamp(last_activity)) return NO;
  if (system_status !== 'idle' && system_status !== 'discovering' && system_status !== 'crawling' && system_status !== 'error') return NO;
  return { active_jobs, last_activity, system_status };
}

/** Crawler heartbeat data: activeJobs, totalProcessed, systemStatus, optional memoryUsage and uptime. */
export function fastCrawlerHeartbeat(d: Obj): Obj | undefined {
  if (!isPlain(d)) return NO;
  let required = 0;
  for (const k in d) {
    if (d[k] === undefined) return NO;
    if (k === 'activeJobs' || k === 'totalProcessed' || k === 'systemStatus') required++;
    else if (k !== 'memoryUsage' && k !== 'uptime') return NO;
  }
  if (required !== 3) return NO;
  const { activeJobs, totalProcessed, systemStatus } = d;
  if (!isCount(activeJobs) || !isNonNeg(totalProcessed)) return NO;
  if (systemStatus !== 'idle' && systemStatus !== 'discovering' && systemStatus !== 'processing' && systemStatus !== 'error') return NO;
  const out: Obj = { activeJobs, totalProcessed, systemStatus };
  if ('memoryUsage' in d) out.memoryUsage = d.memoryUsage;
  if ('uptime' in d) {
    if (!isNonNeg(d.uptime)) return NO;
    out.uptime = d.uptime;
  }
  return out;
}

/**
 * One documented progress entry (ProgressEntitySchema with total_discovered
 * required), in the schema's key order. item_counts and unknown keys go to the schema.
 */
function fastDocProgressEntry(e: unknown): Obj | undefined {
  if (!isPlain(e)) return NO;
  let has = 0;
  for (const k in e) {
    const v = e[k];
    switch (k) {
      case 'entity_type':
        if (typeof v !== 'string' || v.length === 0) return NO;
        has |= 1;
        break;
      case 'total_processed':
        if (!isNonNeg(v)) return NO;
        has |= 2;
        break;
      case 'total_discovered':
        if (!isNonNeg(v)) return NO;
        has |= 4;
        break;
      case 'current_page':
        if (!isNonNeg(v)) return NO;
        has |= 8;
        break;
      case 'items_per_page':
        if (!isNonNeg(v)) return NO;
        has |= 16;
        break;
      case 'sub_collection':
        if (typeof v !== 'string') return NO;
        has |= 32;
        break;
      case 'estimated_remaining':
        if (!isNum(v)) return NO;
        has |= 64;
        break;
      case 'processing_rate':
        if (!isNum(v)) return NO;
        has |= 128;
        break;
      case 'estimated_time_remaining':
        if (!isNum(v)) return NO;
        has |= 256;
        break;
      default:
        return NO;
    }
  }
  if ((has & 7) !== 7) return NO;
  const out: Obj = { entity_type: e.entity_type, total_processed: e.total_processed, total_discovered: e.total_discovered };
  if (has & 8) out.current_page = e.current_page;
  if (has & 16) out.items_per_page = e.items_per_page;
  if (has & 32) out.sub_collection = e.sub_collection;
  if (has & 64) out.estimated_remaining = e.estimated_remaining;
  if (has & 128) out.processing_rate = e.processing_rate;
  if (has & 256) out.estimated_time_remaining = e.estimated_time_remaining;
  return out;
}

/** Documented job_progress data: progress[], overall_completion, time_elapsed, optional estimated_time_remaining. */
export function fastDocJobProgress(d: Obj): Obj | undefined {
  if (!isPlain(d)) return NO;
  let has = 0;
  for (const k in d) {
    const v = d[k];
    switch (k) {
      case 'progress':
        has |= 1;
        break;
      case 'overall_completion':
        if (!isNum(v) || v < 0 || v > 1) return NO;
        has |= 2;
        break;
      case 'time_elapsed':
        if (!isNonNeg(v)) return NO;
        has |= 4;
        break;
      case 'estimated_time_remaining':
        if (!isNum(v)) return NO;
        has |= 8;
        break;
      default:
        return NO;
    }
  }
  if ((has & 7) !== 7) return NO;
  const raw = d.progress;
  if (!Array.isArray(raw)) return NO;
  const progress: Obj[] = new Array<Obj>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const entry = fastDocProgressEntry(raw[i]);
    if (entry === NO) return NO;
    progress[i] = entry;
  }
  const out: Obj = { progress, overall_completion: d.overall_completion, time_elapsed: d.time_elapsed };
  if (has & 8) out.estimated_time_remaining = d.estimated_time_remaining;
  return out;
}

/** The crawler's resumeState ({ lastEntityId, currentPage, entityType }, no other keys), as CrawlerResumeStateSchema returns it. */
function fastCrawlerResumeState(r: unknown): Obj | undefined {
  if (!isPlain(r)) return NO;
  let has = 0;
  for (const k in r) {
    const v = r[k];
    if (k === 'lastEntityId') {
      if (typeof v !== 'string' && !isNum(v)) return NO;
      has |= 1;
    } else if (k === 'currentPage') {
      if (!isNum(v)) return NO;
      has |= 2;
    } else if (k === 'entityType') {
      if (typeof v !== 'string') return NO;
      has |= 4;
    } else return NO;
  }
  const out: Obj = {};
  if (has & 1) out.lastEntityId = String(r.lastEntityId);
  if (has & 2) out.currentPage = r.currentPage;
  if (has & 4) out.entityType = r.entityType;
  return out;
}

const CRAWLER_PROGRESS_BITS = {
  stage: 1,
  entityType: 2,
  processed: 4,
  total: 8,
  message: 16,
  resumeState: 32,
  processingRate: 64,
  estimatedTimeRemaining: 128,
  currentPage: 256,
} as const;

/** Crawler job_progress data (one entity type per message). itemCounts and unknown keys go to the schema. */
export function fastCrawlerJobProgress(d: Obj): Obj | undefined {
  if (!isPlain(d)) return NO;
  let has = 0;
  for (const k in d) {
    const v = d[k];
    switch (k) {
      case 'stage':
        if (v !== 'discovering' && v !== 'fetching' && v !== 'completed' && v !== 'failed') return NO;
        break;
      case 'entityType':
        if (typeof v !== 'string' || v.length === 0) return NO;
        break;
      case 'processed':
      case 'total':
      case 'currentPage':
        if (!isNonNeg(v)) return NO;
        break;
      case 'message':
        if (typeof v !== 'string') return NO;
        break;
      case 'resumeState':
        break; // checked below
      case 'processingRate':
      case 'estimatedTimeRemaining':
        if (!isNum(v)) return NO;
        break;
      default:
        return NO;
    }
    has |= CRAWLER_PROGRESS_BITS[k];
  }
  if ((has & 7) !== 7) return NO;
  let resumeState: Obj | undefined;
  if (has & 32) {
    resumeState = fastCrawlerResumeState(d.resumeState);
    if (resumeState === NO) return NO;
  }
  // The schema's key order.
  const out: Obj = { stage: d.stage, entityType: d.entityType, processed: d.processed };
  if (has & 8) out.total = d.total;
  if (has & 16) out.message = d.message;
  if (has & 32) out.resumeState = resumeState;
  if (has & 64) out.processingRate = d.processingRate;
  if (has & 128) out.estimatedTimeRemaining = d.estimatedTimeRemaining;
  if (has & 256) out.currentPage = d.currentPage;
  return out;
}

const JOB_TYPES: ReadonlySet<unknown> = new Set(JobTypeSchema.options);

/** CountsSchema (a record of numbers) for a plain object whose keys are all ordinary: a copy, in the same key order. */
function fastCounts(c: unknown): Obj | undefined {
  if (!isPlain(c)) return NO;
  const out: Obj = {};
  for (const k in c) {
    const v = c[k];
    if (!isNum(v) || k === '__proto__' || k === 'constructor') return NO;
    out[k] = v;
  }
  return out;
}

const DISCOVERED_BITS = { job_type: 1, entity_id: 2, namespace_path: 4, entity_name: 8, priority: 16, estimated_size: 32 } as const;

/**
 * One discovered item (DiscoveredJobSchema): the schema's output for an item with only the modelled keys, in
 * the schema's key order, entity_id as text and priority 1 when absent. A whole discovery is a million of
 * these, and the schema's run per item was the largest cost of decoding one.
 */
export function fastDiscoveredJob(d: unknown): Obj | undefined {
  if (!isPlain(d)) return NO;
  let has = 0;
  for (const k in d) {
    const v = d[k];
    switch (k) {
      case 'job_type':
        if (!JOB_TYPES.has(v)) return NO;
        break;
      case 'entity_id':
        if (!(typeof v === 'string' ? v.length > 0 : isNum(v))) return NO;
        break;
      case 'namespace_path':
      case 'entity_name':
        if (typeof v !== 'string') return NO;
        break;
      case 'priority':
        if (!Number.isSafeInteger(v)) return NO;
        break;
      case 'estimated_size':
        break; // checked below
      default:
        return NO;
    }
    has |= DISCOVERED_BITS[k];
  }
  if ((has & 15) !== 15) return NO;
  const out: Obj = { job_type: d.job_type, entity_id: String(d.entity_id), namespace_path: d.namespace_path, entity_name: d.entity_name, priority: has & 16 ? d.priority : 1 };
  if (has & 32) {
    const size = fastCounts(d.estimated_size);
    if (size === NO) return NO;
    out.estimated_size = size;
  }
  return out;
}

/** DiscoverySummarySchema's keys, in its order (a key added there and not here goes to the schema: slower, still right). */
const SUMMARY_KEYS: ReadonlySet<string> = new Set(['total_users', 'total_groups', 'total_projects', 'hierarchy_depth']);

/** DiscoverySummarySchema for a summary of its four numbers only, in the schema's key order. */
function fastDiscoverySummary(s: unknown): Obj | undefined {
  if (!isPlain(s)) return NO;
  for (const k in s) if (!SUMMARY_KEYS.has(k) || !isNum(s[k])) return NO;
  const out: Obj = {};
  for (const k of SUMMARY_KEYS) if (k in s) out[k] = s[k];
  return out;
}

/**
 * jobs_discovered data (its wire schema: the items unchecked, each is checked on its own by fastDiscoveredJob
 * or the item schema): discovered_jobs, and the optional discovery_summary and items_index, nothing else.
 */
export function fastJobsDiscovered(d: Obj): Obj | undefined {
  if (!isPlain(d)) return NO;
  for (const k in d) if (k !== 'discovered_jobs' && k !== 'discovery_summary' && k !== 'items_index') return NO;
  const raw = d.discovered_jobs;
  if (!Array.isArray(raw)) return NO;
  // A copy with every index set, as the schema's array is (a hole in the input is an undefined item in it).
  const items: unknown[] = new Array<unknown>(raw.length);
  for (let i = 0; i < raw.length; i++) items[i] = raw[i];
  const out: Obj = { discovered_jobs: items };
  if (Object.hasOwn(d, 'discovery_summary')) {
    const summary = fastDiscoverySummary(d.discovery_summary);
    if (summary === NO) return NO;
    out.discovery_summary = summary;
  }
  if (Object.hasOwn(d, 'items_index')) {
    const rawIndex = d.items_index;
    if (!Array.isArray(rawIndex)) return NO;
    const index: number[] = new Array<number>(rawIndex.length);
    for (let i = 0; i < rawIndex.length; i++) {
      const v: unknown = rawIndex[i];
      if (!Number.isSafeInteger(v) || (v as number) < 0) return NO;
      index[i] = v as number;
    }
    out.items_index = index;
  }
  return out;
}
