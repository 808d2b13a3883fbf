import type { MetricEvent } from '@scrapewatch/protocol';
import { deriveEventId, normaliseEvents } from '../../src/ingest/normalise';
import { createRateLimiter } from '../../src/ingest/rate-limit';

const event: MetricEvent = {
  type: 'page_scrape',
  scraperSource: 'robinhood',
  url: 'https://example.com/a',
  scrapeDurationMs: 120,
  itemsExtracted: 3,
  success: true,
  error: null,
  recordedAt: 1_700_000_000_000,
};

describe('deriveEventId', () => {
  it('is stable over field order and null-versus-absent', () => {
    const reordered = JSON.parse(
      '{"recordedAt":1700000000000,"success":true,"itemsExtracted":3,"scrapeDurationMs":120,' +
        '"url":"https://example.com/a","scraperSource":"robinhood","type":"page_scrape"}',
    ) as MetricEvent;
    expect(deriveEventId(reordered)).toBe(deriveEventId(event));
    expect(deriveEventId(event)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs when the content differs', () => {
    expect(deriveEventId({ ...event, itemsExtracted: 4 })).not.toBe(deriveEventId(event));
  });

  it('keeps a sent eventId', () => {
    const [kept, derived] = normaliseEvents([{ ...event, eventId: 'sent-1' }, event]);
    expect(kept?.eventId).toBe('sent-1');
    expect(derived?.eventId).toBe(deriveEventId(event));
  });
});

describe('createRateLimiter', () => {
  it('refills at the configured rate and names the wait', () => {
    let now = 0;
    const limiter = createRateLimiter({ eventsPerSecond: 10, burstEvents: 20, nowMs: () => now });
    expect(limiter.take(0, 20)).toEqual({ ok: true });
    expect(limiter.take(0, 5)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take(1, 5)).toEqual({ ok: true });
    now = 500;
    expect(limiter.take(0, 5)).toEqual({ ok: true });
    now = 1_000;
    // Larger than the bucket: waits for a full bucket, then passes into debt.
    expect(limiter.take(0, 50)).toEqual({ ok: false, retryAfterSeconds: 2 });
    now = 3_000;
    expect(limiter.take(0, 50)).toEqual({ ok: true });
    expect(limiter.take(0, 1)).toEqual({ ok: false, retryAfterSeconds: 4 });
  });

  it('does nothing at rate 0', () => {
    const limiter = createRateLimiter({ eventsPerSecond: 0, burstEvents: 1 });
    expect(limiter.take(0, 1_000_000)).toEqual({ ok: true });
  });
});
