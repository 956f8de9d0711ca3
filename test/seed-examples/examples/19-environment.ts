// API reference › Configuration › Environment Variables
// The reference's block is a list of shell variables, not code: this program is
// what it promises — a server built with no arguments, configured by them alone.
// The test runs it with exactly those variables (SOCKET_PATH under a temp dir).
import { SocketServer } from '$lib/server/socket';

const server = new SocketServer();
console.log(JSON.stringify(server.getStatus().config));
