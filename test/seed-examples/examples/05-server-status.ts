// API reference › SocketServer › getStatus() › Returns
// Seed omission: the types the declaration names, and the check it is held to.
import type { ServerStatus as Exported, SocketServerConfig } from '$lib/server/socket';
import type { Assignable } from '../check';

interface ServerStatus {
  isRunning: boolean;
  connections: number;
  activeConnections: number;
  uptime: number;
  config: SocketServerConfig;
}

// Check added: what getStatus() returns is the seed's ServerStatus.
export const serverStatusMatches: Assignable<Exported, ServerStatus> = true;
