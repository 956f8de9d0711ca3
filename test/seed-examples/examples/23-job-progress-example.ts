// API reference › Message Types › JobProgressMessage › Example
// Seed omission: the type's import.
import { JobProgressMessage } from '$lib/server/socket/types';

// `export` added so the test can send it.
export const progress: JobProgressMessage = {
  type: 'job_progress',
  timestamp: '2024-01-15T10:30:15Z',
  job_id: 'job-123',
  data: {
    progress: [
      {
        entity_type: 'projects',
        total_discovered: 150,
        total_processed: 45,
        current_page: 5,
        items_per_page: 10
      },
      {
        entity_type: 'issues',
        total_discovered: 1200,
        total_processed: 350
      }
    ],
    overall_completion: 0.35,
    time_elapsed: 45000,
    estimated_time_remaining: 90000
  }
};
