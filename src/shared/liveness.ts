/**
 * Whether a connected crawler is alive, as the console judges it: one rule,
 * computed in the main process with its clock and sent to the page, so the
 * Crawlers table, the Overview and the server that drops silent crawlers never
 * disagree.
 */
import { z } from 'zod';
import type { ConnectionInfo } from './connection';

export const LivenessVerdictSchema = z.enum(['connecting', 'active', 'idle', 'late', 'lost', 'error']);
export type LivenessVerdict = z.infer<typeof LivenessVerdictSchema>;

/** The limits in force: late past `late_after_ms` of silence, lost (and dropped) past `lost_after_ms`. */
export const LivenessLimitsSchema = z.object({ late_after_ms: z.number().int(), lost_after_ms: z.number().int() });
export type LivenessLimits = z.infer<typeof LivenessLimitsSchema>;

export const LivenessSchema = LivenessLimitsSchema.extend({
  verdict: LivenessVerdictSchema,
  /** Silence (no message of any kind) at `as_of`, in ms. */
  silent_ms: z.number().int(),
  /** The console's clock when judged (ms since the epoch). */
  as_of: z.number(),
});
export type Liveness = z.infer<typeof LivenessSchema>;

/** Late past 1.5 heartbeat intervals: one heartbeat may be a little late without alarming anyone. */
export const LATE_FACTOR = 1.5;

export const livenessLimits = (config: { heartbeatInterval: number; heartbeatTimeout: number }): LivenessLimits => ({
  late_after_ms: Math.round(config.heartbeatInterval * LATE_FACTOR),
  lost_after_ms: config.heartbeatTimeout,
});

/**
 * The verdict for one connection. Silence counts from its last message of any
 * kind (the rule the socket server drops crawlers by); `active`/`idle` is the
 * crawler's own word while it is heard, `active` also while it holds jobs.
 */
export function judgeLiveness(
  c: Pick<ConnectionInfo, 'state' | 'last_message_at' | 'connected_at'>,
  now: number,
  limits: LivenessLimits,
  heldJobs = 0,
): Liveness {
  const silent = Math.max(0, Math.round(now - (c.last_message_at ?? c.connected_at)));
  let verdict: LivenessVerdict;
  if (silent > limits.lost_after_ms) verdict = 'lost';
  else if (silent > limits.late_after_ms) verdict = 'late';
  else if (c.state === 'closed') verdict = 'lost';
  else if (c.state === 'idle' && heldJobs > 0) verdict = 'active';
  else verdict = c.state;
  return { verdict, silent_ms: silent, as_of: now, ...limits };
}
