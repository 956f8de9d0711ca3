/** Crawlers the console has seen: identity, connection times, last heartbeat. */
import type Database from 'better-sqlite3';
import type { HeartbeatData } from '../../shared/protocol/crawler-messages';
import { CrawlerSchema, rowDecoder, toJson, type Crawler, type CrawlerStatus } from './records';
import { redactSecrets } from './redact';

/** What is known about a crawler when it connects or says hello. Absent values keep the stored ones. */
export type CrawlerInput = Pick<Crawler, 'id'> &
  Partial<Pick<Crawler, 'name' | 'version' | 'host' | 'pid' | 'spelling' | 'capabilities' | 'max_concurrent_jobs' | 'connected_at'>>;

export interface HeartbeatRow {
  crawler_id: string;
  /** When it arrived; now if absent. */
  at?: number;
  data: HeartbeatData;
}

const decode = rowDecoder(CrawlerSchema, ['capabilities', 'last_heartbeat']);

export class CrawlersRepo {
  private readonly upsertStmt: Database.Statement;
  private readonly disconnectStmt: Database.Statement;
  private readonly disconnectAllStmt: Database.Statement;
  private readonly heartbeatStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly listByStatusStmt: Database.Statement;
  private readonly anonymousStmt: Database.Statement;
  private readonly screenStmt: Database.Statement;
  private readonly prunedStmt: Database.Statement;

  /** Records many heartbeats in one transaction; heartbeats of unknown crawlers are skipped and counted. */
  readonly recordHeartbeats: (rows: readonly HeartbeatRow[]) => { updated: number; skipped: number };

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    const keep = (c: string) => `${c} = coalesce(excluded.${c}, ${c})`;
    this.upsertStmt = db.prepare(`
      INSERT INTO crawlers (id, name, version, host, pid, spelling, capabilities, max_concurrent_jobs, connected_at, status)
      VALUES (@id, @name, @version, @host, @pid, @spelling, @capabilities, @max_concurrent_jobs, @connected_at, 'connected')
      ON CONFLICT (id) DO UPDATE SET
        ${['name', 'version', 'host', 'pid', 'spelling', 'capabilities', 'max_concurrent_jobs'].map(keep).join(', ')},
        connected_at = excluded.connected_at, disconnected_at = NULL, disconnect_reason = NULL, status = 'connected'
      RETURNING *`);
    this.disconnectStmt = db.prepare(
      "UPDATE crawlers SET status = 'disconnected', disconnected_at = @at, disconnect_reason = @reason WHERE id = @id",
    );
    this.disconnectAllStmt = db.prepare(
      "UPDATE crawlers SET status = 'disconnected', disconnected_at = @at, disconnect_reason = @reason WHERE status = 'connected'",
    );
    this.heartbeatStmt = db.prepare(`
      UPDATE crawlers SET last_heartbeat_at = @at, last_heartbeat = @data,
                          total_processed = coalesce(@total_processed, total_processed)
      WHERE id = @crawler_id`);
    this.getStmt = db.prepare('SELECT * FROM crawlers WHERE id = ?');
    const order = "ORDER BY status = 'connected' DESC, coalesce(connected_at, 0) DESC, id";
    this.listStmt = db.prepare(`SELECT * FROM crawlers ${order}`);
    this.listByStatusStmt = db.prepare(`SELECT * FROM crawlers WHERE status = ? ${order}`);
    this.anonymousStmt = db.prepare('UPDATE crawlers SET anonymous = ? WHERE id = ?');
    const ghost = "anonymous = 1 AND status = 'disconnected' AND coalesce(disconnected_at, 0) < @cutoff";
    this.screenStmt = db.prepare(`SELECT *, anonymous AS __anonymous FROM crawlers WHERE NOT (${ghost}) ${order}`);
    this.prunedStmt = db.prepare(`SELECT COUNT(*) AS n FROM crawlers WHERE ${ghost}`);

    this.recordHeartbeats = db.transaction((rows: readonly HeartbeatRow[]) => {
      let updated = 0;
      for (const r of rows) {
        const info = this.heartbeatStmt.run({
          crawler_id: r.crawler_id,
          at: r.at ?? this.now(),
          data: toJson(redactSecrets(r.data)),
          total_processed: r.data.total_processed ?? null,
        });
        updated += info.changes;
      }
      return { updated, skipped: rows.length - updated };
    });
  }

  /** A crawler connected (or said hello): create or update it, marked connected. */
  upsertCrawler(input: CrawlerInput): Crawler {
    return decode(
      this.upsertStmt.get({
        id: input.id,
        name: input.name ?? null,
        version: input.version ?? null,
        host: input.host ?? null,
        pid: input.pid ?? null,
        spelling: input.spelling ?? null,
        capabilities: toJson(input.capabilities),
        max_concurrent_jobs: input.max_concurrent_jobs ?? null,
        connected_at: input.connected_at ?? this.now(),
      }),
    );
  }

  /** False if the crawler is unknown. */
  markDisconnected(id: string, options: { at?: number; reason?: string } = {}): boolean {
    return this.disconnectStmt.run({ id, at: options.at ?? this.now(), reason: options.reason ?? null }).changes === 1;
  }

  /** At start-up: crawlers recorded as connected by a previous run are not connected to this one. */
  markAllDisconnected(reason: string, at: number = this.now()): number {
    return this.disconnectAllStmt.run({ at, reason }).changes;
  }

  recordHeartbeat(row: HeartbeatRow): boolean {
    return this.recordHeartbeats([row]).updated === 1;
  }

  getCrawler(id: string): Crawler | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : decode(row);
  }

  /** Whether the console made this crawler's id up (it never said hello with one). */
  setAnonymous(id: string, anonymous: boolean): void {
    this.anonymousStmt.run(anonymous ? 1 : 0, id);
  }

  /**
   * The crawlers a screen shows: all but anonymous ones disconnected before
   * `anonymousCutoff` (each reconnect of an anonymous crawler is a new id, so
   * they pile up; their history stays stored), and how many were left out.
   */
  listForScreen(anonymousCutoff: number): { crawlers: (Crawler & { anonymous: boolean })[]; pruned: number } {
    const rows = this.screenStmt.all({ cutoff: anonymousCutoff }) as Record<string, unknown>[];
    const crawlers = rows.map((r) => ({ ...decode(r), anonymous: r.__anonymous === 1 }));
    const { n } = this.prunedStmt.get({ cutoff: anonymousCutoff }) as { n: number };
    return { crawlers, pruned: n };
  }

  /** Connected crawlers first, then the most recently connected. */
  listCrawlers(filter: { status?: CrawlerStatus } = {}): Crawler[] {
    const rows = filter.status === undefined ? this.listStmt.all() : this.listByStatusStmt.all(filter.status);
    return rows.map(decode);
  }
}
