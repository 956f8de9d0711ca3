// API reference › Message Types › JobProgressMessage
// Seed omission: the exported types and the check the declarations are held to.
import type { JobProgressMessage as ExportedMessage, ProgressData as ExportedData } from '$lib/server/socket/types';
import type { Same } from '../check';

interface JobProgressMessage {
  type: 'job_progress';
  timestamp: string;
  job_id: string;
  data: {
    progress: ProgressData[];
    overall_completion: number;     // 0-1
    time_elapsed: number;          // milliseconds
    estimated_time_remaining?: number;  // milliseconds
  };
}

interface ProgressData {
  entity_type: string;
  total_discovered: number;
  total_processed: number;
  current_page?: number;
  items_per_page?: number;
  sub_collection?: string;
  estimated_remaining?: number;
}

// Checks added: the exported types are the seed's.
export const progressMessageMatches: Same<ExportedMessage, JobProgressMessage> = true;
export const progressDataMatches: Same<ExportedData, ProgressData> = true;
