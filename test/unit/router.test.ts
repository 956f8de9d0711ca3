/**
 * The renderer's addresses (issue 15): one address per view, read back to the
 * same view and parameters; the token taken out of an address without losing
 * the view; the Jobs filters round-trip through their address; heartbeats
 * written into the query cache the way the server keeps them.
 */
import { describe, expect, it } from 'vitest';
// wouter's default route parser (its own dependency): the router reads addresses with it.
import { parse as parsePattern } from 'regexparam';
import { JOB_STATUSES } from '../../src/shared/jobs';
import { formatHash, hashWithoutToken, parseHash } from '../../src/renderer/router/address';
import { ROUTES, hrefFor, routeOf } from '../../src/renderer/router/routes';
import { filtersFromParams, filtersToParams } from '../../src/renderer/screens/jobs/page-window';
import { withHeartbeat } from '../../src/renderer/query/heartbeats';
import type { CommandOutput } from '../../src/shared/contract';

const parser = (route: string) => parsePattern(route);
/** The view at an address, as the router reads it (wouter decodes the path with decodeURI first). */
const at = (hash: string) => {
  const { path, search } = parseHash(hash);
  return routeOf(parser, decodeURI(path), search);
};

describe('addresses', () => {
  it('splits a fragment into path and query, and writes it back', () => {
    expect(parseHash('#/jobs?status=failed&q=acme')).toEqual({ path: '/jobs', search: 'status=failed&q=acme' });
    expect(parseHash('')).toEqual({ path: '/', search: '' });
    expect(parseHash('#jobs')).toEqual({ path: '/jobs', search: '' });
    expect(formatHash('/jobs?status=failed')).toBe('#/jobs?status=failed');
    expect(formatHash('/')).toBe('#/');
  });

  it('every view has one address that reads back to it, with its parameters', () => {
    const cases = [
      ['overview', {}, '/'],
      ['jobs', { status: 'failed,cancelled', q: 'acme' }, '/jobs?status=failed%2Ccancelled&q=acme'],
      ['job', { job_id: '4f1c2d9e-0000-4000-8000-000000000001' }, '/jobs/4f1c2d9e-0000-4000-8000-000000000001'],
      ['crawler', { crawler_id: 'lab box/1' }, '/crawlers/lab%20box%2F1'],
      ['errors', { crawler_id: 'c-1', category: 'network' }, '/errors?crawler_id=c-1&category=network'],
      ['assign', { crawler_id: 'c&d=e' }, '/assign?crawler_id=c%26d%3De'],
    ] as const;
    for (const [view, params, href] of cases) {
      expect(hrefFor(view, params)).toBe(href);
      expect(at(formatHash(href))).toEqual({ view, params });
    }
    // Every route can be written and read.
    for (const r of ROUTES) expect(at(formatHash(hrefFor(r.view, { job_id: 'j', crawler_id: 'c' })))?.view).toBe(r.view);
    // Empty values are left out; an unknown address is no view.
    expect(hrefFor('jobs', { status: '', q: '' })).toBe('/jobs');
    expect(at('#/no/such/page')).toBeNull();
  });

  it('the Jobs filters round-trip through their address (q is the search, text its older name)', () => {
    const f = { status: ['failed' as const, 'queued' as const], job_type: 'crawl_group', crawler: 'c-1', text: 'acme/api', parent_job_id: '' };
    const params = filtersToParams(f);
    expect(params).toEqual({ status: 'failed,queued', q: 'acme/api', job_type: 'crawl_group', crawler: 'c-1' });
    expect(at(formatHash(hrefFor('jobs', params)))?.params).toEqual(params);
    expect(filtersFromParams(params, JOB_STATUSES)).toEqual(f);
    expect(filtersFromParams({ text: 'old' }, JOB_STATUSES).text).toBe('old');
    expect(filtersFromParams({ status: 'failed,bogus' }, JOB_STATUSES).status).toEqual(['failed']);
  });
});

describe('the token in an address', () => {
  it('is taken out, the view stays', () => {
    expect(hashWithoutToken('#token=abc')).toBe('');
    expect(hashWithoutToken('#/jobs?status=failed&token=abc')).toBe('#/jobs?status=failed');
    expect(hashWithoutToken('#/jobs?token=abc&status=failed')).toBe('#/jobs?status=failed');
    expect(hashWithoutToken('#/crawlers/c-1?token=abc')).toBe('#/crawlers/c-1');
    expect(hashWithoutToken('#/jobs')).toBe('#/jobs');
  });

});

describe('heartbeats in the query cache', () => {
  it('are appended with their gap, and points older than the window drop off', () => {
    const page = {
      crawler: { crawler_id: 'c-1', connection: { connection_id: 'k1', last_heartbeat_at: 1_000 }, last_heartbeat_at: 1_000 },
      heartbeats: [
        { at: 1_000, gap_ms: null, active_jobs: 0, memory_bytes: null, system_status: 'idle' },
        { at: 50_000, gap_ms: 49_000, active_jobs: 0, memory_bytes: null, system_status: 'idle' },
      ],
      window_ms: 60_000,
    } as unknown as CommandOutput<'getCrawler'>;
    const next = withHeartbeat(page, { type: 'heartbeat', crawler_id: 'c-1', connection_id: 'k1', at: 65_000, data: { active_jobs: 2, system_status: 'crawling', memory_usage: { rss: 1024 } } });
    expect(next.heartbeats).toEqual([
      { at: 50_000, gap_ms: 49_000, active_jobs: 0, memory_bytes: null, system_status: 'idle' },
      { at: 65_000, gap_ms: 15_000, active_jobs: 2, memory_bytes: 1024, system_status: 'crawling' },
    ]);
    expect(next.crawler.connection?.last_heartbeat_at).toBe(65_000);
    // A heartbeat already there (a replay after a refetch) changes nothing.
    expect(withHeartbeat(next, { type: 'heartbeat', crawler_id: 'c-1', connection_id: 'k1', at: 65_000, data: { active_jobs: 2, system_status: 'crawling' } })).toBe(next);
  });
});
