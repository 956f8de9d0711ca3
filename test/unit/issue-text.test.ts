/**
 * Validation messages are written for a person and name the whole rule with
 * its limits, whichever part of it failed — never zod's raw wording.
 */
import { describe, expect, it } from 'vitest';
import type { ApiError} from '../../src/shared/contract';
import { commands } from '../../src/shared/contract';
import { dispatchCommand } from '../../src/main/core/dispatch';
import type { ConsoleCore } from '../../src/main/core/types';

// A core whose handlers are never reached: validation refuses first.
const core = { commands: new Proxy({}, { get: () => () => Promise.reject(new Error('not reached')) }) } as unknown as Pick<ConsoleCore, 'commands'>;

async function refusal(name: string, input: unknown): Promise<ApiError> {
  try {
    await dispatchCommand(core, name, input);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('accepted');
}
const job = { job_type: 'crawl_project', gitlab_host: 'gitlab.example.com', access_token: 'glpat-0123456789', entity_id: '42' };

describe('validation messages', () => {
  it('name the limits of a number whichever rule failed (too big, too small, not whole, not a number)', async () => {
    for (const priority of [5000, -5000, 1.5, 'high']) {
      const e = await refusal('setJobPriority', { job_id: 'j1', priority });
      expect(e.code).toBe('invalid_input');
      expect(e.message).toBe('Priority is a whole number from −1000 to 1000.');
      expect(e.details).toEqual([{ path: 'priority', message: 'Priority is a whole number from −1000 to 1000.' }]);
      expect(e.message).not.toMatch(/Too big|Too small|expected|Invalid input/);
    }
    expect((await refusal('createJob', { ...job, priority: 1001 })).message).toBe('Priority is a whole number from −1000 to 1000.');
  });

  it('say a required field is required, by its label, and keep a message the schema wrote for people', async () => {
    expect((await refusal('getJob', {})).message).toBe('Job id is required.');
    const e = await refusal('createJob', { ...job, access_token: 'short' });
    expect(e.details).toEqual([{ path: 'access_token', message: 'GitLab token: a GitLab token is at least 8 characters.' }]);
    expect((await refusal('createJob', { ...job, job_type: 'crawl_everything' })).message).toBe(
      'Job type is one of: discover_namespaces, crawl_user, crawl_group, crawl_project.',
    );
  });

  it('check entity ids for their job type: a numeric id or a path of the right shape', async () => {
    const ok = (job_type: string, entity_id: string) => commands.createJob.input.safeParse({ ...job, job_type, entity_id }).success;
    expect(ok('crawl_project', '4100')).toBe(true);
    expect(ok('crawl_project', 'acme/platform/api')).toBe(true);
    expect(ok('crawl_project', 'acme')).toBe(false); // a project path has its namespace
    expect(ok('crawl_group', 'acme/platform')).toBe(true);
    expect(ok('crawl_user', 'grace.hopper')).toBe(true);
    expect(ok('crawl_user', 'a/b')).toBe(false);
    expect(ok('crawl_project', '-3')).toBe(false);
    const e = await refusal('createJob', { ...job, entity_id: 'not a path!' });
    expect(e.details).toEqual([{ path: 'entity_id', message: 'Entity id for a project is its GitLab numeric id or its path, e.g. 4100 or acme/platform/api.' }]);
  });
});
