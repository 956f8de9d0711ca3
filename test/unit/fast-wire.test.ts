/**
 * The hand-checked fast paths of the hot wire forms (src/shared/protocol/fast-wire.ts)
 * against the zod schemas they stand in for: whenever a fast path answers, the
 * schema accepts the same input and returns the same value (keys in the same
 * order); and a whole decode gives the same result, accepted or refused (with
 * the same error), with the fast paths as without them — on valid messages,
 * every field removed or replaced by a hostile value, and seeded random ones.
 */
import { describe, expect, it } from 'vitest';
import { decodeCrawlerMessage } from '../../src/shared/protocol';
import { DiscoveredJobSchema, WIRE_FORMS } from '../../src/shared/protocol/crawler-messages';
import { fastDiscoveredJob } from '../../src/shared/protocol/fast-wire';
import { mulberry32 as rng } from '../../src/simulator/prng';

type Obj = Record<string, unknown>;
const TS = '2026-12-02T00:00:00.000Z';

/** Hostile and wrong-typed values every field is tried with. */
const deep = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};
class Thing {
  processed = 1;
}
const HOSTILE: unknown[] = [
  undefined, null, true, 0, -0, -1, 0.5, 1, 1.5, 2 ** 53, 2 ** 60, -(2 ** 60), Number.MAX_VALUE, Infinity, -Infinity, NaN,
  '', 'x', '\uD800', 'a\uDC00b', '12', 'fetching', 'processing', 'crawling', 'idle', 'error', TS, 'x'.repeat(100_000),
  [], [1], [{}], {}, { a: 1 }, deep(80), new Thing(), Object.create(null) as unknown, new Date(0), () => 1,
];

/** Values with every key's order, recursively: toStrictEqual ignores key order, the wire does not. */
function withOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withOrder);
  if (typeof v === 'object' && v !== null) return Object.entries(v).map(([k, x]) => [k, withOrder(x)]);
  return v;
}

function* variants(base: Obj): Generator<unknown> {
  yield base;
  yield { ...base, extra: 1 };
  yield JSON.parse(JSON.stringify(base).replace(/^\{/, '{"__proto__":{"x":1},')) as unknown;
  yield Object.assign(Object.create(null) as Obj, base);
  yield Object.fromEntries(Object.entries(base).reverse());
  for (const k of Object.keys(base)) {
    const { [k]: _, ...without } = base;
    yield without;
    for (const v of HOSTILE) yield { ...base, [k]: v };
    const inner = base[k];
    if (Array.isArray(inner) && typeof inner[0] === 'object') {
      for (const ik of Object.keys(inner[0] as Obj)) {
        const { [ik]: _i, ...innerWithout } = inner[0] as Obj;
        yield { ...base, [k]: [innerWithout] };
        yield { ...base, [k]: [inner[0], innerWithout] };
        yield { ...base, [k]: [{ ...(inner[0] as Obj), extra: 1 }] };
        for (const v of HOSTILE) yield { ...base, [k]: [{ ...(inner[0] as Obj), [ik]: v }] };
      }
      yield { ...base, [k]: [] };
      yield { ...base, [k]: [, inner[0]] };
    } else if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      for (const ik of Object.keys(inner)) {
        const { [ik]: _i, ...innerWithout } = inner as Obj;
        yield { ...base, [k]: innerWithout };
        for (const v of HOSTILE) yield { ...base, [k]: { ...(inner as Obj), [ik]: v } };
      }
      yield { ...base, [k]: { ...(inner as Obj), extra: 1 } };
    }
  }
}


function* randomCases(bases: Obj[], keys: string[], count: number, seed: number): Generator<unknown> {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const values: unknown[] = [...HOSTILE.filter((v) => typeof v !== 'string' || v.length < 1000), 3, 42, 0.25, 'discovering', 'completed'];
  for (let i = 0; i < count; i++) {
    const o: Obj = { ...pick(bases) };
    const edits = 1 + Math.floor(r() * 3);
    for (let e = 0; e < edits; e++) {
      const k = pick(keys);
      if (r() < 0.2) delete o[k];
      else o[k] = r() < 0.5 ? pick(values) : (pick(bases)[k] ?? pick(values));
    }
    yield o;
  }
}

