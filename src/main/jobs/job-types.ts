/**
 * The crawler spelling names work by task (`areas`, `project`, `group` …) where the
 * documented spelling uses job types (`crawl_project` …). One table maps both ways.
 *
 * `job_response` must speak the crawler's vocabulary: the crawler in the wild turns
 * `areas` into its group-and-project discovery task and has no task called
 * `discover_namespaces`.
 */
import type { JobType } from '../../shared/protocol';

const TASK_OF: Record<JobType, string> = {
  discover_namespaces: 'areas',
  crawl_group: 'group',
  crawl_project: 'project',
  crawl_user: 'user',
};
const JOB_OF = new Map<string, JobType>(Object.entries(TASK_OF).map(([job, task]) => [task, job as JobType]));

/**
 * Finer tasks the crawler names in `job_started`, progress and jobs it reports on its own.
 * The console has no job type of its own for them: they stay as the crawler names them.
 */
export const CRAWLER_ENTITY_TASKS = ['issue', 'merge_request', 'commit', 'branch', 'pipeline', 'release'] as const;
const FINER = new Set<string>(CRAWLER_ENTITY_TASKS);

/** The crawler's task for a console job type (`discover_namespaces` → `areas`), or the type itself when it is none of the four. */
export const entityTypeOf = (jobType: string): string => TASK_OF[jobType as JobType] ?? jobType;

/**
 * The console's job type for whatever a crawler names a task with: a crawler task
 * (`areas`, `group` …), a documented job type, or a finer entity type (kept as sent,
 * like any other text, so it is displayed rather than rejected). `unknown` when absent.
 */
export const jobTypeOf = (taskOrJobType: string | undefined): string => {
  if (!taskOrJobType) return 'unknown';
  if (Object.hasOwn(TASK_OF, taskOrJobType)) return taskOrJobType;
  return JOB_OF.get(taskOrJobType) ?? taskOrJobType;
};

/** True when a crawler names a task the console understands (a job type, a crawler task or a finer entity type). */
export const isKnownTask = (name: string): boolean => Object.hasOwn(TASK_OF, name) || JOB_OF.has(name) || FINER.has(name);

/** The GitLab URL a crawler expects in `job_response` (`gitlabUrl`). */
export const gitlabUrlOf = (host: string): string => (/^https?:\/\//i.test(host) ? host : host ? `https://${host}` : '');
