/**
 * The address of a view, kept in the URL's fragment: `#/jobs?status=failed&q=acme`.
 * A fragment because the renderer is loaded from a file in the desktop app and
 * from `/` headless: neither can serve a path per view, and a fragment change
 * never reloads the page. Path and query both live in the fragment (unlike
 * wouter's own hash hook, which puts the query in `location.search`), so a
 * copied address carries the whole view and the page's own URL stays put.
 *
 * This module is the location hook wouter's Router is given (see routes.tsx).
 */
import { useSyncExternalStore } from 'react';

import { formatHash, parseHash } from './address';

export { formatHash, parseHash, type HashAddress } from './address';

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) {
    window.addEventListener('hashchange', notify);
    window.addEventListener('popstate', notify);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      window.removeEventListener('hashchange', notify);
      window.removeEventListener('popstate', notify);
    }
  };
}

const currentPath = (): string => parseHash(window.location.hash).path;
const currentSearch = (): string => parseHash(window.location.hash).search;

/**
 * Goes to a view. Pushes a history entry (Back returns), or replaces the current
 * one (`replace`: a filter typed letter by letter must not take one Back per letter).
 * Nothing happens when the address would not change.
 */
export function navigateHash(to: string, options: { replace?: boolean } = {}): void {
  const hash = formatHash(to);
  if (hash === formatHash(window.location.hash)) return;
  // The page's own path and query stay (index.html under file:// or `/` headless); only the fragment changes.
  const url = `${window.location.pathname}${window.location.search}${hash}`;
  if (options.replace) window.history.replaceState(window.history.state, '', url);
  else window.history.pushState(null, '', url);
  // pushState fires neither hashchange nor popstate: tell the subscribers ourselves.
  notify();
}

/** wouter's location hook: [path, navigate]. */
export function useHashLocation(): [string, (to: string, options?: { replace?: boolean }) => void] {
  return [useSyncExternalStore(subscribe, currentPath), navigateHash];
}
/** Where wouter's Link points: the fragment of a path. */
useHashLocation.hrefs = (href: string): string => formatHash(href);

/** wouter's search hook: the fragment's query (still encoded; read it with URLSearchParams). */
export function useHashSearch(): string {
  return useSyncExternalStore(subscribe, currentSearch);
}
