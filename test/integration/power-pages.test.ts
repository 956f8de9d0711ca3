/**
 * What the crawler page and a finished job's results read (issue 15), with a
 * real socket and SQLite file: heartbeats kept per crawler and bounded, a
 * job's reported result kept (redacted, bounded), its progress series thinned
 * rather than grown without end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestConsole, now, type TestConsole } from '../helpers/console';
import { HeartbeatHistory, memoryBytes } from '../../src/main/core/heartbeat-history';
import { ProgressSampler } from '../../src/main/jobs/progress-sampler';
import { ProgressSamplesRepo } from '../../src/main/store/progress-samples-repo';
import { HeartbeatSamplesRepo } from '../../src/main/store/heartbeat-samples-repo';
import { tempDir } from '../helpers/peer';
import { MAX_OUTPUT_FILES } from '../../src/main/jobs/job-result';
import { createFileKeyCipher, openStore } from '../../src/main/store';
import type { JobProgress } from '../../src/shared/progress';

let t: TestConsole | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const TOKEN = 'glpat-power-pages-0000';
/** In the crawler's spelling: only it reports memory. */
const heartbeat = (active: number, memory?: unknown) => ({
  type: 'heartbeat',
  timestamp: now(),
  data: { activeJobs: active, systemStatus: active > 0 ? 'processing' : 'idle', totalProcessed: 0, ...(memory !== undefined && { memoryUsage: memory }) },
});

