import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileKeyCipher, openStore, StoreError, type Store } from '../../src/main/store';

let dir: string;
let store: Store;
let clock: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-crawlers-'));
  clock = 1_700_000_000_000;
  store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir), now: () => clock });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('crawlers', () => {
  it('upserts on connect and hello, keeping known values a later upsert omits', () => {
    store.crawlers.upsertCrawler({ id: 'c1', spelling: 'crawler' });
    clock += 5;
    const c = store.crawlers.upsertCrawler({
      id: 'c1',
      name: 'gitlab-crawler',
      version: '2.1.0',
      host: 'box',
      pid: 4242,
      capabilities: ['discovery', 'resume'],
      max_concurrent_jobs: 3,
    });
    expect(c).toEqual({
      id: 'c1',
      name: 'gitlab-crawler',
      version: '2.1.0',
      host: 'box',
      pid: 4242,
      spelling: 'crawler',
      capabilities: ['discovery', 'resume'],
      max_concurrent_jobs: 3,
      connected_at: clock,
      disconnected_at: null,
      disconnect_reason: null,
      last_heartbeat_at: null,
      last_heartbeat: null,
      status: 'connected',
      total_processed: null,
    });
    expect(store.crawlers.getCrawler('c1')).toEqual(c);
    expect(store.crawlers.getCrawler('nope')).toBeNull();
  });

  it('marks disconnections, and reconnects clear them', () => {
    store.crawlers.upsertCrawler({ id: 'c1' });
    store.crawlers.upsertCrawler({ id: 'c2' });
    clock += 10;
    expect(store.crawlers.markDisconnected('c1', { reason: 'socket closed' })).toBe(true);
    expect(store.crawlers.markDisconnected('ghost')).toBe(false);
    expect(store.crawlers.getCrawler('c1')).toMatchObject({ status: 'disconnected', disconnected_at: clock, disconnect_reason: 'socket closed' });
    expect(store.crawlers.listCrawlers({ status: 'connected' }).map((c) => c.id)).toEqual(['c2']);
    expect(store.crawlers.listCrawlers().map((c) => c.id)).toEqual(['c2', 'c1']);
    store.crawlers.upsertCrawler({ id: 'c1' });
    expect(store.crawlers.getCrawler('c1')).toMatchObject({ status: 'connected', disconnected_at: null, disconnect_reason: null });
    expect(store.crawlers.markAllDisconnected('console restarted')).toBe(2);
    expect(store.crawlers.listCrawlers({ status: 'connected' })).toEqual([]);
  });

  it('records heartbeats in a batch, skipping unknown crawlers', () => {
    store.crawlers.upsertCrawler({ id: 'c1' });
    const r = store.crawlers.recordHeartbeats([
      { crawler_id: 'c1', at: clock + 1, data: { active_jobs: 1, system_status: 'crawling', total_processed: 10 } },
      { crawler_id: 'ghost', data: { active_jobs: 0, system_status: 'idle' } },
      { crawler_id: 'c1', at: clock + 2, data: { active_jobs: 2, system_status: 'crawling' } },
    ]);
    expect(r).toEqual({ updated: 2, skipped: 1 });
    expect(store.crawlers.getCrawler('c1')).toMatchObject({
      last_heartbeat_at: clock + 2,
      last_heartbeat: { active_jobs: 2, system_status: 'crawling' },
      total_processed: 10, // kept: the last heartbeat did not say
    });
    expect(store.crawlers.recordHeartbeat({ crawler_id: 'ghost', data: { active_jobs: 0, system_status: 'idle' } })).toBe(false);
  });
});

