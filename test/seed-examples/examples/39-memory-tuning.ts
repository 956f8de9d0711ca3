// API reference › Performance Tuning › Memory Management
// Seed omission: the type's import.
import { SocketServerConfig } from '$lib/server/socket';

// Memory optimization settings
// `export` added so the test can start a server with it.
export const config: SocketServerConfig = {
  maxJobAge: 3 * 24 * 60 * 60 * 1000,    // 3 days job retention
  maxErrorLogAge: 7 * 24 * 60 * 60 * 1000, // 7 days error retention
  metricsInterval: 300000,                // 5 minutes metrics collection
};
