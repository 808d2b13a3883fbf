import {
  BLOCK_REASON_COLUMNS,
  DURATION_BUCKETS,
  ERROR_CLASSES,
  ERROR_CLASS_COLUMNS,
  STATUS_CLASS_COLUMNS,
  rollupName,
  type RollupGrain,
} from '@scrapewatch/protocol';

import { rawTableStatements } from './tables';

/**
 * Rollup tiers: materialized views, each built on the tier below, so no refresh ever rescans a
 * full hour or day of raw rows.
 *
 * - `<table>_1m` over the raw table, `REFRESH EVERY` {@link FINE_REFRESH}: a timer refresh
 *   recomputes only the minutes that changed since the last one, whatever the commit rate, so its
 *   cost follows the rows written, not the rows already in the current hour or day. Kept as long
 *   as the raw rows.
 * - `<table>_1h` over `<table>_1m`, `<table>_1d` over `<table>_1h`: refreshed when the tier below
 *   commits; a refresh rereads at most one hour of minutes or one day of hours. Hourly kept
 *   {@link HOURLY_TIER_TTL}, daily for ever.
 *
 * Every tier keeps re-aggregable columns only (counts, sums, min, max, histogram buckets), so a
 * query rolls any tier up over any range: avg = sum_duration_ms / events, success rate =
 * successes / events, percentiles from the `dur_*` histogram (see protocol's rollups.ts).
 *
 * QuestDB lets a view over a dedup table group only by dedup key columns: page tiers group by
 * scraper and domain (dedup keys since schema 1); scheduler tiers group by scheduler, job and
 * scraper, which schema 4 adds to the scheduler table's dedup keys (it is a function of the event,
 * so what counts as the same run does not change).
 */

export const FINE_REFRESH = '1m';
export const FINE_TIER_TTL = '7 DAYS';
export const HOURLY_TIER_TTL = '90 DAYS';

type PageTable = 'page_navigation' | 'page_scrape';
type RolledUpTable = PageTable | 'scheduler_run' | 'field_coverage';

interface Measure {
  readonly column: string;
  /** Over the raw table. */
  readonly raw: string;
  /** Over the tier below (same column names). */
  readonly rollup: string;
}

const sumOf = (column: string, raw: string): Measure => ({
  column,
  raw,
  rollup: `sum(${column})`,
});

function histogram(): Measure[] {
  return DURATION_BUCKETS.map((bucket, i) => {
    const above = i === 0 ? '' : `duration_ms > ${bucket.lowerMs}`;
    const below = bucket.upperMs === null ? '' : `duration_ms <= ${bucket.upperMs}`;
    const condition = [above, below].filter((part) => part !== '').join(' AND ');
    return sumOf(bucket.column, `sum(CASE WHEN ${condition} THEN 1 ELSE 0 END)`);
  });
}

const KNOWN_CLASSES = ERROR_CLASSES.map((c) => `'${c}'`).join(', ');

/** Failures per error class (protocol's ERROR_CLASS_COLUMNS). */
function errorClasses(): Measure[] {
  return ERROR_CLASS_COLUMNS.map(({ column, errorClass }) => {
    const which =
      errorClass === 'unclassified'
        ? 'error_class IS NULL'
        : errorClass === 'custom'
          ? `error_class IS NOT NULL AND error_class NOT IN (${KNOWN_CLASSES})`
          : `error_class = '${errorClass}'`;
    return sumOf(column, `sum(CASE WHEN NOT success AND ${which} THEN 1 ELSE 0 END)`);
  });
}

/** Navigations per HTTP status class (protocol's STATUS_CLASS_COLUMNS). */
function statusClasses(): Measure[] {
  return STATUS_CLASS_COLUMNS.map(({ column, fromCode, toCode }) =>
    sumOf(
      column,
      fromCode === null
        ? 'sum(CASE WHEN status_code IS NULL THEN 1 ELSE 0 END)'
        : `sum(CASE WHEN status_code >= ${fromCode} AND status_code <= ${toCode} THEN 1 ELSE 0 END)`,
    ),
  );
}

