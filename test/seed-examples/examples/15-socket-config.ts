// API reference › Configuration Management › SOCKET_CONFIG
import { SOCKET_CONFIG } from '$lib/server/socket/config';

console.log('Socket path:', SOCKET_CONFIG.socketPath);
console.log('Max connections:', SOCKET_CONFIG.maxConnections);
console.log('Log level:', SOCKET_CONFIG.logLevel);
