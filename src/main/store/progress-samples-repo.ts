/**
 * A job's progress over time (table job_progress_samples, migration 007).
 * The sampler decides what is kept; this repo only writes, thins and reads.
 */
import type Database from 'better-sqlite3';
import type { ProgressSample } from '../../shared/power-views';

export interface SampleRow {
  job_id: string;
  at: number;
  completion: number | null;
  processed: number;
}

export class ProgressSamplesRepo {
  private readonly insertStmt: Database.Statement;
  private readonly thinStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly countStmt: Database.Statement;
  private readonly insertMany: (rows: readonly SampleRow[]) => void;

  constructor(private readonly db: Database.Database) {
    // A job deleted meanwhile (retention, a bulk delete) gets no sample: the foreign key would refuse it.
    this.insertStmt = db.prepare(
      `INSERT OR REPLACE INTO job_progress_samples (job_id, at, completion, processed)
       SELECT @job_id, @at, @completion, @processed WHERE EXISTS (SELECT 1 FROM jobs WHERE id = @job_id)`,
    );
    // Every second sample goes, the last one stays: the series keeps its shape at half the points.
    this.thinStmt = db.prepare(
      `DELETE FROM job_progress_samples WHERE job_id = @job_id AND at IN (
         SELECT at FROM (
           SELECT at, row_number() OVER (ORDER BY at) AS n, count(*) OVER () AS c FROM job_progress_samples WHERE job_id = @job_id
         ) WHERE n % 2 = 0 AND n < c)`,
    );
    this.listStmt = db.prepare('SELECT at, completion, processed FROM job_progress_samples WHERE job_id = ? ORDER BY at');
    this.countStmt = db.prepare('SELECT count(*) FROM job_progress_samples WHERE job_id = ?').pluck();
    this.insertMany = db.transaction((rows: readonly SampleRow[]) => {
      for (const r of rows) this.insertStmt.run(r);
    });
  }

  /** Writes samples in one transaction. */
  insert(rows: readonly SampleRow[]): void {
    if (rows.length > 0) this.insertMany(rows);
  }

  /** Halves a job's series (keeping its last sample). @returns the samples left. */
  thin(jobId: string): number {
    this.thinStmt.run({ job_id: jobId });
    return this.count(jobId);
  }

  count(jobId: string): number {
    return this.countStmt.get(jobId) as number;
  }

  /** A job's series, oldest first. */
  list(jobId: string): ProgressSample[] {
    return this.listStmt.all(jobId) as ProgressSample[];
  }
}
