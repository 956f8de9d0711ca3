/** Job ids: UUIDv7 (RFC 9562), time-ordered by creation, unique, one at a time or a batch at once. */
import { describe, expect, it } from 'vitest';
import { newJobId, newJobIds } from '../../src/main/store/job-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('job ids', () => {
  it('are version-7 UUIDs whose first 48 bits are the creation time in ms', () => {
    const at = Date.UTC(2026, 11, 2, 8, 0, 0, 123);
    for (const id of [newJobId(at), ...newJobIds(3, at)]) {
      expect(id).toMatch(UUID_V7);
      expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    }
    expect(newJobIds(0, at)).toEqual([]);
  });

  it('sort by creation time, and never repeat across batches and refills of the random pool', () => {
    const ids = [...newJobIds(5000, 1000), ...Array.from({ length: 5000 }, () => newJobId(1001)), ...newJobIds(5000, 1002)];
    expect(new Set(ids).size).toBe(ids.length);
    const byTime = ids.map((id) => id.slice(0, 13));
    expect([...byTime].sort()).toEqual(byTime);
    // The variant digit takes all four values (its two random bits are used, not fixed).
    expect(new Set(ids.map((id) => id[19])).size).toBe(4);
  });
});
