import { alignedNow, bucketStart, DAY_MS, HOUR_MS, MINUTE_MS } from '../src';

const at = (iso: string) => Date.parse(iso);

describe('alignedNow', () => {
  it('is the latest instant offsetMs into a bucket, never after the clock', () => {
    const options = { offsetMs: 30_000 };
    expect(alignedNow('minute', { ...options, clockMs: at('2026-11-30T23:59:45.123Z') })).toBe(
      at('2026-11-30T23:59:30Z'),
    );
    // Before the offset: the previous bucket's instant, not a future one.
    expect(alignedNow('minute', { ...options, clockMs: at('2026-12-01T00:00:05Z') })).toBe(
      at('2026-11-30T23:59:30Z'),
    );
    expect(alignedNow('hour', { offsetMs: 30 * MINUTE_MS, clockMs: at('2026-11-30T10:10Z') })).toBe(
      at('2026-11-30T09:30Z'),
    );
    expect(alignedNow('day', { offsetMs: 12 * HOUR_MS, clockMs: at('2026-11-30T11:00Z') })).toBe(
      at('2026-11-29T12:00Z'),
    );
  });

  it('gives the same phase whatever the clock, so seeded spans fall into the same buckets', () => {
    for (let clockMs = at('2026-11-30T23:58:00Z'); clockMs < at('2026-12-01T00:03:00Z');) {
      const now = alignedNow('minute', { offsetMs: 30_000, clockMs });
      expect(now).toBeLessThanOrEqual(clockMs);
      expect(clockMs - now).toBeLessThan(MINUTE_MS);
      expect(now - bucketStart('minute', now)).toBe(30_000);
      clockMs += 7_919;
    }
  });

  it('refuses an offset outside the bucket', () => {
    expect(() => alignedNow('hour', { offsetMs: HOUR_MS })).toThrow(/not inside a hour/);
    expect(() => alignedNow('day', { offsetMs: -1 })).toThrow(RangeError);
  });

  it('bucketStart cuts at UTC boundaries', () => {
    expect(bucketStart('day', at('2026-11-30T23:59:59.999Z'))).toBe(at('2026-11-30T00:00Z'));
    expect(bucketStart('hour', at('2026-11-30T23:59:59.999Z'))).toBe(at('2026-11-30T23:00Z'));
    expect(DAY_MS).toBe(24 * HOUR_MS);
  });
});
