/**
 * The console's one verdict on each connected crawler's liveness, judged on the
 * main process's clock and pushed to the pages when it changes (they never
 * judge it themselves, so no two screens, and no page and the server, disagree).
 */
import type { ConnectionInfo } from '../../shared/connection';
import type { ConsoleEvent } from '../../shared/contract';
import { type Liveness, type LivenessLimits, judgeLiveness } from '../../shared/liveness';

export interface LivenessWatchDeps {
  connections(): readonly ConnectionInfo[];
  limits(): LivenessLimits;
  /** Jobs the console has leased to the crawler (an idle heartbeat does not make a busy crawler idle). */
  heldJobs(crawlerId: string): number;
  now(): number;
  emit(event: ConsoleEvent): void;
}

export class LivenessWatch {
  /** Last verdict sent, per connection id. */
  private readonly sent = new Map<string, string>();

  constructor(private readonly deps: LivenessWatchDeps) {}

  /** The console's clock (pages measure ages against it). */
  time(): number {
    return this.deps.now();
  }

  judge(info: ConnectionInfo): Liveness {
    return judgeLiveness(info, this.deps.now(), this.deps.limits(), this.deps.heldJobs(info.crawler_id));
  }

  /** Judges every connection; sends the verdicts that changed (and forgets closed connections). */
  tick(): void {
    const seen = new Set<string>();
    for (const info of this.deps.connections()) {
      if (info.state === 'closed') continue;
      seen.add(info.connection_id);
      const liveness = this.judge(info);
      // The limits are part of what the page shows ("late after 45 s"): a settings change is news too.
      const key = `${liveness.verdict}|${liveness.late_after_ms}|${liveness.lost_after_ms}`;
      if (this.sent.get(info.connection_id) === key) continue;
      this.sent.set(info.connection_id, key);
      this.deps.emit({ type: 'crawler_liveness', crawler_id: info.crawler_id, connection_id: info.connection_id, liveness });
    }
    for (const id of this.sent.keys()) if (!seen.has(id)) this.sent.delete(id);
  }
}
