/**
 * Runs one job the way a real GitLab crawler does, at `speed` times its pace:
 * job_started; then a discovery (namespaces, reported with jobs_discovered) or
 * a crawl (entity type by entity type, page by page, job_progress per page);
 * sometimes a token refresh (waiting for the answer), sometimes a failure
 * (recoverable or not); job_completed with final counts. Everything it decides
 * derives from (seed, job id), so a job behaves the same whichever crawler runs it.
 *
 * Abort reasons: 'cancel' (job_cancel: stop, send nothing more), 'lost' (the
 * console no longer leases it: the same), 'stop' (the crawler is stopping: hand
 * the job back with a recoverable job_failed and its resume state).
 */
import type { CrawlerClient } from '../client';
import type { JobProgressData, JobType, ProgressEntity, ResumeState } from '../shared/protocol';
import { ITEMS_PER_PAGE, discoveredJobs, entitySizes, generateHierarchy } from './gitlab-model';
import { Rng, deriveSeed } from './prng';

export type AbortReason = 'cancel' | 'lost' | 'stop';
export type JobOutcome = 'completed' | 'failed' | 'interrupted' | 'cancelled' | 'abandoned';

export interface SimJob {
  jobId: string;
  jobType: JobType;
  entityId?: string;
  namespacePath?: string;
  resume?: ResumeState;
}

export interface JobCounters {
  itemsProcessed: number;
  tokenRefreshes: { requested: number; granted: number; refused: number };
}

export interface JobEnv {
  client: CrawlerClient;
  seed: number;
  speed: number;
  failureRate: number;
  tokenRefreshRate: number;
  signal: AbortSignal;
  counters: JobCounters;
}

/** Realistic pacing at speed 1: a GitLab API page takes a few hundred milliseconds. */
export const PAGE_LATENCY_MS = { min: 250, max: 700 };
/** Of the failures, this share is recoverable (rate limits, 5xx, timeouts). */
const RECOVERABLE_SHARE = 0.7;

const RECOVERABLE_ERRORS = [
  { type: 'rate_limit', text: (path: string) => `GitLab API rate limit exceeded (HTTP 429) on GET ${path}` },
  { type: 'http', text: (path: string) => `HTTP 502 Bad Gateway from GitLab on GET ${path}` },
  { type: 'timeout', text: (path: string) => `request timed out after 30 s: GET ${path}` },
];
const FATAL_ERRORS = [
  { type: 'not_found', text: (path: string) => `HTTP 404 Not Found on GET ${path}: the entity no longer exists` },
  { type: 'forbidden', text: (path: string) => `HTTP 403 Forbidden on GET ${path}: the token lacks the read_api scope` },
];

/** Waits `ms` (already scaled); below a millisecond it only yields. Resolves false if aborted. */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      if (ms < 1) clearImmediate(handle as NodeJS.Immediate);
      else clearTimeout(handle as NodeJS.Timeout);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const handle: NodeJS.Immediate | NodeJS.Timeout = ms < 1 ? setImmediate(() => done(true)) : setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Stage {
  entityType: string;
  total: number;
}

class JobRun {
  private readonly rng: Rng;
  private simElapsed = 0;
  private pagesDone = 0;
  private readonly counts: Record<string, number> = {};
  private resumeState: ResumeState | undefined;

  constructor(
    private readonly job: SimJob,
    private readonly env: JobEnv,
  ) {
    this.rng = new Rng(deriveSeed(env.seed, 'job', job.jobId));
  }

  async run(): Promise<JobOutcome> {
    const { client } = this.env;
    const j = this.job;
    await client.jobStarted(j.jobId, {
      job_type: j.jobType,
      ...(j.entityId !== undefined && { entity_id: j.entityId }),
      ...(j.namespacePath !== undefined && { namespace_path: j.namespacePath }),
    });
    return j.jobType === 'discover_namespaces' ? this.discover() : this.crawl();
  }

  // ───────────────────────────── crawl ─────────────────────────────

