// API reference › Message Types › HeartbeatMessage › Example
// Seed omission: the type's import.
import { HeartbeatMessage } from '$lib/server/socket/types';

// `export` added so the test can send it.
export const heartbeat: HeartbeatMessage = {
  type: 'heartbeat',
  timestamp: '2024-01-15T10:30:00Z',
  data: {
    active_jobs: 2,
    last_activity: '2024-01-15T10:29:45Z',
    system_status: 'crawling'
  }
};
