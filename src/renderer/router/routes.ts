/**
 * Every view's address. `hrefFor` writes one, `routeOf` reads one: a view's
 * path parameters (a job id, a crawler id) go into the path, everything else
 * (filters) into the query, in a stable order so one view has one address.
 */
/** A route parser as wouter's (regexparam): a pattern to a regular expression and its parameter names. */
export type Parser = (route: string, loose?: boolean) => { pattern: Pick<RegExp, 'exec'>; keys?: string[] };

/** Every screen. `job` and `crawler` are one job's and one crawler's page; the others are in the navigation. */
export type View = 'overview' | 'crawlers' | 'crawler' | 'jobs' | 'job' | 'assign' | 'broadcast' | 'errors' | 'credentials' | 'settings' | 'schedules';

/** Parameters of a view: its path parameters and its query (a job id, a preset filter, a preselected crawler …). */
export type ViewParams = Readonly<Record<string, string>>;

export interface RouteDef {
  view: View;
  /** A wouter pattern; `:name` segments are the view's path parameters. */
  pattern: string;
}

/** Most specific first (wouter's Switch renders the first match). */
export const ROUTES: readonly RouteDef[] = [
  { view: 'overview', pattern: '/' },
  { view: 'job', pattern: '/jobs/:job_id' },
  { view: 'jobs', pattern: '/jobs' },
  { view: 'crawler', pattern: '/crawlers/:crawler_id' },
  { view: 'crawlers', pattern: '/crawlers' },
  { view: 'assign', pattern: '/assign' },
  { view: 'broadcast', pattern: '/broadcast' },
  { view: 'schedules', pattern: '/schedules' },
  { view: 'errors', pattern: '/errors' },
  { view: 'credentials', pattern: '/credentials' },
  { view: 'settings', pattern: '/settings' },
];

const ROUTE_OF_VIEW = new Map(ROUTES.map((r) => [r.view, r]));

/** The path parameter names of a pattern (`/jobs/:job_id` → ['job_id']). */
const keysOf = (pattern: string): string[] => [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]!);

/** A view's address as a path with its query (`/jobs?status=failed&q=acme`); empty values are left out. */
export function hrefFor(view: View, params: ViewParams = {}): string {
  const route = ROUTE_OF_VIEW.get(view)!;
  const keys = keysOf(route.pattern);
  const path = route.pattern.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (!keys.includes(k) && v !== '') query.append(k, v);
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * What wouter's path decoding (decodeURI) leaves encoded: the reserved characters.
 * An id such as `host/1` arrives as `host%2F1` and is decoded here, once.
 */
const decodeReserved = (s: string): string => s.replace(/%(2F|3F|23|26|3D|2B|24|2C|3A|40|3B)/gi, (m) => decodeURIComponent(m));

/** The view at a path and its parameters (path parameters win over a query key of the same name); null for an unknown address. */
export function routeOf(parser: Parser, path: string, search: string): { view: View; params: ViewParams } | null {
  for (const route of ROUTES) {
    // What wouter's matchRoute does, with the router's own parser: the same rules as its Link and Route.
    const { pattern, keys = [] } = parser(route.pattern);
    const m = pattern.exec(path);
    if (!m) continue;
    const pathParams: Record<string, string | undefined> = Object.fromEntries(keys.map((k, i) => [k, m[i + 1]]));
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(search)) params[k] = v;
    for (const k of keysOf(route.pattern)) {
      const v = pathParams[k];
      if (v !== undefined) params[k] = decodeReserved(v);
    }
    return { view: route.view, params };
  }
  return null;
}
