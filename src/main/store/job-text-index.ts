/**
 * The trigram search index (`jobs_text`), filled off the insert path (marked-fill):
 * inserting a row into an FTS5 trigram index costs more than the row itself. Rows up
 * to the mark `jobs_text_state.indexed_upto` are in the index; searches test the rows
 * above it by their LIKE alone (job-list's filterWhere), so results are exact
 * whatever the backlog; only their speed depends on it.
 */
import type Database from 'better-sqlite3';
import { MarkedFill } from './marked-fill';

export class JobTextIndex extends MarkedFill {
  constructor(db: Database.Database) {
    super(
      db,
      'jobs_text_state',
      `INSERT INTO jobs_text (rowid, body)
         SELECT rowid, concat_ws(char(31), id, entity_id, namespace_path, entity_name) FROM jobs
         WHERE rowid > ? AND rowid <= ?`,
    );
  }
}
