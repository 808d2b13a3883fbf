import { LatencyHistogram } from '../src/histogram';

describe('LatencyHistogram', () => {
  it('reports percentiles within 1% of the exact values', () => {
    const histogram = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) histogram.record(i / 100); // 0.01 .. 100 ms
    const summary = histogram.summary();
    expect(summary.count).toBe(10_000);
    expect(summary.p50Ms).toBeGreaterThanOrEqual(50);
    expect(summary.p50Ms).toBeLessThanOrEqual(50 * 1.01);
    expect(summary.p99Ms).toBeGreaterThanOrEqual(99);
    expect(summary.p99Ms).toBeLessThanOrEqual(99 * 1.01);
    expect(summary.maxMs).toBe(100);
    expect(summary.minMs).toBe(0.01);
    expect(summary.meanMs).toBeCloseTo(50.005, 6);
  });

  it('merges snapshots from several processes into one distribution', () => {
    const low = new LatencyHistogram();
    const high = new LatencyHistogram();
    for (let i = 0; i < 900; i++) low.record(1);
    for (let i = 0; i < 100; i++) high.record(200);
    const merged = new LatencyHistogram();
    merged.merge(low.snapshot());
    merged.merge(high.snapshot());
    expect(merged.count).toBe(1_000);
    expect(merged.percentileMs(0.5)).toBeLessThanOrEqual(1.01);
    expect(merged.percentileMs(0.95)).toBeGreaterThanOrEqual(200);
    expect(merged.percentileMs(0.95)).toBeLessThanOrEqual(200);
    expect(merged.summary().maxMs).toBe(200);
  });

  it('records negative differences (clock granularity) as zero and an empty histogram as NaN', () => {
    const histogram = new LatencyHistogram();
    expect(Number.isNaN(histogram.summary().p99Ms)).toBe(true);
    histogram.record(-0.2);
    expect(histogram.summary().maxMs).toBe(0);
    expect(histogram.percentileMs(0.99)).toBe(0);
  });
});
