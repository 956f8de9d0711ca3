/**
 * Byte sizes read in the reader's locale like every other number (issue 13's
 * "one formatter"), and the Jobs screen's search-index hint (issue 14).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatBytes, formatMemory } from '../../src/renderer/components/format';
import { searchIndexHint } from '../../src/renderer/screens/jobs/search-index-hint';

const RealNumberFormat = Intl.NumberFormat;
afterEach(() => {
  Intl.NumberFormat = RealNumberFormat;
  vi.resetModules();
});

/** The formatter module as a reader with this locale gets it (its Intl formatters are built at import). */
async function formattersIn(locale: string) {
  const InLocale = function (locales?: string | string[], options?: Intl.NumberFormatOptions) {
    return new RealNumberFormat(locales ?? locale, options);
  } as unknown as typeof Intl.NumberFormat;
  Intl.NumberFormat = InLocale;
  vi.resetModules();
  return import('../../src/renderer/components/format');
}

describe('byte sizes', () => {
  it('binary units, one decimal above bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(180 * 1024 * 1024)).toBe('180 MiB');
    expect(formatBytes(null)).toBe('—');
    expect(formatMemory({ rss: 52_428_800 })).toBe('50 MiB rss');
  });

  it('in the reader’s locale, as every other number', async () => {
    const de = await formattersIn('de-DE');
    expect(de.formatBytes(1536)).toBe('1,5 KiB');
    expect(de.formatBytes(1023.5 * 1024 * 1024)).toBe('1.023,5 MiB');
    expect(de.formatCount(1168)).toBe('1.168');
    const ops = await import('../../src/renderer/screens/ops/format');
    expect(ops.formatMemory(2.5 * 1024 * 1024 * 1024)).toBe('2,5 GiB');
  });
});


describe('the search index hint', () => {
  it('shows only while there is a backlog', () => {
    expect(searchIndexHint(undefined)).toBeNull();
    expect(searchIndexHint({ backlog: 0, backlogExact: true })).toBeNull();
    expect(searchIndexHint({ backlog: 1, backlogExact: true })).toMatch(/^Search index catching up \(1 job to go\): results are complete/);
    expect(searchIndexHint({ backlog: 12_345, backlogExact: true })).toContain('(12,345 jobs to go)');
    expect(searchIndexHint({ backlog: 100_000, backlogExact: false })).toContain('(more than 100,000 jobs to go)');
    // A step the disk refused is said, not swallowed.
    expect(searchIndexHint({ backlog: 5, backlogExact: true, failure: 'database or disk is full' })).toBe(
      'Search index stopped catching up (database or disk is full): results are complete, searches are slower until it can write again.',
    );
  });
});
