/**
 * The seed's `SocketDatabaseOperations` (creating a job from an assignment,
 * updating a job from progress, saving and reading progress), implemented on
 * the store. Promise-returning like the seed; the work itself is synchronous
 * and committed before the promise settles.
 *
 * None of these change a job's status: status changes go through
 * `JobsRepo.transition`, where the lifecycle decides them.
 */
import { z } from 'zod';
import { IsoTimestamp, ResumeStateSchema } from '../../shared/protocol/common';
import { JobAssignmentSchema } from '../../shared/protocol/console-messages';
import { ProgressEntitySchema, ProgressStageSchema, type ProgressEntity } from '../../shared/protocol/crawler-messages';
import { JobOriginSchema, JobStatusSchema, type JobStatus } from '../../shared/jobs';
import type { CredentialsRepo } from './credentials-repo';
import { StoreError } from './errors';
import type { JobsRepo } from './jobs-repo';
import { progressRowFromEntity, type ProgressRepo } from './progress-repo';
import type { Job, JobProgressRecord } from './records';
import { parseInput } from './validate';
import type {
  Job as SeedJob,
  SocketDatabaseOperations,
  WebAppJobAssignmentData,
  WebAppProgressUpdate,
} from '../socket/types/database';

export const SocketProgressStatusSchema = z.enum(['running', 'paused', 'completed', 'failed']);
export type SocketProgressStatus = z.infer<typeof SocketProgressStatusSchema>;