  private async crawl(): Promise<JobOutcome> {
    const j = this.job;
    const sizes = entitySizes(this.env.seed, j.jobType, j.entityId ?? j.jobId);
    let stages: Stage[] = Object.entries(sizes).map(([entityType, total]) => ({ entityType, total }));
    // Resuming: skip what an earlier attempt finished.
    let startPage = 0;
    const r = j.resume;
    if (r?.entity_type && stages.some((s) => s.entityType === r.entity_type)) {
      const at = stages.findIndex((s) => s.entityType === r.entity_type);
      for (const done of stages.slice(0, at)) this.counts[done.entityType] = done.total;
      stages = stages.slice(at);
      startPage = Math.max(0, r.current_page ?? 0);
    }
    const pagesOf = (s: Stage) => Math.max(1, Math.ceil(s.total / ITEMS_PER_PAGE));
    const totalPages = stages.reduce((n, s) => n + pagesOf(s), 0);
    const plan = this.plan(totalPages);
    const basePath = j.jobType === 'crawl_project' ? `/projects/${j.entityId}` : j.jobType === 'crawl_group' ? `/groups/${j.entityId}` : `/users/${j.entityId}`;

    for (const [si, stage] of stages.entries()) {
      const pages = pagesOf(stage);
      const firstPage = si === 0 ? Math.min(startPage, pages - 1) : 0;
      this.counts[stage.entityType] = Math.min(stage.total, firstPage * ITEMS_PER_PAGE);
      for (let page = firstPage + 1; page <= pages; page++) {
        const apiPath = `${basePath}/${apiName(stage.entityType)}?page=${page}&per_page=${ITEMS_PER_PAGE}`;
        const latency = this.rng.float(PAGE_LATENCY_MS.min, PAGE_LATENCY_MS.max);
        if (!(await this.step(latency))) return this.aborted();

        if (this.pagesDone === plan.refreshAt) {
          const outcome = await this.refreshToken(apiPath);
          if (outcome) return outcome;
        }
        if (this.pagesDone === plan.failAt) return this.fail(plan.recoverable, apiPath);

        const fetched = Math.min(ITEMS_PER_PAGE, stage.total - (page - 1) * ITEMS_PER_PAGE);
        this.counts[stage.entityType] = Math.min(stage.total, (this.counts[stage.entityType] ?? 0) + Math.max(0, fetched));
        this.env.counters.itemsProcessed += Math.max(0, fetched);
        this.pagesDone++;
        this.resumeState = { entity_type: stage.entityType, current_page: page, last_entity_id: String(1_000_000 + page * ITEMS_PER_PAGE) };
        this.progress(stage, page, pages, totalPages, 'fetching');
      }
    }
    await this.env.client.jobCompleted(j.jobId, {
      success: true,
      final_counts: { ...this.counts },
      output_files: [`output/${j.jobType}/${j.entityId ?? j.jobId}.jsonl`],
      message: `crawled ${Object.values(this.counts).reduce((a, b) => a + b, 0)} items in ${(this.simElapsed / 1000).toFixed(1)} s`,
    });
    return 'completed';
  }

  // ───────────────────────────── discovery ─────────────────────────────

