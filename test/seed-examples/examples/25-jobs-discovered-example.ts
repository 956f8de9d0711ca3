// API reference › Message Types › JobsDiscoveredMessage › Example
// Seed omission: the type's import.
import { JobsDiscoveredMessage } from '$lib/server/socket/types';

// `export` added so the test can send it.
export const discovered: JobsDiscoveredMessage = {
  type: 'jobs_discovered',
  timestamp: '2024-01-15T10:30:30Z',
  job_id: 'discovery-job-456',
  data: {
    discovered_jobs: [
      {
        job_type: 'crawl_project',
        entity_id: '1234',
        namespace_path: 'group/subgroup/project',
        entity_name: 'My Project',
        priority: 1,
        estimated_size: {
          issues: 500,
          merge_requests: 200
        }
      }
    ],
    discovery_summary: {
      total_users: 25,
      total_groups: 5,
      total_projects: 15,
      hierarchy_depth: 3
    }
  }
};
