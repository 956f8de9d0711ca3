/**
 * The Jobs screen's filters live in its address, both ways: opening
 * `#/jobs?status=failed&q=acme` (a link, a reload, Back/Forward) sets them, and
 * changing them in the filter bar rewrites the address in place (no history
 * entry per keystroke). The sort is in the address too (`&sort=priority&dir=asc`);
 * choosing one adds a history entry (one click, one Back). One table state, one address.
 */
import { useEffect } from 'react';
import { JOB_SORT_FIELDS, JOB_STATUSES } from '../../../shared/jobs';
import { navigate, parseHash, useViewParams } from '../../router';
import { filtersFromParams, filtersToParams, sortFromParams, sortToParams } from './page-window';
import { presetFilters, presetSort, useJobsTable } from './table-state';

const same = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/** The Jobs filters last shown: "Back to jobs" on a job's page returns to them. */
let lastParams: Record<string, string> = {};
export const lastJobsParams = (): Record<string, string> => lastParams;

export function useJobsAddress(): void {
  const params = useViewParams();
  // Address → filters (presetFilters is a no-op when they are equal: the table keeps its place).
  useEffect(() => {
    lastParams = { ...params };
    presetSort(sortFromParams(params, JOB_SORT_FIELDS));
    presetFilters(filtersFromParams(params, JOB_STATUSES));
  }, [params]);
  // Filters and sort → address: typed filters replace the entry, a new sort adds one.
  useEffect(
    () =>
      useJobsTable.subscribe((s, prev) => {
        if (s.filters === prev.filters && s.sort === prev.sort) return;
        const next = { ...filtersToParams(s.filters), ...sortToParams(s.sort) };
        lastParams = next;
        if (!same(next, current())) navigate('jobs', next, { replace: s.sort === prev.sort });
      }),
    [],
  );
}

/** The Jobs parameters in the address right now (read at change time, not render time), by the router's parser. */
function current(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(parseHash(window.location.hash).search));
}
