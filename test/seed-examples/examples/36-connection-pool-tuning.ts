// API reference › Performance Tuning › Connection Pool Optimization
// Seed omission: the type's import.
import { SocketServerConfig } from '$lib/server/socket';

// Optimize based on expected load
// `export` added so the test can start a server with it.
export const config: SocketServerConfig = {
  maxConnections: 20,              // Adjust based on crawler instances
  connectionTimeout: 120000,       // 2 minutes for slow networks
  heartbeatInterval: 60000,        // 1 minute for production
  heartbeatTimeout: 180000,        // 3 minutes timeout
};
