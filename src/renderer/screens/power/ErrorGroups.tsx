/**
 * Errors read at volume: grouped by code, category, crawler or GitLab host,
 * with counts, first and last seen, a message search and a time range; the
 * newest example of each group opens in place.
 */
import { Fragment, useEffect, useId, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ErrorGroupBy, ErrorGroupsQuery } from '../../../shared/ops';
import { api } from '../../state/bus';
import { queryKeys } from '../../query/keys';
import { formatInt, formatShortTime, formatTime as formatFull, messageOf } from '../ops/format';

const BY: { value: ErrorGroupBy; label: string }[] = [
  { value: 'code', label: 'Code' },
  { value: 'category', label: 'Category' },
  { value: 'crawler', label: 'Crawler' },
  { value: 'host', label: 'GitLab host' },
];
const RANGES = [
  { value: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: 'all', label: 'All time', ms: null },
] as const;
type RangeValue = (typeof RANGES)[number]['value'];

const NONE: Record<ErrorGroupBy, string> = { code: '(no code)', category: '(none)', crawler: '(no crawler)', host: '(unknown host)' };

export function ErrorGroups() {
  const id = useId();
  const [by, setBy] = useState<ErrorGroupBy>('code');
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [range, setRange] = useState<RangeValue>('24h');
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(t);
  }, [text]);
  // New errors mark the groups stale (query/live.ts, at most once a second); the time range is measured when the query runs.
  const groups = useQuery({
    queryKey: queryKeys.errorGroups(by, q, range),
    queryFn: () => {
      const ms = RANGES.find((r) => r.value === range)?.ms ?? null;
      const query: ErrorGroupsQuery = { by, limit: 100, ...(q && { q }), ...(ms !== null && { since: Date.now() - ms }) };
      return api().listErrorGroups(query);
    },
    // Another grouping or search shows the previous answer until the new one is there (no flash of "loading").
    placeholderData: keepPreviousData,
  });
  const result = groups.data ?? null;
  const error = groups.error ? messageOf(groups.error) : null;

  return (
    <section className="card power-groups" aria-labelledby={`${id}-title`} data-testid="error-groups">
      <h2 id={`${id}-title`}>
        Groups{' '}
        {result ? (
          <span className="count" data-testid="error-groups-summary">
            {formatInt(result.total)} error{result.total === 1 ? '' : 's'} in {formatInt(result.groups_total)} group{result.groups_total === 1 ? '' : 's'}
          </span>
        ) : null}
      </h2>
      <form className="ops-filters" role="search" aria-label="Group errors" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={`${id}-by`}>Group by</label>
          <select id={`${id}-by`} value={by} onChange={(e) => setBy(e.target.value as ErrorGroupBy)} data-testid="error-groups-by">
            {BY.map((b) => (
              <option key={b.value} value={b.value}>
                {b.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-q`}>Message contains</label>
          <input id={`${id}-q`} type="search" value={text} placeholder="e.g. 429 timeout" onChange={(e) => setText(e.target.value)} data-testid="error-groups-search" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-range`}>Time range</label>
          <select id={`${id}-range`} value={range} onChange={(e) => setRange(e.target.value as RangeValue)} data-testid="error-groups-range">
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {result && result.groups.length === 0 ? (
        <p className="muted" data-testid="error-groups-empty">
          No error matches.
        </p>
      ) : null}
      {result && result.groups.length > 0 ? (
        <div className="table-scroll">
          <table className="table" data-testid="error-groups-table">
            <thead>
              <tr>
                <th scope="col">{BY.find((b) => b.value === by)?.label}</th>
                <th scope="col" className="num">
                  Count
                </th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">Newest example</th>
              </tr>
            </thead>
            <tbody>
              {result.groups.map((g) => {
                const key = g.key ?? '\u0000';
                const expanded = open === key;
                return (
                  <Fragment key={key}>
                    <tr data-testid="error-group" data-key={g.key ?? ''}>
                      <th scope="row" className="mono">
                        {g.key ?? <span className="muted">{NONE[by]}</span>}
                      </th>
                      <td className="num" data-testid="error-group-count">
                        {formatInt(g.count)}
                      </td>
                      <td className="nowrap">{formatShortTime(g.first_at)}</td>
                      <td className="nowrap">{formatShortTime(g.last_at)}</td>
                      <td>
                        <button
                          type="button"
                          className="link error-msg"
                          aria-expanded={expanded}
                          title={g.latest.message}
                          onClick={() => setOpen(expanded ? null : key)}
                          data-testid="error-group-example"
                        >
                          {g.latest.message}
                        </button>
                      </td>
                    </tr>
                    {expanded ? (
                      <tr className="details-row" data-testid="error-group-detail">
                        <td colSpan={5}>
                          <dl className="error-facts">
                            <dt>When</dt>
                            <dd>{formatFull(g.latest.at)}</dd>
                            <dt>Severity</dt>
                            <dd>
                              <span className={`sev sev-${g.latest.severity}`}>{g.latest.severity}</span> · {g.latest.category.replace(/_/g, ' ')}
                              {g.latest.code ? ` · ${g.latest.code}` : ''}
                            </dd>
                            {g.latest.crawler_id ? (
                              <>
                                <dt>Crawler</dt>
                                <dd className="mono">{g.latest.crawler_id}</dd>
                              </>
                            ) : null}
                            {g.latest.job_id ? (
                              <>
                                <dt>Job</dt>
                                <dd className="mono">{g.latest.job_id}</dd>
                              </>
                            ) : null}
                          </dl>
                          <pre className="full-message">{g.latest.message}</pre>
                          {g.latest.context ? <pre className="full-message">{JSON.stringify(g.latest.context, null, 2)}</pre> : null}
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
