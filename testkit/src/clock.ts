export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The bucket sizes QuestDB's views and the dashboards group by (UTC, as QuestDB's SAMPLE BY). */
export type Bucket = 'minute' | 'hour' | 'day';

const BUCKET_MS: Readonly<Record<Bucket, number>> = Object.freeze({
  minute: MINUTE_MS,
  hour: HOUR_MS,
  day: DAY_MS,
});

/** The start of the `bucket` (UTC) that holds `atMs`. */
export function bucketStart(bucket: Bucket, atMs: number): number {
  const size = BUCKET_MS[bucket];
  return Math.floor(atMs / size) * size;
}

/**
 * A seed's "now": the latest instant `offsetMs` into a `bucket` that is not later than the clock.
 * Data seeded relative to it, and queried relative to it, falls into the same buckets on every
 * run, whatever the clock's phase: a run that crosses a minute, an hour or midnight sees the same
 * rows in the same buckets. It is never in the future, so nothing seeded is rejected as such, and
 * it is at most one bucket in the past.
 *
 * `clockMs` is the clock to align (default: the wall clock); `offsetMs` must be inside the bucket.
 */
export function alignedNow(
  bucket: Bucket,
  options: { readonly offsetMs?: number; readonly clockMs?: number } = {},
): number {
  const size = BUCKET_MS[bucket];
  const offsetMs = options.offsetMs ?? 0;
  if (!(offsetMs >= 0 && offsetMs < size))
    throw new RangeError(`offsetMs ${offsetMs} is not inside a ${bucket} (0 to ${size - 1} ms)`);
  const clockMs = options.clockMs ?? Date.now();
  return bucketStart(bucket, clockMs - offsetMs) + offsetMs;
}
