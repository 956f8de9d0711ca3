/**
 * The console's core, assembled: socket server, SQLite store, job service,
 * progress tracker and error log, behind the contract's commands and events.
 * Both front doors (Electron, headless HTTP) start exactly this.
 */
import { EventEmitter } from 'node:events';
import type { ConsoleEvent } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import { ConfigurationManager, RESTART_REQUIRED_FIELDS, resolveSocketConfig } from '../socket/config';
import { ErrorManager, type SocketError } from '../socket/types/errors';
import { SocketServer } from '../socket/socket-server';
import { ensureSelfSignedIdentity } from '../socket/tls-identity';
import { MessageRouter } from '../socket/message-router';
import { registerHandlers } from '../socket/handlers';
import { ProgressTracker } from '../observability/progress-tracker';
import { silentLogger } from '../observability/logger';
import { openStore, createFileKeyCipher, lockDataDir, prepareDataDir, type Store, type TokenCipher } from '../store';
import type { ErrorInput } from '../store/errors-repo';
import { isStorageFailure } from '../store/storage-failure';
import { redactSecrets, rememberSecret, scrubSecretText } from '../store/redact';
import type { ErrorRecord } from '../../shared/records';
import { startRetention } from '../store/retention';
import { JobService } from '../jobs/job-service';
import { consoleHandlers } from '../jobs/console-handlers';
import { createCommandHandlers } from './commands';
import { StorageHealth } from './storage-health';
import { ConsoleStateRepo } from '../store/console-state-repo';
import { MetricSamplesRepo } from '../store/metric-samples-repo';
import { SchedulesRepo } from '../store/schedules-repo';
import { DispatchControl } from '../jobs/dispatch-control';
import { Scheduler } from '../jobs/scheduler';
import { MetricsCollector } from './metrics';
import { createOpsCommandHandlers } from './ops-commands';
import { LivenessWatch } from './liveness-watch';
import { livenessLimits } from '../../shared/liveness';
import { exportErrorsStream, exportJobsStream } from './export-stream';
import { HeartbeatHistory } from './heartbeat-history';
import { HeartbeatSamplesRepo } from '../store/heartbeat-samples-repo';
import { createPowerCommandHandlers } from './power-commands';
import { ProgressSamplesRepo } from '../store/progress-samples-repo';
import { ProgressSampler } from '../jobs/progress-sampler';
import { BulkActions, JobEventHold, createBulkCommandHandlers } from '../jobs/bulk-actions';
import type { ConsoleCore, ConsoleCoreEvents, ConsoleCoreOptions } from './types';

/** How often coalesced writes are flushed and leases checked (the issue asks for at least every 100 ms). */
const TICK_MS = 100;
const AGGREGATE_MS = 500;
/** How often crawler liveness is judged: well inside any sensible "late" limit. */
const LIVENESS_MS = 500;

