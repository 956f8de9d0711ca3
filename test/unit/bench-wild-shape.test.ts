/**
 * The scale bench's `--wild` data is the yardstick for ingest of what the crawler in the wild
 * sends (crawler/src/api/gitlab-processor.ts in pdiegmann/copilot-study), so it must be exactly
 * that: each area mapped to five keys, groups and projects only, priority 1, the entity id as text,
 * one message per discovery with `jobId` and a `discovery_summary`.
 */
import { describe, expect, it } from 'vitest';
import { wildDiscoveredItems } from '../../bench/discovered-items';
import { decodeCrawlerMessage } from '../../src/shared/protocol';
import { fastDiscoveredJob } from '../../src/shared/protocol/fast-wire';

describe("the scale bench's --wild data", () => {
  const items = wildDiscoveredItems(0, 5000);

  it('has the keys of the crawler in the wild, in its order, and its values', () => {
    for (const item of items) {
      expect(Object.keys(item)).toEqual(['job_type', 'entity_id', 'namespace_path', 'entity_name', 'priority']);
      expect(['crawl_group', 'crawl_project']).toContain(item.job_type);
      expect(item.entity_id).toMatch(/^[1-9][0-9]*$/);
      expect(item.priority).toBe(1);
    }
    expect(new Set(items.map((item) => item.job_type))).toEqual(new Set(['crawl_group', 'crawl_project']));
  });

  it('lists unique entity ids in no order, as a discovery does', () => {
    const ids = items.map((item) => Number(item.entity_id));
    expect(new Set(ids).size).toBe(ids.length);
    let descending = 0;
    for (let i = 1; i < ids.length; i++) if (ids[i]! < ids[i - 1]!) descending++;
    // far from sorted (a multiplicative hash: short ascending runs that wrap around the 24-bit range)
    expect(descending / (ids.length - 1)).toBeGreaterThan(0.2);
    const sorted = [...ids].sort((x, y) => x - y);
    expect(sorted[sorted.length - 1]! - sorted[0]!).toBeGreaterThan(2 ** 23);
  });

  it('decodes as the crawler spelling, every item on the fast path, as the schema would', () => {
    for (const item of items) expect(fastDiscoveredJob(item)).toEqual(item);
    const groups = items.filter((item) => item.job_type === 'crawl_group').length;
    const wire = JSON.stringify({
      type: 'jobs_discovered',
      timestamp: '2026-12-02T00:00:00.000Z',
      jobId: 'discovery-0',
      data: { discovered_jobs: items, discovery_summary: { total_groups: groups, total_projects: items.length - groups } },
    });
    const decoded = decodeCrawlerMessage(JSON.parse(wire));
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(decoded.message.type).toBe('jobs_discovered');
    expect(decoded.message.spelling).toBe('crawler');
    expect(decoded.message.job_id).toBe('discovery-0');
    expect((decoded.message.data as { discovered_jobs: unknown[] }).discovered_jobs).toEqual(items);
  });
});
