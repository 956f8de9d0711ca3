/**
 * The pure rules behind the operations screens: a crawler's state from its
 * heartbeat age, the throughput window, job counts moved by events, the live
 * errors list under a filter, which events notify (and how many get through),
 * and the Settings form's validation with the core's own field schemas.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/query-core';
import type { ConnectionInfo } from '../../src/shared/connection';
import type { ConsoleEvent, CrawlerView, PublicConfig } from '../../src/shared/contract';
import type { JobDto } from '../../src/shared/jobs';
import type { JobProgress } from '../../src/shared/progress';
import type { ErrorRecord } from '../../src/shared/records';
import { crawlerCounts, crawlerLines, goneStill, liveHealth, viewHealth, wasLost } from '../../src/renderer/screens/ops/state/crawler-health';
import { judgeLiveness, livenessLimits } from '../../src/shared/liveness';
import { ThroughputWindow, recentRate } from '../../src/renderer/screens/ops/state/throughput';
import { cleanFilter, filterFromParams, filterToParams, offsetFromParams, pageToParams } from '../../src/renderer/screens/ops/state/errors-page';
import { type ErrorsPage, matchesFilter } from '../../src/renderer/query/updates';
import { bindQueryCache } from '../../src/renderer/query/live';
import { queryKeys } from '../../src/renderer/query/keys';
import { dispatchBatch } from '../../src/renderer/state/bus';
import { NoticeGate, RATE_LIMIT, RATE_WINDOW_MS, noticesFor } from '../../src/renderer/screens/ops/state/notices';
import { FIELD_SPECS, fromText, toText, validateField } from '../../src/renderer/screens/ops/state/settings-fields';
import { changedValues, draftErrors } from '../../src/renderer/screens/ops/state/settings-store';
import { parseShutdown } from '../../src/renderer/screens/ops/state/shutdown';
import { formatDuration, formatMemory, formatRate } from '../../src/renderer/screens/ops/format';
import { jobDto } from '../helpers/job-dto';

const LIMITS = { heartbeatInterval: 30_000, heartbeatTimeout: 90_000 };
const NOW = 10_000_000;

const conn = (over: Partial<ConnectionInfo> = {}): ConnectionInfo => ({
  connection_id: 'c1',
  crawler_id: 'crawler-a',
  transport: 'unix',
  state: 'active',
  spelling: 'documented',
  said_hello: true,
  connected_at: NOW - 60_000,
  last_message_at: NOW - 1_000,
  last_heartbeat_at: NOW - 1_000,
  messages_received: 10,
  messages_sent: 2,
  bytes_received: 100,
  bytes_sent: 20,
  errors: 0,
  ...over,
});

const view = (over: Partial<CrawlerView> = {}): CrawlerView => ({
  crawler_id: 'crawler-a',
  name: 'A',
  version: null,
  host: null,
  pid: null,
  spelling: 'documented',
  capabilities: null,
  max_concurrent_jobs: 3,
  connected_at: NOW - 600_000,
  disconnected_at: NOW - 300_000,
  disconnect_reason: 'closed by peer',
  last_heartbeat_at: NOW - 310_000,
  last_heartbeat: { active_jobs: 0, system_status: 'idle', total_processed: 500 },
  status: 'disconnected',
  total_processed: 500,
  connection: null,
  liveness: null,
  active_jobs: 0,
  capacity: 3,
  ...over,
});

const job = (over: Partial<JobDto> = {}): JobDto => jobDto({ created_at: 5, updated_at: 5, ...over });

const progress = (over: Partial<JobProgress>): JobProgress => ({
  job_id: 'job-1',
  state: 'running',
  stage: 'fetching',
  message: null,
  entities: [],
  overall_completion: 0.1,
  processed: 0,
  total: 1000,
  rate: null,
  eta_ms: null,
  time_elapsed: 0,
  started_at: NOW,
  updated_at: NOW,
  finished_at: null,
  milestones_reached: [],
  ...over,
});

const errorRecord = (over: Partial<ErrorRecord> = {}): ErrorRecord => ({
  id: 1,
  at: NOW,
  category: 'message_parsing',
  severity: 'low',
  code: 'invalid_json',
  message: 'invalid JSON',
  context: { code: 'invalid_json' },
  crawler_id: 'crawler-a',
  job_id: null,
  ...over,
});

describe('crawler state: the console’s one liveness verdict', () => {
  const limits = livenessLimits(LIMITS);
  it('judges silence from the last message of any kind: its own state while heard, late past 1.5 intervals, lost past the timeout', () => {
    expect(limits).toEqual({ late_after_ms: 45_000, lost_after_ms: 90_000 });
    expect(judgeLiveness(conn({ state: 'idle' }), NOW, limits)).toMatchObject({ verdict: 'idle', silent_ms: 1_000, as_of: NOW, late_after_ms: 45_000 });
    expect(judgeLiveness(conn({ last_message_at: NOW - 45_000 }), NOW, limits).verdict).toBe('active'); // exactly 1.5×: not yet late
    expect(judgeLiveness(conn({ last_message_at: NOW - 45_001 }), NOW, limits).verdict).toBe('late');
    expect(judgeLiveness(conn({ last_message_at: NOW - 90_001 }), NOW, limits).verdict).toBe('lost');
    // The rule the server drops crawlers by: any message counts, not only heartbeats.
    expect(judgeLiveness(conn({ last_heartbeat_at: NOW - 80_000, last_message_at: NOW - 2_000 }), NOW, limits).verdict).toBe('active');
    // Without any message yet, the connect counts.
    expect(judgeLiveness(conn({ last_heartbeat_at: null, last_message_at: null, connected_at: NOW - 50_000 }), NOW, limits).verdict).toBe('late');
    // Idle by its last heartbeat, but holding jobs the console leased it since: busy.
    expect(judgeLiveness(conn({ state: 'idle' }), NOW, limits, 2).verdict).toBe('active');
  });

  it('the page shows the verdict it was sent, not one of its own', () => {
    const lateVerdict = judgeLiveness(conn({ last_message_at: NOW - 50_000 }), NOW, limits);
    expect(liveHealth({ connection: conn(), liveness: lateVerdict })).toBe('late');
    expect(liveHealth({ connection: conn({ state: 'idle' }), liveness: null })).toBe('idle'); // before the first verdict
    expect(liveHealth({ connection: conn({ state: 'closed' }), liveness: lateVerdict })).toBe('disconnected');
  });

  it('tells a loss from a disconnect by the server’s reason', () => {
    expect(wasLost('heartbeat timeout: silent for 95000 ms (limit 90000 ms)')).toBe(true);
    expect(wasLost('closed by peer')).toBe(false);
    expect(wasLost(null)).toBe(false);
  });

  it('merges remembered crawlers, live connections and disconnects seen live, connected first', () => {
    const records = {
      'crawler-a': view(),
      'crawler-b': view({ crawler_id: 'crawler-b', name: 'B', disconnect_reason: 'heartbeat timeout: silent', disconnected_at: NOW - 100_000 }),
      'crawler-c': view({ crawler_id: 'crawler-c', name: 'C', status: 'connected', connection: conn({ crawler_id: 'crawler-c' }), active_jobs: 2, capacity: 4 }),
    };
    const c3 = conn({ crawler_id: 'crawler-c', connection_id: 'c3', state: 'idle', max_concurrent_jobs: 4 });
    // The console judged it busy: idle by its last heartbeat, but leased two jobs since.
    const live = [{ connection: c3, heartbeat: { active_jobs: 0, system_status: 'idle' as const, total_processed: 900 }, liveness: judgeLiveness(c3, NOW, livenessLimits(LIMITS), 2) }];
    const gone = { 'crawler-d': { at: NOW - 5_000, reason: 'socket closed', lost: true, connection: conn({ crawler_id: 'crawler-d', connection_id: 'c4', name: 'D' }) } };
    const lines = crawlerLines(records, live, gone, 5);
    expect(lines.map((l) => [l.crawler_id, l.health])).toEqual([
      ['crawler-c', 'active'],
      ['crawler-d', 'lost'], // seen lost while the page was open
      ['crawler-b', 'lost'], // remembered, dropped for silence
      ['crawler-a', 'disconnected'],
    ]);
    const c = lines[0]!;
    expect(c).toMatchObject({ connected: true, active_jobs: 2, capacity: 4, total_processed: 900, transport: 'unix' });
    expect(lines[1]).toMatchObject({ name: 'D', connected: false, disconnected_at: NOW - 5_000 });
    expect(crawlerCounts(live)).toEqual({ connected: 1, late: 0, lost: 0 });
    expect(crawlerCounts([{ ...live[0]!, liveness: judgeLiveness(c3, NOW + 60_000, livenessLimits(LIMITS)) }])).toEqual({ connected: 1, late: 1, lost: 0 });
  });

  it('a crawler seen lost stays lost while the remembered list still shows the connection that closed', () => {
    // Read while it was connected, not yet read again after it was dropped for silence (the verdict and the close came in one batch).
    const c1 = conn({ connection_id: 'c1', connected_at: NOW - 60_000 });
    const records = { 'crawler-a': view({ status: 'connected', connection: c1, disconnect_reason: null, disconnected_at: null }) };
    const gone = { 'crawler-a': { at: NOW, reason: 'heartbeat timeout: silent for 3100 ms (limit 3000 ms)', lost: true, connection: { ...c1, state: 'closed' as const } } };
    const kept = goneStill(gone, records);
    expect(kept).toBe(gone);
    expect(crawlerLines(records, [], kept, 5).map((l) => [l.health, l.connected])).toEqual([['lost', false]]);
    // The list read again: still lost, now by the console's own record, as the crawler's page judges it.
    const reread = { 'crawler-a': view({ disconnect_reason: gone['crawler-a'].reason, disconnected_at: NOW }) };
    expect(crawlerLines(reread, [], goneStill(gone, reread), 5)[0]!.health).toBe(viewHealth(reread['crawler-a']));
    expect(viewHealth(reread['crawler-a'])).toBe('lost');
    // A newer connection in the record (it came back while the page missed it): the witnessed disconnect is over.
    const back = { 'crawler-a': view({ connection: conn({ connection_id: 'c2', connected_at: NOW + 1_000 }) }) };
    expect(goneStill(gone, back)).toEqual({});
  });

  it('shows a reconnected crawler once, with its newer connection', () => {
    const live = [
      { connection: conn({ connection_id: 'old', connected_at: NOW - 50_000 }), heartbeat: null, liveness: null },
      { connection: conn({ connection_id: 'new', connected_at: NOW - 1_000 }), heartbeat: null, liveness: null },
    ];
    const lines = crawlerLines({}, live, {}, 5);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.connection?.connection_id).toBe('new');
    expect(lines[0]!.capacity).toBe(5); // the console's default when the crawler did not say
  });
});

describe('throughput window', () => {
  it('counts items from progress deltas, spread over the time since the job’s previous report', () => {
    const t0 = 1_000_000;
    const w = new ThroughputWindow(t0);
    w.progress(progress({ processed: 100, started_at: t0 - 5_000 }), t0 + 1_000); // under way before: baseline only
    w.progress(progress({ processed: 300 }), t0 + 3_000); // +200 over 2 s
    w.progress(progress({ processed: 350, state: 'completed' }), t0 + 4_000); // +50 over 1 s
    const s = w.series(t0 + 5_000, t0 + 5_000);
    const at = (sec: number) => s.items[s.xs.indexOf(sec)];
    expect(at(t0 / 1000 + 1)).toBeCloseTo(100);
    expect(at(t0 / 1000 + 2)).toBeCloseTo(100);
    expect(at(t0 / 1000 + 3)).toBeCloseTo(50);
    expect(s.items.reduce<number>((a, v) => a + (v ?? 0), 0)).toBeCloseTo(250);
    // A job that starts while watching counts from its start; a retry restarts the count.
    w.progress(progress({ job_id: 'job-2', processed: 40, started_at: t0 + 4_500 }), t0 + 4_800);
    w.progress(progress({ job_id: 'job-2', processed: 10 }), t0 + 4_900);
    const after = w.series(t0 + 6_000, t0 + 6_000);
    expect(after.items.reduce<number>((a, v) => a + (v ?? 0), 0)).toBeCloseTo(300);
  });

  it('spreads message counter increases between readings and leaves unknown seconds empty', () => {
    const t0 = 2_000_000;
    const w = new ThroughputWindow(t0);
    w.counter({ connection_id: 'c1', messages_received: 1_000, connected_at: t0 - 60_000 }, t0); // older connection: baseline
    w.counter({ connection_id: 'c1', messages_received: 1_100, connected_at: t0 - 60_000 }, t0 + 5_000); // 20/s
    const s = w.series(t0 + 8_000, w.messagesKnownUntil(['c1'], t0 + 8_000));
    const idx = (sec: number) => s.xs.indexOf(sec);
    expect(s.messages[idx(t0 / 1000 + 2)]).toBeCloseTo(20);
    expect(s.messages[idx(t0 / 1000 + 6)]).toBeNull(); // after the last reading: not known yet
    expect(s.messages[idx(t0 / 1000 - 10)]).toBeNull(); // before the page opened: a gap, not a zero
    expect(s.items[idx(t0 / 1000 - 10)]).toBeNull();
    expect(s.xs).toHaveLength(60); // at least a minute is shown
    expect(recentRate(s.messages, 3)).toBeCloseTo(20);
    expect(recentRate([null, null])).toBeNull();
  });

  it('never shows more than five minutes', () => {
    const w = new ThroughputWindow(0);
    expect(w.series(3_600_000, 3_600_000).xs).toHaveLength(300);
  });
});

describe('the Overview and Errors caches, written by events (query/live.ts)', () => {
  let client: QueryClient;
  let unbind: () => void;
  beforeEach(() => {
    vi.useFakeTimers();
    client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } });
    unbind = bindQueryCache(client);
  });
  afterEach(() => {
    unbind();
    vi.useRealTimers();
  });
  const send = (...events: ConsoleEvent[]) => dispatchBatch({ seq: 1, events, dropped: 0 });

  it('keeps the latest ten errors, newest first, and the aggregate from events', () => {
    client.setQueryData(queryKeys.latestErrors, Array.from({ length: 10 }, (_, i) => errorRecord({ id: 10 - i })));
    send({ type: 'error', error: errorRecord({ id: 11 }) }, { type: 'error', error: errorRecord({ id: 12 }) }, { type: 'aggregate', aggregate: null });
    expect(client.getQueryData<ErrorRecord[]>(queryKeys.latestErrors)?.map((e) => e.id)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    // The aggregate is carried whole: set (null = nothing running), not refetched.
    expect(client.getQueryState(queryKeys.aggregate)?.status).toBe('success');
    expect(client.getQueryData(queryKeys.aggregate)).toBeNull();
    // A repeated (aggregated) error comes back with its id: updated in place, not listed twice.
    send({ type: 'error', error: errorRecord({ id: 12, message: 'again' }) });
    const list = client.getQueryData<ErrorRecord[]>(queryKeys.latestErrors)!;
    expect(list.map((e) => e.id)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(list[0]!.message).toBe('again');
  });

  it('counts jobs and crawlers again after job changes: once per second however many arrive', () => {
    client.setQueryData(queryKeys.jobCounts, { queued: 3, assigned: 0, running: 1, completed: 7, failed: 0, cancelled: 0, waiting_credentials: 0 });
    client.setQueryData(queryKeys.crawlerRecords(60_000), { records: {}, anonymousPruned: 0 });
    for (let i = 0; i < 50; i++) send({ type: 'job_changed', job: job({ job_id: `job-${i}`, status: 'running' }) });
    expect(client.getQueryState(queryKeys.jobCounts)?.isInvalidated).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(client.getQueryState(queryKeys.jobCounts)?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.crawlerRecords(60_000))?.isInvalidated).toBe(true);
  });

  it('puts matching errors on top of each cached newest page, and only counts them on older pages', () => {
    const filter = { category: 'message_parsing' as const };
    client.setQueryData<ErrorsPage>(queryKeys.errorsPage(filter, 0), { errors: [errorRecord({ id: 1 })], total: 1 });
    client.setQueryData<ErrorsPage>(queryKeys.errorsPage(filter, 50), { errors: [errorRecord({ id: 0 })], total: 51 });
    const events: ConsoleEvent[] = [
      { type: 'error', error: errorRecord({ id: 2 }) },
      { type: 'error', error: errorRecord({ id: 3, category: 'connection' }) },
      { type: 'error', error: errorRecord({ id: 4 }) },
    ];
    send(...events);
    const newest = () => client.getQueryData<ErrorsPage>(queryKeys.errorsPage(filter, 0))!;
    const older = () => client.getQueryData<ErrorsPage>(queryKeys.errorsPage(filter, 50))!;
    expect(newest().errors.map((r) => r.id)).toEqual([4, 2, 1]);
    expect(newest().total).toBe(3);
    expect(older()).toMatchObject({ total: 53, unseen: [2, 4] });
    expect(older().errors.map((r) => r.id)).toEqual([0]);
    send(...events); // the same errors again (a replay): not added twice
    expect(newest().total).toBe(3);
    expect(older()).toMatchObject({ total: 53, unseen: [2, 4] });
  });

  it('keeps an error that arrives while its list is being read: the answer may predate it', async () => {
    // The page opens (its first read in flight), a crawler errs, the answer comes back without that error.
    const filter = {};
    let answer: (page: ErrorsPage) => void = () => undefined;
    const read = client.fetchQuery({ queryKey: queryKeys.errorsPage(filter, 0), queryFn: () => new Promise<ErrorsPage>((r) => (answer = r)) });
    let latest: (list: ErrorRecord[]) => void = () => undefined;
    const readLatest = client.fetchQuery({ queryKey: queryKeys.latestErrors, queryFn: () => new Promise<ErrorRecord[]>((r) => (latest = r)) });
    send({ type: 'error', error: errorRecord({ id: 7 }) }, { type: 'error', error: errorRecord({ id: 8, message: 'as sent' }) });
    // Error 8 was recorded before the read and has been repeated since: the answer's row is newer than the event.
    answer({ errors: [errorRecord({ id: 8, message: 'repeated since' }), errorRecord({ id: 5 })], total: 2 });
    latest([errorRecord({ id: 5 })]);
    await Promise.all([read, readLatest]);
    const page = client.getQueryData<ErrorsPage>(queryKeys.errorsPage(filter, 0))!;
    expect(page.errors.map((r) => [r.id, r.message])).toEqual([
      [7, expect.any(String)],
      [8, 'repeated since'],
      [5, expect.any(String)],
    ]);
    expect(page.total).toBe(3);
    expect(client.getQueryData<ErrorRecord[]>(queryKeys.latestErrors)!.map((e) => e.id)).toEqual([8, 7, 5]);
    // Applied once: a later read of the page is left as it is.
    await client.fetchQuery({ queryKey: queryKeys.errorsPage(filter, 0), queryFn: async () => ({ errors: [], total: 0 }), staleTime: 0 });
    expect(client.getQueryData<ErrorsPage>(queryKeys.errorsPage(filter, 0))).toEqual({ errors: [], total: 0 });
    // A list removed from the cache while being read leaves nothing behind: read again later, it is as answered.
    const other = { category: 'connection' as const };
    void client.fetchQuery({ queryKey: queryKeys.errorsPage(other, 0), queryFn: () => new Promise<ErrorsPage>(() => undefined) }).catch(() => undefined);
    send({ type: 'error', error: errorRecord({ id: 9, category: 'connection' }) });
    client.removeQueries({ queryKey: queryKeys.errorsPage(other, 0) });
    await client.fetchQuery({ queryKey: queryKeys.errorsPage(other, 0), queryFn: async () => ({ errors: [], total: 0 }) });
    expect(client.getQueryData<ErrorsPage>(queryKeys.errorsPage(other, 0))).toEqual({ errors: [], total: 0 });
  });
});

describe('errors under a filter', () => {
  it('matches by category, severity, crawler and job; empty fields do not filter', () => {
    const f = cleanFilter({ category: 'message_parsing', crawler_id: '  crawler-a ', job_id: '' });
    expect(f).toEqual({ category: 'message_parsing', crawler_id: 'crawler-a' });
    expect(matchesFilter(errorRecord(), f)).toBe(true);
    expect(matchesFilter(errorRecord({ category: 'message_validation' }), f)).toBe(false);
    expect(matchesFilter(errorRecord({ crawler_id: 'crawler-b' }), f)).toBe(false);
    expect(matchesFilter(errorRecord({ severity: 'high' }), { severity: 'low' })).toBe(false);
  });

  it('reads its filter from the address and writes it back in one order; unknown values are ignored', () => {
    const f = filterFromParams({ severity: 'high', category: 'message_parsing', crawler_id: ' c1 ', job_id: '', bogus: 'x' });
    expect(f).toEqual({ category: 'message_parsing', severity: 'high', crawler_id: 'c1' });
    expect(Object.keys(filterToParams(f))).toEqual(['category', 'severity', 'crawler_id']);
    expect(filterFromParams(filterToParams(f))).toEqual(f);
    expect(filterFromParams({ category: 'nonsense', severity: 'loud' })).toEqual({});
  });

  it('keeps the page in the address: whole pages from the newest, the newest page left out', () => {
    const f = filterFromParams({ category: 'message_parsing' });
    expect(pageToParams(f, 100)).toEqual({ category: 'message_parsing', offset: '100' });
    expect(pageToParams(f, 0)).toEqual({ category: 'message_parsing' });
    expect(offsetFromParams(pageToParams(f, 100))).toBe(100);
    expect(offsetFromParams({ offset: '120' })).toBe(100); // a hand-typed offset lands on its page
    for (const bad of ['-50', 'abc', '1e3', '', '99999999999']) expect(offsetFromParams({ offset: bad })).toBe(0);
    expect(offsetFromParams({})).toBe(0);
    expect(filterFromParams({ offset: '50' })).toEqual({}); // the offset is no filter
  });
});

describe('desktop notifications', () => {
  const lost: ConsoleEvent = { type: 'crawler_disconnected', crawler: conn({ name: 'Crawler A' }), reason: 'heartbeat timeout: silent for 95000 ms', lost: true };

  it('notifies a job failed for good, a crawler lost, a job waiting for credentials; nothing else', () => {
    const notices = noticesFor([
      { type: 'job_changed', job: job({ status: 'failed', last_error: 'HTTP 403' }) },
      { type: 'job_changed', job: job({ job_id: 'job-2', status: 'waiting_credentials' }) },
      { type: 'job_changed', job: job({ job_id: 'job-3', status: 'running' }) },
      lost,
      { ...lost, lost: false, crawler: conn({ crawler_id: 'crawler-b' }) },
    ]);
    expect(notices.map((n) => n.title)).toEqual(['Job failed', 'Job waiting for credentials', 'Crawler lost']);
    expect(notices[0]!.body).toContain('HTTP 403');
    expect(notices[2]!.body).toContain('Crawler A');
  });

  it('shows one per job or crawler, and at most a few a minute (the rest summarised in the next)', () => {
    const gate = new NoticeGate();
    const n = (key: string) => ({ key, title: 't', body: 'b' });
    expect(gate.admit(n('failed:1'), 0).show).toBe(true);
    expect(gate.admit(n('failed:1'), 1).show).toBe(false);
    for (let i = 2; i <= RATE_LIMIT; i++) expect(gate.admit(n(`failed:${i}`), i).show).toBe(true);
    expect(gate.admit(n('failed:over-1'), 10).show).toBe(false);
    expect(gate.admit(n('failed:over-2'), 11).show).toBe(false);
    const next = gate.admit(n('lost:crawler-a'), RATE_WINDOW_MS + 1);
    expect(next).toEqual({ show: true, suppressedBefore: 2 });
  });
});

describe('settings fields', () => {
  const config = {
    socketPath: '/tmp/c.sock', host: 'localhost', port: 8080, backlog: 511, enableTcp: false, allowedOrigins: [], maxConnections: 10,
    connectionTimeout: 30_000, messageBufferSize: 1_048_576, maxMessageSize: 1_048_576, messageDelimiter: '\n', heartbeatInterval: 30_000,
    heartbeatTimeout: 90_000, healthCheckInterval: 60_000, maxConcurrentJobs: 5, jobQueueSize: 100, jobTimeout: 3_600_000, retryAttempts: 3,
    retryDelay: 5_000, retryBackoffMultiplier: 2, maxRetryDelay: 300_000, leaseTimeout: 60_000, logLevel: 'info', enableMetrics: true,
    metricsInterval: 60_000, databaseConnectionPool: 10, queryTimeout: 30_000, transactionTimeout: 60_000, cleanupInterval: 3_600_000,
    maxJobAge: 604_800_000, maxErrorLogAge: 2_592_000_000, auth_token_set: false,
    authTimeout: 5_000, maxPreAuthConnections: 16, dangerouslyAllowPlaintextTcp: false,
  } satisfies PublicConfig;

  it('reads typed text into values and back', () => {
    const spec = (k: string) => FIELD_SPECS.get(k as never)!;
    expect(fromText(spec('port'), ' 9000 ')).toBe(9000);
    expect(fromText(spec('port'), 'abc')).toBe('abc'); // left for the schema to refuse in its words
    expect(fromText(spec('allowedOrigins'), 'a.example\n b.example ,')).toEqual(['a.example', 'b.example']);
    expect(fromText(spec('messageDelimiter'), '\\r\\n')).toBe('\r\n');
    expect(toText(spec('messageDelimiter'), '\n')).toBe('\\n');
    expect(toText(spec('allowedOrigins'), ['x', 'y'])).toBe('x\ny');
  });

  it('validates each field with the shared schema and across fields, as the core does', () => {
    expect(validateField('heartbeatInterval', 0, config)).toBe('expected an integer of at least 1');
    expect(validateField('port', 70_000, config)).toBe('expected an integer from 0 to 65535');
    expect(validateField('logLevel', 'loud', config)).toBe('expected one of debug, info, warn, error');
    expect(validateField('heartbeatTimeout', 20_000, config)).toMatch(/must be greater than heartbeatInterval/);
    expect(validateField('retryAttempts', 4, config)).toBeNull();
    // Raising the interval past the timeout marks the timeout, which the person did not touch.
    expect(draftErrors(config, { heartbeatInterval: '100000' })).toEqual({ heartbeatTimeout: expect.stringMatching(/must be greater/) });
    expect(draftErrors(config, { port: 'x' })).toEqual({ port: 'expected an integer from 0 to 65535' });
  });

  it('sends only what changed', () => {
    expect(changedValues(config, { retryAttempts: '4', port: '8080', logLevel: 'debug' })).toEqual({ retryAttempts: 4, logLevel: 'debug' });
  });
});

describe('shutdown form and formatting', () => {
  it('checks the grace time and reason with the protocol’s schema', () => {
    expect(parseShutdown({ graceful: true, seconds: '30', reason: ' maintenance ' })).toEqual({ ok: true, data: { graceful: true, timeout_seconds: 30, reason: 'maintenance' } });
    expect(parseShutdown({ graceful: false, seconds: '0', reason: '' })).toEqual({ ok: true, data: { graceful: false, timeout_seconds: 0 } });
    expect(parseShutdown({ graceful: true, seconds: '-1', reason: '' })).toMatchObject({ ok: false, errors: { timeout_seconds: expect.any(String) } });
    expect(parseShutdown({ graceful: true, seconds: '', reason: '' }).ok).toBe(false);
    expect(parseShutdown({ graceful: true, seconds: '5', reason: 'x'.repeat(501) })).toMatchObject({ ok: false, errors: { reason: expect.any(String) } });
  });

  it('formats rates, durations and free-form memory', () => {
    expect(formatRate(1234.5)).toBe('1,235 items/s');
    expect(formatRate(2.345, 'messages')).toBe('2.35 messages/s');
    expect(formatRate(null)).toBe('—');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3 h 5 min');
    expect(formatMemory({ rss: 52_428_800, heapUsed: 1 })).toBe('50 MiB rss');
    expect(formatMemory(2048)).toBe('2 KiB');
    expect(formatMemory(undefined)).toBeNull();
  });
});
