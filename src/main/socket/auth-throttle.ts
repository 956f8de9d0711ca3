/**
 * Failed authentication on the TCP door, counted and throttled per peer
 * address. Failures are numbers here, never an error row per attempt: a peer
 * that sends junk as fast as it can costs a counter increment, not disk.
 */

export interface PreAuthStats {
  /** TCP peers connected now that have not authenticated yet. */
  pending: number;
  /** Failed pre-auth attempts since start, in all and by reason (auth_failed, invalid_json, auth_timeout …). */
  failures: number;
  byReason: Record<string, number>;
  /** Addresses locked out now. */
  lockedAddresses: number;
  /** Connections cut at once because their address was locked out. */
  refusedWhileLocked: number;
}

export interface AuthThrottleOptions {
  now?: () => number;
  /** Failures from one address within `windowMs` that lock it out. */
  maxFailures?: number;
  windowMs?: number;
  /** First lockout; each further lockout of the same address doubles it, up to `maxLockoutMs`. */
  lockoutMs?: number;
  maxLockoutMs?: number;
  /** Addresses remembered at most (oldest forgotten first): memory stays bounded under a spoofed flood. */
  maxAddresses?: number;
}

interface AddressRecord {
  failures: number;
  windowStart: number;
  lockedUntil: number;
  lockouts: number;
}

export class AuthThrottle {
  private readonly now: () => number;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockoutMs: number;
  private readonly maxLockoutMs: number;
  private readonly maxAddresses: number;
  private readonly byAddress = new Map<string, AddressRecord>();
  private total = 0;
  private readonly reasons: Record<string, number> = {};
  private refusedLocked = 0;
  private lastLockoutRecord = -Infinity;

  constructor(options: AuthThrottleOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.lockoutMs = options.lockoutMs ?? 30_000;
    this.maxLockoutMs = options.maxLockoutMs ?? 15 * 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  isLocked(address: string): boolean {
    const r = this.byAddress.get(address);
    return r !== undefined && r.lockedUntil > this.now();
  }

  /** Counts a failure; with `throttle` (the default) it counts toward the address's lockout. True when this failure locked it. */
  fail(address: string, reason: string, options: { throttle?: boolean } = {}): boolean {
    this.total++;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    if (options.throttle === false) return false;
    const now = this.now();
    let r = this.byAddress.get(address);
    if (!r) {
      if (this.byAddress.size >= this.maxAddresses) {
        const oldest = this.byAddress.keys().next().value;
        if (oldest !== undefined) this.byAddress.delete(oldest);
      }
      r = { failures: 0, windowStart: now, lockedUntil: 0, lockouts: 0 };
      this.byAddress.set(address, r);
    }
    if (now - r.windowStart > this.windowMs) {
      r.failures = 0;
      r.windowStart = now;
    }
    r.failures++;
    if (r.failures < this.maxFailures || r.lockedUntil > now) return false;
    r.lockedUntil = now + Math.min(this.maxLockoutMs, this.lockoutMs * 2 ** r.lockouts);
    r.lockouts++;
    r.failures = 0;
    r.windowStart = now;
    return true;
  }

  /** A good hello: the address's failures are forgiven (its lockout history stays). */
  succeeded(address: string): void {
    const r = this.byAddress.get(address);
    if (r) r.failures = 0;
  }

  refusedWhileLocked(): void {
    this.refusedLocked++;
  }

  /** At most one lockout is written to the error log per minute, whatever the number of addresses. */
  mayRecordLockout(): boolean {
    const now = this.now();
    if (now - this.lastLockoutRecord < 60_000) return false;
    this.lastLockoutRecord = now;
    return true;
  }

  /** Forgets addresses with nothing left to remember. */
  prune(): void {
    const now = this.now();
    for (const [address, r] of this.byAddress) {
      if (r.lockedUntil <= now && now - r.windowStart > this.windowMs && now - r.lockedUntil > this.maxLockoutMs) this.byAddress.delete(address);
    }
  }

  stats(pending: number): PreAuthStats {
    const now = this.now();
    let locked = 0;
    for (const r of this.byAddress.values()) if (r.lockedUntil > now) locked++;
    return { pending, failures: this.total, byReason: { ...this.reasons }, lockedAddresses: locked, refusedWhileLocked: this.refusedLocked };
  }
}