export async function startConsoleCore(options: ConsoleCoreOptions): Promise<ConsoleCore> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const configManager = new ConfigurationManager({ initial: resolveSocketConfig(options.config ?? {}) });
  const dataDir = prepareDataDir(options.dataDir, { onWarning: (m) => logger.warn(m) });
  // One console per data directory; a front door that locked it already (to keep even its log file untouched) passes the lock.
  const lock = options.dataDirLock ?? lockDataDir(dataDir);
  let store: Store;
  let cipher: TokenCipher;
  try {
    cipher = options.cipher ?? createFileKeyCipher(dataDir);
    // queryTimeout is SQLite's busy timeout: how long a statement waits for another connection's lock.
    store = openStore({
      dataDir,
      cipher,
      now,
      busyTimeoutMs: configManager.getCurrentConfig().queryTimeout,
      onBackgroundError: (err) => logger.warn({ err }, 'the background WAL checkpointer stopped; checkpoints continue on the main thread'),
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  // Tokens a crawler echoes back are redacted by exact value too: every saved one, and the crawlers' auth token.
  store.credentials.rememberTokens();
  rememberSecret(configManager.getCurrentConfig().authToken);
  /** What the pages get (SSE, IPC). */
  const events = new EventEmitter<ConsoleCoreEvents>();
  events.setMaxListeners(0);
  /** Every event, held back from nobody: the core's own observers (the results sampler, /metrics). */
  const observed = new EventEmitter<ConsoleCoreEvents>();
  // A bulk action holds back the job_changed events of its chunks from the pages (they get one bulk_applied), not from the
  // observers; and the events of a slice's transaction from everyone until it commits (a rolled-back slice never happened).
  const bulkHold: JobEventHold = new JobEventHold((e) => {
    observed.emit('event', e);
    if (bulkHold.passes(e)) events.emit('event', e);
  });
  // What a crawler said reaches pages only redacted: live progress text and heartbeat data skip the store.
  const emit = (event: ConsoleEvent) => bulkHold.send(servable(event));

  const tracker = new ProgressTracker({ now });
  const errors = new ErrorLog(store, emit, now);
  const errorManager = new ErrorManager({ logger });
  const refused = { server_full: 0, auth_failed: 0, last_at: null as number | null };
  errorManager.onError((e) => {
    errors.add(e);
    // Refused connections are counted for the Overview (the error log keeps each one).
    const code = e.code ?? (e.toJSON().context as { code?: unknown }).code;
    if (code === 'server_full') refused.server_full++;
    else if (code === 'auth_failed' || code === 'auth_required') refused.auth_failed++;
    else return;
    refused.last_at = now();
  });

  const dispatch = new DispatchControl(new ConsoleStateRepo(store.db, now), now);
  const jobs = new JobService({ store, config: () => configManager.getCurrentConfig(), tracker, emit, logger, now, mayHandOut: dispatch.mayHandOut });
  const schedules = new SchedulesRepo(store.db, now);
  const scheduler = new Scheduler({ schedules, store, jobs, onChange: (schedule) => emit({ type: 'schedule_changed', schedule }), logger, now });
  tracker.on('milestone_reached', (e) => {
    // Finishing fires every milestone not yet reached (markCompleted runs after the job's 'completed' event is written):
    // a finished job's history ends with its outcome, not with "75% done" after "Completed". The tracker's own state
    // says so without a read per milestone: it is finished before those milestones fire.
    const state = tracker.get(e.jobId)?.state;
    if (state === 'completed' || state === 'failed') return;
    store.events.appendEvent(e.jobId, { kind: 'progress_milestone', reason: `${e.milestone.name} done`, details: { percentage: e.milestone.percentage } });
  });

  // The console's handlers sit on the seed's router like any user's (options.router lets a host add its own first).
  const router = options.router ?? new MessageRouter({ errorManager });
  registerHandlers(router, consoleHandlers(jobs));
  const server = new SocketServer({}, {
    router,
    configManager,
    progressTracker: tracker,
    errorManager,
    logger,
    now,
    // Made on first use only: a console without a TLS listener never writes a key.
    tlsIdentity: () => ensureSelfSignedIdentity(dataDir),
  });
  server.on('connection_identified', (c, previousId) => jobs.crawlerIdentified(c, previousId));
  server.on('connection_closed', (e) => jobs.crawlerDisconnected(e.connection, e.reason, e.lost));
  // A crawler auth token set at run time is a secret too: redacted wherever a crawler echoes it.
  configManager.onConfigUpdate((config) => rememberSecret(config.authToken));
  jobs.attach({
    getConnection: (id) => server.getConnection(id),
    connectedCrawlerIds: () => server.listConnections().filter((c) => server.getConnection(c.crawler_id)?.metadata.authenticated).map((c) => c.crawler_id),
  });
  server.on('crawler_connected', (crawler) => emit({ type: 'crawler_connected', crawler }));
  server.on('crawler_updated', (crawler) => emit({ type: 'crawler_updated', crawler }));
  server.on('crawler_disconnected', (e) => emit({ type: 'crawler_disconnected', crawler: e.connection, reason: e.reason, lost: e.lost }));
  const heartbeats = new HeartbeatHistory(new HeartbeatSamplesRepo(store.db), now, options.heartbeatHistory);
  server.on('heartbeat', (e) => {
    heartbeats.record(e.crawler_id, e.at, e.data);
    emit({ type: 'heartbeat', ...e });
  });
  // Each job's progress over time, for its results chart (sampled, bounded, written on the tick).
  const samples = new ProgressSamplesRepo(store.db);
  const sampler = new ProgressSampler(samples);
  observed.on('event', (e) => {
    if (e.type === 'progress') sampler.record(e.progress);
    else if (e.type === 'job_changed' && e.job.finished_at !== null) sampler.finished(e.job.job_id, e.job.finished_at, e.job.status === 'completed' ? 1 : e.job.overall_completion);
  });
  const liveness = new LivenessWatch({
    connections: () => server.listConnections(),
    limits: () => livenessLimits(configManager.getCurrentConfig()),
    heldJobs: (id) => jobs.heldCount(id),
    now,
    emit,
  });

  try {
    await server.start();
  } catch (err) {
    store.close();
    lock.release();
    throw err;
  }

  const metrics = new MetricsCollector({
    store,
    samples: new MetricSamplesRepo(store.db),
    server,
    events: observed,
    dispatch,
    config: () => configManager.getCurrentConfig(),
    logger,
    now,
    ...(options.metricsRetentionMs !== undefined && { retentionMs: options.metricsRetentionMs }),
  });
  metrics.applyConfig();
  configManager.onConfigUpdate(() => metrics.applyConfig());

  let lastAggregate = '';
  // Each periodic task on its own: one that throws (a write the disk refuses, a bad row)
  // never stops the others — lease expiry and dispatch go on while the error log cannot write.
  const health = new StorageHealth(store, logger, now);
  const runTask = isolatedTask(logger, (err) => health.databaseFailed(err));
  let ticks = 0;
  const tick = setInterval(() => {
    runTask('jobs', () => jobs.tick());
    runTask('error log', () => errors.flush());
    // While the disk refuses writes, ask it again about once a second.
    if (++ticks % 10 === 0) runTask('storage probe', () => health.probe());
    runTask('scheduler', () => scheduler.tick());
    runTask('progress samples', () => sampler.flush());
    runTask('heartbeat history', () => heartbeats.flush());
  }, TICK_MS);
  tick.unref();
  const aggregateTimer = setInterval(() => {
    runTask('aggregate', () => {
      const aggregate = tracker.getAggregateProgress();
      const key = JSON.stringify(aggregate);
      if (key !== lastAggregate) {
        lastAggregate = key;
        emit({ type: 'aggregate', aggregate });
      }
    });
  }, AGGREGATE_MS);
  aggregateTimer.unref();
  const livenessTimer = setInterval(() => runTask('liveness', () => liveness.tick()), LIVENESS_MS);
  livenessTimer.unref();
  let stopRetention = startRetention(store, configManager.getCurrentConfig(), { interval: configManager.getCurrentConfig().cleanupInterval });
  // Options read when work is scheduled: a change reschedules it (the socket server follows the manager itself).
  const unsubscribeConfig = configManager.onConfigUpdate((config, { changed }) => {
    if (changed.includes('queryTimeout')) store.db.pragma(`busy_timeout = ${config.queryTimeout}`);
    if (changed.some((k) => k === 'cleanupInterval' || k === 'maxJobAge' || k === 'maxErrorLogAge')) {
      stopRetention();
      stopRetention = startRetention(store, config, { interval: config.cleanupInterval });
    }
  });

  const commands = health.guardCommands({
    ...createCommandHandlers({ store, server, jobs, tracker, errors, configManager, cipher, dataDir, health, restartRequired: RESTART_REQUIRED_FIELDS, liveness, refused }),
    ...createOpsCommandHandlers({ store, jobs, schedules, scheduler, dispatch, metrics, flushErrors: () => errors.flush(), emit, now }),
    ...createPowerCommandHandlers({ store, server, jobs, liveness, heartbeats, samples, flushSamples: () => sampler.flush(), now }),
    ...createBulkCommandHandlers(new BulkActions({ store, jobs, hold: bulkHold, emit, flushErrors: () => errors.flush(), now })),
  });

  let stopping: Promise<void> | null = null;
  return {
    commands,
    exports: {
      jobs: ({ format, filter }) => exportJobsStream(store, format, filter, () => jobs.flush()),
      errors: ({ format, filter }) => exportErrorsStream(store, format, filter, () => errors.flush()),
    },
    events,
    socketPath: server.socketPath,
    dataDir,
    tcp: server.tcpListenAddress ? { ...server.tcpListenAddress, tls: server.tls } : null,
    metrics: {
      get enabled() {
        return metrics.enabled;
      },
      contentType: metrics.contentType,
      text: () => metrics.text(),
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(tick);
        clearInterval(aggregateTimer);
        unsubscribeConfig();
        metrics.stop();
        clearInterval(livenessTimer);
        stopRetention();
        // Every step on its own: a disk that refuses the last writes must not keep the
        // database open, the directory locked or the process alive (SIGTERM is honoured).
        const step = isolatedTask(logger, (err) => health.databaseFailed(err));
        await server.stop().catch((err: unknown) => logger.error({ err }, 'stopping the socket server failed'));
        step('final progress flush', () => jobs.flush());
        step('final progress samples', () => sampler.flush());
        step('final heartbeat history', () => heartbeats.flush());
        step('final error log flush', () => errors.flush());
        step('closing the database', () => store.close());
        lock.release();
        events.removeAllListeners();
      })();
      return stopping;
    },
  };
}

