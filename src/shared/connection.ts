import { z } from 'zod';
import { SpellingSchema } from './protocol/common';

/**
 * A crawler connection's state: `connecting` until it has sent a valid message
 * (or, over TCP, until its hello is authenticated); `active` while it works;
 * `idle` when its heartbeat says it has nothing to do; `error` when it reports an
 * error status or its socket failed; `closed` once gone.
 */
export const ConnectionStateSchema = z.enum(['connecting', 'active', 'idle', 'error', 'closed']);
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

export const ConnectionStatsSchema = z.object({
  total: z.number().int(),
  active: z.number().int(),
  idle: z.number().int(),
  error: z.number().int(),
});
export type ConnectionStats = z.infer<typeof ConnectionStatsSchema>;

export const TransportSchema = z.enum(['unix', 'tcp']);

/** One live connection as the console shows it. */
export const ConnectionInfoSchema = z.object({
  connection_id: z.string(),
  crawler_id: z.string(),
  transport: TransportSchema,
  state: ConnectionStateSchema,
  spelling: SpellingSchema,
  name: z.string().optional(),
  version: z.string().optional(),
  host: z.string().optional(),
  pid: z.number().optional(),
  max_concurrent_jobs: z.number().optional(),
  capabilities: z.array(z.string()).optional(),
  said_hello: z.boolean(),
  connected_at: z.number(),
  last_message_at: z.number().nullable(),
  last_heartbeat_at: z.number().nullable(),
  messages_received: z.number().int(),
  messages_sent: z.number().int(),
  bytes_received: z.number().int(),
  bytes_sent: z.number().int(),
  errors: z.number().int(),
});
export type ConnectionInfo = z.infer<typeof ConnectionInfoSchema>;
