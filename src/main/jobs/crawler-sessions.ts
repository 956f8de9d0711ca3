/**
 * Crawler sessions: which connection is which crawler, what the console
 * remembers of it, whether it is stopping, and the guarantee that no job stays
 * leased to an id with no connection (the orphan sweep). It decides which
 * crawlers lose their jobs; JobService requeues them.
 */
import type { HeartbeatRow } from '../store/crawlers-repo';
import type { SocketConnection } from '../socket/connection/socket-connection';
import type { CrawlerMessageOf } from '../../shared/protocol';
import type { JobContext } from './job-context';

/** What the job service needs of the socket server (bound after both exist). */
export interface ConnectionDirectory {
  getConnection(crawlerId: string): SocketConnection | undefined;
  /** Crawler ids with an open, authenticated connection. */
  connectedCrawlerIds(): string[];
}

/** Crawlers whose jobs go back to the queue, and why. */
export interface HolderLoss {
  crawlerId: string;
  reason: string;
  /** It was stopping and left without being lost: handing back is no failure. */
  stopped: boolean;
}

/** How long past its grace time a stopping crawler is still taken at its word. */
const STOPPING_MARGIN_MS = 5_000;

export class CrawlerSessions {
  private directory: ConnectionDirectory | null = null;
  /** Until then, jobs held by crawlers that have not reconnected since a restart stay theirs. */
  private recoveryDeadline = 0;
  /** Crawler ids holding jobs with no connection, since when (the orphan sweep). */
  private readonly orphanSince = new Map<string, number>();
  /**
   * Crawlers stopping (asked by the operator, or saying so), until when: the jobs they hand back are
   * requeued without spending an attempt, and they get no new work. One that outstays its grace time
   * without leaving is treated as working again.
   */
  private readonly stoppingUntil = new Map<string, number>();
  /** Stopping crawlers that have begun handing jobs back: they are given no new work. */
  private readonly handingBack = new Set<string>();
  /**
   * A crawler is remembered once it says something: a connection that says
   * hello first is stored under its own id, never under the generated one.
   */
  private readonly remembered = new WeakSet<SocketConnection>();
  /** The latest heartbeat per crawler, written in one batch by flushHeartbeats. */
  private heartbeats = new Map<string, HeartbeatRow>();

  constructor(private readonly ctx: JobContext) {}

  /** Binds the socket server: no crawler is connected yet. */
  attach(directory: ConnectionDirectory): void {
    this.directory = directory;
    this.ctx.store.crawlers.markAllDisconnected('console restarted');
  }

  /** After a crash, crawlers get one heartbeat timeout to reconnect and keep their jobs. */
  startRecovery(): void {
    this.recoveryDeadline = this.ctx.now() + this.ctx.config().heartbeatTimeout;
  }

  getConnection(crawlerId: string): SocketConnection | undefined {
    return this.directory?.getConnection(crawlerId);
  }

  connectedCrawlerIds(): string[] {
    return this.directory?.connectedCrawlerIds() ?? [];
  }

  remember(c: SocketConnection): void {
    if (this.remembered.has(c)) return;
    this.remembered.add(c);
    this.ctx.store.crawlers.upsertCrawler({ id: c.crawlerId, spelling: c.spelling, connected_at: c.connectedAt });
    this.ctx.store.crawlers.setAnonymous(c.crawlerId, madeUpId(c));
  }

  heartbeat(c: SocketConnection, m: CrawlerMessageOf<'heartbeat'>): void {
    this.remember(c);
    this.heartbeats.set(c.crawlerId, { crawler_id: c.crawlerId, at: this.ctx.now(), data: m.data });
  }

  flushHeartbeats(): void {
    if (this.heartbeats.size === 0) return;
    const rows = [...this.heartbeats.values()];
    this.heartbeats = new Map();
    this.ctx.store.crawlers.recordHeartbeats(rows);
  }

  /** A crawler said hello (or again): stored with what it told; the jobs of its previous id go with it. */
  identified(c: SocketConnection, previousId?: string): void {
    this.remembered.add(c);
    if (previousId) this.rekey(previousId, c.crawlerId);
    this.stoppingUntil.delete(c.crawlerId); // back after a shutdown: it takes work again
    this.handingBack.delete(c.crawlerId);
    const m = c.metadata;
    this.ctx.store.crawlers.upsertCrawler({
      id: c.crawlerId,
      name: m.name ?? null,
      version: m.version ?? null,
      host: m.host ?? null,
      pid: m.pid ?? null,
      spelling: c.spelling,
      capabilities: m.capabilities ?? null,
      max_concurrent_jobs: m.maxConcurrentJobs ?? null,
      connected_at: c.connectedAt,
    });
    this.ctx.store.crawlers.setAnonymous(c.crawlerId, madeUpId(c));
  }

