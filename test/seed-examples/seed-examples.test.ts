/**
 * The seed's API reference, example by example (test/seed-examples/examples:
 * one program per code block, `$lib/server/socket…` pointed at src/main/socket,
 * type-checked strictly by tsconfig.seed-examples.json), run against real Unix
 * sockets and held to what the reference says they do.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ErrorCategory,
  ErrorSeverity,
  type MessageRouter,
  type MessageProcessingResult,
  SocketServer,
  SocketError,
  configManager,
  createDatabaseError,
  createDefaultRouter,
  progressTracker,
} from '../../src/main/socket';
import { createFileKeyCipher, openStore } from '../../src/main/store';
import { Peer, eventually, tempDir } from '../helpers/peer';
import { closeContext, config as contextConfig, connection as contextConnection } from './context';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = tempDir('cc-seed-run-');
const peers: Peer[] = [];
let log: ReturnType<typeof vi.spyOn>;
let errorLog: ReturnType<typeof vi.spyOn>;

const logged = (...start: unknown[]): unknown[][] =>
  (log.mock.calls as unknown[][]).filter((args) => start.every((s, i) => args[i] === s));
const hello = async (p: Peer, crawlerId: string) => {
  p.send({ type: 'hello', timestamp: new Date().toISOString(), data: { crawler_id: crawlerId } });
  await p.nextOfType('welcome');
};
const connect = async (socketPath: string) => {
  const p = await Peer.connect(socketPath);
  peers.push(p);
  return p;
};

beforeAll(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
beforeEach(() => {
  log.mockClear();
  errorLog.mockClear();
});
afterAll(async () => {
  for (const p of peers) p.destroy();
  await closeContext();
  tmp.cleanup();
  vi.restoreAllMocks();
});

describe('SocketServer examples, in order, on one server', () => {
  let server: SocketServer;
  let crawler: Peer;

  it('Constructor and start(): a running server on the given socket path', async () => {
    ({ server } = await import('./examples/01-constructor'));
    await import('./examples/02-start');
    expect(logged('Socket server is running')).toHaveLength(1);
    expect(fs.statSync(contextConfig.socketPath!).isSocket()).toBe(true);
    crawler = await connect(server.socketPath);
    await hello(crawler, 'crawler-123');
  });

  it('getStatus(): the ServerStatus fields', async () => {
    await import('./examples/04-get-status');
    expect(logged('Server running:')).toEqual([['Server running:', true]]);
    expect(logged('Active connections:')).toEqual([['Active connections:', 1]]);
    const [[, uptime]] = logged('Uptime:') as [[string, number]];
    expect(uptime).toBeGreaterThanOrEqual(0);
    const status = server.getStatus();
    expect(Object.keys(status).sort()).toEqual(['activeConnections', 'config', 'connections', 'isRunning', 'uptime']);
    expect(status).toMatchObject({ isRunning: true, connections: 1, activeConnections: 1, config: { socketPath: contextConfig.socketPath } });
    await import('./examples/05-server-status');
  });

  it('sendToCrawler(): the crawler gets the assignment, with the defaults the example leaves out', async () => {
    await import('./examples/06-send-to-crawler');
    const m = await crawler.nextOfType('job_assignment');
    expect(m.data).toEqual({
      job_id: 'job-456',
      job_type: 'crawl_project',
      gitlab_host: 'gitlab.example.com',
      access_token: 'token-here',
      priority: 1,
      resume: false,
    });
  });

  it('sendToCrawler(): throws when no connection is found for the crawler, or none is active', async () => {
    const message = { type: 'shutdown', data: { graceful: true, timeout_seconds: 1 } } as const;
    await expect(server.sendToCrawler('crawler-nobody', message)).rejects.toThrow('No connection found for crawler crawler-nobody');
    const leaving = await connect(server.socketPath);
    await hello(leaving, 'crawler-leaving');
    const conn = server.getConnection('crawler-leaving')!;
    conn.socket.destroy(); // closed, not yet deregistered: there is a connection, but no active one
    await expect(server.sendToCrawler('crawler-leaving', message)).rejects.toThrow(/No (active connection available|connection found) for crawler crawler-leaving/);
    await eventually(() => server.getConnectionStats().total === 1);
  });

  it('broadcast(): every crawler gets the shutdown notice', async () => {
    await import('./examples/07-broadcast');
    expect((await crawler.nextOfType('shutdown')).data).toEqual({ graceful: true, timeout_seconds: 30, reason: 'Server maintenance' });
  });

  it('getConnectionStats(): total, active, idle and error, as the crawlers report', async () => {
    await import('./examples/08-connection-stats');
    expect(logged('Total connections:')).toEqual([['Total connections:', 1]]);
    expect(logged('Active connections:')).toEqual([['Active connections:', 1]]);
    const idle = await connect(server.socketPath);
    idle.send({ type: 'heartbeat', timestamp: new Date().toISOString(), data: { active_jobs: 0, last_activity: new Date().toISOString(), system_status: 'idle' } });
    const failing = await connect(server.socketPath);
    failing.send({ type: 'heartbeat', timestamp: new Date().toISOString(), data: { active_jobs: 0, last_activity: new Date().toISOString(), system_status: 'error' } });
    await eventually(() => server.getConnectionStats().idle === 1 && server.getConnectionStats().error === 1);
    expect(server.getConnectionStats()).toEqual({ total: 3, active: 1, idle: 1, error: 1 });
    idle.destroy();
    failing.destroy();
    await eventually(() => server.getConnectionStats().total === 1);
  });

  it('the message examples are accepted from a crawler; getAggregateProgress() after the progress example', async () => {
    await import('./examples/33-progress-events');
    const { heartbeat } = await import('./examples/21-heartbeat-example');
    const { progress } = await import('./examples/23-job-progress-example');
    const { discovered } = await import('./examples/25-jobs-discovered-example');
    for (const m of [heartbeat, progress, discovered]) crawler.send(m);
    await eventually(() => progressTracker.get('job-123') !== undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(crawler.received.filter((m) => m.type === 'error')).toEqual([]);

    await import('./examples/10-aggregate-progress');
    expect(logged('Overall completion:')).toEqual([['Overall completion:', 0.35]]);
    expect(logged('Active jobs:')).toEqual([['Active jobs:', 1]]);
    expect(server.getAggregateProgress()).toMatchObject({ overall_completion: 0.35, active_jobs: 1, total_processed: 395, total_items: 1350 });
    // The progress events example heard the job start and pass 25 %.
    expect(logged('Progress state changed from null to running')).toHaveLength(1);
    expect(logged('Milestone reached:')).toEqual([['Milestone reached:', '25%']]);
  });

  it('ConfigurationManager: an update reaches the running server; a lowered maxConnections applies to the next connection', async () => {
    const { currentConfig, unsubscribe } = await import('./examples/17-config-manager');
    expect(currentConfig.maxConnections).toBe(10);
    // The example updated to 15, subscribed, then reloaded from the environment (back to 10): the listener heard the reload.
    const updates = logged('Configuration updated:') as [string, { maxConnections: number; logLevel: string }][];
    expect(updates.map(([, c]) => c.maxConnections)).toEqual([10]);
    expect(server.config.maxConnections).toBe(10);
    unsubscribe();

    configManager.updateConfig({ maxConnections: 1 });
    try {
      expect(server.config.maxConnections).toBe(1);
      const refused = await connect(server.socketPath);
      expect((await refused.nextOfType('error')).data).toMatchObject({ code: 'server_full' });
      await refused.waitClosed();
      expect(crawler.closed).toBe(false); // the crawler already connected is untouched
    } finally {
      configManager.reloadFromEnvironment();
    }
    expect(server.config.maxConnections).toBe(10);
  });

  it('stop(): closes the connections and the server', async () => {
    await import('./examples/03-stop');
    expect(logged('Socket server stopped')).toHaveLength(1);
    expect(server.getStatus().isRunning).toBe(false);
    await crawler.waitClosed();
  });
});

describe('MessageRouter examples', () => {
  let router: MessageRouter;
  let server: SocketServer;
  const order: string[] = [];
  const seen: string[] = [];

  beforeAll(async () => {
    ({ router } = await import('./examples/11-router'));
    await import('./examples/12-custom-job-handler');
    await import('./examples/13-authentication-middleware');
    // A handler at the default priority (50), behind the example's 95.
    router.registerHandler('job_started', {
      canHandle: () => true,
      handle: async (m): Promise<MessageProcessingResult> => {
        seen.push(`default:${m.job_id}`);
        return { success: true };
      },
      getPriority: () => 50,
    });
    for (const [name, priority] of [['late', 10], ['early', 2000]] as const) {
      router.addMiddleware({ name, priority, beforeProcess: async (m) => (order.push(name), m) });
    }
    server = new SocketServer({ socketPath: path.join(tmp.dir, 'router.sock') }, { router });
    await server.start();
  });
  afterAll(() => server.stop());

  it('processMessage(): a message written the seed\'s way, from a connection without a crawler id, is refused by the middleware', async () => {
    expect(contextConnection.metadata.crawlerId).toBeUndefined();
    await import('./examples/14-process-message');
    expect(errorLog.mock.calls).toEqual([['Message processing failed:', 'middleware authentication failed: Connection not authenticated']]);
    expect(logged('Custom job started:', 'custom-42')).toEqual([]);
  });

  it('over a socket: middleware by priority, rejection without a crawler id, the priority-95 handler before the default one', async () => {
    order.length = 0;
    const anonymous = await connect(server.socketPath);
    anonymous.send({ type: 'job_started', timestamp: new Date().toISOString(), job_id: 'custom-1' });
    expect((await anonymous.nextOfType('error')).data).toMatchObject({ message: 'middleware authentication failed: Connection not authenticated', ref_type: 'job_started' });
    expect(order).toEqual(['early']); // rejected at `authentication` (1000): `late` (10) never ran

    // A hello without an id does not make the crawler identified either: its id is still the console's.
    const nameless = await connect(server.socketPath);
    nameless.send({ type: 'hello', timestamp: new Date().toISOString(), data: { name: 'no id' } });
    await nameless.nextOfType('welcome');
    nameless.send({ type: 'job_started', timestamp: new Date().toISOString(), job_id: 'custom-2' });
    expect((await nameless.nextOfType('error')).data).toMatchObject({ message: 'middleware authentication failed: Connection not authenticated' });

    order.length = 0;
    const known = await connect(server.socketPath);
    await hello(known, 'crawler-known');
    known.send({ type: 'job_started', timestamp: new Date().toISOString(), job_id: 'custom-3' });
    known.send({ type: 'job_started', timestamp: new Date().toISOString(), job_id: 'plain-4' });
    await eventually(() => seen.length === 1);
    expect(logged('Custom job started:', 'custom-3')).toHaveLength(1);
    expect(seen).toEqual(['default:plain-4']);
    expect(order).toEqual(['early', 'late', 'early', 'late']);
    expect(known.received.filter((m) => m.type === 'error')).toEqual([]);
  });
});

describe('Configuration examples', () => {
  it('SOCKET_CONFIG and the section getters', async () => {
    await import('./examples/15-socket-config');
    expect(logged('Socket path:')).toEqual([['Socket path:', configManager.getCurrentConfig().socketPath]]);
    expect(logged('Max connections:')).toEqual([['Max connections:', 10]]);
    const { connectionConfig, heartbeatConfig } = await import('./examples/16-config-getters');
    expect(connectionConfig).toMatchObject({ maxConnections: 10, connectionTimeout: 30_000 });
    expect(Object.keys(heartbeatConfig).sort()).toEqual(['healthCheckInterval', 'heartbeatInterval', 'heartbeatTimeout']);
    await import('./examples/18-socket-server-config');
  });

  it.each(['36-connection-pool-tuning', '37-message-tuning', '38-database-tuning', '39-memory-tuning'])('%s: a server takes the tuning as given', async (name) => {
    const { config } = (await import(`./examples/${name}.ts`)) as { config: Record<string, unknown> };
    const server = new SocketServer({ ...config, socketPath: path.join(tmp.dir, `${name}.sock`) });
    expect(server.config).toMatchObject(config);
  });

  it('Environment Variables: a server built with no arguments honours every variable of the list', async () => {
    const socketPath = path.join(tmp.dir, 'env', 'crawler.sock');
    const env = {
      // The reference's list, as written but for SOCKET_PATH (a temp dir, not /var/run) and different values, so they show.
      SOCKET_PATH: socketPath,
      SOCKET_HOST: '127.0.0.1',
      SOCKET_PORT: '9091',
      SOCKET_MAX_CONNECTIONS: '12',
      SOCKET_LOG_LEVEL: 'error',
      SOCKET_ENABLE_METRICS: 'false',
      SOCKET_HEARTBEAT_INTERVAL: '31000',
      SOCKET_MAX_CONCURRENT_JOBS: '6',
      DATABASE_CONNECTION_POOL: '20',
      SOCKET_QUERY_TIMEOUT: '31000',
    };
    const { stdout, code } = await runProgram('19-environment.ts', env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toMatchObject({
      socketPath,
      host: '127.0.0.1',
      port: 9091,
      maxConnections: 12,
      logLevel: 'error',
      enableMetrics: false,
      heartbeatInterval: 31_000,
      maxConcurrentJobs: 6,
      databaseConnectionPool: 20,
      queryTimeout: 31_000,
    });
  });
});

describe('Message type examples', () => {
  it('the declarations match the exported types (checked at compile time) and the examples decode', async () => {
    for (const name of ['20-heartbeat-message', '22-job-progress-message', '24-jobs-discovered-message', '26-job-assignment-message', '28-token-refresh-response']) {
      await import(`./examples/${name}.ts`);
    }
    const router = createDefaultRouter();
    const { heartbeat } = await import('./examples/21-heartbeat-example');
    const { discovered } = await import('./examples/25-jobs-discovered-example');
    expect(await router.processMessage(heartbeat, contextConnection)).toMatchObject({ success: true });
    expect(await router.processMessage(discovered, contextConnection)).toMatchObject({ success: true, data: { accepted: 1, rejected: [] } });
    const { assignment } = await import('./examples/27-job-assignment-example');
    const server = new SocketServer({ socketPath: path.join(tmp.dir, 'assign.sock') });
    await server.start();
    try {
      const p = await connect(server.socketPath);
      await hello(p, 'crawler-assign');
      await server.sendToCrawler('crawler-assign', assignment);
      expect((await p.nextOfType('job_assignment')).data).toEqual(assignment.data);
    } finally {
      await server.stop();
    }
  });
});

describe('Error handling examples', () => {
  it('the categories and severities are the exported ones', async () => {
    const seed = await import('./examples/29-error-enums');
    expect(Object.entries(seed.ErrorCategory)).toEqual(Object.entries(ErrorCategory));
    expect(Object.entries(seed.ErrorSeverity)).toEqual(Object.entries(ErrorSeverity));
  });

  it('the factory functions', async () => {
    const { connError, msgError, jobError } = await import('./examples/30-error-factories');
    expect(connError).toMatchObject({ message: 'Connection timeout', category: 'connection' });
    expect(connError.context).toMatchObject({ connectionId: 'conn-123', timeout: 30000 });
    expect(msgError).toMatchObject({ message: 'Invalid message format', category: 'message_validation' });
    expect(jobError).toMatchObject({ message: 'Job execution failed', category: 'job_processing', recoverable: true });
  });

  it('DatabaseErrorHandler: a connection problem is retried after 5 s, others are not', async () => {
    const { DatabaseErrorHandler } = await import('./examples/31-database-error-handler');
    const { ErrorManager } = await import('../../src/main/socket');
    const manager = new ErrorManager();
    manager.registerHandler(new DatabaseErrorHandler());
    expect(await manager.handleError(createDatabaseError('lost the connection to the database'))).toMatchObject({ handled: true, shouldRetry: true, retryAfter: 5000 });
    expect(await manager.handleError(createDatabaseError('constraint failed'))).toMatchObject({ handled: true, shouldRetry: false });
  });

  it('Error Handling Setup: retry delays grow by the multiplier up to the cap; critical errors notify', async () => {
    const { errorManager, notificationHandler } = await import('./examples/42-error-handling-setup');
    expect([1, 2, 3, 4, 5].map((n) => errorManager.getRetryDelay(n))).toEqual([5000, 10000, 20000, 30000, 30000]);
    const critical = new SocketError('socket path unusable', { category: ErrorCategory.CONFIGURATION, severity: ErrorSeverity.CRITICAL });
    expect(await errorManager.handleError(critical)).toMatchObject({ handled: true, shouldNotify: true, shouldTerminate: true });
    expect(notificationHandler.notified).toHaveLength(1);
    expect((await errorManager.handleError(createDatabaseError('minor'))).shouldTerminate).not.toBe(true);
  });
});

describe('Event and database examples', () => {
  it('Connection Events: the listener hears the disconnect', async () => {
    await import('./examples/32-connection-events');
    const { peer } = await import('./context');
    peer.destroy();
    await eventually(() => logged('Connection disconnected:').length === 1);
  });

  it('JobDatabaseService and the progress service, as the seed writes them', async () => {
    const { JobDatabaseService } = await import('./examples/34-job-database-service');
    const service = new JobDatabaseService();
    const job = await service.createJobFromAssignment({
      web_app_job_id: 'web-1', account_id: 'acct-1', provider: 'gitlab-cloud', user_id: 'u-1',
      job_id: 'web-1', job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: 't', priority: 1, resume: false,
    });
    expect(job).toMatchObject({ id: 'web-1', accountId: 'acct-1', command: 'crawl_project', status: 'queued', provider: 'gitlab-cloud', userId: 'u-1' });
    expect(await service.updateJobFromProgress('web-1', { overall_completion: 1, status: 'completed' })).toMatchObject({ status: 'completed' });
    const { ProgressService } = await import('./examples/35-progress-tracking');
    const progress = new ProgressService();
    const saved = { overall_completion: 0.5, time_elapsed: 10, entities: [], status: 'running' as const, last_update: '2024-01-15T10:30:00Z' };
    await progress.saveProgressUpdate('web-1', saved);
    expect(await progress.getJobProgress('web-1')).toEqual(saved);
  });

  it('the store implements SocketDatabaseOperations: account, provider and user are kept with the job', async () => {
    const dataDir = path.join(tmp.dir, 'store');
    fs.mkdirSync(dataDir);
    const store = openStore({ dataDir, cipher: createFileKeyCipher(dataDir) });
    try {
      const ops = store.socketDatabase;
      const assignment = {
        web_app_job_id: 'web-2', account_id: 'acct-2', provider: 'gitlab-onprem', user_id: 'u-2',
        job_id: 'web-2', job_type: 'crawl_group' as const, gitlab_host: 'gitlab.example.com', access_token: 'glpat-never-stored', priority: 2, resume: false,
      };
      const job = await ops.createJobFromAssignment(assignment);
      expect(job).toMatchObject({ id: 'web-2', status: 'queued', command: 'crawl_group', accountId: 'acct-2', provider: 'gitlab-onprem', userId: 'u-2' });
      expect(job.created_at).toBeInstanceOf(Date);
      const updated = await ops.updateJobFromProgress('web-2', { overall_completion: 0.4, time_elapsed: 1000, progress_data: [{ entity_type: 'issues', total_discovered: 10, total_processed: 4 }] });
      expect(updated).toMatchObject({ accountId: 'acct-2', provider: 'gitlab-onprem', userId: 'u-2', progress: { overall_completion: 0.4 } });
      expect(JSON.stringify(store.jobs.getJob('web-2'))).not.toContain('glpat-never-stored');
      await expect(ops.createJobFromAssignment({ ...assignment, web_app_job_id: 'web-3', job_id: 'other' })).rejects.toThrow(/job_id and web_app_job_id name different jobs/);
    } finally {
      store.close();
    }
  });
});

describe('Complete Server Setup, run as its own program', () => {
  it('routes the crawlers\' messages through the handlers and middleware registered on createDefaultRouter()', async () => {
    const socketPath = path.join(tmp.dir, 'setup', 'crawler.sock');
    const dataDir = path.join(tmp.dir, 'setup-db');
    const child = startProgram('40-complete-server-setup.ts', { SOCKET_PATH: socketPath, DATABASE_URL: dataDir, LOG_LEVEL: 'warn' });
    try {
      await eventually(() => child.stdout().includes('Socket server started successfully'), 20_000, 'the program to start');
      const { progress } = await import('./examples/23-job-progress-example');

      const anonymous = await connect(socketPath);
      anonymous.send(progress);
      expect((await anonymous.nextOfType('error')).data).toMatchObject({ message: 'middleware authentication failed: Connection not authenticated' });

      const p = await connect(socketPath);
      await hello(p, 'crawler-setup');
      p.send(progress);
      p.send({ ...progress, data: { ...progress.data, overall_completion: 0.6 } });
      await eventually(() => child.stdout().includes('Job job-123 reached milestone: 50% completion'), 10_000, 'the milestone');
      expect(child.stdout().match(/reached milestone/g)).toHaveLength(1); // 0.35 did not, 0.6 did
      expect(p.received.filter((m) => m.type === 'error')).toEqual([]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toContain('Shutting down socket server...');
    const store = openStore({ dataDir, cipher: createFileKeyCipher(dataDir) });
    try {
      expect(store.jobs.getJob('job-123')).toMatchObject({ overall_completion: 0.6, time_elapsed: 45_000 });
    } finally {
      store.close();
    }
  });
});

// ───────────────────────────── running examples as programs ─────────────────────────────

function startProgram(file: string, env: Record<string, string>) {
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const { NODE_ENV: _drop, ...parentEnv } = process.env;
  const child = spawn(tsx, ['--tsconfig', 'tsconfig.seed-examples.json', path.join('test/seed-examples/examples', file)], {
    cwd: root,
    env: { ...parentEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  guard.unref();
  return { stdout: () => out, stderr: () => err, exited, kill: (s: NodeJS.Signals) => child.kill(s) };
}

async function runProgram(file: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = startProgram(file, env);
  const code = await child.exited;
  return { stdout: child.stdout(), stderr: child.stderr(), code };
}
