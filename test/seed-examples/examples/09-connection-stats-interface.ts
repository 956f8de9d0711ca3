// API reference › SocketServer › getConnectionStats() › Returns
// Seed omission: the exported type and the check the declaration is held to.
import type { ConnectionStats as Exported } from '$lib/server/socket';
import type { Same } from '../check';

interface ConnectionStats {
  total: number;
  active: number;
  idle: number;
  error: number;
}

// Check added: the exported ConnectionStats is the seed's.
export const connectionStatsMatches: Same<Exported, ConnectionStats> = true;
