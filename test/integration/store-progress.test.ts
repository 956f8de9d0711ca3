import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileKeyCipher,
  openStore,
  progressRowFromEntity,
  StoreError,
  type ProgressRow,
  type Store,
} from '../../src/main/store';

let dir: string;
let store: Store;
let clock: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-progress-'));
  clock = 1_700_000_000_000;
  store = openStore({ dataDir: dir, cipher: createFileKeyCipher(dir), now: () => clock });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('upsertProgressBatch', () => {
  it('writes 10,000 rows in one call, skipping rows of jobs that do not exist', () => {
    const jobIds = Array.from({ length: 1000 }, (_, i) => store.jobs.insertJob({ id: `job-${i}`, job_type: 'crawl_project', status: 'running' }).id);
    const entityTypes = ['issue', 'merge_request', 'commit', 'branch', 'pipeline', 'release', 'epics', 'jobs', 'groupMilestones', 'user'];
    const rows: ProgressRow[] = [];
    for (let i = 0; i < 10_000; i++) {
      // every 100th row names a job that does not exist: skipped, the rest written
      const jobId = i % 100 === 99 ? `ghost-${i}` : jobIds[i % jobIds.length]!;
      rows.push({
        job_id: jobId,
        entity_type: entityTypes[Math.floor(i / jobIds.length)]!, // 1000 jobs × 10 entity types: every row a new pair
        total_processed: i,
        total_discovered: i + 10,
        item_counts: { open: i },
      });
    }
    const started = performance.now();
    const result = store.progress.upsertProgressBatch(rows);
    const ms = performance.now() - started;
    console.log(`upsertProgressBatch: 10,000 rows in ${ms.toFixed(1)} ms (one transaction)`);
    expect(result).toEqual({ written: 9_900, skipped: 100, jobs_updated: 0, jobs_skipped: 0, failed: [] });
    const count = store.db.prepare('SELECT COUNT(*) AS n FROM job_progress').get() as { n: number };
    expect(count.n).toBe(9_900);
    expect(store.progress.getProgress('job-0').map((p) => p.entity_type)).toHaveLength(10);
    expect(store.progress.getProgress('ghost-99')).toEqual([]);
  });

  it('keeps stored values a later row omits, and updates the ones it gives', () => {
    store.jobs.insertJob({ id: 'j', job_type: 'crawl_project', status: 'running' });
    store.progress.upsertProgressBatch([
      { job_id: 'j', entity_type: 'issue', total_discovered: 100, total_processed: 10, current_page: 1, extras: { foo: 1 } },
    ]);
    clock += 100;
    store.progress.upsertProgressBatch([{ job_id: 'j', entity_type: 'issue', total_processed: 20 }]);
    expect(store.progress.getProgress('j')).toEqual([
      {
        job_id: 'j',
        entity_type: 'issue',
        total_discovered: 100,
        total_processed: 20,
        current_page: 1,
        items_per_page: null,
        sub_collection: null,
        processing_rate: null,
        estimated_time_remaining: null,
        item_counts: null,
        extras: { foo: 1 },
        updated_at: clock,
      },
    ]);
  });

  it('updates the job-level summary in the same transaction and skips unknown jobs', () => {
    store.jobs.insertJob({ id: 'j', job_type: 'crawl_project', status: 'running' });
    const r = store.progress.upsertProgressBatch(
      [{ job_id: 'j', entity_type: 'issue', total_processed: 5 }],
      [
        { job_id: 'j', at: clock + 7, overall_completion: 0.25, stage: 'fetching', message: 'page 2', resume_state: { current_page: 2 } },
        { job_id: 'nope', overall_completion: 0.5 },
      ],
    );
    expect(r).toEqual({ written: 1, skipped: 0, jobs_updated: 1, jobs_skipped: 1, failed: [] });
    expect(store.jobs.getJob('j')).toMatchObject({
      overall_completion: 0.25,
      stage: 'fetching',
      message: 'page 2',
      resume_state: { current_page: 2 },
      last_progress_at: clock + 7,
      status: 'running',
    });
    // Absent values keep the stored ones; an out-of-range completion is clamped.
    store.progress.upsertProgressBatch([], [{ job_id: 'j', overall_completion: 1.2 }]);
    expect(store.jobs.getJob('j')).toMatchObject({ overall_completion: 1, stage: 'fetching', message: 'page 2' });
  });

  it('maps a message progress entry to a row, keeping unmodelled fields as extras', () => {
    const row = progressRowFromEntity(
      'j',
      { entity_type: 'issue', total_processed: 3, total_discovered: 9, estimated_remaining: 6, customField: 'x' },
      42,
    );
    expect(row).toMatchObject({ job_id: 'j', entity_type: 'issue', total_processed: 3, total_discovered: 9, updated_at: 42 });
    expect(row.extras).toEqual({ estimated_remaining: 6, customField: 'x' });
  });
});