export const SocketProgressMilestoneSchema = z.object({
  name: z.string(),
  timestamp: IsoTimestamp,
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type SocketProgressMilestone = z.infer<typeof SocketProgressMilestoneSchema>;

/** The seed's SocketJobProgress. Times in ms; `last_update` ISO-8601. */
export const SocketJobProgressSchema = z.object({
  overall_completion: z.number().min(0).max(1),
  time_elapsed: z.number().nonnegative(),
  estimated_time_remaining: z.number().optional(),
  entities: z.array(ProgressEntitySchema),
  status: SocketProgressStatusSchema,
  last_update: IsoTimestamp,
  milestones: z.array(SocketProgressMilestoneSchema).optional(),
});
export type SocketJobProgress = z.infer<typeof SocketJobProgressSchema>;

/**
 * The seed's WebAppProgressUpdate: a progress report for one job. Everything is
 * optional; what is absent keeps its stored value.
 */
export const ProgressUpdateSchema = z.object({
  overall_completion: z.number().min(0).max(1).optional(),
  time_elapsed: z.number().nonnegative().optional(),
  estimated_time_remaining: z.number().optional(),
  progress_data: z.array(ProgressEntitySchema).default([]),
  status: SocketProgressStatusSchema.optional(),
  stage: ProgressStageSchema.optional(),
  message: z.string().optional(),
  resume_state: ResumeStateSchema.optional(),
  /** When the progress was reported (ISO-8601); now when absent. */
  last_update: IsoTimestamp.optional(),
});
export type ProgressUpdate = z.input<typeof ProgressUpdateSchema>;

/**
 * A job assignment (the console → crawler `job_assignment` data) to record as a
 * job. `access_token` is accepted for the seed's shape but NEVER stored: the
 * job gets `credential_id` when given, else the host's current credential.
 */
export const AssignmentInputSchema = JobAssignmentSchema.extend({
  access_token: z.string().optional(),
  credential_id: z.string().optional(),
  origin: JobOriginSchema.default('operator'),
  status: JobStatusSchema.default('queued'),
});
export type AssignmentInput = z.input<typeof AssignmentInputSchema>;

/**
 * The seed's WebAppJobAssignmentData: an assignment plus who the job is for.
 * `web_app_job_id` is the job's id; the crawler's `job_id` must be the same or
 * absent (the console uses one id for both).
 */
export const WebAppAssignmentSchema = AssignmentInputSchema.extend({
  job_id: z.string().min(1).optional(),
  web_app_job_id: z.string().min(1),
  account_id: z.string().min(1),
  provider: z.string().min(1),
  user_id: z.string().min(1).optional(),
})
  .loose()
  .refine((a) => a.job_id === undefined || a.job_id === a.web_app_job_id, {
    message: 'job_id and web_app_job_id name different jobs; the console uses one id for both (give web_app_job_id alone)',
    path: ['job_id'],
  });

/** The console's own operations, returning its job records (Store's methods of the same names). */
export interface StoreSocketOperations {
  createJobFromAssignmentSync(assignment: AssignmentInput): Job;
  createJobFromAssignment(assignment: AssignmentInput): Promise<Job>;
  updateJobFromProgress(jobId: string, progress: ProgressUpdate): Promise<Job>;
  saveProgressUpdate(jobId: string, progress: SocketJobProgress): Promise<void>;
  getJobProgress(jobId: string): Promise<SocketJobProgress | null>;
}

/** Who a job is for (the job_accounts table). */
export interface JobAccount {
  account_id: string;
  provider: string;
  user_id: string | null;
}

/** How a job's status reads as a SocketJobProgress status, when none was saved. */
const PROGRESS_STATUS: Record<JobStatus, SocketProgressStatus> = {
  queued: 'paused',
  assigned: 'running',
  running: 'running',
  waiting_credentials: 'paused',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'failed',
};

const parseTime = (iso: string | undefined, fallback: number): number => {
  const t = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(t) ? fallback : t;
};

function toProgressEntity(r: JobProgressRecord): ProgressEntity {
  const e: ProgressEntity = { ...r.extras, entity_type: r.entity_type, total_processed: r.total_processed ?? 0 };
  if (r.total_discovered !== null) e.total_discovered = r.total_discovered;
  if (r.current_page !== null) e.current_page = r.current_page;
  if (r.items_per_page !== null) e.items_per_page = r.items_per_page;
  if (r.sub_collection !== null) e.sub_collection = r.sub_collection;
  if (r.processing_rate !== null) e.processing_rate = r.processing_rate;
  if (r.estimated_time_remaining !== null) e.estimated_time_remaining = r.estimated_time_remaining;
  if (r.item_counts !== null) e.item_counts = r.item_counts;
  return e;
}

export interface SocketOperationsDeps {
  jobs: JobsRepo;
  progress: ProgressRepo;
  credentials: CredentialsRepo;
  /** The saved SocketJobProgress status and milestones of a job (columns outside the Job record). */
  progressExtras: (jobId: string) => { progress_status: string | null; milestones: string | null } | undefined;
  /** Who a job is for, when it was created from a WebAppJobAssignmentData. */
  accounts: { get(jobId: string): JobAccount | undefined; put(jobId: string, account: JobAccount): void };
  /** Runs `fn` in one transaction. */
  transaction: <T>(fn: () => T) => T;
  now: () => number;
}

export function createSocketDatabaseOperations(deps: SocketOperationsDeps): StoreSocketOperations {
  const { jobs, progress, credentials, now } = deps;

  const mustGet = (jobId: string): Job => {
    const job = jobs.getJob(jobId);
    if (job === null) throw new StoreError('not_found', `job ${jobId} does not exist`);
    return job;
  };

  const sync = {
    createJobFromAssignment(assignment: AssignmentInput): Job {
      const a = parseInput(AssignmentInputSchema, assignment, 'job assignment');
      const credentialId = a.credential_id ?? credentials.findCredentialForHost(a.gitlab_host)?.id ?? null;
      return jobs.insertJob({
        id: a.job_id,
        job_type: a.job_type,
        gitlab_host: a.gitlab_host,
        entity_id: a.entity_id ?? null,
        namespace_path: a.namespace_path ?? null,
        priority: a.priority,
        status: a.status,
        origin: a.origin,
        credential_id: credentialId,
        resume: a.resume,
        resume_state: a.resume_state ?? null,
      });
    },

    updateJobFromProgress(jobId: string, update: ProgressUpdate): Job {
      const p = parseInput(ProgressUpdateSchema, update, 'progress update');
      mustGet(jobId);
      const at = parseTime(p.last_update, now());
      progress.upsertProgressBatch(
        p.progress_data.map((e) => progressRowFromEntity(jobId, e, at)),
        [
          {
            job_id: jobId,
            at,
            overall_completion: p.overall_completion,
            stage: p.stage,
            message: p.message,
            time_elapsed: p.time_elapsed,
            estimated_time_remaining: p.estimated_time_remaining,
            resume_state: p.resume_state,
            progress_status: p.status,
          },
        ],
      );
      return mustGet(jobId);
    },

    saveProgressUpdate(jobId: string, value: SocketJobProgress): void {
      const p = parseInput(SocketJobProgressSchema, value, 'job progress');
      mustGet(jobId);
      const at = parseTime(p.last_update, now());
      progress.upsertProgressBatch(
        p.entities.map((e) => progressRowFromEntity(jobId, e, at)),
        [
          {
            job_id: jobId,
            at,
            overall_completion: p.overall_completion,
            time_elapsed: p.time_elapsed,
            estimated_time_remaining: p.estimated_time_remaining,
            progress_status: p.status,
            milestones: p.milestones,
          },
        ],
      );
    },

    /** Null when the job does not exist or has never reported progress. */
    getJobProgress(jobId: string): SocketJobProgress | null {
      const job = jobs.getJob(jobId);
      if (job === null) return null;
      const entities = progress.getProgress(jobId);
      if (job.last_progress_at === null && entities.length === 0) return null;
      const extras = deps.progressExtras(jobId);
      const status = SocketProgressStatusSchema.safeParse(extras?.progress_status);
      const milestones = z
        .array(SocketProgressMilestoneSchema)
        .safeParse(extras?.milestones ? (JSON.parse(extras.milestones) as unknown) : undefined);
      const out: SocketJobProgress = {
        overall_completion: job.overall_completion ?? 0,
        time_elapsed: job.time_elapsed ?? 0,
        entities: entities.map(toProgressEntity),
        status: status.success ? status.data : PROGRESS_STATUS[job.status],
        last_update: new Date(job.last_progress_at ?? job.updated_at).toISOString(),
      };
      if (job.estimated_time_remaining !== null) out.estimated_time_remaining = job.estimated_time_remaining;
      if (milestones.success) out.milestones = milestones.data;
      return out;
    },
  };

  // Promise-returning, as the seed: a thrown StoreError becomes a rejection.
  return {
    createJobFromAssignmentSync: (a) => sync.createJobFromAssignment(a),
    createJobFromAssignment: async (a) => sync.createJobFromAssignment(a),
    updateJobFromProgress: async (id, p) => sync.updateJobFromProgress(id, p),
    saveProgressUpdate: async (id, p) => sync.saveProgressUpdate(id, p),
    getJobProgress: async (id) => sync.getJobProgress(id),
  };
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** A console job record as the seed's `Job` (Dates, `command`, account fields). */
export function toSeedJob(job: Job, account: JobAccount | undefined): SeedJob {
  return {
    id: job.id,
    created_at: new Date(job.created_at),
    status: job.status,
    command: job.job_type,
    accountId: account?.account_id ?? null,
    userId: account?.user_id ?? null,
    provider: account?.provider ?? null,
    started_at: toDate(job.started_at),
    finished_at: toDate(job.finished_at),
    updated_at: toDate(job.updated_at),
    full_path: job.namespace_path,
    spawned_from: job.parent_job_id,
    resumeState: job.resume_state,
    progress:
      job.overall_completion === null
        ? null
        : { overall_completion: job.overall_completion, time_elapsed: job.time_elapsed, last_update: toDate(job.last_progress_at)?.toISOString() ?? null },
  };
}

/**
 * The seed's SocketDatabaseOperations on the store: jobs come back as the
 * seed's `Job`, and an assignment's account, provider and user are kept with
 * the job (job_accounts).
 */
export function createSeedDatabaseOperations(deps: SocketOperationsDeps): SocketDatabaseOperations {
  const ops = createSocketDatabaseOperations(deps);
  const seedJob = (job: Job): SeedJob => toSeedJob(job, deps.accounts.get(job.id));
  return {
    async createJobFromAssignment(assignment: WebAppJobAssignmentData): Promise<SeedJob> {
      const a = parseInput(WebAppAssignmentSchema, assignment, 'job assignment');
      const job = deps.transaction(() => {
        const created = ops.createJobFromAssignmentSync({ ...a, job_id: a.web_app_job_id });
        deps.accounts.put(created.id, { account_id: a.account_id, provider: a.provider, user_id: a.user_id ?? null });
        return created;
      });
      return seedJob(job);
    },
    async updateJobFromProgress(jobId: string, progress: WebAppProgressUpdate): Promise<SeedJob> {
      // Copies: the seed's interfaces are closed types, the store's schemas keep unknown fields.
      const { progress_data, web_app_job_id: _w, crawler_job_id: _c, ...rest } = progress;
      return seedJob(await ops.updateJobFromProgress(jobId, { ...rest, progress_data: (progress_data ?? []).map((e) => ({ ...e })) }));
    },
    saveProgressUpdate: (jobId, progress) => ops.saveProgressUpdate(jobId, { ...progress, entities: progress.entities.map((e) => ({ ...e })) }),
    getJobProgress: (jobId) => ops.getJobProgress(jobId),
  };
}