  /** A connection's crawler id changed (a hello after progress, or a second hello): the jobs it holds go with it. */
  private rekey(from: string, to: string): void {
    this.ctx.flush();
    for (const job of this.ctx.store.jobs.jobsLeasedTo(from)) {
      this.ctx.ledger.change(job.id, 'rekey', { leased_to: to }, { crawler_id: to, reason: `its crawler now calls itself ${to} (was ${from})` }, [job.status]);
    }
  }

  /**
   * A connection closed. Null when its jobs stay (the crawler reconnected under the
   * same id, or never said anything); else the loss to requeue.
   */
  disconnected(c: SocketConnection, reason: string, lost: boolean): HolderLoss | null {
    this.ctx.flush();
    // A crawler that reconnected (same id, new connection) keeps its jobs.
    if (this.getConnection(c.crawlerId)) return null;
    const stopped = this.isStopping(c.crawlerId) && !lost;
    this.stoppingUntil.delete(c.crawlerId);
    this.handingBack.delete(c.crawlerId);
    if (!this.remembered.has(c)) return null; // never said anything: nothing to record or requeue
    // The spelling is known only once the crawler has sent something in it (hello is the same in both).
    this.ctx.store.crawlers.upsertCrawler({ id: c.crawlerId, spelling: c.spelling });
    this.ctx.store.crawlers.markDisconnected(c.crawlerId, { reason });
    const why = lost ? `crawler ${c.crawlerId} lost: ${reason}` : `crawler ${c.crawlerId} disconnected: ${reason}`;
    return { crawlerId: c.crawlerId, reason: why, stopped };
  }

  // ─────────────────────────── stopping ───────────────────────────

  isStopping(crawlerId: string): boolean {
    const until = this.stoppingUntil.get(crawlerId);
    if (until === undefined) return false;
    if (until >= this.ctx.now()) return true;
    this.stoppingUntil.delete(crawlerId);
    return false;
  }

  /** The operator sent `shutdown` with this grace time to these crawlers (all connected ones when omitted). */
  shutdownSent(graceMs: number, crawlerIds: readonly string[] = this.connectedCrawlerIds()): void {
    const until = this.ctx.now() + graceMs + STOPPING_MARGIN_MS;
    for (const id of crawlerIds) this.stoppingUntil.set(id, until);
  }

  /** The crawler hands a job back (stopping, or saying it was interrupted): it takes no new work for now. */
  handsBack(crawlerId: string): void {
    if (!this.isStopping(crawlerId)) this.stoppingUntil.set(crawlerId, this.ctx.now() + STOPPING_MARGIN_MS);
    this.handingBack.add(crawlerId);
  }

  /** A crawler handing work back takes none. */
  takesNoWork(crawlerId: string): boolean {
    return this.handingBack.has(crawlerId) && this.isStopping(crawlerId);
  }

  // ─────────────────────────── the orphan sweep ───────────────────────────

  /**
   * The sweep behind "no job is leased to an id with no connection": a holder
   * without a connection for longer than heartbeatTimeout loses its jobs to the
   * queue, with the reason. (Disconnects requeue at once; this catches whatever
   * slips past them, e.g. an id that changed under a job.)
   */
  orphans(now: number): HolderLoss[] {
    if (this.recoveryDeadline || !this.directory) return []; // after a restart, crawlers first get their time to reconnect
    const connected = new Set(this.directory.connectedCrawlerIds());
    const holders = new Set<string>();
    for (const h of this.ctx.ledger.held.values()) if (h.crawler && !connected.has(h.crawler)) holders.add(h.crawler);
    for (const id of this.orphanSince.keys()) if (!holders.has(id)) this.orphanSince.delete(id);
    const limit = this.ctx.config().heartbeatTimeout;
    const out: HolderLoss[] = [];
    for (const id of holders) {
      const since = this.orphanSince.get(id);
      if (since === undefined) this.orphanSince.set(id, now);
      else if (now - since > limit) {
        this.orphanSince.delete(id);
        out.push({ crawlerId: id, reason: `crawler ${id} holds jobs but has had no connection for more than the heartbeat timeout (${limit} ms)`, stopped: false });
      }
    }
    return out;
  }

  /** Once the restart's grace time is over: the holders that did not come back. */
  notReconnected(now: number): HolderLoss[] {
    if (!this.recoveryDeadline || now < this.recoveryDeadline) return [];
    this.recoveryDeadline = 0;
    const connected = new Set(this.connectedCrawlerIds());
    const orphaned = new Set<string>();
    for (const [, h] of this.ctx.ledger.held) if (h.crawler && !connected.has(h.crawler)) orphaned.add(h.crawler);
    return [...orphaned].map((crawler) => ({
      crawlerId: crawler,
      reason: `crawler ${crawler} did not reconnect within the heartbeat timeout after the console restarted`,
      stopped: false,
    }));
  }
}

/** The socket layer names a connection `crawler-<first 8 of its uuid>` until the crawler gives an id in hello. */
const madeUpId = (c: SocketConnection): boolean => c.crawlerId === `crawler-${c.id.slice(0, 8)}`;
