// API reference › Message Types › JobsDiscoveredMessage
// Seed omission: the exported types, DiscoverySummary (named, not written out) and the checks.
import type {
  DiscoveredJob as ExportedJob,
  DiscoverySummary,
  JobsDiscoveredMessage as ExportedMessage,
} from '$lib/server/socket/types';
import type { Same } from '../check';

interface JobsDiscoveredMessage {
  type: 'jobs_discovered';
  timestamp: string;
  job_id: string;  // Required for discovery messages
  data: {
    discovered_jobs: DiscoveredJob[];
    discovery_summary: DiscoverySummary;
  };
}

interface DiscoveredJob {
  job_type: 'discover_namespaces' | 'crawl_user' | 'crawl_group' | 'crawl_project';
  entity_id: string;
  namespace_path: string;
  entity_name: string;
  priority: number;
  estimated_size?: Record<string, number>;
}

// Checks added: the exported types are the seed's.
export const discoveredMessageMatches: Same<ExportedMessage, JobsDiscoveredMessage> = true;
export const discoveredJobMatches: Same<ExportedJob, DiscoveredJob> = true;
