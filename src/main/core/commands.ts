/**
 * The contract's commands, implemented on the core's parts. Inputs arrive
 * validated (dispatchCommand); failures are ApiErrors a person can act on.
 */
import { ZodError } from 'zod';
import type { CommandOutput, ConsoleCommandHandlers, CrawlerView, PublicConfig } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import type { ResolvedSocketConfig } from '../../shared/config';
import type { JobEventDto } from '../../shared/jobs';
import { ConfigError, type ConfigurationManager, type SocketConfigKey } from '../socket/config';
import type { SocketServer } from '../socket/socket-server';
import type { ProgressTracker } from '../observability/progress-tracker';
import { type Job, type Store, StoreError, type TokenCipher, toJobDto } from '../store';
import type { JobService } from '../jobs/job-service';
import type { ErrorLog } from './console-core';
import type { StorageHealth } from './storage-health';
import type { LivenessWatch } from './liveness-watch';
import { crawlerView } from './crawler-view';
import { livenessLimits } from '../../shared/liveness';
import type { JobProgress } from '../../shared/progress';
import { scrubSecretText } from '../store/redact';

/** Live progress as a page may see it: the crawler's message may echo a token. */
const redactLive = (live: JobProgress | null): JobProgress | null => (live?.message ? { ...live, message: scrubSecretText(live.message) } : live);
import type { OpsCommandName } from './ops-commands';
import type { PowerCommandName } from './power-commands';
import type { BulkCommandName } from '../jobs/bulk-actions';
import { type ExportStream, exportErrorsStream, exportJobsStream } from './export-stream';

export interface CommandDeps {
  store: Store;
  /** Whether the database and log can be written (reported by getStatus). */
  health?: StorageHealth;
  server: SocketServer;
  jobs: JobService;
  tracker: ProgressTracker;
  errors: ErrorLog;
  configManager: ConfigurationManager;
  cipher: TokenCipher;
  dataDir: string;
  restartRequired: readonly SocketConfigKey[];
  liveness: LivenessWatch;
  /** Refused connections since start (counted by the core as the errors are handled). */
  refused: Readonly<{ server_full: number; auth_failed: number; last_at: number | null }>;
}

/** How far getStatus counts the search index's backlog (a few milliseconds at most; the page says "more than"). */
const SEARCH_BACKLOG_CAP = 100_000;

/** A graceful shutdown's grace time (the protocol's default 30 s); none for an immediate one. */
const shutdownGraceMs = (d: { graceful?: boolean | undefined; timeout_seconds?: number | undefined } | undefined): number =>
  d?.graceful === false ? 0 : (d?.timeout_seconds ?? 30) * 1000;

export function publicConfig(config: ResolvedSocketConfig): PublicConfig {
  const { authToken, ...rest } = config;
  return { ...rest, auth_token_set: authToken !== undefined };
}

