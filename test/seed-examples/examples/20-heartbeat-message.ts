// API reference › Message Types › HeartbeatMessage
// Seed omission: the exported type and the check the declaration is held to.
import type { HeartbeatMessage as Exported } from '$lib/server/socket/types';
import type { Same } from '../check';

interface HeartbeatMessage {
  type: 'heartbeat';
  timestamp: string;
  job_id?: string;
  data: {
    active_jobs: number;
    last_activity: string;
    system_status: 'idle' | 'discovering' | 'crawling' | 'error';
  };
}

// Check added: the exported HeartbeatMessage is the seed's.
export const heartbeatMatches: Same<Exported, HeartbeatMessage> = true;