  private async discover(): Promise<JobOutcome> {
    const { client, seed } = this.env;
    const j = this.job;
    const h = generateHierarchy(deriveSeed(seed, 'instance'), j.namespacePath);
    const stages: Stage[] = [
      { entityType: 'group', total: h.groups.length },
      { entityType: 'project', total: h.projects.length },
      { entityType: 'user', total: h.users.length },
    ];
    // One listing page per group (its subgroups and projects), one for users.
    const totalPages = h.groups.length + 1;
    const plan = this.plan(totalPages);
    const projectsOf = new Map<string, number>();
    for (const p of h.projects) projectsOf.set(p.parentId!, (projectsOf.get(p.parentId!) ?? 0) + 1);
    let groupsSeen = 0;
    for (const g of h.groups) {
      const apiPath = `/groups/${g.id}/subgroups`;
      if (!(await this.step(this.rng.float(PAGE_LATENCY_MS.min, PAGE_LATENCY_MS.max)))) return this.aborted();
      if (this.pagesDone === plan.refreshAt) {
        const outcome = await this.refreshToken(apiPath);
        if (outcome) return outcome;
      }
      if (this.pagesDone === plan.failAt) return this.fail(plan.recoverable, apiPath);
      groupsSeen++;
      this.pagesDone++;
      this.counts.group = groupsSeen;
      this.counts.project = (this.counts.project ?? 0) + (projectsOf.get(g.id) ?? 0);
      this.resumeState = { entity_type: 'group', current_page: groupsSeen, last_entity_id: g.id };
      this.progress(stages[0]!, groupsSeen, h.groups.length, totalPages, 'discovering', [stages[1]!]);
    }
    if (!(await this.step(this.rng.float(PAGE_LATENCY_MS.min, PAGE_LATENCY_MS.max)))) return this.aborted();
    this.pagesDone++;
    this.counts.user = h.users.length;
    this.progress(stages[2]!, 1, 1, totalPages, 'discovering');
    this.env.counters.itemsProcessed += h.groups.length + h.projects.length + h.users.length;

    // Crawlers of the crawler spelling also send the raw `discovery` lists.
    if (client.spelling === 'crawler') {
      const entities = (list: typeof h.groups) =>
        list.slice(0, 100).map((n) => ({ id: n.id, name: n.name, path: n.path, ...(n.parentId !== undefined && { parent_id: n.parentId }) }));
      void client.discovery({ entity_type: 'group', entities: entities(h.groups) }, j.jobId).catch(() => undefined);
      void client.discovery({ entity_type: 'project', entities: entities(h.projects) }, j.jobId).catch(() => undefined);
    }
    const jobs = discoveredJobs(deriveSeed(seed, 'instance'), h);
    const summary = { total_users: h.users.length, total_groups: h.groups.length, total_projects: h.projects.length, hierarchy_depth: h.depth };
    for (let i = 0; i < jobs.length; i += 50) {
      await client.jobsDiscovered(j.jobId, { discovered_jobs: jobs.slice(i, i + 50), discovery_summary: summary });
    }
    await client.jobCompleted(j.jobId, {
      success: true,
      final_counts: { group: h.groups.length, project: h.projects.length, user: h.users.length, discovered_jobs: jobs.length },
      message: `discovered ${jobs.length} jobs`,
    });
    return 'completed';
  }

  // ───────────────────────────── shared steps ─────────────────────────────

  /** Where this job fails and where its token expires (page indexes), from its own random stream. */
  private plan(totalPages: number): { failAt: number; recoverable: boolean; refreshAt: number } {
    const fails = this.rng.chance(this.env.failureRate);
    const failAt = fails ? this.rng.int(0, Math.max(0, totalPages - 1)) : -1;
    const recoverable = this.rng.chance(RECOVERABLE_SHARE);
    const refreshAt = this.rng.chance(this.env.tokenRefreshRate) ? this.rng.int(0, Math.max(0, totalPages - 1)) : -1;
    return { failAt, recoverable, refreshAt };
  }

  /** Simulated work of `ms` at speed 1; false if the job was aborted meanwhile. */
  private async step(ms: number): Promise<boolean> {
    this.simElapsed += ms;
    return pause(ms / this.env.speed, this.env.signal);
  }

  private progress(stage: Stage, page: number, pages: number, totalPages: number, phase: 'fetching' | 'discovering', also: Stage[] = []): void {
    const perPage = this.simElapsed / Math.max(1, this.pagesDone);
    const remaining = Math.round(perPage * Math.max(0, totalPages - this.pagesDone));
    const current: ProgressEntity = {
      entity_type: stage.entityType,
      total_discovered: stage.total,
      total_processed: this.counts[stage.entityType] ?? 0,
      current_page: page,
      items_per_page: ITEMS_PER_PAGE,
      processing_rate: Math.round(((this.counts[stage.entityType] ?? 0) / Math.max(1, this.simElapsed)) * 1000 * 10) / 10,
      estimated_time_remaining: remaining,
    };
    // The current entity first (the crawler spelling carries only that one), then the others seen so far.
    const others: ProgressEntity[] = Object.entries(this.counts)
      .filter(([t]) => t !== stage.entityType)
      .map(([t, n]) => ({ entity_type: t, total_processed: n, total_discovered: also.find((a) => a.entityType === t)?.total ?? n }));
    const data: JobProgressData = {
      progress: [current, ...others],
      overall_completion: Math.min(1, this.pagesDone / Math.max(1, totalPages)),
      time_elapsed: Math.round(this.simElapsed),
      estimated_time_remaining: remaining,
      stage: phase,
      message: `${stage.entityType}: page ${page} of ${pages}`,
      ...(this.resumeState && { resume_state: this.resumeState }),
    };
    // Progress is fire-and-forget: under back-pressure the client drops the oldest first.
    void this.env.client.jobProgress(this.job.jobId, data).catch(() => undefined);
  }