describe('SocketDatabaseOperations on the store', () => {
  it('createJobFromAssignment stores the job without its token and links the host credential', async () => {
    const cred = store.credentials.saveCredential({ gitlab_host: 'https://GitLab.example.com/', label: 'main', token: 'glpat-assignment-token-000' });
    const job = await store.createJobFromAssignment({
      job_id: 'job-789',
      job_type: 'crawl_project',
      entity_id: '1234',
      namespace_path: 'group/project',
      gitlab_host: 'gitlab.example.com',
      access_token: 'glpat-this-must-not-be-stored',
      priority: 4,
      resume: false,
    });
    expect(job).toMatchObject({ id: 'job-789', status: 'queued', priority: 4, credential_id: cred.id, origin: 'operator' });
    expect(JSON.stringify(store.jobs.getJob('job-789'))).not.toContain('glpat-this-must-not-be-stored');
    await expect(store.createJobFromAssignment({ job_id: 'job-789', job_type: 'crawl_user', gitlab_host: 'h', access_token: '' })).rejects.toThrow(
      StoreError,
    );
  });

  it('updateJobFromProgress writes entities and summary and returns the job; unknown job rejects', async () => {
    store.jobs.insertJob({ id: 'j', job_type: 'crawl_project', status: 'running' });
    const job = await store.updateJobFromProgress('j', {
      overall_completion: 0.35,
      time_elapsed: 45_000,
      progress_data: [
        { entity_type: 'projects', total_discovered: 150, total_processed: 45, current_page: 5, items_per_page: 10 },
        { entity_type: 'issues', total_discovered: 1200, total_processed: 350 },
      ],
      last_update: '2024-01-15T10:30:15Z',
    });
    expect(job).toMatchObject({ overall_completion: 0.35, time_elapsed: 45_000, last_progress_at: Date.parse('2024-01-15T10:30:15Z'), status: 'running' });
    expect(store.progress.getProgress('j').map((p) => [p.entity_type, p.total_processed])).toEqual([
      ['issues', 350],
      ['projects', 45],
    ]);
    await expect(store.updateJobFromProgress('missing', { overall_completion: 0.1 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('saveProgressUpdate and getJobProgress round-trip a SocketJobProgress', async () => {
    store.jobs.insertJob({ id: 'j', job_type: 'crawl_project', status: 'running' });
    expect(await store.getJobProgress('j')).toBeNull(); // no progress yet
    expect(await store.getJobProgress('missing')).toBeNull();
    const progress = {
      overall_completion: 0.5,
      time_elapsed: 60_000,
      estimated_time_remaining: 60_000,
      entities: [{ entity_type: 'issue', total_discovered: 10, total_processed: 5, item_counts: { open: 3 }, sub_collection: 'notes' }],
      status: 'running' as const,
      last_update: '2024-01-15T10:30:00.000Z',
      milestones: [{ name: '50%', timestamp: '2024-01-15T10:30:00.000Z', metadata: { completion_percentage: 50 } }],
    };
    await store.saveProgressUpdate('j', progress);
    expect(await store.getJobProgress('j')).toEqual(progress);
    await expect(store.saveProgressUpdate('missing', progress)).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.saveProgressUpdate('j', { ...progress, overall_completion: 3 })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('getJobProgress derives the status from the job when none was saved', async () => {
    store.jobs.insertJob({ id: 'j', job_type: 'crawl_project', status: 'running' });
    store.progress.upsertProgressBatch([{ job_id: 'j', entity_type: 'issue', total_processed: 1 }]);
    store.jobs.transition('j', ['running'], { status: 'cancelled' }, { kind: 'cancelled' });
    expect(await store.getJobProgress('j')).toMatchObject({ status: 'failed', overall_completion: 0, entities: [{ entity_type: 'issue', total_processed: 1 }] });
  });
});
