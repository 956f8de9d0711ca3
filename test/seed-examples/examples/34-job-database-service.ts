// API reference › Database Integration › Job Operations
import { SocketDatabaseOperations } from '$lib/server/socket/types/database';
// Seed omission: the types the example uses.
import { Job, JobStatus, SocketJobProgress, WebAppJobAssignmentData, WebAppProgressUpdate } from '$lib/server/socket/types/database';

// Seed omission: the app's job repository the example writes to (here in memory).
class JobRepository {
  readonly jobs = new Map<string, Job>();
  async create(job: Job): Promise<Job> {
    this.jobs.set(job.id, job);
    return job;
  }
  async update(jobId: string, data: Partial<Job>): Promise<Job> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    const updated = { ...job, ...data };
    this.jobs.set(jobId, updated);
    return updated;
  }
}

// Example implementation
// `export` added so the test can use it.
export class JobDatabaseService implements SocketDatabaseOperations {
  async createJobFromAssignment(assignment: WebAppJobAssignmentData): Promise<Job> {
    const job: Job = {
      id: assignment.web_app_job_id,
      accountId: assignment.account_id,
      command: this.mapJobTypeToCommand(assignment.job_type),
      status: JobStatus.queued,
      created_at: new Date(),
      provider: assignment.provider,
      userId: assignment.user_id,
      // ... other fields
    };

    // Insert into database
    return await this.jobRepository.create(job);
  }

  async updateJobFromProgress(jobId: string, progress: WebAppProgressUpdate): Promise<Job> {
    const updateData = {
      progress: {
        overall_completion: progress.overall_completion,
        time_elapsed: progress.time_elapsed,
        entities: progress.progress_data,
        last_update: progress.last_update,
      },
      status: this.mapProgressStatusToJobStatus(progress.status),
      updated_at: new Date(),
    };

    return await this.jobRepository.update(jobId, updateData);
  }

  // ... implement other required methods
  // Seed omission: the other required methods, the repository and the two mappings the example calls.
  readonly jobRepository = new JobRepository();
  private readonly progress = new Map<string, SocketJobProgress>();
  async saveProgressUpdate(jobId: string, progress: SocketJobProgress): Promise<void> {
    this.progress.set(jobId, progress);
  }
  async getJobProgress(jobId: string): Promise<SocketJobProgress | null> {
    return this.progress.get(jobId) ?? null;
  }
  private mapJobTypeToCommand(jobType: WebAppJobAssignmentData['job_type']): Job['command'] {
    return jobType;
  }
  private mapProgressStatusToJobStatus(status: WebAppProgressUpdate['status']): JobStatus {
    return status === 'completed' ? JobStatus.completed : status === 'failed' ? JobStatus.failed : status === 'paused' ? JobStatus.queued : JobStatus.running;
  }
}