/** Every command but the operator-power ones (ops-commands.ts), the pages' (power-commands.ts) and bulk by filter (jobs/bulk-actions.ts). */
export function createCommandHandlers(d: CommandDeps): Omit<ConsoleCommandHandlers, OpsCommandName | PowerCommandName | BulkCommandName> {
  const { store, server, jobs, tracker } = d;
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw toApiError(err);
    }
  };
  const freshJobs = () => jobs.flush();
  const backlogStatus = (step: { backlogUpTo(cap: number): { backlog: number; exact: boolean }; lastFailure: string | null }) => {
    const { backlog, exact } = step.backlogUpTo(SEARCH_BACKLOG_CAP);
    return { backlog, backlogExact: exact, ...(step.lastFailure !== null && { failure: step.lastFailure }) };
  };

  return {
    async getStatus() {
      const s = server.getStatus();
      return {
        isRunning: s.isRunning,
        connections: s.connections,
        activeConnections: s.activeConnections,
        uptime: s.uptime,
        config: publicConfig(s.config),
        connectionStats: server.getConnectionStats(),
        socketPath: server.socketPath,
        tcp: server.tcpListenAddress,
        tokenStorage: { kind: d.cipher.kind, secure: d.cipher.isSecure },
        dataDir: d.dataDir,
        tls: server.tls,
        preAuth: server.getPreAuthStats(),
        ...(d.health && { storage: { ok: d.health.problems.length === 0, problems: d.health.problems } }),
        liveness: livenessLimits(s.config),
        serverTime: d.liveness.time(),
        // Failed TCP authentications are counted by the server's pre-auth door (not recorded one by one).
        refused: { ...d.refused, auth_failed: d.refused.auth_failed + server.getPreAuthStats().failures },
        searchIndex: backlogStatus(store.jobs.textIndex),
        pathOrder: backlogStatus(store.jobs.pathOrder),
        nameOrder: backlogStatus(store.jobs.nameOrder),
      };
    },

    async listCrawlers({ include_disconnected, anonymous_retention_ms }) {
      freshJobs();
      const views: CrawlerView[] = [];
      const { crawlers, pruned } = store.crawlers.listForScreen(Date.now() - anonymous_retention_ms);
      for (const c of crawlers) {
        if (!include_disconnected && !server.getConnection(c.id)) continue;
        views.push(crawlerView({ server, jobs, liveness: d.liveness }, c));
      }
      const seen = (v: CrawlerView) => v.connection?.last_message_at ?? v.last_heartbeat_at ?? v.connected_at ?? 0;
      views.sort((a, b) => Number(b.connection !== null) - Number(a.connection !== null) || seen(b) - seen(a));
      return { crawlers: views, anonymous_pruned: pruned };
    },

    async listJobs(query) {
      freshJobs();
      const { jobs: rows, total, total_exact, next_cursor } = guard(() => store.jobs.listJobs(query));
      return { jobs: rows.map(toJobDto), total, total_exact, next_cursor };
    },

    async getJob({ job_id }) {
      freshJobs();
      d.errors.flush();
      const job = store.jobs.getJob(job_id);
      if (!job) throw new ApiError('not_found', `there is no job ${job_id}`);
      const children = store.jobs.listJobs({ parent_job_id: job_id, limit: 100, sort: 'created_at', dir: 'asc' });
      const parent = job.parent_job_id ? store.jobs.getJob(job.parent_job_id) : null;
      return {
        job: toJobDto(job),
        progress: store.progress.getProgress(job_id),
        live: redactLive(tracker.snapshot(job_id) ?? null),
        events: withCreatedEntry(job, store.events.listJobEvents(job_id, 1000)),
        errors: store.errors.listErrors({ job_id, limit: 100 }).errors,
        children: children.jobs.map(toJobDto),
        children_total: children.total,
        parent: parent ? toJobDto(parent) : null,
      };
    },

    async createJob(input) {
      let credentialId: string | null = null;
      if (input.credential_id) {
        if (!store.credentials.getCredential(input.credential_id)) throw new ApiError('not_found', `there is no saved credential ${input.credential_id}`);
        credentialId = input.credential_id;
      } else if (input.access_token) {
        const token = input.access_token;
        credentialId = guard(() => store.credentials.saveCredential({ gitlab_host: input.gitlab_host, label: input.credential_label ?? `${input.gitlab_host} token`, token })).id;
      } else {
        credentialId = store.credentials.findCredentialForHost(input.gitlab_host)?.id ?? null;
      }
      const { handover, ...job } = await jobs.createJob({ ...input, credential_id: credentialId });
      return { job: toJobDto(job), ...(handover && { handover }) };
    },

    async cancelJob({ job_id, reason }) {
      return { job: toJobDto(await jobs.cancelJob(job_id, reason)) };
    },

    async retryJob({ job_id }) {
      return { job: toJobDto(jobs.retryJob(job_id)) };
    },

    async setJobPriority({ job_id, priority }) {
      return { job: toJobDto(jobs.setPriority(job_id, priority)) };
    },

    async broadcast(message) {
      if (message.type === 'shutdown') jobs.shutdownSent(shutdownGraceMs(message.data));
      return { delivered: await server.broadcast(message) };
    },

    async sendToCrawler({ crawler_id, message }) {
      try {
        await server.sendToCrawler(crawler_id, message);
        if (message.type === 'shutdown') jobs.shutdownSent(shutdownGraceMs(message.data), [crawler_id]);
      } catch (err) {
        const text = (err as Error).message;
        if (/No connection found/.test(text)) throw new ApiError('not_found', `crawler ${crawler_id} is not connected`);
        throw new ApiError('unavailable', `could not send to crawler ${crawler_id}: ${text}`);
      }
      return { delivered: true as const };
    },

    async listErrors(query) {
      d.errors.flush();
      return guard(() => store.errors.listErrors(query));
    },

    async getAggregateProgress() {
      return tracker.getAggregateProgress();
    },

    async getConfig() {
      return { config: publicConfig(d.configManager.getCurrentConfig()), restart_required_fields: [...d.restartRequired] };
    },

    async updateConfig(partial) {
      const changed = guard(() => d.configManager.updateConfig(partial));
      return {
        config: publicConfig(d.configManager.getCurrentConfig()),
        changed,
        restart_required: changed.filter((k) => d.restartRequired.includes(k)),
      };
    },

    async listCredentials() {
      return { credentials: store.credentials.listCredentials() };
    },

    async saveCredential({ gitlab_host, label, access_token, expires_at }) {
      const credential = guard(() =>
        store.credentials.saveCredential({ gitlab_host, label: label ?? `${gitlab_host} token`, token: access_token, expires_at: expires_at ?? null }),
      );
      const { answered, requeued } = await jobs.resumeWaitingJobs();
      return { credential, answered_refresh_requests: answered, requeued_jobs: requeued };
    },

    async replaceCredentialToken({ id, access_token, expires_at }) {
      const credential = guard(() => store.credentials.replaceToken(id, access_token, expires_at ?? null));
      const { answered, requeued } = await jobs.resumeWaitingJobs();
      return { credential, answered_refresh_requests: answered, requeued_jobs: requeued };
    },

    async moveJobsToCredential({ credential_id, job_ids, from_credential_id }) {
      if (from_credential_id !== undefined && !store.credentials.getCredential(from_credential_id)) {
        throw new ApiError('not_found', `there is no saved credential ${from_credential_id}`);
      }
      const ids = job_ids ?? store.credentials.unfinishedJobIds(from_credential_id!);
      const r = await jobs.moveJobsToCredential(ids, credential_id);
      return { moved: r.moved, skipped: r.skipped, answered_refresh_requests: r.answered, requeued_jobs: r.requeued };
    },

    async deleteCredential({ id }) {
      const deleted = guard(() => store.credentials.deleteCredential(id));
      if (!deleted) throw new ApiError('not_found', `there is no saved credential ${id}`);
      return { deleted: true as const };
    },

    // The whole file as one answer, for API callers and small exports; the
    // screens download through the streaming routes (ConsoleCore.exports).
    async exportJobs({ format, filter }): Promise<CommandOutput<'exportJobs'>> {
      guard(() => store.jobs.listJobs({ ...filter, limit: 1 }));
      return collect(exportJobsStream(store, format, filter, freshJobs));
    },

    async exportErrors({ format, filter }): Promise<CommandOutput<'exportErrors'>> {
      return collect(exportErrorsStream(store, format, filter, () => d.errors.flush()));
    },
  };
}

