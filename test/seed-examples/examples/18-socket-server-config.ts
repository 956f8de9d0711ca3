// API reference › Configuration › SocketServerConfig
// Seed omission: the exported type and the check the declaration is held to.
import type { SocketServerConfig as Exported } from '$lib/server/socket';
import type { Assignable } from '../check';

interface SocketServerConfig {
  // Connection settings
  socketPath?: string;           // Unix socket path (default: '/tmp/crawler-socket.sock')
  host?: string;                 // TCP host (default: 'localhost')
  port?: number;                 // TCP port (default: 8080)
  backlog?: number;              // Connection backlog (default: 511)
  
  // Security settings
  allowedOrigins?: string[];     // Allowed origins for connections
  maxConnections?: number;       // Maximum concurrent connections (default: 10)
  connectionTimeout?: number;    // Connection timeout in ms (default: 30000)
  
  // Message handling
  messageBufferSize?: number;    // Buffer size in bytes (default: 1MB)
  maxMessageSize?: number;       // Maximum message size in bytes (default: 1MB)
  messageDelimiter?: string;     // Message delimiter (default: '\n')
  
  // Heartbeat and health
  heartbeatInterval?: number;    // Heartbeat interval in ms (default: 30000)
  heartbeatTimeout?: number;     // Heartbeat timeout in ms (default: 90000)
  healthCheckInterval?: number;  // Health check interval in ms (default: 60000)
  
  // Job processing
  maxConcurrentJobs?: number;    // Max concurrent jobs (default: 5)
  jobQueueSize?: number;         // Job queue size (default: 100)
  jobTimeout?: number;           // Job timeout in ms (default: 3600000)
  retryAttempts?: number;        // Retry attempts (default: 3)
  retryDelay?: number;           // Retry delay in ms (default: 5000)
  
  // Logging and monitoring
  logLevel?: 'debug' | 'info' | 'warn' | 'error';  // Log level (default: 'info')
  enableMetrics?: boolean;       // Enable metrics collection (default: true)
  metricsInterval?: number;      // Metrics collection interval in ms (default: 60000)
  
  // Database settings
  databaseConnectionPool?: number;  // DB connection pool size (default: 10)
  queryTimeout?: number;         // DB query timeout in ms (default: 30000)
  transactionTimeout?: number;   // DB transaction timeout in ms (default: 60000)
  
  // Cleanup settings
  cleanupInterval?: number;      // Cleanup interval in ms (default: 3600000)
  maxJobAge?: number;           // Max job age in ms (default: 7 days)
  maxErrorLogAge?: number;      // Max error log age in ms (default: 30 days)
}

// Checks added: every option of the seed's interface is an option of the exported one, with the seed's type.
export const seedConfigIsAccepted: Assignable<SocketServerConfig, Exported> = true;
export const everySeedOptionExists: Assignable<keyof SocketServerConfig, keyof Exported> = true;
export const seedOptionsAreOptional: Assignable<{}, Exported> = true;
