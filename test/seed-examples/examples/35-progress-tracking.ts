// API reference › Database Integration › Progress Tracking
import { SocketJobProgress, ProgressMilestone } from '$lib/server/socket/types/database';

// Seed omission: the progress repository the example writes to (here in memory).
interface ProgressRow extends Omit<SocketJobProgress, 'milestones'> {
  jobId: string;
  milestones: ProgressMilestone[] | undefined;
}
class ProgressRepository {
  private readonly rows = new Map<string, ProgressRow>();
  async upsert(row: ProgressRow): Promise<void> {
    this.rows.set(row.jobId, row);
  }
  async findByJobId(jobId: string): Promise<ProgressRow | undefined> {
    return this.rows.get(jobId);
  }
}

// Seed error: the two methods stand outside any class; here they are the methods of one (exported for the test).
export class ProgressService {
  private readonly progressRepository = new ProgressRepository();

// Save progress update
async saveProgressUpdate(jobId: string, progress: SocketJobProgress): Promise<void> {
  await this.progressRepository.upsert({
    jobId,
    overall_completion: progress.overall_completion,
    time_elapsed: progress.time_elapsed,
    estimated_time_remaining: progress.estimated_time_remaining,
    entities: progress.entities,
    status: progress.status,
    last_update: progress.last_update,
    milestones: progress.milestones,
  });
}

// Get job progress
async getJobProgress(jobId: string): Promise<SocketJobProgress | null> {
  const progress = await this.progressRepository.findByJobId(jobId);
  return progress ? this.mapToSocketJobProgress(progress) : null;
}

  // Seed omission: the mapping the example calls.
  private mapToSocketJobProgress({ jobId: _jobId, milestones, ...rest }: ProgressRow): SocketJobProgress {
    return milestones ? { ...rest, milestones } : rest;
  }
}
