// API reference › SocketServer › Constructor
import { SocketServer } from '$lib/server/socket';
// Seed omission: the caller's `config` and its type.
import type { SocketServerConfig } from '$lib/server/socket';
import { config } from '../context';

// Seed error: `new SocketServer(config?: Partial<SocketServerConfig>)` is a signature, not a call.
// `export` added so the following examples use this server.
export const server = new SocketServer(config as Partial<SocketServerConfig> | undefined);
