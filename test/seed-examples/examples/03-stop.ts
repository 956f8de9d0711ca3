// API reference › SocketServer › stop()
// Seed omission: the constructor example's `server`.
import { server } from './01-constructor';

await server.stop();
console.log('Socket server stopped');
