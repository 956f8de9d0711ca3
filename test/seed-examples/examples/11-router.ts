// API reference › MessageRouter › Constructor
import { MessageRouter } from '$lib/server/socket/message-router';

// `export` added so the following examples use this router.
export const router = new MessageRouter();
