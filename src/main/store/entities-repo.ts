/** Entities crawlers reported in `discovery` messages (projects, groups, users …), latest sighting wins. */
import type Database from 'better-sqlite3';
import { MAX_LIST_LIMIT } from '../../shared/jobs';
import type { DiscoveryData } from '../../shared/protocol/crawler-messages';
import { DiscoveredEntitySchema, rowDecoder, type DiscoveredEntity } from './records';

export type EntityInput = Pick<DiscoveredEntity, 'entity_type' | 'entity_id' | 'name' | 'path'> &
  Partial<Pick<DiscoveredEntity, 'parent_id' | 'job_id' | 'crawler_id' | 'seen_at'>>;

const decode = rowDecoder(DiscoveredEntitySchema, []);

export class EntitiesRepo {
  private readonly upsertStmt: Database.Statement;
  readonly upsertEntities: (rows: readonly EntityInput[]) => number;

  constructor(
    private readonly db: Database.Database,
    now: () => number,
  ) {
    this.upsertStmt = db.prepare(`
      INSERT INTO discovered_entities (entity_type, entity_id, name, path, parent_id, job_id, crawler_id, seen_at)
      VALUES (@entity_type, @entity_id, @name, @path, @parent_id, @job_id, @crawler_id, @seen_at)
      ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        name = excluded.name, path = excluded.path, parent_id = coalesce(excluded.parent_id, parent_id),
        job_id = coalesce(excluded.job_id, job_id), crawler_id = coalesce(excluded.crawler_id, crawler_id),
        seen_at = excluded.seen_at`);
    this.upsertEntities = db.transaction((rows: readonly EntityInput[]) => {
      const at = now();
      for (const r of rows) {
        this.upsertStmt.run({
          entity_type: r.entity_type,
          entity_id: r.entity_id,
          name: r.name,
          path: r.path,
          parent_id: r.parent_id ?? null,
          job_id: r.job_id ?? null,
          crawler_id: r.crawler_id ?? null,
          seen_at: r.seen_at ?? at,
        });
      }
      return rows.length;
    });
  }

  /** A `discovery` message's entities (internal model). */
  upsertDiscovery(data: DiscoveryData, source: { job_id?: string | null; crawler_id?: string | null; at?: number } = {}): number {
    return this.upsertEntities(
      data.entities.map((e) => ({
        entity_type: data.entity_type,
        entity_id: e.id,
        name: e.name,
        path: e.path,
        parent_id: e.parent_id ?? null,
        job_id: source.job_id ?? null,
        crawler_id: source.crawler_id ?? null,
        ...(source.at !== undefined && { seen_at: source.at }),
      })),
    );
  }

  listEntities(
    query: { entity_type?: string; limit?: number; offset?: number } = {},
  ): { entities: DiscoveredEntity[]; total: number } {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 100)), MAX_LIST_LIMIT);
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const where = query.entity_type === undefined ? '' : 'WHERE entity_type = ?';
    const params = query.entity_type === undefined ? [] : [query.entity_type];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM discovered_entities ${where}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM discovered_entities ${where} ORDER BY path, entity_type, entity_id LIMIT ? OFFSET ?`)
      .all(...params, limit, offset);
    return { entities: rows.map(decode), total };
  }
}