const KNOWN_REASONS = BLOCK_REASON_COLUMNS.map(({ reason }) => `'${reason}'`).join(', ');

/**
 * Soft blocks per reason (protocol's BLOCK_REASON_COLUMNS), what version 3's navigation signal
 * views counted: the tiers carry them, so those views are dropped.
 */
function blockSignals(): Measure[] {
  return [
    sumOf('blocked', 'sum(CASE WHEN block_reason IS NOT NULL THEN 1 ELSE 0 END)'),
    ...BLOCK_REASON_COLUMNS.map(({ column, reason }) =>
      sumOf(column, `sum(CASE WHEN block_reason = '${reason}' THEN 1 ELSE 0 END)`),
    ),
    sumOf(
      'block_other',
      `sum(CASE WHEN block_reason IS NOT NULL AND block_reason NOT IN (${KNOWN_REASONS}) THEN 1 ELSE 0 END)`,
    ),
  ];
}

function pageMeasures(table: PageTable): Measure[] {
  const common: Measure[] = [
    sumOf('events', 'count()'),
    sumOf('successes', 'sum(CASE WHEN success THEN 1 ELSE 0 END)'),
    sumOf('sum_duration_ms', 'sum(duration_ms)'),
    { column: 'min_duration_ms', raw: 'min(duration_ms)', rollup: 'min(min_duration_ms)' },
    { column: 'max_duration_ms', raw: 'max(duration_ms)', rollup: 'max(max_duration_ms)' },
  ];
  const specific: Measure[] =
    table === 'page_navigation'
      ? [
          sumOf('retries', 'sum(retry_count)'),
          sumOf('bytes', 'sum(bytes)'),
          ...statusClasses(),
          ...blockSignals(),
        ]
      : [
          sumOf('items_extracted', 'sum(items_extracted)'),
          sumOf(
            'zero_item_scrapes',
            'sum(CASE WHEN success AND items_extracted = 0 THEN 1 ELSE 0 END)',
          ),
        ];
  return [...common, ...specific, ...errorClasses(), ...histogram()];
}

const SCHEDULER_MEASURES: readonly Measure[] = [
  sumOf('runs', 'count()'),
  sumOf('successes', "sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END)"),
  sumOf('failures', "sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END)"),
  sumOf('missed', "sum(CASE WHEN status = 'missed' THEN 1 ELSE 0 END)"),
  sumOf('skipped', "sum(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END)"),
  sumOf('sum_duration_ms', 'sum(duration_ms)'),
  { column: 'max_duration_ms', raw: 'max(duration_ms)', rollup: 'max(max_duration_ms)' },
  /** Runs that started (lateness known): the denominator of the average lateness. */
  sumOf('started_runs', 'count(lateness_ms)'),
  sumOf('sum_lateness_ms', 'sum(lateness_ms)'),
  { column: 'max_lateness_ms', raw: 'max(lateness_ms)', rollup: 'max(max_lateness_ms)' },
];

/** Field coverage (one row per scrape and field): fill rate = filled / items over any rows. */
const FIELD_COVERAGE_MEASURES: readonly Measure[] = [
  sumOf('scrapes', 'count()'),
  sumOf('filled', 'sum(filled)'),
  sumOf('items', 'sum(items)'),
];

export interface TierSpec {
  readonly name: string;
  readonly grain: RollupGrain;
  /** The raw table or the tier below. */
  readonly base: string;
  readonly groupBy: readonly string[];
  readonly measures: readonly Measure[];
}

function tiersOf(
  table: RolledUpTable,
  groupBy: readonly string[],
  measures: readonly Measure[],
): TierSpec[] {
  return [
    { name: rollupName(table, '1m'), grain: '1m', base: table, groupBy, measures },
    {
      name: rollupName(table, '1h'),
      grain: '1h',
      base: rollupName(table, '1m'),
      groupBy,
      measures,
    },
    {
      name: rollupName(table, '1d'),
      grain: '1d',
      base: rollupName(table, '1h'),
      groupBy,
      measures,
    },
  ];
}