const docProgressEntry = { entity_type: 'issue', total_discovered: 1000, total_processed: 5, current_page: 3, items_per_page: 100 };
const CASES = {
  'heartbeat / documented': {
    form: WIRE_FORMS.heartbeat.documented,
    bases: [{ active_jobs: 3, last_activity: TS, system_status: 'crawling' }, { active_jobs: 0, last_activity: '2026-12-02T00:00:00', system_status: 'idle' }],
  },
  'heartbeat / crawler': {
    form: WIRE_FORMS.heartbeat.crawler!,
    bases: [
      { activeJobs: 3, totalProcessed: 1, systemStatus: 'processing' },
      { activeJobs: 0, totalProcessed: 0.5, systemStatus: 'idle', memoryUsage: { rss: 1 }, uptime: 12 },
    ],
  },
  'job_progress / documented': {
    form: WIRE_FORMS.job_progress.documented,
    bases: [
      { progress: [docProgressEntry], overall_completion: 0.5, time_elapsed: 10 },
      {
        progress: [
          { ...docProgressEntry, sub_collection: 'notes', estimated_remaining: -2, processing_rate: 1.5, estimated_time_remaining: 9 },
          { total_processed: 0, entity_type: 'commit', total_discovered: 0 },
        ],
        overall_completion: 1,
        time_elapsed: 0,
        estimated_time_remaining: -1,
      },
    ],
  },
  'job_progress / crawler': {
    form: WIRE_FORMS.job_progress.crawler!,
    bases: [
      { stage: 'fetching', entityType: 'issue', processed: 5, total: 1005, message: 'page 5', resumeState: { currentPage: 5, lastEntityId: '5' }, processingRate: 25.5 },
      { processed: 0, entityType: 'areas', stage: 'discovering', estimatedTimeRemaining: 3, currentPage: 2, resumeState: { lastEntityId: 7, entityType: 'x' } },
    ],
  },
  'jobs_discovered / documented': {
    form: WIRE_FORMS.jobs_discovered.documented,
    bases: [
      // The crawler in the wild's items (no estimated_size) and its summary.
      {
        discovered_jobs: [
          { job_type: 'crawl_group', entity_id: '42', namespace_path: 'grp', entity_name: 'Group', priority: 1 },
          { job_type: 'crawl_project', entity_id: '7', namespace_path: 'grp/app', entity_name: 'app', priority: 1 },
        ],
        discovery_summary: { total_groups: 1, total_projects: 1 },
      },
      // A part the console cut from a larger message: the items' indexes in the whole.
      { discovered_jobs: [{ job_type: 'crawl_user', entity_id: 9, namespace_path: 'u', entity_name: 'U' }], items_index: [5] },
    ],
  },
  // Not a form: the per-item check inside jobs_discovered's, held to the item schema the same way.
  'jobs_discovered item': {
    form: { fast: fastDiscoveredJob, schema: DiscoveredJobSchema },
    bases: [
      { job_type: 'crawl_project', entity_id: '123', namespace_path: 'grp/app', entity_name: 'app', priority: 1 },
      { job_type: 'crawl_group', entity_id: 77, namespace_path: 'grp', entity_name: 'Group', priority: 3, estimated_size: { issues: 12, merge_requests: 0.5 } },
      { job_type: 'discover_namespaces', entity_id: 'x', namespace_path: '', entity_name: '' },
      { job_type: 'crawl_user', entity_id: -1.5, namespace_path: 'u', entity_name: 'U', estimated_size: {} },
    ],
  },
} as const;

const typeOf = (name: string): string => name.slice(0, name.indexOf(' '));

