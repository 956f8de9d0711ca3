/**
 * The ingest-latency histogram is counted by the console (src/main/core/metrics.ts)
 * and exposed through prom-client: its exposition must be exactly what
 * prom-client's own Histogram writes for the same observations.
 */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CountedHistogram } from '../../src/main/core/metrics';

const config = (registry: Registry) => ({
  name: 'test_latency_seconds',
  help: 'Latency for the test.',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});

describe('CountedHistogram', () => {
  it("writes the exposition prom-client's Histogram writes, bucket edges and +Inf included", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const counted = new CountedHistogram(config(ours));
    const reference = new Histogram(config(theirs));
    expect(await ours.metrics()).toBe(await theirs.metrics());
    const values = [0, 0, 0.0005, 0.0007, 0.001, 0.003, 0.01, 0.25, 0.2500001, 1, 1.5, 42, 0.002, 0.004];
    for (const v of values) {
      counted.record(v);
      reference.observe(v);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toMatch(/^test_latency_seconds_bucket\{le="\+Inf"\} 14$/m);
    expect(text).toMatch(/^test_latency_seconds_bucket\{le="0.0005"\} 3$/m);
    // get() (prom-client's JSON form) too, value for value (its exemplar slots aside).
    const plain = (m: Awaited<ReturnType<Histogram['get']>>) => m.values.map(({ metricName, labels, value }) => ({ metricName, labels, value }));
    expect(plain(await counted.get())).toStrictEqual(plain(await reference.get()));
  });

  it('is emptied by a registry reset, like any metric', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const counted = new CountedHistogram(config(ours));
    new Histogram(config(theirs));
    counted.record(0.3);
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
