/**
 * Database integration types, with the seed's names and fields. The console's
 * SQLite store implements `SocketDatabaseOperations` (src/main/store/
 * socket-database-operations.ts); these are what a user's own implementation,
 * like the seed's `JobDatabaseService`, writes against.
 */
import type { JobType, ResumeState } from '../../../shared/protocol';
import { JOB_STATUSES } from '../../../shared/jobs';
import type { JobAssignment, ProgressData } from './messages';

/**
 * A job's lifecycle status, usable as a value (`JobStatus.queued`) and as a type.
 *   queued → assigned → running → completed | failed | cancelled, with waiting_credentials
 *   while a running job waits for a GitLab token.
 */
export const JobStatus = Object.freeze(Object.fromEntries(JOB_STATUSES.map((s) => [s, s]))) as {
  readonly [S in (typeof JOB_STATUSES)[number]]: S;
};
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** The crawl command a job runs: the protocol's job type. */
export type CrawlCommand = JobType | (string & {});

/** A job as the seed's database integration sees it. Times are Dates. */
export interface Job {
  id: string;
  created_at: Date;
  status: JobStatus;
  /** The crawl command: the protocol job type (`crawl_project` …). */
  command: CrawlCommand;
  /** The web app's account the job belongs to (from a WebAppJobAssignmentData); null when it came from elsewhere. */
  accountId?: string | null;
  userId?: string | null;
  provider?: string | null;
  started_at?: Date | null;
  finished_at?: Date | null;
  updated_at?: Date | null;
  /** The namespace path (group/project) the job crawls. */
  full_path?: string | null;
  spawned_from?: string | null;
  resumeState?: ResumeState | null;
  progress?: Record<string, unknown> | null;
  gitlabGraphQLUrl?: string | null;
}

/**
 * A job assignment as the web app records it: the `job_assignment` data plus
 * who it is for. `web_app_job_id` is the job's id in the store (the console uses
 * one id for the job and the crawler's job_id; give either, or both equal).
 * `access_token` is accepted for the seed's shape and never stored.
 */
export interface WebAppJobAssignmentData extends JobAssignment {
  web_app_job_id: string;
  account_id: string;
  user_id?: string;
  provider: string;
  created_by_user_id?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

export type SocketProgressStatus = 'running' | 'paused' | 'completed' | 'failed';

/** A progress report for one job (the seed's WebAppProgressUpdate); what is absent keeps its stored value. */
export interface WebAppProgressUpdate {
  web_app_job_id?: string;
  crawler_job_id?: string;
  progress_data?: ProgressData[];
  /** 0-1 */
  overall_completion?: number;
  time_elapsed?: number;
  estimated_time_remaining?: number;
  status?: SocketProgressStatus;
  /** ISO-8601; now when absent. */
  last_update?: string;
}

export interface ProgressMilestone {
  name: string;
  /** ISO-8601 */
  timestamp: string;
  metadata?: Record<string, unknown>;
}

/** One entity type's saved progress: the seed's ProgressData, with what the crawler spelling adds (and may omit). */
export interface SavedProgressData extends Omit<ProgressData, 'total_discovered'> {
  /** Absent when the crawler never said how many it found. */
  total_discovered?: number;
  item_counts?: Record<string, number>;
  processing_rate?: number;
  estimated_time_remaining?: number;
}

/** A job's saved progress (the seed's SocketJobProgress). Times in ms; `last_update` ISO-8601. */
export interface SocketJobProgress {
  overall_completion: number;
  time_elapsed: number;
  estimated_time_remaining?: number;
  entities: SavedProgressData[];
  last_update: string;
  status: SocketProgressStatus;
  milestones?: ProgressMilestone[];
}

/** The seed's database operations for socket messages; every method settles after its write is committed. */
export interface SocketDatabaseOperations {
  createJobFromAssignment(assignment: WebAppJobAssignmentData): Promise<Job>;
  updateJobFromProgress(jobId: string, progress: WebAppProgressUpdate): Promise<Job>;
  saveProgressUpdate(jobId: string, progress: SocketJobProgress): Promise<void>;
  getJobProgress(jobId: string): Promise<SocketJobProgress | null>;
}
