/**
 * A synthetic GitLab instance, deterministic from the run's seed: the
 * namespace hierarchy a discovery job finds (groups, subgroups, projects,
 * users with names like "acme/platform/api") and the size of every entity a
 * crawl job fetches. Sizes derive from (seed, job type, entity id) alone, so a
 * project discovered with an estimated size is later crawled with that size.
 */
import type { DiscoveredJob, JobType } from '../shared/protocol';
import { Rng, deriveSeed, hashString } from './prng';

const ORGS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'soylent'];
const SUBGROUPS = ['platform', 'mobile', 'data', 'infra', 'web', 'security', 'ml', 'payments', 'tools', 'research', 'growth', 'devex'];
const PROJECTS = [
  'api', 'frontend', 'backend', 'docs', 'cli', 'sdk', 'worker', 'gateway', 'auth-service', 'billing', 'search', 'ios-app',
  'android-app', 'terraform', 'helm-charts', 'design-system', 'pipeline', 'etl', 'notebooks', 'website', 'scheduler', 'monitoring',
];
const FIRST = ['ada', 'alan', 'grace', 'linus', 'margaret', 'dennis', 'barbara', 'ken', 'radia', 'donald', 'frances', 'edsger', 'hedy', 'john'];
const LAST = ['lovelace', 'turing', 'hopper', 'torvalds', 'hamilton', 'ritchie', 'liskov', 'thompson', 'perlman', 'knuth', 'allen', 'dijkstra'];

export const ITEMS_PER_PAGE = 100;
/** Largest count of one entity type in one job: keeps every job bounded (100 pages). */
const MAX_ENTITY_COUNT = 10_000;

export interface Namespace {
  kind: 'group' | 'project' | 'user';
  id: string;
  path: string;
  name: string;
  parentId?: string;
  depth: number;
}

export interface Hierarchy {
  groups: Namespace[];
  projects: Namespace[];
  users: Namespace[];
  depth: number;
}

/** The namespaces under `root` (a group path), or under two or three top-level groups when no root is given. */
export function generateHierarchy(seed: number, root?: string): Hierarchy {
  const rng = new Rng(deriveSeed(seed, 'hierarchy', root ?? ''));
  const ids = new Set<string>();
  const idFor = (kind: string, path: string): string => {
    let n = 1000 + (hashString(`${kind}:${path}`, seed) % 9_000_000);
    while (ids.has(String(n))) n++;
    ids.add(String(n));
    return String(n);
  };
  const groups: Namespace[] = [];
  const projects: Namespace[] = [];
  let depth = 1;

  const addGroup = (path: string, parent: Namespace | undefined): Namespace => {
    const g: Namespace = {
      kind: 'group',
      id: idFor('group', path),
      path,
      name: path.split('/').at(-1)!,
      depth: parent ? parent.depth + 1 : 1,
      ...(parent && { parentId: parent.id }),
    };
    groups.push(g);
    depth = Math.max(depth, g.depth);
    for (const name of rng.sample(PROJECTS, rng.int(1, 4))) {
      const p = `${path}/${name}`;
      projects.push({ kind: 'project', id: idFor('project', p), path: p, name, parentId: g.id, depth: g.depth + 1 });
      depth = Math.max(depth, g.depth + 1);
    }
    return g;
  };

  const roots = root ? [root] : rng.sample(ORGS, rng.int(2, 3));
  for (const r of roots) {
    const top = addGroup(r, undefined);
    for (const sub of rng.sample(SUBGROUPS, rng.int(1, 3))) {
      const g = addGroup(`${r}/${sub}`, top);
      if (rng.chance(0.3)) {
        for (const leaf of rng.sample(SUBGROUPS.filter((s) => s !== sub), rng.int(1, 2))) addGroup(`${g.path}/${leaf}`, g);
      }
    }
  }

  const users: Namespace[] = [];
  for (let i = 0, n = rng.int(4, 10); i < n; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const username = `${first}.${last}${users.some((u) => u.path === `${first}.${last}`) ? i : ''}`;
    users.push({ kind: 'user', id: idFor('user', username), path: username, name: `${cap(first)} ${cap(last)}`, depth: 1 });
  }
  return { groups, projects, users, depth };
}

/** The jobs a discovery reports for a hierarchy: one crawl job per group, project and user. */
export function discoveredJobs(seed: number, h: Hierarchy): DiscoveredJob[] {
  const job = (jobType: JobType, ns: Namespace, priority: number): DiscoveredJob => ({
    job_type: jobType,
    entity_id: ns.id,
    namespace_path: ns.path,
    entity_name: ns.name,
    priority,
    estimated_size: entitySizes(seed, jobType, ns.id),
  });
  return [
    ...h.groups.map((g) => job('crawl_group', g, 2)),
    ...h.projects.map((p) => job('crawl_project', p, 1)),
    ...h.users.map((u) => job('crawl_user', u, 1)),
  ];
}

/**
 * What a crawl job fetches, entity type by entity type, in crawl order, with
 * the count of each. Most projects are small, a few are large (as on a real
 * instance).
 */
export function entitySizes(seed: number, jobType: JobType, entityId: string): Record<string, number> {
  const rng = new Rng(deriveSeed(seed, 'size', jobType, entityId));
  const roll = rng.next();
  const f = roll < 0.6 ? 1 : roll < 0.9 ? 8 : 40;
  const n = (min: number, max: number, scale = f) => Math.min(MAX_ENTITY_COUNT, rng.int(min, max) * scale);
  switch (jobType) {
    case 'crawl_project': {
      const pipelines = n(0, 120);
      return {
        issue: n(0, 60),
        merge_request: n(0, 40),
        mergeRequestNotes: n(0, 150),
        commit: n(10, 300),
        branch: n(1, 12, Math.min(f, 4)),
        pipeline: pipelines,
        jobs: Math.min(MAX_ENTITY_COUNT, pipelines * rng.int(1, 4)),
        release: n(0, 4, Math.min(f, 4)),
      };
    }
    case 'crawl_group':
      return { group: 1, project: n(1, 25, Math.min(f, 4)), groupMilestones: n(0, 30), epics: n(0, 80), member: n(2, 40) };
    case 'crawl_user':
      return { user: 1, project: n(0, 15, 1), issue: n(0, 60), merge_request: n(0, 40), event: n(10, 800) };
    case 'discover_namespaces':
      return {};
  }
}

/** Maps what a job_response says (`entityType`) to a job type; consoles use job types or entity names. */
export function jobTypeFor(entityType: string): JobType {
  const t = entityType.toLowerCase();
  if (t === 'discover_namespaces' || t === 'crawl_user' || t === 'crawl_group' || t === 'crawl_project') return t;
  if (t.startsWith('project')) return 'crawl_project';
  if (t.startsWith('group')) return 'crawl_group';
  if (t.startsWith('user')) return 'crawl_user';
  if (t.includes('discover') || t.includes('namespace') || t === 'instance') return 'discover_namespaces';
  return 'crawl_project';
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
