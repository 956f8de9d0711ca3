// API reference › Event System › Connection Events
import { SocketConnection, ConnectionEvent } from '$lib/server/socket/types/connection';
// Seed omission: the `connection` the example listens to.
import { connection as aConnection } from '../context';
const connection: SocketConnection = aConnection;

// Listen to connection events
connection.on('message', (event: ConnectionEvent) => {
  if (event.type === 'message') {
    console.log('Received message:', event.message);
  }
});

connection.on('error', (event: ConnectionEvent) => {
  if (event.type === 'error') {
    console.error('Connection error:', event.error);
  }
});

connection.on('disconnected', (event: ConnectionEvent) => {
  if (event.type === 'disconnected') {
    console.log('Connection disconnected:', event.reason);
  }
});
