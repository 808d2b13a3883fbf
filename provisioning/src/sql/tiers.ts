import { DURATION_BUCKETS, ERROR_CLASS_COLUMNS } from '@scrapewatch/protocol';
import { SAMPLE_BY, TIME_FILTER, scraperIn } from './filters';

/**
 * Which rollup tier a history query reads, decided inside the query from the dashboard's range,
 * so one panel serves any range (exactly one branch is non-empty) and never reads more rows than
 * it shows:
 * - 1-minute tier (`_1m`): the range spans at most 2 days and starts within its TTL (7 days);
 * - hourly tier (`_1h`): otherwise, when the range spans at most 31 days and starts within its
 *   TTL (90 days);
 * - daily tier (`_1d`): everything else.
 * Raw rows are read only by panels that list single events or group by what no tier keeps (status
 * codes, error classes, run ids), each bounded by the dashboard's range.
 * Every tier holds the same re-aggregable columns (counts, sums, min, max, the duration
 * histogram), so a measure is written once over them. The fine tier refreshes every minute: the
 * newest minute of a trend panel appears within a minute (the live panels show it at once).
 */
export const FINE_RANGE = `(datediff('h', $__fromTime, $__toTime) <= 48 AND $__fromTime >= dateadd('d', -7, now()))`;
export const HOURLY_RANGE = `(datediff('d', $__fromTime, $__toTime) <= 31 AND $__fromTime >= dateadd('d', -90, now()))`;

export type Tier = 'fine' | 'hourly' | 'daily';
export const TIER_ORDER: readonly Tier[] = Object.freeze(['fine', 'hourly', 'daily']);

export const TIER_CONDITIONS: Readonly<Record<Tier, string>> = Object.freeze({
  fine: FINE_RANGE,
  hourly: `NOT ${FINE_RANGE} AND ${HOURLY_RANGE}`,
  daily: `NOT ${FINE_RANGE} AND NOT ${HOURLY_RANGE}`,
});

export type RolledUpTable = 'page_navigation' | 'page_scrape' | 'scheduler_run' | 'field_coverage';

export function tierName(table: RolledUpTable, tier: Tier): string {
  return `${table}_${tier === 'fine' ? '1m' : tier === 'hourly' ? '1h' : '1d'}`;
}

export interface TieredMeasure {
  readonly name: string;
  /** An aggregate over a tier's columns (events, successes, sum_duration_ms, ...). */
  readonly rollup: string;
}

export interface TieredSeriesSpec {
  readonly table: RolledUpTable;
  /** Series dimension columns, present in every tier. */
  readonly groupBy: readonly string[];
  readonly measures: readonly TieredMeasure[];
  /** Extra condition on the tier's columns. */
  readonly where?: string;
  /** The scraper condition; scheduler panels keep runs not tied to a scraper. */
  readonly scraperFilter?: string;
}

function branchFilter(spec: { where?: string; scraperFilter?: string }, tier: Tier): string {
  return [TIME_FILTER, spec.scraperFilter ?? scraperIn(), spec.where, TIER_CONDITIONS[tier]]
    .filter((part): part is string => part !== undefined)
    .join(' AND ');
}

/** A multi-series time series (time, dimensions, values) over the tier the range selects. */
export function tieredSeries(spec: TieredSeriesSpec): string {
  const branch = (tier: Tier): string => {
    const columns = ['ts', ...spec.groupBy, ...spec.measures.map((m) => `${m.rollup} ${m.name}`)];
    return (
      `SELECT * FROM (SELECT ${columns.join(', ')} FROM ${tierName(spec.table, tier)}\n` +
      `  WHERE ${branchFilter(spec, tier)}\n` +
      `  ${SAMPLE_BY})`
    );
  };
  return `SELECT * FROM (\n${TIER_ORDER.map(branch).join('\nUNION ALL\n')}\n) ORDER BY ts`;
}

/**
 * A time series over several tables' tiers together (for example navigations and scrapes): per
 * tier, the tables' rows are merged in time order, then bucketed.
 */
export function tieredUnionSeries(spec: {
  readonly tables: readonly RolledUpTable[];
  /** Columns every table's tiers have, besides `ts`. */
  readonly columns: readonly string[];
  readonly groupBy: readonly string[];
  readonly measures: readonly TieredMeasure[];
}): string {
  const branch = (tier: Tier): string => {
    const rows = spec.tables
      .map(
        (table) =>
          `SELECT ts, ${spec.columns.join(', ')} FROM ${tierName(table, tier)} WHERE ${branchFilter({}, tier)}`,
      )
      .join(' UNION ALL ');
    const columns = ['ts', ...spec.groupBy, ...spec.measures.map((m) => `${m.rollup} ${m.name}`)];
    return `SELECT * FROM (SELECT ${columns.join(', ')} FROM ((${rows}) ORDER BY ts) timestamp(ts)\n  ${SAMPLE_BY})`;
  };
  return `SELECT * FROM (\n${TIER_ORDER.map(branch).join('\nUNION ALL\n')}\n) ORDER BY ts`;
}

