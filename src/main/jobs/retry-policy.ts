/** How long a job waits before its next attempt, and whether it gets one. */
export interface RetryPolicyConfig {
  retryAttempts: number;
  retryDelay: number;
  retryBackoffMultiplier: number;
  maxRetryDelay: number;
}

/** Delay before retry number `retry` (1-based): retryDelay × multiplier^(retry−1), capped. */
export function retryDelayFor(retry: number, c: RetryPolicyConfig): number {
  const raw = c.retryDelay * Math.pow(c.retryBackoffMultiplier, Math.max(0, retry - 1));
  return Math.min(Math.round(raw), c.maxRetryDelay);
}

/** A job that has failed `failures` times may run again while failures ≤ retryAttempts. */
export const mayRetry = (failures: number, c: RetryPolicyConfig): boolean => failures <= c.retryAttempts;
