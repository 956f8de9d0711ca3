/**
 * Whether the console can write: its database and its log. A full or
 * read-only disk degrades the console instead of crashing or hanging it —
 * writes are refused with one clear sentence, `getStatus` reports it, and it
 * recovers by itself when the disk does (a small probe write tells, since a
 * console that refuses writes would otherwise never try one).
 */
import type { ConsoleCommandHandlers } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import type { Logger } from '../observability/logger';
import { logHealth } from '../observability/logger';
import type { Store } from '../store';
import { isStorageFailure, storageFailureSentence } from '../store/storage-failure';

export interface StorageProblem {
  part: 'database' | 'log';
  message: string;
  since: number;
}

export class StorageHealth {
  private database: StorageProblem | null = null;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Notes a write the database refused; true when `err` is such a failure (not a bug or bad input). */
  databaseFailed(err: unknown): boolean {
    if (!isStorageFailure(err)) return false;
    const message = storageFailureSentence(err);
    if (this.database?.message !== message) {
      this.database = { part: 'database', message, since: this.database?.since ?? this.now() };
      this.logger.error({ err }, message);
    }
    return true;
  }

  /** While degraded: tries a tiny write, and clears the problem when it succeeds. */
  probe(): void {
    if (!this.database) return;
    try {
      this.store.probeWrite(this.now());
      this.logger.info({ since: this.database.since }, 'the database accepts writes again');
      this.database = null;
    } catch (err) {
      if (!this.databaseFailed(err)) throw err;
    }
  }

  get problems(): StorageProblem[] {
    const out: StorageProblem[] = [];
    if (this.database) out.push({ ...this.database });
    const log = logHealth(this.logger);
    if (log?.error) {
      out.push({
        part: 'log',
        message: `The console cannot write its log file (${log.error}); it keeps running and logs again when the disk has room${log.dropped ? ` (${log.dropped} lines dropped so far)` : ''}.`,
        since: log.since ?? this.now(),
      });
    }
    return out;
  }

  /** The commands, with a storage failure turned into `unavailable` and one sentence instead of `internal`. */
  guardCommands(commands: ConsoleCommandHandlers): ConsoleCommandHandlers {
    const guarded: Record<string, unknown> = {};
    for (const [name, handler] of Object.entries(commands) as [string, (input: unknown) => Promise<unknown>][]) {
      guarded[name] = async (input: unknown) => {
        try {
          return await handler(input);
        } catch (err) {
          if (this.databaseFailed(err)) throw new ApiError('unavailable', storageFailureSentence(err));
          throw err;
        }
      };
    }
    return guarded as unknown as ConsoleCommandHandlers;
  }
}
