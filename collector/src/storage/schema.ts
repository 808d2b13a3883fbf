import { RAW_TTL, rawTableStatements } from './tables';
import { TIERED_ROLLUPS } from './tiers';

/**
 * The QuestDB schema, versioned. Each version is a list of idempotent statements; the collector
 * applies, at start-up, every version newer than the one recorded in `scrapewatch_schema`.
 *
 * Event tables: derived from the protocol's event registry (tables.ts). A kind or a column added
 * to the registry with `since: N` needs schema version N here, running `rawTableStatements(N)`.
 *
 * Views: versions 1-3 built hourly and daily views (and the navigation signal views) on the raw
 * tables; version 4 replaces them all with the rollup tiers of tiers.ts (1-minute over raw, hourly
 * over 1-minute, daily over hourly). Applied versions never change: their statements stay as they
 * ran, so a database that holds them migrates to the next version.
 */

export interface SchemaVersion {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

export { RAW_TTL } from './tables';
export const HOURLY_TTL = '90 DAYS';

export const TABLES = Object.freeze({
  page_navigation: 'page_navigation',
  page_scrape: 'page_scrape',
  scheduler_run: 'scheduler_run',
  scraper_run: 'scraper_run',
});

/** Tables fed by parts of an event rather than by one event kind. */
export const DERIVED_TABLES = Object.freeze({
  /** One row per (scrape, field) of a scrape that reported `fields`. */
  field_coverage: 'field_coverage',
  /** One row per (run, field) of a scraper run that reported `fields`. */
  scraper_run_field: 'scraper_run_field',
});

/**
 * Run summaries are few (one row per run) and compared with the runs before them, which for a
 * daily scraper reach back weeks: they are kept a year, not the raw events' 7 days.
 */
export const RUN_TTL = '12 MONTHS';

function pageView(table: 'page_navigation' | 'page_scrape', unit: '1h' | '1d'): string {
  const items =
    table === 'page_scrape'
      ? `,
    sum(items_extracted) items_extracted,
    sum(CASE WHEN success AND items_extracted = 0 THEN 1 ELSE 0 END) zero_item_scrapes`
      : `,
    sum(retry_count) retries`;
  const retention = unit === '1h' ? `PARTITION BY DAY TTL ${HOURLY_TTL}` : 'PARTITION BY MONTH';
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${table}_${unit} AS (
  SELECT ts, scraper, domain,
    count() events,
    sum(CASE WHEN success THEN 1 ELSE 0 END) successes,
    sum(duration_ms) sum_duration_ms,
    avg(duration_ms) avg_duration_ms,
    min(duration_ms) min_duration_ms,
    max(duration_ms) max_duration_ms${items}
  FROM ${table} SAMPLE BY ${unit}
) ${retention}`;
}

function schedulerView(unit: '1h' | '1d'): string {
  const retention = unit === '1h' ? `PARTITION BY DAY TTL ${HOURLY_TTL}` : 'PARTITION BY MONTH';
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS scheduler_run_${unit} AS (
  SELECT ts, scheduler_name, job_name,
    count() runs,
    sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) successes,
    sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) failures,
    sum(CASE WHEN status = 'missed' THEN 1 ELSE 0 END) missed,
    sum(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END) skipped,
    sum(duration_ms) sum_duration_ms,
    avg(duration_ms) avg_duration_ms,
    min(duration_ms) min_duration_ms,
    max(duration_ms) max_duration_ms,
    max(lateness_ms) max_lateness_ms
  FROM scheduler_run SAMPLE BY ${unit}
) ${retention}`;
}

// Field coverage: the narrow form of a scrape's `fields` (one row per field), so fill rates group
// by scraper, domain and field in SQL. `items` repeats the scrape's itemsExtracted: fill rate over
// any set of rows = sum(filled) / sum(items). The dedup keys are the scrape's plus `field`.
const fieldCoverage = `CREATE TABLE IF NOT EXISTS field_coverage (
  ts TIMESTAMP,
  event_id VARCHAR,
  scraper SYMBOL CAPACITY 1024,
  domain SYMBOL CAPACITY 4096,
  field SYMBOL CAPACITY 4096,
  filled LONG,
  items LONG
) TIMESTAMP(ts) PARTITION BY DAY TTL ${RAW_TTL} WAL
DEDUP UPSERT KEYS(ts, event_id, scraper, domain, field)`;

function fieldCoverageView(unit: '1h' | '1d'): string {
  const retention = unit === '1h' ? `PARTITION BY DAY TTL ${HOURLY_TTL}` : 'PARTITION BY MONTH';
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS field_coverage_${unit} AS (
  SELECT ts, scraper, domain, field,
    count() scrapes,
    sum(filled) filled,
    sum(items) items
  FROM field_coverage SAMPLE BY ${unit}
) ${retention}`;
}

// A finished scraper run: ts = its end, duration_ms = end - started_at. worst_field is the field
// with the lowest fill rate over the run (null without coverage), so a table of runs needs no join.
// A finished scraper run (registry: SCRAPER_RUN): ts = its end, duration_ms = end - started_at.
// worst_field is the field with the lowest fill rate over the run (null without coverage), so a
// table of runs needs no join.
const scraperRunField = `CREATE TABLE IF NOT EXISTS scraper_run_field (
  ts TIMESTAMP,
  event_id VARCHAR,
  scraper SYMBOL CAPACITY 1024,
  field SYMBOL CAPACITY 4096,
  run_id VARCHAR,
  filled LONG,
  items LONG
) TIMESTAMP(ts) PARTITION BY MONTH TTL ${RUN_TTL} WAL
DEDUP UPSERT KEYS(ts, event_id, scraper, field)`;

/**
 * The block reasons the version-3 signals views count one by one (the SDK's built-in reasons).
 * A copy, not protocol's list: an applied version never changes, whatever the list becomes.
 */
export const BLOCK_REASON_COLUMNS = [
  'rate_limited',
  'forbidden',
  'challenge',
  'captcha',
  'login_wall',
  'empty',
] as const;

/**
 * Block counts and the inputs of cost per item, per scraper and domain (the dedup keys: a view
 * over a dedup table may group by nothing else, so reasons are columns, not a dimension; reasons
 * a user added to the classifier count in `other_blocks`). `requests` = navigations + retries.
 */
function navigationSignalsView(unit: '1h' | '1d'): string {
  const retention = unit === '1h' ? `PARTITION BY DAY TTL ${HOURLY_TTL}` : 'PARTITION BY MONTH';
  const reason = (name: string): string =>
    `sum(CASE WHEN block_reason = '${name}' THEN 1 ELSE 0 END) ${name}`;
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS page_navigation_signals_${unit} AS (
  SELECT ts, scraper, domain,
    count() events,
    sum(retry_count) + count() requests,
    sum(bytes) bytes,
    sum(CASE WHEN block_reason IS NOT NULL THEN 1 ELSE 0 END) blocked,
    ${BLOCK_REASON_COLUMNS.map(reason).join(',\n    ')},
    sum(CASE WHEN block_reason IS NOT NULL AND block_reason NOT IN (${BLOCK_REASON_COLUMNS.map((r) => `'${r}'`).join(', ')}) THEN 1 ELSE 0 END) other_blocks
  FROM page_navigation SAMPLE BY ${unit}
) ${retention}`;
}

/**
 * Prices for cost per 1,000 items, set by the user with an INSERT (see docs/blocks-errors-cost.md).
 * The latest row per `scraper` wins; the row of scraper `*` applies to every scraper without one.
 */
export const PRICES_TABLE = 'scrapewatch_prices';
/**
 * The prices in force until the user sets theirs: 5 per GB of proxy traffic (a middling
 * residential proxy price), nothing per request, in USD. Inserted at the epoch so any later row wins.
 */
export const DEFAULT_PRICES = Object.freeze({ pricePerGb: 5, pricePerRequest: 0, currency: 'USD' });
const pricesTable = `CREATE TABLE IF NOT EXISTS ${PRICES_TABLE} (
  ts TIMESTAMP,
  scraper SYMBOL CAPACITY 1024,
  price_per_gb DOUBLE,
  price_per_request DOUBLE,
  currency SYMBOL CAPACITY 16
) TIMESTAMP(ts) PARTITION BY YEAR BYPASS WAL`;

export const SCHEMA_VERSIONS: readonly SchemaVersion[] = Object.freeze([
  {
    version: 1,
    description: 'raw event tables with TTL and dedup; hourly and daily materialized views',
    statements: [
      ...rawTableStatements(1),
      pageView('page_navigation', '1h'),
      pageView('page_navigation', '1d'),
      pageView('page_scrape', '1h'),
      pageView('page_scrape', '1d'),
      schedulerView('1h'),
      schedulerView('1d'),
    ],
  },
  {
    version: 2,
    description:
      'field coverage of scrapes (per scraper, domain and field) with hourly and daily views; scraper runs and their field coverage',
    statements: [
      fieldCoverage,
      fieldCoverageView('1h'),
      fieldCoverageView('1d'),
      ...rawTableStatements(2),
      scraperRunField,
    ],
  },
  {
    version: 3,
    description:
      'error fingerprints and templates; block reason on navigations; block and cost signal views; prices',
    statements: [
      // error_fingerprint and error_template on the three raw tables, block_reason on navigations.
      ...rawTableStatements(3),
      navigationSignalsView('1h'),
      navigationSignalsView('1d'),
      pricesTable,
      `INSERT INTO ${PRICES_TABLE} VALUES (cast(0 as timestamp), '*', ${DEFAULT_PRICES.pricePerGb}.0, ${DEFAULT_PRICES.pricePerRequest}.0, '${DEFAULT_PRICES.currency}')`,
    ],
  },
  // Rollup tiers replace the views of versions 1-3 (tiers.ts).
  TIERED_ROLLUPS,
]);

export const SCHEMA_VERSION = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1]?.version ?? 0;
