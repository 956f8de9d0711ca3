// API reference › SocketServer › getConnectionStats()
// Seed omission: the constructor example's `server`.
import { server } from './01-constructor';

const stats = server.getConnectionStats();
console.log('Total connections:', stats.total);
console.log('Active connections:', stats.active);
console.log('Idle connections:', stats.idle);
console.log('Error connections:', stats.error);