/**
 * A discovered job's history starts with its creation, which the store does not
 * write per child (its created_at and parent_job_id say it; issue 14): shown
 * from those, as the entry that used to be stored.
 */
function withCreatedEntry(job: Job, events: JobEventDto[]): JobEventDto[] {
  if (job.origin !== 'discovery' || job.parent_job_id === null || events[0]?.kind === 'created') return events;
  const created: JobEventDto = {
    id: 0,
    job_id: job.id,
    at: job.created_at,
    kind: 'created',
    from_status: null,
    to_status: 'queued',
    crawler_id: null,
    reason: null,
    details: { parent_job_id: job.parent_job_id },
  };
  return [created, ...events];
}

/** An export stream as one answer. */
async function collect(stream: ExportStream): Promise<CommandOutput<'exportJobs'>> {
  let content = '';
  for await (const chunk of stream.chunks) content += chunk;
  return { filename: stream.filename, content_type: stream.content_type, content, count: stream.written.rows };
}

/** Maps the core's failures to the contract's error codes. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ConfigError) return new ApiError('invalid_input', err.message, { field: err.field });
  if (err instanceof ZodError) return new ApiError('invalid_input', err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  if (err instanceof StoreError) {
    const code = err.code === 'not_found' ? 'not_found' : err.code === 'invalid' ? 'invalid_input' : err.code === 'in_use' || err.code === 'conflict' ? 'conflict' : 'internal';
    return new ApiError(code, err.message);
  }
  return new ApiError('internal', 'the console hit an unexpected error; see its log');
}
