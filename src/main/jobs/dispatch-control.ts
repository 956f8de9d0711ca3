/**
 * Pause and quiet, as Sidekiq has them: a paused console hands no crawler new
 * work (the queue keeps its jobs; running jobs go on); a quiet crawler
 * finishes what it holds and gets nothing new. Both survive a restart.
 */
import type { DispatchState } from '../../shared/ops';
import type { ConsoleStateRepo } from '../store/console-state-repo';

const PAUSED_KEY = 'dispatch_paused';
const QUIET_KEY = 'quiet_crawlers';

interface Paused {
  at: number;
  reason: string | null;
}

export class DispatchControl {
  private paused: Paused | null;
  private readonly quiet: Map<string, number>;

  constructor(
    private readonly state: ConsoleStateRepo,
    private readonly now: () => number,
  ) {
    this.paused = state.get<Paused>(PAUSED_KEY);
    this.quiet = new Map(Object.entries(state.get<Record<string, number>>(QUIET_KEY) ?? {}));
  }

  /** The guard JobService asks before it hands a crawler work. */
  readonly mayHandOut = (crawlerId: string): boolean => this.paused === null && !this.quiet.has(crawlerId);

  get isPaused(): boolean {
    return this.paused !== null;
  }

  isQuiet(crawlerId: string): boolean {
    return this.quiet.has(crawlerId);
  }

  /** @returns whether anything changed. */
  pause(reason: string | null): boolean {
    if (this.paused) return false;
    this.paused = { at: this.now(), reason };
    this.state.set(PAUSED_KEY, this.paused);
    return true;
  }

  resume(): boolean {
    if (!this.paused) return false;
    this.paused = null;
    this.state.delete(PAUSED_KEY);
    return true;
  }

  setQuiet(crawlerId: string, quiet: boolean): boolean {
    if (quiet === this.quiet.has(crawlerId)) return false;
    if (quiet) this.quiet.set(crawlerId, this.now());
    else this.quiet.delete(crawlerId);
    this.state.set(QUIET_KEY, Object.fromEntries(this.quiet));
    return true;
  }

  snapshot(): DispatchState {
    return {
      paused: this.paused !== null,
      paused_at: this.paused?.at ?? null,
      reason: this.paused?.reason ?? null,
      quiet: [...this.quiet].map(([crawler_id, since]) => ({ crawler_id, since })).sort((a, b) => a.crawler_id.localeCompare(b.crawler_id)),
    };
  }
}