/** An event as pages may see it: text and data a crawler sent (which may echo a token) redacted. */
export function servable(event: ConsoleEvent): ConsoleEvent {
  if (event.type === 'heartbeat' && event.data.memory_usage !== undefined) {
    return { ...event, data: { ...event.data, memory_usage: redactSecrets(event.data.memory_usage) } };
  }
  if (event.type === 'progress' && event.progress.message) {
    const message = scrubSecretText(event.progress.message);
    if (message !== event.progress.message) return { ...event, progress: { ...event.progress, message } };
  }
  return event;
}

/**
 * Runs periodic tasks so that one failing never stops another. A task that
 * keeps failing the same way is logged once, and again when it recovers: a
 * tick every 100 ms must not become ten log lines a second on a full disk.
 */
export function isolatedTask(
  logger: Pick<typeof silentLogger, 'error' | 'info'>,
  /** Returns true when it took care of the failure (a storage failure, reported as health). */
  onFailure: (err: unknown) => boolean = () => false,
): (name: string, task: () => void) => boolean {
  const failing = new Map<string, string>();
  return (name, task) => {
    try {
      task();
      if (failing.delete(name)) logger.info({ task: name }, 'periodic task recovered');
      return true;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const handled = onFailure(err);
      if (failing.get(name) !== why && !handled) logger.error({ err, task: name }, `periodic task "${name}" failed`);
      failing.set(name, why);
      return false;
    }
  };
}