describe('getCrawler', () => {
  it('returns a crawler with its heartbeats (gap, memory, active jobs), also once it is gone; an unknown id is not_found', async () => {
    // A 10 ms sampling step: the two heartbeats 30 ms apart are two points (the default 5 s step would fold them into one).
    t = await startTestConsole({}, undefined, { heartbeatHistory: { stepMs: 10 } });
    const c = await t.crawler({ crawler_id: 'crawler-a', max_concurrent_jobs: 3, name: 'box A' });
    c.send(heartbeat(0, { rss: 50_000_000, heapUsed: 20_000_000 }));
    await new Promise((r) => setTimeout(r, 30));
    c.send(heartbeat(2, 64_000_000));
    await expect.poll(async () => (await t!.api.getCrawler({ crawler_id: 'crawler-a' })).heartbeats.length).toBe(2);
    const page = await t.api.getCrawler({ crawler_id: 'crawler-a' });
    expect(page.crawler).toMatchObject({ crawler_id: 'crawler-a', capacity: 3, name: 'box A' });
    expect(page.crawler.connection?.transport).toBe('unix');
    expect(page.window_ms).toBe(3_600_000);
    const [first, second] = page.heartbeats;
    expect(first).toMatchObject({ gap_ms: null, active_jobs: 0, memory_bytes: 50_000_000, system_status: 'idle' });
    expect(second).toMatchObject({ active_jobs: 2, memory_bytes: 64_000_000, system_status: 'crawling' });
    expect(second!.gap_ms).toBeGreaterThanOrEqual(20);
    c.destroy();
    await expect.poll(async () => (await t!.api.getCrawler({ crawler_id: 'crawler-a' })).crawler.connection).toBeNull();
    expect((await t.api.getCrawler({ crawler_id: 'crawler-a' })).heartbeats).toHaveLength(2);
    await expect(t.api.getCrawler({ crawler_id: 'nobody' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.api.getCrawler({ crawler_id: '' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('HeartbeatHistory', () => {
  it('folds the heartbeats of one step into one row, and keeps the last window only', () => {
    const dir = tempDir('cc-hb-');
    const store = openStore({ dataDir: dir.dir, cipher: createFileKeyCipher(dir.dir) });
    try {
      let clock = 0;
      const h = new HeartbeatHistory(new HeartbeatSamplesRepo(store.db), () => clock, { stepMs: 1_000, windowMs: 60_000 });
      const beat = (at: number, active: number) => {
        clock = at;
        h.record('a', at, { active_jobs: active, system_status: 'crawling', memory_usage: { rss: active * 1_000 } });
      };
      // Ten heartbeats in one step, one of them late (a 900 ms gap): one point, the latest values, the longest gap.
      beat(10_000, 0);
      for (let i = 1; i <= 9; i++) beat(10_000 + (i === 5 ? 950 : i * 5), i);
      beat(10_990, 42);
      const [only, ...rest] = h.points('a');
      expect(rest).toEqual([]);
      expect(only).toMatchObject({ at: 10_990, active_jobs: 42, memory_bytes: 42_000 });
      expect(only!.gap_ms).toBe(930);
      // A step written already takes a later heartbeat of that step into its row too.
      beat(11_000, 1);
      h.flush();
      beat(11_500, 2);
      expect(h.points('a').map((p) => [p.at, p.active_jobs])).toEqual([[10_990, 42], [11_500, 2]]);
      // One point a step for two minutes: only the last minute is read, and older rows are pruned.
      for (let at = 12_000; at <= 132_000; at += 1_000) beat(at, 1);
      h.flush();
      const points = h.points('a');
      expect(points[0]!.at).toBeGreaterThanOrEqual(clock - 60_000);
      expect(points).toHaveLength(61);
      expect(store.db.prepare('SELECT count(*) FROM heartbeat_samples').pluck().get()).toBeLessThanOrEqual(62);
    } finally {
      store.close();
      dir.cleanup();
    }
  });

  it('stays bounded under a heartbeat flood from thousands of crawler ids, a batch of pruning at a time', () => {
    const dir = tempDir('cc-hb-');
    const store = openStore({ dataDir: dir.dir, cipher: createFileKeyCipher(dir.dir) });
    try {
      let clock = 1_000_000;
      const repo = new HeartbeatSamplesRepo(store.db);
      const h = new HeartbeatHistory(repo, () => clock, { stepMs: 1_000, windowMs: 60_000, crawlers: 50, pruneBatch: 500, pruneEveryMs: 1_000 });
      const data = { active_jobs: 1, system_status: 'crawling' as const };
      // Three minutes; each 100 ms tick 200 heartbeats: 20 steady crawlers (there from the start) and
      // after 10 s 180 one-off ids a tick (a reconnect loop).
      let maxRows = 0;
      let oneOff = 0;
      for (let tick = 0; tick < 1_800; tick++) {
        clock += 100;
        for (let i = 0; i < 20; i++) h.record(`steady-${i}`, clock, data);
        for (let i = 0; tick >= 100 && i < 180; i++) h.record(`once-${oneOff++}`, clock, data);
        h.flush();
        if (tick % 50 === 0) maxRows = Math.max(maxRows, repo.count());
      }
      // Worked off in batches after the flood: 50 crawlers × 61 steps at most.
      for (let i = 0; i < 20; i++) {
        clock += 100;
        h.flush();
      }
      expect(oneOff).toBe(306_000);
      expect(repo.crawlerCount()).toBeLessThanOrEqual(50);
      expect(repo.count()).toBeLessThanOrEqual(50 * 61);
      // Never more than a few prune batches above the bound, during the flood either.
      expect(maxRows).toBeLessThan(50 * 61 + 20_000);
      // The steady crawlers were heard last-but-not-least: kept, with their last minute.
      expect(h.points('steady-0').length).toBeGreaterThanOrEqual(55);
      console.log(`[measure] heartbeat flood: 342,000 heartbeats from 306,020 crawler ids → at most ${maxRows} rows during, ${repo.count()} after`);
    } finally {
      store.close();
      dir.cleanup();
    }
  });

  it('keeps the history across a restart (a real store file reopened)', async () => {
    const dir = tempDir('cc-hb-restart-');
    try {
      t = await startTestConsole({}, dir.dir, { heartbeatHistory: { stepMs: 10 } });
      const c = await t.crawler({ crawler_id: 'crawler-r', max_concurrent_jobs: 2 });
      for (let i = 0; i < 3; i++) {
        c.send(heartbeat(i, (100 + i) * 1_000_000));
        await new Promise((r) => setTimeout(r, 25));
      }
      await expect.poll(async () => (await t!.api.getCrawler({ crawler_id: 'crawler-r' })).heartbeats.length).toBe(3);
      const before = (await t.api.getCrawler({ crawler_id: 'crawler-r' })).heartbeats;
      await t.close();
      t = await startTestConsole({}, dir.dir, { heartbeatHistory: { stepMs: 10 } });
      const after = await t.api.getCrawler({ crawler_id: 'crawler-r' });
      expect(after.crawler.connection).toBeNull();
      expect(after.heartbeats).toEqual(before);
      expect(after.heartbeats.map((p) => p.memory_bytes)).toEqual([100_000_000, 101_000_000, 102_000_000]);
      // Back after the restart: its next heartbeat is added to the same chart (no gap claimed across the restart).
      const again = await t.crawler({ crawler_id: 'crawler-r', max_concurrent_jobs: 2 });
      again.send(heartbeat(1, 99_000_000));
      await expect.poll(async () => (await t!.api.getCrawler({ crawler_id: 'crawler-r' })).heartbeats.length).toBe(4);
      expect((await t.api.getCrawler({ crawler_id: 'crawler-r' })).heartbeats.at(-1)).toMatchObject({ gap_ms: null, memory_bytes: 99_000_000 });
    } finally {
      await t?.close();
      t = null;
      dir.cleanup();
    }
  });

  it('reads memory as a number or as process.memoryUsage(), and nothing else', () => {
    expect(memoryBytes(123)).toBe(123);
    expect(memoryBytes({ rss: 5, heapUsed: 3 })).toBe(5);
    expect(memoryBytes({ heapUsed: 3 })).toBe(3);
    expect(memoryBytes('lots')).toBeNull();
    expect(memoryBytes(-1)).toBeNull();
    expect(memoryBytes({ rss: 'x' })).toBeNull();
  });
});

describe('getJobResult', () => {
  it('keeps what job_completed reported (counts, files, summary redacted), duration, attempts and a progress series', async () => {
    t = await startTestConsole();
    await t.api.saveCredential({ gitlab_host: 'gitlab.example.com', access_token: TOKEN });
    const c = await t.crawler({ crawler_id: 'c-result', max_concurrent_jobs: 1 });
    const { job } = await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: '42' });
    await c.nextOfType('job_assignment');
    c.send({ type: 'job_started', timestamp: now(), job_id: job.job_id, data: { job_type: 'crawl_project', entity_id: '42' } });
    for (let i = 10; i <= 100; i += 30) {
      c.send({ type: 'job_progress', timestamp: now(), job_id: job.job_id, data: { progress: [{ entity_type: 'issue', total_discovered: 100, total_processed: i }], overall_completion: i / 100, time_elapsed: i * 10 } });
    }
    const files = Array.from({ length: MAX_OUTPUT_FILES + 5 }, (_, i) => `out/issues-${i}.jsonl`);
    c.send({
      type: 'job_completed',
      timestamp: now(),
      job_id: job.job_id,
      data: { success: true, final_counts: { issue: 100, merge_request: 7 }, output_files: files, summary: { pages: 12, token_used: TOKEN } },
    });
    await expect.poll(async () => (await t!.api.getJob({ job_id: job.job_id })).job.status).toBe('completed');
    await expect.poll(async () => (await t!.api.getJobResult({ job_id: job.job_id })).series.at(-1)?.completion).toBe(1);
    const result = await t.api.getJobResult({ job_id: job.job_id });
    expect(result.final_counts).toEqual({ issue: 100, merge_request: 7 });
    expect(result.output_files).toHaveLength(MAX_OUTPUT_FILES);
    expect(result.output_files_total).toBe(MAX_OUTPUT_FILES + 5);
    expect(result.output_files[0]).toBe('out/issues-0.jsonl');
    expect(JSON.stringify(result.summary)).not.toContain(TOKEN);
    expect(result.summary).toMatchObject({ pages: 12 });
    expect(result.attempts).toBe(1);
    expect(result.duration_ms).toBe(result.finished_at! - result.started_at!);
    // The first report and the last are kept (the step between samples is 5 s; the reports came faster).
    expect(result.series.length).toBeGreaterThanOrEqual(2);
    expect(result.series[0]!.completion).toBeCloseTo(0.1);
    expect(result.series.at(-1)).toMatchObject({ completion: 1 });
    await expect(t.api.getJobResult({ job_id: 'no-such-job' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a running job cancelled by a bulk action still ends its series (the pages do not hear each job; the sampler does)', async () => {
    t = await startTestConsole();
    await t.api.saveCredential({ gitlab_host: 'gitlab.example.com', access_token: TOKEN });
    const c = await t.crawler({ crawler_id: 'c-bulk', max_concurrent_jobs: 1 });
    const { job } = await t.api.createJob({ job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', entity_id: '43', namespace_path: 'bulkcancel/p' });
    await c.nextOfType('job_assignment');
    c.send({ type: 'job_started', timestamp: now(), job_id: job.job_id, data: { job_type: 'crawl_project', entity_id: '43' } });
    c.send({ type: 'job_progress', timestamp: now(), job_id: job.job_id, data: { progress: [{ entity_type: 'issue', total_discovered: 100, total_processed: 40 }], overall_completion: 0.4, time_elapsed: 400 } });
    await expect.poll(async () => (await t!.api.getJob({ job_id: job.job_id })).job.overall_completion).toBeCloseTo(0.4);
    const target = { scope: 'jobs' as const, filter: { text: 'bulkcancel' } };
    const preview = await t.api.previewBulk({ target });
    const summary = await t.api.applyBulk({ target, action: { kind: 'cancel', reason: 'bulk test' }, expected: preview.matched, snapshot: preview.snapshot });
    expect(summary.done).toBe(1);
    const result = await t.api.getJobResult({ job_id: job.job_id });
    expect(result.series.length).toBeGreaterThanOrEqual(2);
    expect(result.series.at(-1)!.at).toBe((await t.api.getJob({ job_id: job.job_id })).job.finished_at);
  });
});

describe('ProgressSampler', () => {
  it('charts a short job as its start, its last report and its end, whichever of the finish events comes first', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'power-samples-'));
    const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
    try {
      const repo = new ProgressSamplesRepo(store.db);
      const p = (job_id: string, i: number, state: JobProgress['state'] = 'running'): JobProgress => ({
        job_id, state, stage: 'fetching', message: null, entities: [], overall_completion: i / 10, processed: i, total: 10,
        rate: null, eta_ms: null, time_elapsed: i * 100, started_at: 0, updated_at: i * 100, finished_at: state === 'completed' ? 1_000 : null, milestones_reached: [],
      });
      for (const order of ['progress first', 'job_changed first'] as const) {
        const id = `short-${order}`;
        store.jobs.insertJob({ id, job_type: 'crawl_project', status: 'running' });
        const sampler = new ProgressSampler(repo, { stepMs: 5_000 });
        sampler.record(p(id, 1)); // sampled: the first report
        sampler.record(p(id, 4)); // inside the step: kept until the finish
        sampler.record(p(id, 6)); // inside the step, newer: replaces it
        if (order === 'progress first') {
          sampler.record(p(id, 10, 'completed'));
          sampler.finished(id, 1_000, 1);
        } else {
          sampler.finished(id, 1_000, 1);
          sampler.record(p(id, 10, 'completed'));
        }
        sampler.flush();
        expect(repo.list(id).map((s) => s.processed), order).toEqual([1, 6, order === 'progress first' ? 10 : 6]);
        expect(repo.list(id).at(-1)?.completion, order).toBe(1);
      }
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps at most `max` samples of a long job, spread over its whole run, the last one always', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'power-samples-'));
    const store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir) });
    try {
      store.jobs.insertJob({ id: 'long', job_type: 'crawl_project', status: 'running' });
      const repo = new ProgressSamplesRepo(store.db);
      const sampler = new ProgressSampler(repo, { stepMs: 1_000, max: 20 });
      const p = (i: number, state: JobProgress['state'] = 'running'): JobProgress => ({
        job_id: 'long',
        state,
        stage: 'fetching',
        message: null,
        entities: [],
        overall_completion: i / 10_000,
        processed: i,
        total: 10_000,
        rate: null,
        eta_ms: null,
        time_elapsed: i * 100,
        started_at: 0,
        updated_at: i * 100,
        finished_at: null,
        milestones_reached: [],
      });
      // 10,000 reports 100 ms apart (1,000 s): one sample a second would be 1,000 rows.
      for (let i = 1; i < 10_000; i++) {
        sampler.record(p(i));
        if (i % 50 === 0) sampler.flush();
      }
      sampler.record({ ...p(10_000, 'completed'), finished_at: 1_000_000 });
      sampler.flush();
      const series = repo.list('long');
      expect(series.length).toBeLessThanOrEqual(20);
      expect(series.length).toBeGreaterThanOrEqual(8);
      expect(series.at(-1)).toMatchObject({ at: 1_000_000, completion: 1, processed: 10_000 });
      // Spread over the run, not bunched at its end.
      expect(series[0]!.at).toBeLessThan(200_000);
      // A sample for a job that is gone is dropped, not an error.
      repo.insert([{ job_id: 'gone', at: 1, completion: 0.5, processed: 1 }]);
      expect(repo.list('gone')).toEqual([]);
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
