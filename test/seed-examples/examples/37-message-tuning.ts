// API reference › Performance Tuning › Message Processing Optimization
// Seed omission: the type's import.
import { SocketServerConfig } from '$lib/server/socket';

// Configure message handling for performance
// `export` added so the test can start a server with it.
export const config: SocketServerConfig = {
  messageBufferSize: 2 * 1024 * 1024,    // 2MB buffer
  maxMessageSize: 5 * 1024 * 1024,       // 5MB max message
  maxConcurrentJobs: 10,                  // Based on server capacity
  jobQueueSize: 200,                      // Queue size for job assignment
};
