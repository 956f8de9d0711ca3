/**
 * `$lib/server/database`: the seed's app's own database module, which the seed
 * uses (`new DatabaseManager({ connectionString, poolSize })`) but does not
 * document. A stand-in on the console's SQLite store: `connectionString` is the
 * data directory, and progress goes through the store's SocketDatabaseOperations.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFileKeyCipher, openStore, type Store } from '../../../src/main/store';
import type { JobProgressMessage } from '$lib/server/socket/types';

export class DatabaseManager {
  private store: Store | null = null;
  constructor(private readonly options: { connectionString?: string | undefined; poolSize?: number }) {}

  async connect(): Promise<void> {
    const dataDir = this.options.connectionString ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cc-seed-db-'));
    fs.mkdirSync(dataDir, { recursive: true });
    this.store = openStore({ dataDir, cipher: createFileKeyCipher(dataDir) });
  }

  async disconnect(): Promise<void> {
    this.store?.close();
    this.store = null;
  }

  /** Saves a job's progress; a job the store does not know yet is recorded as running. */
  async updateJobProgress(jobId: string, data: JobProgressMessage['data']): Promise<void> {
    const store = this.requireStore();
    if (!store.jobs.getJob(jobId)) store.jobs.insertJob({ id: jobId, job_type: 'crawl_project', status: 'running', origin: 'crawler' });
    await store.socketDatabase.updateJobFromProgress(jobId, {
      progress_data: data.progress,
      overall_completion: data.overall_completion,
      time_elapsed: data.time_elapsed,
      ...(data.estimated_time_remaining !== undefined && { estimated_time_remaining: data.estimated_time_remaining }),
      status: 'running',
    });
  }

  private requireStore(): Store {
    if (!this.store) throw new Error('DatabaseManager is not connected');
    return this.store;
  }
}
