/**
 * The crawler spelling names work by entity type (`project`, `group` …) where the
 * documented spelling uses job types (`crawl_project` …). One table maps both ways.
 */
import type { JobType } from '../../shared/protocol';

const ENTITY_OF: Record<JobType, string> = {
  crawl_project: 'project',
  crawl_group: 'group',
  crawl_user: 'user',
  discover_namespaces: 'discover_namespaces',
};
const JOB_OF = new Map<string, JobType>(Object.entries(ENTITY_OF).map(([job, entity]) => [entity, job as JobType]));

export const entityTypeOf = (jobType: string): string => ENTITY_OF[jobType as JobType] ?? jobType;

/** The job type for a crawler's entity type, or the text itself when it names none (shown as sent). */
export const jobTypeOf = (entityTypeOrJobType: string | undefined): string => {
  if (!entityTypeOrJobType) return 'unknown';
  if (Object.hasOwn(ENTITY_OF, entityTypeOrJobType)) return entityTypeOrJobType;
  return JOB_OF.get(entityTypeOrJobType) ?? entityTypeOrJobType;
};


/** The GitLab URL a crawler expects in `job_response` (`gitlabUrl`). */
export const gitlabUrlOf = (host: string): string => (/^https?:\/\//i.test(host) ? host : host ? `https://${host}` : '');
