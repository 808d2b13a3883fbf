import { SAMPLE_BY, TIME_FILTER, scraperIn } from './filters';

/**
 * Which storage a trend panel reads, decided inside the query from the dashboard's range, so one
 * panel serves any range (exactly one branch is non-empty):
 * - raw table: the range spans at most 24 hours and starts within the raw TTL (7 days);
 * - hourly view (`_1h`): otherwise, when the range spans at most 31 days and starts within the
 *   hourly view's TTL (90 days);
 * - daily view (`_1d`): everything else.
 * Views hold sums and counts, so every measure has a raw form and a roll-up form.
 */
export const RAW_RANGE = `(datediff('h', $__fromTime, $__toTime) <= 24 AND $__fromTime >= dateadd('d', -7, now()))`;
export const HOURLY_RANGE = `(datediff('d', $__fromTime, $__toTime) <= 31 AND $__fromTime >= dateadd('d', -90, now()))`;

export type Tier = 'raw' | 'hourly' | 'daily';

export const TIER_CONDITIONS: Readonly<Record<Tier, string>> = Object.freeze({
  raw: RAW_RANGE,
  hourly: `NOT ${RAW_RANGE} AND ${HOURLY_RANGE}`,
  daily: `NOT ${RAW_RANGE} AND NOT ${HOURLY_RANGE}`,
});

export interface TieredMeasure {
  readonly name: string;
  /** Over the raw table's columns. */
  readonly raw: string;
  /** Over a view's columns (events, successes, sum_duration_ms, ...). */
  readonly rollup: string;
}

export interface TieredSeriesSpec {
  readonly table: 'page_navigation' | 'page_scrape' | 'field_coverage';
  /** Series dimension columns, present in the raw table and in both views. */
  readonly groupBy: readonly string[];
  readonly measures: readonly TieredMeasure[];
  /** Views to read instead of `<table>_1h` and `<table>_1d`, e.g. the navigation signal views. */
  readonly rollups?: { readonly hourly: string; readonly daily: string };
}

/** A multi-series time series (time, dimensions, values) over the tier the range selects. */
export function tieredSeries(spec: TieredSeriesSpec): string {
  const sources: Record<Tier, string> = {
    raw: spec.table,
    hourly: spec.rollups?.hourly ?? `${spec.table}_1h`,
    daily: spec.rollups?.daily ?? `${spec.table}_1d`,
  };
  const branch = (tier: Tier): string => {
    const columns = [
      'ts',
      ...spec.groupBy,
      ...spec.measures.map((m) => `${tier === 'raw' ? m.raw : m.rollup} ${m.name}`),
    ].join(', ');
    return (
      `SELECT * FROM (SELECT ${columns} FROM ${sources[tier]}\n` +
      `  WHERE ${TIME_FILTER} AND ${scraperIn()} AND ${TIER_CONDITIONS[tier]}\n` +
      `  ${SAMPLE_BY})`
    );
  };
  return `SELECT * FROM (\n${branch('raw')}\nUNION ALL\n${branch('hourly')}\nUNION ALL\n${branch('daily')}\n) ORDER BY ts`;
}

/** Measures shared by the trend panels. */
export const MEASURES = Object.freeze({
  events: { name: 'events', raw: 'count()', rollup: 'sum(events)' },
  successPct: {
    name: 'success_pct',
    raw: '100.0 * sum(CASE WHEN success THEN 1 ELSE 0 END) / count()',
    rollup: '100.0 * sum(successes) / sum(events)',
  },
  avgDurationMs: {
    name: 'avg_duration_ms',
    raw: 'avg(duration_ms)',
    rollup: 'sum(sum_duration_ms) / sum(events)',
  },
  retries: { name: 'retries', raw: 'sum(retry_count)', rollup: 'sum(retries)' },
  items: { name: 'items_extracted', raw: 'sum(items_extracted)', rollup: 'sum(items_extracted)' },
  /** Over field_coverage and its views (both carry `filled` and `items`). */
  fillPct: {
    name: 'fill_pct',
    raw: '100.0 * sum(filled) / sum(items)',
    rollup: '100.0 * sum(filled) / sum(items)',
  },
  zeroItemScrapes: {
    name: 'zero_item_scrapes',
    raw: 'sum(CASE WHEN success AND items_extracted = 0 THEN 1 ELSE 0 END)',
    rollup: 'sum(zero_item_scrapes)',
  },
} satisfies Record<string, TieredMeasure>);
