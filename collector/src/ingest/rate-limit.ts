export type RateDecision =
  { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes `events` from the bucket of `key` (an ingest token's index), or says how long to wait. */
  take(key: number, events: number): RateDecision;
}

export interface RateLimitOptions {
  /** Refill rate; 0 turns limiting off. */
  readonly eventsPerSecond: number;
  /** Bucket capacity: the burst allowed at once. */
  readonly burstEvents: number;
  readonly nowMs?: () => number;
}

/**
 * Token buckets in events, one per ingest token. Keys are configured token indices, so the map is
 * bounded by the configuration. A request larger than the bucket passes when the bucket is full and
 * leaves it in debt, so no request size is refused for ever.
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const { eventsPerSecond, burstEvents } = options;
  const nowMs = options.nowMs ?? Date.now;
  const buckets = new Map<number, { tokens: number; updatedMs: number }>();
  return {
    take(key, events) {
      if (eventsPerSecond === 0) return { ok: true };
      const now = nowMs();
      const bucket = buckets.get(key) ?? { tokens: burstEvents, updatedMs: now };
      bucket.tokens = Math.min(
        burstEvents,
        bucket.tokens + ((now - bucket.updatedMs) / 1000) * eventsPerSecond,
      );
      bucket.updatedMs = now;
      buckets.set(key, bucket);
      const needed = Math.min(events, burstEvents);
      if (bucket.tokens < needed) {
        return {
          ok: false,
          retryAfterSeconds: Math.max(1, Math.ceil((needed - bucket.tokens) / eventsPerSecond)),
        };
      }
      bucket.tokens -= events;
      return { ok: true };
    },
  };
}
