/**
 * Discovered jobs as the crawler sends them, for the benches: groups,
 * subgroups, projects and users, interleaved as a discovery lists them
 * (paths cycle through 997 groups), with names scattered as real ones are
 * (their order has nothing to do with the order they are listed in).
 */
const TYPES = ['crawl_project', 'crawl_project', 'crawl_project', 'crawl_group', 'crawl_user'] as const;

/**
 * `scatteredIds`: entity ids in no order, as a real discovery lists them (groups by path,
 * then each group's projects: GitLab's ids land anywhere in that order). By default
 * they ascend, which spares the two dedupe indexes (keyed by entity id) a random page
 * per job; `npm run bench -- scale --scattered-ids` measures what they cost.
 */
export function discoveredItems(start: number, n: number, options: { scatteredIds?: boolean } = {}) {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    const type = TYPES[i % TYPES.length]!;
    return {
      job_type: type,
      entity_id: String(options.scatteredIds ? scatteredEntityId(i) : 100_000 + i),
      namespace_path: `group-${i % 997}/sub-${i % 31}/${type === 'crawl_user' ? 'user' : 'project'}-${i}`,
      entity_name: scatteredName(i, type === 'crawl_user'),
      priority: 1 + (i % 3),
      estimated_size: { issues: i % 500, merge_requests: i % 120 },
    };
  });
}

/** Item i's entity id in no order: an odd multiplier is a permutation modulo 2^24 (unique, short ascending runs that wrap). */
export const scatteredEntityId = (i: number): number => (Math.imul(i + 1, 0x9e3779b1) >>> 0) & 0xffffff;

const FIRST = ['alpha', 'atlas', 'beacon', 'cedar', 'comet', 'delta', 'ember', 'falcon', 'garnet', 'harbor', 'iris', 'juniper', 'kepler', 'lumen', 'maple', 'nova', 'onyx', 'pine', 'quartz', 'raven', 'sierra', 'tundra', 'umber', 'vega', 'willow', 'xenon', 'yarrow', 'zephyr'];
const SECOND = ['api', 'backend', 'cli', 'core', 'dashboard', 'docs', 'engine', 'frontend', 'gateway', 'infra', 'lib', 'mobile', 'operator', 'pipeline', 'runner', 'sdk', 'service', 'tools', 'web', 'worker'];

/** A name for item i: words picked by a hash of i (so neighbours in the listing are far apart in name order), then i. */
export function scatteredName(i: number, user: boolean): string {
  // murmur3's finaliser: consecutive i give unrelated h
  let h = Math.imul(i ^ (i >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  const a = FIRST[h % FIRST.length]!;
  const b = SECOND[(h >>> 8) % SECOND.length]!;
  return user ? `${a[0]!.toUpperCase()}${a.slice(1)} ${b[0]!.toUpperCase()}${b.slice(1)} ${i}` : `${a}-${b} ${i}`;
}

/**
 * A discovery exactly as the crawler in the wild lists it (crawler/src/api/gitlab-processor.ts in
 * pdiegmann/copilot-study maps each area to these five keys): groups and projects only (one group
 * for nine projects here), `priority` always 1, no `estimated_size`, entity ids as text in no order.
 */
export function wildDiscoveredItems(start: number, n: number) {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    const group = i % 10 === 0;
    const path = group ? `group-${i % 997}/sub-${i}` : `group-${i % 997}/sub-${i % 31}/project-${i}`;
    return {
      job_type: group ? ('crawl_group' as const) : ('crawl_project' as const),
      entity_id: String(scatteredEntityId(i)),
      namespace_path: path,
      entity_name: scatteredName(i, false),
      priority: 1,
    };
  });
}