describe('fast wire paths', () => {
  for (const [name, { form, bases }] of Object.entries(CASES)) {
    it(`${name}: answers only where the schema accepts, with the schema's exact result`, () => {
      const fast = form.fast!;
      expect(fast).toBeTypeOf('function');
      const keys = [...new Set(bases.flatMap((b) => Object.keys(b))), 'extra'];
      let answered = 0;
      let cases = 0;
      const all = [...bases.flatMap((b) => [...variants(b as Obj)]), ...randomCases(bases as unknown as Obj[], keys, 3000, 14)];
      for (const input of all) {
        cases++;
        const got = fast(input as Obj);
        const parsed = form.schema.safeParse(input);
        if (got === undefined) continue;
        answered++;
        expect(parsed.success, JSON.stringify(input)?.slice(0, 300)).toBe(true);
        expect(got).toStrictEqual(parsed.data);
        expect(withOrder(got)).toStrictEqual(withOrder(parsed.data));
      }
      // The fast path is really taken for the common shapes (not a check that always steps aside).
      for (const b of bases) expect(fast(b as Obj)).toBeDefined();
      expect(answered).toBeGreaterThan(50);
      expect(cases).toBeGreaterThan(1000);
    });
  }

  /** decodeCrawlerMessage with the fast paths taken off for the call (put back after it). */
  const decodeWithout = (m: unknown) => {
    const forms = [
      WIRE_FORMS.heartbeat.documented,
      WIRE_FORMS.heartbeat.crawler!,
      WIRE_FORMS.job_progress.documented,
      WIRE_FORMS.job_progress.crawler!,
      WIRE_FORMS.jobs_discovered.documented,
    ];
    const saved = forms.map((f) => f.fast);
    forms.forEach((f) => delete f.fast);
    try {
      return decodeCrawlerMessage(m);
    } finally {
      forms.forEach((f, i) => (f.fast = saved[i]));
    }
  };

  it('a whole decode gives the same result with and without the fast paths (accepted or refused, same error)', () => {
    let accepted = 0;
    let refused = 0;
    for (const [name, { bases }] of Object.entries(CASES)) {
      if (name.endsWith(' item')) continue;
      const type = typeOf(name);
      const keys = [...new Set(bases.flatMap((b) => Object.keys(b))), 'extra'];
      const datas = [...bases.flatMap((b) => [...variants(b as Obj)]), ...randomCases(bases as unknown as Obj[], keys, 1500, 7)];
      for (const data of datas) {
        for (const envelope of [{ job_id: 'j-1' }, { jobId: 'j-1' }, {}]) {
          const message = { type, timestamp: TS, ...envelope, data };
          const fast = decodeCrawlerMessage(message);
          const slow = decodeWithout(message);
          expect(fast).toStrictEqual(slow);
          expect(withOrder(fast)).toStrictEqual(withOrder(slow));
          if (fast.ok) accepted++;
          else refused++;
        }
      }
    }
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('decodes odd envelopes around common data as it would without the fast paths (ids, timestamps, extras, spellings)', () => {
    const envelopes: Obj[] = [
      { job_id: 'j-1' }, { jobId: 'j-1' }, {}, { job_id: 'j-1', jobId: 'j-2' }, { jobId: 'j-2', job_id: 'j-1' }, { job_id: null }, { jobId: null, job_id: 'j' },
      { jobId: 7 }, { job_id: 0 }, { job_id: '' }, { job_id: 'x'.repeat(256) }, { job_id: 'x'.repeat(257) }, { jobId: '\uD800' }, { job_id: 'a\uDC00' },
      { job_id: 'j', extra: deep(70) }, { jobId: 'j', note: 'x' }, { job_id: 'j', data_: 1 }, { job_id: undefined, jobId: 'j' },
    ];
    let accepted = 0;
    let refused = 0;
    for (const [name, { bases }] of Object.entries(CASES)) {
      if (name.endsWith(' item')) continue;
      const type = typeOf(name);
      for (const data of [...bases, { ...bases[0], memoryUsage: deep(70) }, { ...bases[0], memoryUsage: { rss: 1 } }, null, [], 'x']) {
        for (const envelope of envelopes) {
          for (const timestamp of [TS, '2026-12-02T00:00:00', 'yesterday', 5, undefined]) {
            const message = { type, timestamp, ...envelope, data };
            const fast = decodeCrawlerMessage(message);
            const slow = decodeWithout(message);
            expect(fast).toStrictEqual(slow);
            expect(withOrder(fast)).toStrictEqual(withOrder(slow));
            if (fast.ok) accepted++;
            else refused++;
          }
        }
        // A message built with a prototype other than Object's, or with __proto__ as an own key.
        const proto = Object.assign(Object.create({ inherited: 1 }) as Obj, { type, timestamp: TS, jobId: 'j', data });
        expect(decodeCrawlerMessage(proto)).toStrictEqual(decodeWithout(proto));
        const own = JSON.parse(`{"__proto__":{"x":1},"type":"${type}","timestamp":"${TS}","jobId":"j","data":${JSON.stringify(data)}}`) as unknown;
        expect(decodeCrawlerMessage(own)).toStrictEqual(decodeWithout(own));
      }
    }
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it('refuses hostile progress with the schema’s own error', () => {
    const r = decodeCrawlerMessage({ type: 'job_progress', timestamp: TS, jobId: 'j', data: { stage: 'fetching', entityType: 'issue', processed: -1 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/processed/);
    const lone = decodeCrawlerMessage({ type: 'job_progress', timestamp: TS, jobId: 'j', data: { stage: 'fetching', entityType: '\uD800', processed: 1 } });
    // A lone surrogate in a string field is what the schema says it is (accepted as text), fast path or not.
    expect(lone.ok).toBe(true);
  });
});
