/**
 * The renderer's one cache of server state: TanStack Query. Screens read
 * through useQuery; the console's events (SSE headless, IPC in the app) write
 * into the cache (setQueryData) or mark what they change stale
 * (invalidateQueries) — see live.ts — so no screen polls on a timer or keeps
 * server state in a module variable. A reconnect refetches every query in use,
 * since events missed while disconnected are not replayed.
 */
// query-core's class (react-query re-exports it): modules that only write the cache stay React-free.
import { QueryClient } from '@tanstack/query-core';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Events keep the cache current: a query is refetched when an event or a reconnect says so, not because time passed.
      staleTime: Infinity,
      // Kept a minute after the last screen using it closes: going back to a page shows it at once.
      gcTime: 60_000,
      // The window regaining focus tells nothing new (the event stream was open all along).
      refetchOnWindowFocus: false,
      // A command that failed is shown with its message; one quiet retry covers a blip.
      retry: 1,
      // The console is this machine (IPC, or HTTP on loopback): the browser going offline says nothing about reaching it.
      networkMode: 'always',
    },
    mutations: { networkMode: 'always' },
  },
});
