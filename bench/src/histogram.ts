/**
 * A latency histogram with log-spaced buckets: every recorded value lands in a bucket whose width
 * is at most 1% of its value, so percentiles are exact to 1% whatever the range (1 µs .. hours).
 * Histograms from several processes merge by adding bucket counts, which is how per-process
 * subscriber measurements become one distribution.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Values are kept in microseconds; below 1 µs everything shares bucket 0. */
const UNIT_PER_MS = 1_000;

export interface HistogramSnapshot {
  /** [bucket index, count] pairs, only non-empty buckets. */
  readonly buckets: ReadonlyArray<readonly [number, number]>;
  readonly count: number;
  readonly sumMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function bucketOf(valueMs: number): number {
  const micros = valueMs * UNIT_PER_MS;
  if (!(micros > 1)) return 0;
  return Math.floor(Math.log(micros) / LOG_GROWTH) + 1;
}

/** The upper edge of a bucket, in ms: a percentile is reported as the bound it does not exceed. */
function upperEdgeMs(bucket: number): number {
  if (bucket === 0) return 1 / UNIT_PER_MS;
  return Math.pow(GROWTH, bucket) / UNIT_PER_MS;
}

export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  /** Negative values (clock granularity between processes) are recorded as 0. */
  record(valueMs: number): void {
    const value = valueMs < 0 ? 0 : valueMs;
    const bucket = bucketOf(value);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  get count(): number {
    return this.total;
  }

  merge(snapshot: HistogramSnapshot): void {
    for (const [bucket, count] of snapshot.buckets) {
      this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + count);
    }
    this.total += snapshot.count;
    this.sum += snapshot.sumMs;
    if (snapshot.count > 0) {
      this.min = Math.min(this.min, snapshot.minMs);
      this.max = Math.max(this.max, snapshot.maxMs);
    }
  }

  /** The smallest bucket edge at or below which `fraction` of the values lie, capped at the exact max. */
  percentileMs(fraction: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    const buckets = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const bucket of buckets) {
      seen += this.counts.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(upperEdgeMs(bucket), this.max);
    }
    return this.max;
  }

  snapshot(): HistogramSnapshot {
    return {
      buckets: [...this.counts.entries()],
      count: this.total,
      sumMs: this.sum,
      minMs: this.total > 0 ? this.min : 0,
      maxMs: this.total > 0 ? this.max : 0,
    };
  }

  summary(): LatencySummary {
    const empty = this.total === 0;
    return {
      count: this.total,
      meanMs: empty ? Number.NaN : this.sum / this.total,
      minMs: empty ? Number.NaN : this.min,
      p50Ms: this.percentileMs(0.5),
      p95Ms: this.percentileMs(0.95),
      p99Ms: this.percentileMs(0.99),
      maxMs: empty ? Number.NaN : this.max,
    };
  }
}
