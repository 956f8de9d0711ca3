import type { Migration } from './types';

const UNFINISHED = `'queued','assigned','running','waiting_credentials'`;
/** What JavaScript's String.prototype.trim removes, in ASCII (SQLite's trim() takes spaces only). */
const WHITESPACE = `' ' || char(9, 10, 11, 12, 13)`;

/**
 * A GitLab host as the entity rules compare it, in SQL: the form credentials are
 * stored and looked up in (normalizeHost in credentials-repo.ts): no scheme, no
 * trailing slash, the host name in lower case, a path kept as written
 * ("https://GitLab.example.com/" and "gitlab.example.com" are one host).
 *
 * Written out here, not generated from normalizeHost: a released migration never
 * changes. Its test holds the two to the same answers. Lower case is ASCII only
 * (SQLite's lower() without ICU), which is all a host name the console accepts has.
 */
export function hostKeySql(expr: string): string {
  const t = `trim(${expr}, ${WHITESPACE})`;
  const sep = `instr(${t}, '://')`;
  // The scheme: a letter, then letters, digits, '+', '.' or '-', up to the first "://".
  const stripped = `CASE WHEN ${sep} > 1 AND substr(${t}, 1, 1) GLOB '[A-Za-z]' AND substr(${t}, 1, ${sep} - 1) NOT GLOB '*[^A-Za-z0-9+.-]*'
    THEN substr(${t}, ${sep} + 3) ELSE ${t} END`;
  const bare = `rtrim(${stripped}, '/')`;
  const slash = `instr(${bare} || '/', '/')`;
  return `(lower(substr(${bare}, 1, ${slash} - 1)) || substr(${bare}, ${slash}))`;
}

/**
 * The discovered-entity rules (migration 012) compare hosts as one host however
 * they are spelled. Before, a discovery under "https://gitlab.example.com" and one
 * under "gitlab.example.com" were two hosts: the second created a job for every
 * entity the first had already queued. Credentials were always looked up this way.
 *
 * Only the two triggers change: no row is rewritten (a million-job store upgrades in
 * milliseconds), and rows written before compare the same way. The key is computed
 * only for the jobs on the same entity (none for a new one, the usual case).
 */
export const migration013HostKey: Migration = {
  version: 13,
  name: 'host_key',
  up: /* sql */ `
    DROP TRIGGER jobs_entity_rules_insert;
    DROP TRIGGER jobs_entity_rules_update;

    CREATE TRIGGER jobs_entity_rules_insert BEFORE INSERT ON jobs
      WHEN new.entity_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM jobs INDEXED BY jobs_entity
        WHERE job_type = new.job_type AND entity_id = new.entity_id
          AND (parent_job_id = new.parent_job_id
               OR (new.origin = 'discovery' AND new.status IN (${UNFINISHED})
                   AND origin = 'discovery' AND status IN (${UNFINISHED})
                   AND ${hostKeySql('gitlab_host')} = ${hostKeySql('new.gitlab_host')})))
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
          AND NOT (old.origin = 'discovery' AND old.status IN (${UNFINISHED})
                   AND ${hostKeySql('old.gitlab_host')} IS ${hostKeySql('new.gitlab_host')}
                   AND old.job_type IS new.job_type AND old.entity_id IS new.entity_id)
          AND EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_entity
                      WHERE job_type = new.job_type AND entity_id = new.entity_id
                        AND origin = 'discovery' AND status IN (${UNFINISHED}) AND rowid <> new.rowid
                        AND ${hostKeySql('gitlab_host')} = ${hostKeySql('new.gitlab_host')})))
    BEGIN
      SELECT RAISE(ABORT, 'duplicate entity: another job of the same parent, or another unfinished discovered job on this host, covers this entity');
    END;
  `,
};
