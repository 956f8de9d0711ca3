// API reference › Message Types › JobAssignmentMessage › Example
// Seed omission: the type's import.
import { JobAssignmentMessage } from '$lib/server/socket/types';

// `export` added so the test can send it.
export const assignment: JobAssignmentMessage = {
  type: 'job_assignment',
  timestamp: '2024-01-15T10:31:00Z',
  data: {
    job_id: 'job-789',
    job_type: 'crawl_project',
    entity_id: '1234',
    namespace_path: 'group/project',
    gitlab_host: 'gitlab.example.com',
    access_token: 'glpat-xxxxxxxxxxxxxxxxxxxx',
    priority: 1,
    resume: false
  }
};