  /** The token expired mid-crawl: ask the console, wait for its answer. Returns an outcome if the job ends here. */
  private async refreshToken(apiPath: string): Promise<JobOutcome | null> {
    const counters = this.env.counters.tokenRefreshes;
    counters.requested++;
    let answer;
    try {
      answer = await this.env.client.refreshToken(this.job.jobId, {
        current_token_expired: true,
        last_successful_request: new Date(Date.now() - 1000).toISOString(),
        error_details: `GET ${apiPath} → 401 Unauthorized`,
      });
    } catch (err) {
      if (this.env.signal.aborted) return this.aborted();
      counters.refused++;
      await this.env.client.jobFailed(this.job.jobId, {
        error: `token refresh unanswered (${(err as Error).message}); GitLab answered 401 Unauthorized on GET ${apiPath}`,
        error_type: 'auth',
        is_recoverable: true,
        ...this.partial(),
      });
      return 'failed';
    }
    if (this.env.signal.aborted) return this.aborted();
    if (!answer.refresh_successful) {
      counters.refused++;
      await this.env.client.jobFailed(this.job.jobId, {
        error: `access token expired (GitLab answered 401 Unauthorized on GET ${apiPath}) and the console has no fresh token for this job: token refresh unsuccessful`,
        error_type: 'auth',
        is_recoverable: false,
        ...this.partial(),
      });
      return 'failed';
    }
    counters.granted++;
    // A real crawler retries the request with the new token: one more page's time.
    if (!(await this.step(this.rng.float(PAGE_LATENCY_MS.min, PAGE_LATENCY_MS.max)))) return this.aborted();
    return null;
  }

  private async fail(recoverable: boolean, apiPath: string): Promise<JobOutcome> {
    const kind = this.rng.pick(recoverable ? RECOVERABLE_ERRORS : FATAL_ERRORS);
    await this.env.client.jobFailed(
      this.job.jobId,
      { error: kind.text(apiPath), error_type: kind.type, is_recoverable: recoverable, ...this.partial() },
      this.env.client.spelling === 'crawler' ? { retryCount: recoverable ? this.rng.int(0, 2) : 0 } : undefined,
    );
    return 'failed';
  }

  /** The job was aborted: on a stop it is handed back with its resume state; on cancel nothing more is said. */
  private async aborted(): Promise<JobOutcome> {
    const reason = this.env.signal.reason as AbortReason | undefined;
    if (reason !== 'stop') return 'cancelled';
    await this.env.client.jobFailed(this.job.jobId, {
      error: 'crawler stopping: job interrupted, resume from the saved state',
      error_type: 'interrupted',
      is_recoverable: true,
      ...this.partial(),
    });
    return 'interrupted';
  }

  private partial(): { resume_state?: ResumeState; partial_counts: Record<string, number> } {
    return { ...(this.resumeState && { resume_state: this.resumeState }), partial_counts: { ...this.counts } };
  }
}

/** Runs one job to its end. Sends that could not be made (client closed) end it as 'abandoned'. */
export async function runJob(job: SimJob, env: JobEnv): Promise<JobOutcome> {
  try {
    return await new JobRun(job, env).run();
  } catch {
    return env.signal.aborted && env.signal.reason !== 'stop' ? 'cancelled' : 'abandoned';
  }
}

/** GitLab's API path segment for an entity type. */
function apiName(entityType: string): string {
  const map: Record<string, string> = {
    issue: 'issues',
    merge_request: 'merge_requests',
    mergeRequestNotes: 'merge_requests/notes',
    commit: 'repository/commits',
    branch: 'repository/branches',
    pipeline: 'pipelines',
    jobs: 'jobs',
    release: 'releases',
    group: '',
    project: 'projects',
    groupMilestones: 'milestones',
    epics: 'epics',
    member: 'members',
    user: '',
    event: 'events',
  };
  return map[entityType] ?? entityType;
}
