import { describe, expect, it } from 'vitest';
import { IsoTimestamp, isIsoTimestamp } from '../../src/shared/protocol';

describe('isIsoTimestamp', () => {
  it('agrees with the IsoTimestamp schema', () => {
    const samples = [
      '2024-01-15T10:30:00Z',
      '2024-01-15T10:30:00.123Z',
      '2024-01-15T10:30:00.123456',
      '2024-01-15T10:30:00+02:00',
      '2024-01-15T10:30',
      '2024-02-30T10:30:00Z',
      '2024-01-15 10:30:00Z',
      'yesterday',
      '',
      '2024-01-15T25:00:00Z',
    ];
    for (const s of samples) expect(isIsoTimestamp(s), s).toBe(IsoTimestamp.safeParse(s).success);
    expect(samples.filter(isIsoTimestamp).length).toBeGreaterThan(3);
  });
});
