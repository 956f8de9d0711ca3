// API reference › SocketServer › broadcast()
// Seed omission: the constructor example's `server`.
import { server } from './01-constructor';

await server.broadcast({
  type: 'shutdown',
  timestamp: new Date().toISOString(),
  data: {
    graceful: true,
    timeout_seconds: 30,
    reason: 'Server maintenance'
  }
});
