/**
 * The namespace_path sort order (`job_path_order`, migration 010), filled off
 * the insert path.
 *
 * An index on namespace_path cost ~43% of a discovered job's insert: a crawl's
 * paths interleave groups, so every entry lands at a random place. New jobs are
 * therefore ordered later, in chunks, by this step: rows up to the mark
 * `job_path_order_state.indexed_upto` (a rowid) are in the table, the newer ones
 * are sorted as they are when a list asks (job-list's path order), so the order
 * is exact whatever the backlog; only its speed depends on it. It is filled like
 * the search index (marked-fill), each chunk inserted in key order.
 */
import type Database from 'better-sqlite3';
import { MarkedFill } from './marked-fill';

export class JobPathOrder extends MarkedFill {
  constructor(db: Database.Database) {
    super(
      db,
      'job_path_order_state',
      `INSERT INTO job_path_order (path_key, job_rowid)
         SELECT coalesce(namespace_path, 0), rowid FROM jobs WHERE rowid > ? AND rowid <= ? ORDER BY 1, 2`,
    );
  }
}