/**
 * The error log: every SocketError the socket layer handles is recorded, in
 * batches (a flood of bad lines becomes one transaction per tick, not one each),
 * and aggregated: identical errors — same category, code, crawler and job —
 * within one minute are one row with a count. So a peer sending junk as fast as
 * it can writes one row a minute, not thousands a second.
 */
export class ErrorLog {
  /** Pending occurrences by aggregation key (insertion order = order of first occurrence). */
  private pending = new Map<string, { input: ErrorInput; count: number; lastAt: number }>();
  /** Rows written in the current minute, by key: later occurrences add to their count. */
  private written = new Map<string, number>();
  /** Distinct job-keyed rows per source (category, code, crawler) in the current minute. */
  private perSource = new Map<string, number>();
  private minute = -1;
  /** Beyond this many distinct pending groups, new ones are counted, not kept: memory stays bounded under a flood. */
  static readonly MAX_PENDING = 10_000;
  /** A source naming more jobs than this in a minute (made-up ids) is folded into one row without a job. */
  static readonly MAX_JOBS_PER_SOURCE_MINUTE = 20;
  dropped = 0;

  constructor(
    private readonly store: Store,
    private readonly emit: (event: ConsoleEvent) => void,
    private readonly now: () => number = Date.now,
  ) {}

  add(e: SocketError): void {
    const ctx = e.toJSON().context;
    const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    this.record({
      category: e.category,
      severity: e.severity,
      message: e.message,
      code: e.code ?? str(ctx.code),
      context: ctx,
      crawler_id: str(ctx.crawlerId),
      job_id: str(ctx.jobId),
    });
  }

  /** Records one occurrence of an error (aggregated with identical ones of the same minute). */
  record(input: ErrorInput): void {
    const at = input.at ?? this.now();
    this.rollMinute(at);
    const source = [input.category, input.code ?? '', input.crawler_id ?? ''].join('\u0000');
    let job = input.job_id ?? '';
    let key = `${source}\u0000${job}`;
    if (job && !this.pending.has(key) && !this.written.has(key)) {
      const distinct = this.perSource.get(source) ?? 0;
      if (distinct >= ErrorLog.MAX_JOBS_PER_SOURCE_MINUTE) {
        job = '';
        key = `${source}\u0000`;
      } else {
        this.perSource.set(source, distinct + 1);
      }
    }
    const group = this.pending.get(key);
    if (group) {
      group.count += 1;
      group.lastAt = Math.max(group.lastAt, at);
      return;
    }
    if (this.pending.size >= ErrorLog.MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.set(key, { input: { ...input, at, job_id: job || null }, count: 1, lastAt: at });
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    const records = this.store.transaction(() => {
      const out: ErrorRecord[] = [];
      for (const [key, g] of batch) {
        try {
          const id = this.written.get(key);
          const bumped = id === undefined ? null : this.store.errors.bumpError(id, g.count, g.lastAt);
          if (bumped) {
            out.push(bumped);
            continue;
          }
          const record = this.store.errors.recordError({ ...g.input, count: g.count, ...(g.count > 1 && { last_at: g.lastAt }) });
          this.written.set(key, record.id);
          out.push(record);
        } catch (err) {
          // The database itself failing (disk full) fails the flush: everything stays pending for the next one.
          if (isStorageFailure(err)) throw err;
          // An error whose own context cannot be stored is counted, never allowed to block the others.
          this.dropped += g.count;
        }
      }
      return out;
    });
    // Only now: a flush the database refused keeps its errors for the next try (memory bounded by MAX_PENDING).
    this.pending = new Map();
    for (const error of records) this.emit({ type: 'error', error });
  }

  private rollMinute(at: number): void {
    const minute = Math.floor(at / 60_000);
    if (minute === this.minute) return;
    this.minute = minute;
    this.written.clear();
    this.perSource.clear();
  }
}

export { ApiError };
