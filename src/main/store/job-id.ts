/**
 * Ids for new jobs: UUIDs of version 7 (RFC 9562), whose first 48 bits are the
 * creation time in milliseconds. Jobs created together get neighbouring keys,
 * so the primary-key index grows at its end instead of at a random page per
 * insert (which, at a million jobs, is a page read and a page write each).
 */
import crypto from 'node:crypto';

const POOL_IDS = 512;
let pool = Buffer.alloc(0);
let at = 0;

export function newJobId(now: number = Date.now()): string {
  if (at >= pool.length) {
    pool = crypto.randomBytes(10 * POOL_IDS);
    at = 0;
  }
  const r = pool.toString('hex', at, at + 10);
  at += 10;
  const t = Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12);
  // version 7 in the 13th digit; variant 10xx in the 17th
  const variant = ((parseInt(r[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(8, 20)}`;
}
