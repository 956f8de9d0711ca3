/**
 * Sort orders kept off the insert path: namespace_path (`job_path_order`,
 * migration 010) and entity_name (`job_name_order`, migration 011).
 *
 * An index on either column cost a discovered job's insert a random page: a
 * crawl lists the projects of many groups interleaved, and names are scattered
 * whatever the listing order (the path index alone was ~43% of an insert). New
 * jobs are therefore ordered later, in chunks, by this step: rows up to the mark
 * `<table>_state.indexed_upto` (a rowid) are in the table, the newer ones are
 * sorted as they are when a list asks (job-list's maintained order), so the
 * order is exact whatever the backlog; only its speed depends on it. Each is
 * filled like the search index (marked-fill), each chunk inserted in key order.
 * A NULL is keyed as the integer 0, which sorts before every text as NULL does.
 */
import type Database from 'better-sqlite3';
import { MarkedFill } from './marked-fill';

/** The columns whose order is kept in a side table, and that table's names. */
export const SORT_ORDERS = {
  namespace_path: { table: 'job_path_order', key: 'path_key', state: 'job_path_order_state' },
  entity_name: { table: 'job_name_order', key: 'name_key', state: 'job_name_order_state' },
} as const;
export type SortOrderColumn = keyof typeof SORT_ORDERS;

export const isSortOrderColumn = (col: string): col is SortOrderColumn => Object.hasOwn(SORT_ORDERS, col);

export class JobSortOrder extends MarkedFill {
  constructor(db: Database.Database, column: SortOrderColumn) {
    const { table, key, state } = SORT_ORDERS[column];
    super(
      db,
      state,
      `INSERT INTO ${table} (${key}, job_rowid)
         SELECT coalesce(${column}, 0), rowid FROM jobs WHERE rowid > ? AND rowid <= ? ORDER BY 1, 2`,
    );
  }
}
