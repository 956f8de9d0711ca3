import type { Migration } from './types';

const UNFINISHED = `'queued','assigned','running','waiting_credentials'`;

/**
 * Ingest at 50,000 discovered jobs a second, continued (issue 14): the two rules
 * that keep a discovery from creating a job twice move from two unique indexes to
 * one plain index and two triggers.
 *
 * - `jobs_discovered_once` (parent_job_id, job_type, entity_id) and
 *   `jobs_discovered_entity_unfinished` (gitlab_host, job_type, entity_id) both
 *   stored (job_type, entity_id) for every discovered job, and both wrote an entry
 *   per insert. A real discovery lists entities in no order of id (groups by
 *   path, projects by activity), so each entry landed on a random leaf: measured
 *   at a million jobs, 75 µs a job against 25 with ascending ids.
 * - `jobs_entity` (job_type, entity_id) holds them once, and both rules are
 *   looked up in it (an entity has one job per host, or a few: the lookups read
 *   one entry, or none for a new entity, the usual case).
 * - The rules themselves are unchanged, and still SQLite's to keep for every
 *   writer: an insert that would break one is skipped when it is a discovered
 *   job (RAISE(IGNORE): a re-sent jobs_discovered inserts nothing, as the unique
 *   indexes' ON CONFLICT DO NOTHING did) and refused otherwise, and so is a change
 *   that would (a retry of a finished job whose entity another unfinished job
 *   covers; an edit of type, entity, host or parent). The refusal's message
 *   starts with DUPLICATE_ENTITY (store/errors.ts).
 * - A change that cannot break a rule skips the lookup: the WHEN clauses test
 *   first whether the row's keys or its standing under the rule changed (most
 *   changes are status moves between unfinished statuses, or to a final one).
 * - `jobs_retention` covers finished jobs only (the only ones retention deletes):
 *   a new job, always unfinished, no longer writes an entry there.
 */
export const migration012EntityRules: Migration = {
  version: 12,
  name: 'entity_rules',
  up: /* sql */ `
    CREATE INDEX jobs_entity ON jobs (job_type, entity_id) WHERE entity_id IS NOT NULL;
    DROP INDEX jobs_discovered_once;
    DROP INDEX jobs_discovered_entity_unfinished;
    DROP INDEX jobs_retention;
    CREATE INDEX jobs_retention ON jobs (status, coalesce(finished_at, updated_at)) WHERE status IN ('completed','failed','cancelled');

    CREATE TRIGGER jobs_entity_rules_insert BEFORE INSERT ON jobs
      WHEN new.entity_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM jobs INDEXED BY jobs_entity
        WHERE job_type = new.job_type AND entity_id = new.entity_id
          AND (parent_job_id = new.parent_job_id
               OR (new.origin = 'discovery' AND new.status IN (${UNFINISHED})
                   AND origin = 'discovery' AND gitlab_host = new.gitlab_host AND status IN (${UNFINISHED}))))
    BEGIN
      SELECT CASE WHEN new.origin = 'discovery' THEN RAISE(IGNORE)
        ELSE RAISE(ABORT, 'duplicate entity: the parent job already has a child job for this entity') END;
    END;

    CREATE TRIGGER jobs_entity_rules_update BEFORE UPDATE OF job_type, entity_id, parent_job_id, gitlab_host, origin, status ON jobs
      WHEN new.entity_id IS NOT NULL AND (
        (new.parent_job_id IS NOT NULL
          AND (old.parent_job_id IS NOT new.parent_job_id OR old.job_type IS NOT new.job_type OR old.entity_id IS NOT new.entity_id)
          AND EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_entity
                      WHERE job_type = new.job_type AND entity_id = new.entity_id AND parent_job_id = new.parent_job_id
                        AND rowid <> new.rowid))
        OR (new.origin = 'discovery' AND new.status IN (${UNFINISHED})
          AND NOT (old.origin = 'discovery' AND old.status IN (${UNFINISHED}) AND old.gitlab_host IS new.gitlab_host
                   AND old.job_type IS new.job_type AND old.entity_id IS new.entity_id)
          AND EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_entity
                      WHERE job_type = new.job_type AND entity_id = new.entity_id AND gitlab_host = new.gitlab_host
                        AND origin = 'discovery' AND status IN (${UNFINISHED}) AND rowid <> new.rowid)))
    BEGIN
      SELECT RAISE(ABORT, 'duplicate entity: another job of the same parent, or another unfinished discovered job on this host, covers this entity');
    END;
  `,
};
