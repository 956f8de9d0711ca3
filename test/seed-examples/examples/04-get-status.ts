// API reference › SocketServer › getStatus()
// Seed omission: the constructor example's `server`.
import { server } from './01-constructor';

const status = server.getStatus();
console.log('Server running:', status.isRunning);
console.log('Active connections:', status.activeConnections);
console.log('Uptime:', status.uptime);
