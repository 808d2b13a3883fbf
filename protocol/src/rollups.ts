import { ERROR_CLASSES } from './kinds';

/**
 * The contract between the storage rollup tiers (collector) and the queries that read them
 * (dashboards, alert rules, benchmarks): tier names and the duration histogram every page tier
 * keeps, so percentiles over long ranges come from the rollups instead of a week of raw rows.
 *
 * A histogram bucket `dur_le_<bound>` counts events with previous bound < duration_ms <= bound;
 * `dur_gt_<last bound>` counts the rest. Bounds follow a 1-1.5-2-3-5-7.5 series, so a percentile
 * read from the histogram (linear within its bucket) is within one bucket of the exact value:
 * at most a third of the value away, usually far less.
 */
export const DURATION_BUCKET_BOUNDS_MS = Object.freeze([
  10, 25, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000,
  15_000, 20_000, 30_000, 60_000,
] as const);

export interface DurationBucket {
  /** Column name in every page rollup tier. */
  readonly column: string;
  /** Exclusive lower bound (0 for the first bucket). */
  readonly lowerMs: number;
  /** Inclusive upper bound; null for the open last bucket. */
  readonly upperMs: number | null;
}

export const DURATION_BUCKETS: readonly DurationBucket[] = Object.freeze([
  ...DURATION_BUCKET_BOUNDS_MS.map((upperMs, i) => ({
    column: `dur_le_${upperMs}`,
    lowerMs: i === 0 ? 0 : (DURATION_BUCKET_BOUNDS_MS[i - 1] ?? 0),
    upperMs,
  })),
  {
    column: `dur_gt_${DURATION_BUCKET_BOUNDS_MS[DURATION_BUCKET_BOUNDS_MS.length - 1] ?? 0}`,
    lowerMs: DURATION_BUCKET_BOUNDS_MS[DURATION_BUCKET_BOUNDS_MS.length - 1] ?? 0,
    upperMs: null,
  },
]);

/**
 * Failures per error class, one column each in the page tiers: the catalogue's classes, failures
 * without a class (`unclassified`) and failures with a class outside the catalogue (`custom`).
 * A class added to the catalogue needs a new schema version to get its column.
 */
export const ERROR_CLASS_COLUMNS: ReadonlyArray<{
  readonly column: string;
  readonly errorClass: string;
}> = Object.freeze([
  ...ERROR_CLASSES.map((errorClass) => ({ column: `err_${errorClass}`, errorClass })),
  { column: 'err_unclassified', errorClass: 'unclassified' },
  { column: 'err_custom', errorClass: 'custom' },
]);

/** Navigations per HTTP status class, one column each in the navigation tiers (`none`: no status). */
export const STATUS_CLASS_COLUMNS: ReadonlyArray<{
  readonly column: string;
  readonly label: string;
  readonly fromCode: number | null;
  readonly toCode: number | null;
}> = Object.freeze([
  { column: 'status_1xx', label: '1xx', fromCode: 100, toCode: 199 },
  { column: 'status_2xx', label: '2xx', fromCode: 200, toCode: 299 },
  { column: 'status_3xx', label: '3xx', fromCode: 300, toCode: 399 },
  { column: 'status_4xx', label: '4xx', fromCode: 400, toCode: 499 },
  { column: 'status_5xx', label: '5xx', fromCode: 500, toCode: 599 },
  { column: 'status_none', label: 'none', fromCode: null, toCode: null },
]);

/**
 * The block reasons the navigation tiers count one column each (`block_<reason>`); navigations
 * with a reason outside this list count in `block_other`, every blocked one in `blocked`. A copy
 * of the SDK's built-in reasons at the time the tiers were created: a reason added later needs a
 * new schema version to get its column.
 */
export const BLOCK_REASON_COLUMNS: ReadonlyArray<{
  readonly column: string;
  readonly reason: string;
}> = Object.freeze(
  ['rate_limited', 'forbidden', 'challenge', 'captcha', 'login_wall', 'empty'].map((reason) => ({
    column: `block_${reason}`,
    reason,
  })),
);

/** Tier grain: 1-minute rollup over the raw table, hourly over it, daily over the hourly one. */
export type RollupGrain = '1m' | '1h' | '1d';
export const ROLLUP_GRAINS: readonly RollupGrain[] = Object.freeze(['1m', '1h', '1d']);

export type RolledUpTable = 'page_navigation' | 'page_scrape' | 'scheduler_run' | 'field_coverage';

export function rollupName(table: RolledUpTable, grain: RollupGrain): string {
  return `${table}_${grain}`;
}
