/** Reconnect timing: exponential backoff with jitter, so a fleet of crawlers does not reconnect in lockstep. */
export interface ReconnectOptions {
  /** First delay after the connection drops (ms). */
  initialDelayMs: number;
  /** Largest delay between attempts (ms). */
  maxDelayMs: number;
  /** Growth factor per failed attempt. */
  factor: number;
  /** Random spread as a fraction of the delay: 0.2 means ±20 %. */
  jitter: number;
}

export const DEFAULT_RECONNECT: ReconnectOptions = { initialDelayMs: 200, maxDelayMs: 30_000, factor: 2, jitter: 0.2 };

/** The delay before reconnect attempt `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, o: ReconnectOptions, random: () => number = Math.random): number {
  const base = Math.min(o.maxDelayMs, o.initialDelayMs * Math.pow(o.factor, Math.max(0, attempt)));
  const spread = base * o.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(o.maxDelayMs, base + spread)));
}
