/**
 * Every crawler → console message type as it appears on the wire, in both
 * spellings, written by hand from PROTOCOL.md (not produced by the encoder, so
 * encoder and decoder cannot share a mistake unnoticed).
 */
export const T = '2024-01-15T10:30:00Z';

export const documented = {
  heartbeat: { type: 'heartbeat', timestamp: T, data: { active_jobs: 2, last_activity: '2024-01-15T10:29:45Z', system_status: 'crawling' } },
  job_started: { type: 'job_started', timestamp: T, job_id: 'job-1', data: { job_type: 'crawl_project', entity_id: '1234', namespace_path: 'group/project' } },
  job_progress: {
    type: 'job_progress',
    timestamp: T,
    job_id: 'job-1',
    data: {
      progress: [
        { entity_type: 'projects', total_discovered: 150, total_processed: 45, current_page: 5, items_per_page: 10 },
        { entity_type: 'issues', total_discovered: 1200, total_processed: 350 },
      ],
      overall_completion: 0.35,
      time_elapsed: 45000,
      estimated_time_remaining: 90000,
    },
  },
  job_completed: { type: 'job_completed', timestamp: T, job_id: 'job-1', data: { success: true, final_counts: { issues: 1200 }, output_files: ['out/issues.jsonl'], summary: 'done' } },
  job_failed: {
    type: 'job_failed',
    timestamp: T,
    job_id: 'job-1',
    data: { error_message: 'HTTP 500 from GitLab', error_type: 'http', is_recoverable: true, resume_state: { last_entity_id: '99', current_page: 3, entity_type: 'issues' }, partial_counts: { issues: 300 } },
  },
  jobs_discovered: {
    type: 'jobs_discovered',
    timestamp: T,
    job_id: 'discovery-job-456',
    data: {
      discovered_jobs: [
        { job_type: 'crawl_project', entity_id: '1234', namespace_path: 'group/subgroup/project', entity_name: 'My Project', priority: 1, estimated_size: { issues: 500, merge_requests: 200 } },
      ],
      discovery_summary: { total_users: 25, total_groups: 5, total_projects: 15, hierarchy_depth: 3 },
    },
  },
  token_refresh_request: { type: 'token_refresh_request', timestamp: T, job_id: 'job-1', data: { current_token_expired: true, last_successful_request: T, error_details: '401' } },
  job_request: { type: 'job_request', timestamp: T, data: {} },
  hello: { type: 'hello', timestamp: T, data: { crawler_id: 'crawler-doc', name: 'doc crawler', version: '1.2.3', max_concurrent_jobs: 3, capabilities: ['crawl_project'] } },
} as const;

export const crawler = {
  heartbeat: { type: 'heartbeat', timestamp: T, data: { activeJobs: 1, totalProcessed: 500, systemStatus: 'processing', memoryUsage: { rss: 123 }, uptime: 3600 } },
  job_started: { type: 'job_started', timestamp: T, jobId: 'job-2', data: { entityType: 'project', entityId: '42' } },
  job_progress: {
    type: 'job_progress',
    timestamp: T,
    jobId: 'job-2',
    data: {
      stage: 'fetching',
      entityType: 'issue',
      processed: 40,
      total: 100,
      message: 'page 4',
      resumeState: { lastEntityId: '77', currentPage: 4, entityType: 'issue' },
      itemCounts: { issue: 40 },
      processingRate: 12.5,
      estimatedTimeRemaining: 4800,
    },
  },
  job_completed: { type: 'job_completed', timestamp: T, jobId: 'job-2', data: { success: true, finalCounts: { issue: 100 }, message: 'ok', outputFiles: ['a.jsonl'] } },
  job_failed: {
    type: 'job_failed',
    timestamp: T,
    jobId: 'job-2',
    data: { error: 'rate limited', errorType: 'rate_limit', isRecoverable: true, resumeState: { lastEntityId: '10', currentPage: 2 }, partialCounts: { issue: 20 }, stackTrace: 'at x', retryCount: 1 },
  },
  jobs_discovered: {
    type: 'jobs_discovered',
    timestamp: T,
    jobId: 'job-2',
    data: {
      discovered_jobs: [{ job_type: 'crawl_group', entity_id: '7', namespace_path: 'g', entity_name: 'G', priority: 2 }],
      discovery_summary: { total_groups: 1 },
    },
  },
  token_refresh_request: { type: 'token_refresh_request', timestamp: T, jobId: 'job-2', data: { current_token_expired: true } },
  job_request: { type: 'job_request', timestamp: T, data: { max_jobs: 2 } },
  discovery: { type: 'discovery', timestamp: T, jobId: 'job-2', data: { entityType: 'group', entities: [{ id: 7, name: 'G', path: 'g' }, { id: '8', name: 'H', path: 'g/h', parentId: '7' }] } },
} as const;
