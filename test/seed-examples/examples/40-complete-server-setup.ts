// API reference › Code Examples › Complete Server Setup
// Run as its own program (see seed-examples.test.ts): it starts at import and exits on SIGTERM.
import { SocketServer } from '$lib/server/socket';
import { createDefaultRouter } from '$lib/server/socket/message-router';
import { DatabaseManager } from '$lib/server/database';
// Seed omission: the handlers and middleware it registers (CustomProgressHandler and
// AuthenticationMiddleware are the reference's own examples; DiscoveryHandler it never writes).
import { CustomProgressHandler } from './41-custom-progress-handler';
import { DiscoveryHandler } from '../lib/discovery-handler';
import { AuthenticationMiddleware } from './13-authentication-middleware';

async function setupSocketServer() {
  // Initialize database
  const dbManager = new DatabaseManager({
    connectionString: process.env.DATABASE_URL,
    poolSize: 20,
  });
  await dbManager.connect();

  // Create socket server with custom configuration
  const socketServer = new SocketServer({
    socketPath: process.env.SOCKET_PATH || '/tmp/crawler.sock',
    maxConnections: parseInt(process.env.MAX_CONNECTIONS || '10'),
    logLevel: (process.env.LOG_LEVEL as any) || 'info',
    heartbeatInterval: 60000,
    enableMetrics: true,
  });

  // Set up message routing
  const router = createDefaultRouter();
  
  // Add custom handlers
  router.registerHandler('job_progress', new CustomProgressHandler(dbManager));
  router.registerHandler('jobs_discovered', new DiscoveryHandler(dbManager));

  // Add authentication middleware
  router.addMiddleware(new AuthenticationMiddleware());
  
  // Start server
  await socketServer.start();
  console.log('Socket server started successfully');

  // Graceful shutdown
  process.on('SIGTERM', async () => {
    console.log('Shutting down socket server...');
    await socketServer.stop();
    await dbManager.disconnect();
    process.exit(0);
  });

  return socketServer;
}

// Start the server
setupSocketServer().catch(console.error);
