// API reference › Performance Tuning › Database Performance
// Seed omission: the type's import.
import { SocketServerConfig } from '$lib/server/socket';

// Database connection tuning
// `export` added so the test can start a server with it.
export const config: SocketServerConfig = {
  databaseConnectionPool: 25,             // Based on concurrent jobs + overhead
  queryTimeout: 45000,                    // 45 seconds for complex queries
  transactionTimeout: 120000,             // 2 minutes for bulk operations
  cleanupInterval: 1800000,               // 30 minutes cleanup
};
