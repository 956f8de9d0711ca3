// API reference › SocketServer › start()
// Seed omission: the constructor example's `server`.
import { server } from './01-constructor';

await server.start();
console.log('Socket server is running');