/**
 * The rows of the tier the range selects, filtered by time, scraper and `where`, as one source
 * for a GROUP BY (every tier has the same columns, and only one branch holds rows).
 */
export function tieredRows(
  table: RolledUpTable,
  columns: readonly string[],
  spec: { where?: string; scraperFilter?: string } = {},
): string {
  const branch = (tier: Tier): string =>
    `SELECT ${columns.join(', ')} FROM ${tierName(table, tier)} WHERE ${branchFilter(spec, tier)}`;
  return `(\n  ${TIER_ORDER.map(branch).join('\n  UNION ALL\n  ')}\n)`;
}

// ---- percentiles from the duration histogram ----

/** `b0, b1, ...`: the histogram bucket sums an inner query exposes. */
export const HISTOGRAM_SUMS = DURATION_BUCKETS.map((b, i) => `sum(${b.column}) b${i}`).join(', ');

/**
 * The q-quantile (0..1) of the durations, from the bucket sums `b0..bn` and the event count `n` of
 * an inner query (columns, not aggregates): linear within the bucket that holds it, the largest
 * duration seen for the open last bucket. Within one bucket of the exact value (see protocol's
 * rollups.ts for the bounds).
 */
export function histogramQuantile(q: number, maxColumn = 'max_ms'): string {
  const target = `${q} * n`;
  const cases: string[] = [];
  let below = '0';
  DURATION_BUCKETS.forEach((bucket, i) => {
    const through = i === 0 ? 'b0' : `${below} + b${i}`;
    const value =
      bucket.upperMs === null
        ? maxColumn
        : `${bucket.lowerMs} + ${bucket.upperMs - bucket.lowerMs} * (${target} - (${below})) / b${i}`;
    cases.push(`WHEN ${through} >= ${target} THEN ${value}`);
    below = through;
  });
  return `CASE WHEN n = 0 THEN NULL ${cases.join(' ')} ELSE ${maxColumn} END`;
}

/** Measures shared by the trend panels. */
export const MEASURES = Object.freeze({
  events: { name: 'events', rollup: 'sum(events)' },
  successPct: { name: 'success_pct', rollup: '100.0 * sum(successes) / sum(events)' },
  avgDurationMs: { name: 'avg_duration_ms', rollup: 'sum(sum_duration_ms) / sum(events)' },
  maxDurationMs: { name: 'max_duration_ms', rollup: 'max(max_duration_ms)' },
  retries: { name: 'retries', rollup: 'sum(retries)' },
  items: { name: 'items_extracted', rollup: 'sum(items_extracted)' },
  zeroItemScrapes: { name: 'zero_item_scrapes', rollup: 'sum(zero_item_scrapes)' },
  /** Over the field_coverage tiers (`filled` and `items` per scraper, domain and field). */
  fillPct: { name: 'fill_pct', rollup: '100.0 * sum(filled) / sum(items)' },
} satisfies Record<string, TieredMeasure>);

/** Failures per error class, one series each (page tiers). */
export const ERROR_CLASS_MEASURES: readonly TieredMeasure[] = Object.freeze(
  ERROR_CLASS_COLUMNS.map((c) => ({ name: c.errorClass, rollup: `sum(${c.column})` })),
);

/**
 * Duration percentiles over time from the tier the range selects: the histogram buckets are summed
 * per time bucket (and dimension), then each quantile is read from the sums.
 */
export function tieredPercentileSeries(spec: {
  readonly table: 'page_navigation' | 'page_scrape';
  readonly groupBy: readonly string[];
  readonly quantiles: ReadonlyArray<{ readonly name: string; readonly q: number }>;
}): string {
  const dims = spec.groupBy.map((d) => `${d}, `).join('');
  const branch = (tier: Tier): string =>
    `SELECT * FROM (SELECT ts, ${dims}sum(events) n, max(max_duration_ms) max_ms, ${HISTOGRAM_SUMS}
    FROM ${tierName(spec.table, tier)}
    WHERE ${branchFilter({}, tier)}
    ${SAMPLE_BY})`;
  const quantiles = spec.quantiles.map((p) => `${histogramQuantile(p.q)} ${p.name}`).join(',\n  ');
  return `SELECT ts, ${dims}${quantiles}
FROM (
${TIER_ORDER.map(branch).join('\nUNION ALL\n')}
) ORDER BY ts`;
}
