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
import { ProgressTracker } from '../socket/progress/progress-tracker';
import { silentLogger } from '../socket/logger';
import { openStore, createFileKeyCipher, ensureDataDir, type Store } from '../store';
import type { ErrorInput } from '../store/errors-repo';
import { startRetention } from '../store/retention';
import { JobService } from '../jobs/job-service';
import { createCommandHandlers } from './commands';
import { exportErrorsStream, exportJobsStream } from './export-stream';
import type { ConsoleCore, ConsoleCoreEvents, ConsoleCoreOptions } from './types';

/** How often coalesced writes are flushed and leases checked (the issue asks for at least every 100 ms). */
const TICK_MS = 100;
const AGGREGATE_MS = 500;

export async function startConsoleCore(options: ConsoleCoreOptions): Promise<ConsoleCore> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const dataDir = ensureDataDir(options.dataDir);
  const configManager = new ConfigurationManager({ initial: resolveSocketConfig(options.config ?? {}) });
  const cipher = options.cipher ?? createFileKeyCipher(dataDir);
  const store = openStore({ dataDir, cipher, now });
  const events = new EventEmitter<ConsoleCoreEvents>();
  events.setMaxListeners(0);
  const emit = (event: ConsoleEvent) => events.emit('event', event);

  const tracker = new ProgressTracker({ now });
  const errors = new ErrorLog(store, emit);
  const errorManager = new ErrorManager({ logger });
  errorManager.onError((e) => errors.add(e));

  const jobs = new JobService({ store, config: () => configManager.getCurrentConfig(), tracker, emit, logger, now });
  tracker.on('milestone_reached', (e) => {
    store.events.appendEvent(e.jobId, { kind: 'progress_milestone', reason: `${e.milestone.name} done`, details: { percentage: e.milestone.percentage } });
  });

  const server = new SocketServer(configManager.getCurrentConfig(), { backend: jobs, progressTracker: tracker, errorManager, logger, now });
  configManager.onConfigUpdate((config) => server.applyConfig(config));
  jobs.attach({
    getConnection: (id) => server.getConnection(id),
    connectedCrawlerIds: () => server.listConnections().filter((c) => server.getConnection(c.crawler_id)?.metadata.authenticated).map((c) => c.crawler_id),
  });
  server.on('crawler_connected', (crawler) => emit({ type: 'crawler_connected', crawler }));
  server.on('crawler_updated', (crawler) => emit({ type: 'crawler_updated', crawler }));
  server.on('crawler_disconnected', (e) => emit({ type: 'crawler_disconnected', crawler: e.connection, reason: e.reason, lost: e.lost }));
  server.on('heartbeat', (e) => emit({ type: 'heartbeat', ...e }));

  try {
    await server.start();
  } catch (err) {
    store.close();
    throw err;
  }

  let lastAggregate = '';
  const tick = setInterval(() => {
    try {
      jobs.tick();
      errors.flush();
    } catch (err) {
      logger.error({ err }, 'periodic work failed');
    }
  }, TICK_MS);
  tick.unref();
  const aggregateTimer = setInterval(() => {
    const aggregate = tracker.getAggregateProgress();
    const key = JSON.stringify(aggregate);
    if (key !== lastAggregate) {
      lastAggregate = key;
      emit({ type: 'aggregate', aggregate });
    }
  }, AGGREGATE_MS);
  aggregateTimer.unref();
  const stopRetention = startRetention(store, configManager.getCurrentConfig(), { interval: configManager.getCurrentConfig().cleanupInterval });

  const commands = createCommandHandlers({ store, server, jobs, tracker, errors, configManager, cipher, dataDir, restartRequired: RESTART_REQUIRED_FIELDS });

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
    stop() {
      stopping ??= (async () => {
        clearInterval(tick);
        clearInterval(aggregateTimer);
        stopRetention();
        await server.stop();
        jobs.flush();
        errors.flush();
        store.close();
        events.removeAllListeners();
      })();
      return stopping;
    },
  };
}

/**
 * The error log: every SocketError the socket layer handles is recorded, in
 * batches (a flood of bad lines becomes one transaction per tick, not one each).
 */
export class ErrorLog {
  private pending: ErrorInput[] = [];
  /** Beyond this many unflushed errors, new ones are counted, not kept: memory stays bounded under a flood. */
  private static readonly MAX_PENDING = 10_000;
  dropped = 0;

  constructor(
    private readonly store: Store,
    private readonly emit: (event: ConsoleEvent) => void,
  ) {}

  add(e: SocketError): void {
    if (this.pending.length >= ErrorLog.MAX_PENDING) {
      this.dropped++;
      return;
    }
    const ctx = e.toJSON().context;
    const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    this.pending.push({
      category: e.category,
      severity: e.severity,
      message: e.message,
      code: e.code ?? str(ctx.code),
      context: ctx,
      crawler_id: str(ctx.crawlerId),
      job_id: str(ctx.jobId),
    });
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const records = this.store.transaction(() => batch.map((e) => this.store.errors.recordError(e)));
    for (const error of records) this.emit({ type: 'error', error });
  }
}

export { ApiError };
