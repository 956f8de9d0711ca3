/**
 * Ids for new jobs: UUIDs of version 7 (RFC 9562), whose first 48 bits are the
 * creation time in milliseconds. Jobs created together get neighbouring keys,
 * so the primary-key index grows at its end instead of at a random page per
 * insert (which, at a million jobs, is a page read and a page write each).
 */
import crypto from 'node:crypto';

const POOL_IDS = 512;
/** Random hex digits, 20 per id, read from one buffer converted once (a native call per id cost more than the id). */
let pool = '';
let at = 0;
/** The variant digit (10xx) for each value of a random hex digit's low two bits. */
const VARIANT = ['8', '9', 'a', 'b'];

function randomPart(): string {
  if (at >= pool.length) {
    pool = crypto.randomBytes(10 * POOL_IDS).toString('hex');
    at = 0;
  }
  const r = pool.slice(at, at + 20);
  at += 20;
  // version 7 in the 13th digit; variant 10xx in the 17th
  return `7${r.slice(0, 3)}-${VARIANT[parseInt(r[3]!, 16) & 0x3]}${r.slice(4, 7)}-${r.slice(8, 20)}`;
}

function timePart(now: number): string {
  const t = Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-`;
}

export function newJobId(now: number = Date.now()): string {
  return timePart(now) + randomPart();
}

/** `n` ids created at `now` (a discovery's batch): the time part formatted once. */
export function newJobIds(n: number, now: number = Date.now()): string[] {
  const t = timePart(now);
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = t + randomPart();
  return ids;
}
