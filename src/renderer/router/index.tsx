/**
 * The renderer's one router: wouter (1.5 kB, hooks-first, a pluggable location)
 * over the fragment addresses of hash-location.ts. Views are reached by address
 * only — reload keeps the view, Back/Forward walk the views, a copied link opens
 * the same view — and every id on screen is a real link (<a href="#/jobs/…">).
 */
import { type AnchorHTMLAttributes, type ReactNode, type Ref, useMemo } from 'react';
import { Link as WouterLink, Router, useLocation, useRouter } from 'wouter';
import { navigateHash, useHashLocation, useHashSearch } from './hash-location';
import { type View, type ViewParams, hrefFor, routeOf } from './routes';

export { ROUTES, hrefFor, type View, type ViewParams } from './routes';
export { navigateHash, parseHash, formatHash } from './hash-location';

export function AppRouter({ children }: { children: ReactNode }) {
  return (
    <Router hook={useHashLocation} searchHook={useHashSearch} hrefs={useHashLocation.hrefs}>
      {children}
    </Router>
  );
}

/** Goes to a view: navigate('job', { job_id }), navigate('jobs', { status: 'failed' }). `replace` changes the current entry instead of adding one. */
export function navigate(view: View, params?: ViewParams, options?: { replace?: boolean }): void {
  navigateHash(hrefFor(view, params), options);
}
export type Navigate = typeof navigate;

/** The navigate function (a hook so screens read like they did; it is the same stable function everywhere). */
export const useNavigate = (): Navigate => navigate;

/** The current view and its parameters; null view for an address the console does not know. */
export function useRoute(): { view: View | null; params: ViewParams } {
  const [path] = useLocation();
  const search = useHashSearch();
  const { parser } = useRouter();
  return useMemo(() => routeOf(parser, path, search) ?? { view: null, params: {} }, [parser, path, search]);
}

/** The current view's parameters (path parameters and query). */
export const useViewParams = (): ViewParams => useRoute().params;

/** A link to a view: a real anchor (open in a new tab, copy the address), navigated in place on a plain click. */
export function ViewLink({ view, params, children, ref, ...rest }: { view: View; params?: ViewParams; children: ReactNode; ref?: Ref<HTMLAnchorElement> } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  return (
    <WouterLink ref={ref} href={hrefFor(view, params)} {...rest}>
      {children}
    </WouterLink>
  );
}
