/**
 * The hosts' V8 heap policy (src/main/core/heap-policy.ts) takes effect in a running
 * process: the same churn of promoted garbage over the same live set peaks far lower
 * with it than without. Should a V8 upgrade drop or rename the flag, the two peaks are
 * the same and this fails: the console would silently be back to about twice the memory.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CHURN = path.resolve(import.meta.dirname, '../fixtures/heap-churn.ts');
const peakOf = (mode: 'policy' | 'none'): number => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHURN, mode], { encoding: 'utf8', timeout: 60_000 });
  return (JSON.parse(out) as { peakOldSpace: number }).peakOldSpace;
};

describe('the console heap policy', () => {
  it('keeps the old generation near twice what survives, where V8 alone lets it grow about fourfold', () => {
    const without = peakOf('none');
    const withPolicy = peakOf('policy');
    // Measured: 187-222 MB without, 116-124 MB with.
    expect(withPolicy, `peak old space ${withPolicy} B with the policy, ${without} B without`).toBeLessThan(0.75 * without);
  }, 90_000);
});
