/**
 * What the Assign job form chooses from: saved credentials (masked) and the
 * connected crawlers, as query entries. Crawler capacity changes with every job
 * that starts or ends, so the crawler list is marked stale (at most once a
 * second, query/live.ts) when crawlers connect, leave, or a job changes hands —
 * never on a timer.
 */
import { useQuery } from '@tanstack/react-query';
import type { CrawlerView } from '../../../shared/contract';
import type { Credential } from '../../../shared/records';
import { api } from '../../state/bus';
import { queryClient } from '../../query/client';
import { queryKeys } from '../../query/keys';
import { useCredentials } from '../ops/state/credentials-store';

export interface AssignData {
  credentials: readonly Credential[];
  crawlers: readonly CrawlerView[];
  loaded: boolean;
  error: string | null;
}

const NONE: readonly CrawlerView[] = [];

export function useAssignData(): AssignData {
  const creds = useCredentials();
  const crawlers = useQuery({ queryKey: queryKeys.connectedCrawlers, queryFn: () => api().listCrawlers({ include_disconnected: false }) });
  const failed = creds.error ?? (crawlers.error ? crawlers.error.message : null);
  return {
    credentials: creds.credentials,
    crawlers: crawlers.data?.crawlers ?? NONE,
    loaded: (creds.loaded && crawlers.isSuccess) || failed !== null,
    error: failed ? `Credentials and crawlers could not be loaded: ${failed}` : null,
  };
}

/** After a job was created (a saved token, a crawler's capacity) or on "Try again": both lists load again. */
export function loadAssignData(): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.credentials }),
    queryClient.invalidateQueries({ queryKey: queryKeys.connectedCrawlers }),
  ]).then(() => undefined);
}

/** A crawler that can take a job now: connected, and holding fewer jobs than its capacity. */
export const hasFreeCapacity = (c: CrawlerView): boolean => c.connection !== null && c.active_jobs < c.capacity;