describe('errors', () => {
  beforeEach(() => {
    const rows = [
      { category: 'connection', severity: 'low', message: 'reset', crawler_id: 'c1' },
      { category: 'message_validation', severity: 'medium', message: 'bad field', code: 'invalid_message', crawler_id: 'c1', job_id: 'j1' },
      { category: 'job_processing', severity: 'high', message: 'job failed', job_id: 'unknown-job' },
      { category: 'message_validation', severity: 'medium', message: 'bad type', crawler_id: 'c2' },
    ] as const;
    for (const r of rows) {
      store.errors.recordError(r);
      clock += 1_000;
    }
  });

  it('records an error (even for a job the console does not know) and lists newest first', () => {
    const rec = store.errors.recordError({ category: 'internal', severity: 'critical', message: 'boom', context: { step: 3 }, job_id: 'never-seen' });
    expect(rec).toMatchObject({ id: expect.any(Number), at: clock, category: 'internal', severity: 'critical', code: null, context: { step: 3 }, job_id: 'never-seen' });
    const { errors, total } = store.errors.listErrors();
    expect(total).toBe(5);
    expect(errors.map((e) => e.message)).toEqual(['boom', 'bad type', 'job failed', 'bad field', 'reset']);
  });

  it('filters by category, severity, crawler, job and time, and pages', () => {
    expect(store.errors.listErrors({ category: 'message_validation' }).errors.map((e) => e.message)).toEqual(['bad type', 'bad field']);
    expect(store.errors.listErrors({ severity: 'high' }).errors.map((e) => e.message)).toEqual(['job failed']);
    expect(store.errors.listErrors({ crawler_id: 'c1' }).total).toBe(2);
    expect(store.errors.listErrors({ crawler_id: 'c1', category: 'connection' }).total).toBe(1);
    expect(store.errors.listErrors({ job_id: 'unknown-job' }).total).toBe(1);
    expect(store.errors.listErrors({ since: clock - 2_000 }).total).toBe(2);
    expect(store.errors.listErrors({ until: clock - 2_000 }).total).toBe(2);
    const page = store.errors.listErrors({ limit: 3, offset: 3 });
    expect(page).toMatchObject({ total: 4 });
    expect(page.errors.map((e) => e.message)).toEqual(['reset']);
    expect(() => store.errors.listErrors({ limit: 5000 })).toThrow(StoreError);
  });

  it('records a batch in one call', () => {
    expect(
      store.errors.recordErrors(Array.from({ length: 50 }, (_, i) => ({ category: 'message_parsing' as const, severity: 'low' as const, message: `line ${i}` }))),
    ).toBe(50);
    expect(store.errors.listErrors({ category: 'message_parsing' }).total).toBe(50);
  });

  it('redacts secret-named context keys and token-like text', () => {
    const rec = store.errors.recordError({
      category: 'authentication',
      severity: 'high',
      message: 'rejected glpat-abcdefghijklmnopqrst',
      context: { accessToken: 'x', password: 'y', nested: [{ Authorization: 'Bearer abc' }], ok: 'visible' },
    });
    expect(rec.message).toBe('rejected [redacted]');
    expect(rec.context).toEqual({ accessToken: '[redacted]', password: '[redacted]', nested: [{ Authorization: '[redacted]' }], ok: 'visible' });
  });
});

describe('discovered entities', () => {
  it('upserts entities from a discovery message, latest sighting wins', () => {
    expect(
      store.entities.upsertDiscovery(
        { entity_type: 'project', entities: [{ id: '1', name: 'One', path: 'g/one', parent_id: '10' }, { id: '2', name: 'Two', path: 'g/two' }] },
        { job_id: 'j1', crawler_id: 'c1' },
      ),
    ).toBe(2);
    clock += 5;
    store.entities.upsertEntities([{ entity_type: 'project', entity_id: '1', name: 'One renamed', path: 'g/one-renamed' }]);
    const { entities, total } = store.entities.listEntities({ entity_type: 'project' });
    expect(total).toBe(2);
    expect(entities.find((e) => e.entity_id === '1')).toEqual({
      entity_type: 'project',
      entity_id: '1',
      name: 'One renamed',
      path: 'g/one-renamed',
      parent_id: '10',
      job_id: 'j1',
      crawler_id: 'c1',
      seen_at: clock,
    });
    expect(store.entities.listEntities({ entity_type: 'group' }).total).toBe(0);
  });
});