/** Every tier, each after the tier it is built on. */
export const TIERS: readonly TierSpec[] = Object.freeze([
  ...tiersOf('page_navigation', ['scraper', 'domain'], pageMeasures('page_navigation')),
  ...tiersOf('page_scrape', ['scraper', 'domain'], pageMeasures('page_scrape')),
  ...tiersOf('scheduler_run', ['scheduler_name', 'job_name', 'scraper'], SCHEDULER_MEASURES),
  ...tiersOf('field_coverage', ['scraper', 'domain', 'field'], FIELD_COVERAGE_MEASURES),
]);

export function createTierStatement(tier: TierSpec): string {
  const fine = tier.grain === '1m';
  const columns = tier.measures
    .map((m) => `    ${fine ? m.raw : m.rollup} ${m.column}`)
    .join(',\n');
  const refresh = fine ? ` REFRESH EVERY ${FINE_REFRESH}` : '';
  const storage =
    tier.grain === '1m'
      ? `PARTITION BY DAY TTL ${FINE_TIER_TTL}`
      : tier.grain === '1h'
        ? `PARTITION BY DAY TTL ${HOURLY_TIER_TTL}`
        : 'PARTITION BY MONTH';
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${tier.name}${refresh} AS (
  SELECT ts, ${tier.groupBy.join(', ')},
${columns}
  FROM ${tier.base} SAMPLE BY ${tier.grain}
) ${storage}`;
}

/**
 * The views built on the raw tables before the tiers (versions 1-3), as `<name>_1h`/`<name>_1d`:
 * a page, scheduler and coverage view per table, and version 3's navigation signal views, whose
 * block counts, requests and bytes the navigation tiers now carry.
 */
export const VIEWS_BEFORE_TIERS: readonly string[] = Object.freeze([
  'page_navigation',
  'page_scrape',
  'scheduler_run',
  'field_coverage',
  'page_navigation_signals',
]);

/** Archive of the daily summaries a view recorded before the tiers (see {@link TIERED_ROLLUPS}). */
export function dailyArchive(view: string): string {
  return `${view}_1d_before_tiers`;
}

/**
 * Schema 4: the hourly and daily views of schemas 1-3 were built on the raw tables (a refresh
 * rescanned the whole current hour and day at every commit); they are replaced by the tiers. The
 * new tiers are built from the raw rows at creation, so every event still held is in every tier.
 * The old daily summaries are first copied to a plain table (`<view>_1d_before_tiers`), so days
 * whose raw rows have already expired keep their summary. Every statement is idempotent: a
 * migration interrupted half-way is applied again from the start.
 */
export const TIERED_ROLLUPS = Object.freeze({
  version: 4,
  description:
    'rollup tiers: 1-minute over raw, hourly over 1-minute, daily over hourly; they replace the hourly, daily and navigation signal views',
  statements: [
    // The scheduler table's dedup keys gain `scraper` (registry: `dedupKeySince: 4`).
    ...rawTableStatements(4),
    ...VIEWS_BEFORE_TIERS.flatMap((view) => [
      `CREATE TABLE IF NOT EXISTS ${dailyArchive(view)} AS (SELECT * FROM ${view}_1d) TIMESTAMP(ts) PARTITION BY MONTH`,
      `DROP MATERIALIZED VIEW IF EXISTS ${view}_1d`,
      `DROP MATERIALIZED VIEW IF EXISTS ${view}_1h`,
    ]),
    ...TIERS.map(createTierStatement),
  ],
});

/**
 * Statements that bring every tier up to date now instead of at the next timer tick (the tiers
 * above the fine one follow as soon as it commits): for tests, benchmarks and operators.
 */
export const REFRESH_FINE_TIERS: readonly string[] = Object.freeze(
  TIERS.filter((tier) => tier.grain === '1m').map(
    (tier) => `REFRESH MATERIALIZED VIEW ${tier.name} INCREMENTAL`,
  ),
);
