// API reference › MessageRouter › processMessage()
// Seed omission: the router, the message and the connection the example processes.
import { router } from './11-router';
import { connection, message } from '../context';

const result = await router.processMessage(message, connection);
if (!result.success) {
  console.error('Message processing failed:', result.error);
}
