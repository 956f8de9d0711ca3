/**
 * The console behind the seed's API: its own handlers sit on the seed's router
 * behind a user's middleware and higher-priority handlers, and the seed's
 * configuration options do what they say (or are marked as doing nothing here).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MessageRouter, type MessageProcessingResult, NO_EFFECT_FIELDS, RESTART_REQUIRED_FIELDS, CONFIG_EFFECTS } from '../../src/main/socket';
import { type TestConsole, now, startTestConsole } from '../helpers/console';
import { eventually, tempDir } from '../helpers/peer';
import { createFileKeyCipher, openStore } from '../../src/main/store';

let t: TestConsole | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const host = 'gitlab.example.com';

describe('the console on the seed\'s router', () => {
  it('a user\'s middleware and a higher-priority handler run in front of the console\'s own handlers', async () => {
    const router = new MessageRouter();
    const order: string[] = [];
    router.addMiddleware({
      name: 'drop-secret-jobs',
      priority: 100,
      beforeProcess: async (m) => (order.push(`mw:${m.type}`), m.job_id?.startsWith('secret-') ? null : m),
    });
    const mine: string[] = [];
    router.registerHandler('job_started', {
      canHandle: (m) => m.type === 'job_started' && m.job_id.startsWith('mine-'),
      handle: async (m): Promise<MessageProcessingResult> => (mine.push(m.job_id ?? ''), { success: true }),
      getPriority: () => 95,
    });
    t = await startTestConsole({}, undefined, { router });
    const p = await t.crawler({ crawler_id: 'crawler-r' });
    p.send({ type: 'job_started', timestamp: now(), job_id: 'secret-1' });
    p.send({ type: 'job_started', timestamp: now(), job_id: 'mine-1' });
    p.send({ type: 'job_started', timestamp: now(), job_id: 'theirs-1' });
    await eventually(() => order.length === 3);
    // The console's handler adopted only the job no one in front of it took.
    await eventually(() => t!.events.some((e) => e.type === 'job_changed' && e.job.job_id === 'theirs-1'));
    expect(mine).toEqual(['mine-1']);
    const { jobs } = await t.api.listJobs({});
    expect(jobs.map((j) => j.job_id)).toEqual(['theirs-1']);
    expect(p.received.filter((m) => m.type === 'error')).toEqual([]);
  });
});

describe('configuration that does what it says', () => {
  it('jobQueueSize: creating a job beyond it is refused with a clear error', async () => {
    t = await startTestConsole({ jobQueueSize: 2 });
    for (let i = 1; i <= 2; i++) await t.api.createJob({ job_type: 'crawl_project', gitlab_host: host, entity_id: String(i), priority: 1 });
    await expect(t.api.createJob({ job_type: 'crawl_project', gitlab_host: host, entity_id: '3', priority: 1 })).rejects.toThrow(
      /queue already holds 2 jobs \(jobQueueSize 2\)/,
    );
    await t.api.updateConfig({ jobQueueSize: 3 }); // live
    await t.api.createJob({ job_type: 'crawl_project', gitlab_host: host, entity_id: '3', priority: 1 });
  });

  it('jobTimeout: a job running longer is requeued with that reason and its crawler told to stop', async () => {
    t = await startTestConsole({ jobTimeout: 300, retryAttempts: 3 });
    const p = await t.crawler({ crawler_id: 'slow', max_concurrent_jobs: 1 });
    // A job is handed out only with a usable token (issue 10).
    const { job } = await t.api.createJob({ job_type: 'crawl_project', gitlab_host: host, access_token: 'glpat-job-timeout-test-0001', entity_id: '9', priority: 1, crawler_id: 'slow' });
    await p.nextOfType('job_assignment');
    p.send({ type: 'job_started', timestamp: now(), job_id: job.job_id });
    const cancel = await p.nextOfType('job_cancel', 5000);
    expect(cancel.data).toEqual({ job_id: job.job_id, reason: 'ran longer than jobTimeout (300 ms)' });
    const detail = await t.api.getJob({ job_id: job.job_id });
    expect(detail.events.find((e) => e.kind === 'requeued')?.reason).toBe('ran longer than jobTimeout (300 ms)');
    expect(detail.job.attempts).toBe(1);
  });

  it('queryTimeout is SQLite\'s busy timeout (the store opens with it) and applies without a restart', async () => {
    const dir = tempDir('cc-busy-');
    const store = openStore({ dataDir: dir.dir, cipher: createFileKeyCipher(dir.dir), busyTimeoutMs: 1234 });
    try {
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      store.close();
      dir.cleanup();
    }
    t = await startTestConsole({ queryTimeout: 1234 });
    expect((await t.api.getStatus({})).config.queryTimeout).toBe(1234);
    const { restart_required, changed } = await t.api.updateConfig({ queryTimeout: 4321 });
    expect({ changed, restart_required }).toEqual({ changed: ['queryTimeout'], restart_required: [] });
  });

  it('every option is live, needs a restart, or is marked as having no effect here with a reason', () => {
    expect([...RESTART_REQUIRED_FIELDS].sort()).toEqual(
      ['backlog', 'dangerouslyAllowPlaintextTcp', 'enableTcp', 'host', 'port', 'socketPath', 'tcpTls', 'tlsCertPath', 'tlsKeyPath'].sort(),
    );
    expect([...NO_EFFECT_FIELDS].sort()).toEqual(['allowedOrigins', 'databaseConnectionPool', 'transactionTimeout']);
    for (const key of NO_EFFECT_FIELDS) expect(CONFIG_EFFECTS[key]?.why.length).toBeGreaterThan(20);
  });
});
