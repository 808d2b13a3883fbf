/**
 * The QuestDB schema, versioned. Each version is a list of idempotent statements; the collector
 * applies, at start-up, every version newer than the one recorded in `scrapewatch_schema`.
 *
 * Raw tables: designated timestamp `ts` = event time (recordedAt), PARTITION BY DAY, TTL 7 DAYS,
 * WAL, DEDUP UPSERT KEYS so a re-sent event (same event_id) is stored once. QuestDB lets a
 * materialized view over a dedup table group only by dedup key columns, hence scraper and domain
 * (both functions of the event) are in the keys.
 *
 * Views: `<table>_1h` (hourly, kept 90 days) and `<table>_1d` (daily, kept for ever). They keep
 * sums and counts rather than only averages, so a dashboard can roll them up over any range:
 * avg = sum_duration_ms / events, success rate = successes / events.
 */
export interface SchemaVersion {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

export const RAW_TTL = '7 DAYS';
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

const pageNavigation = `CREATE TABLE IF NOT EXISTS page_navigation (
  ts TIMESTAMP,
  event_id VARCHAR,
  scraper SYMBOL CAPACITY 1024,
  domain SYMBOL CAPACITY 4096,
  url VARCHAR,
  duration_ms DOUBLE,
  retry_count INT,
  success BOOLEAN,
  status_code INT,
  bytes LONG,
  error VARCHAR,
  error_class SYMBOL CAPACITY 256,
  run_id VARCHAR,
  received_at TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY TTL ${RAW_TTL} WAL
DEDUP UPSERT KEYS(ts, event_id, scraper, domain)`;

const pageScrape = `CREATE TABLE IF NOT EXISTS page_scrape (
  ts TIMESTAMP,
  event_id VARCHAR,
  scraper SYMBOL CAPACITY 1024,
  domain SYMBOL CAPACITY 4096,
  url VARCHAR,
  duration_ms DOUBLE,
  items_extracted LONG,
  success BOOLEAN,
  error VARCHAR,
  error_class SYMBOL CAPACITY 256,
  run_id VARCHAR,
  received_at TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY TTL ${RAW_TTL} WAL
DEDUP UPSERT KEYS(ts, event_id, scraper, domain)`;

// `scraper` is the run's scraperSource, or null for a run that is not tied to one scraper.
// `lateness_ms` = started_at - scheduled_at (null when the run never started).
const schedulerRun = `CREATE TABLE IF NOT EXISTS scheduler_run (
  ts TIMESTAMP,
  event_id VARCHAR,
  scheduler_name SYMBOL CAPACITY 256,
  job_name SYMBOL CAPACITY 1024,
  scraper SYMBOL CAPACITY 1024,
  status SYMBOL CAPACITY 8,
  success BOOLEAN,
  duration_ms DOUBLE,
  scrapers_run INT,
  scheduled_at TIMESTAMP,
  started_at TIMESTAMP,
  lateness_ms DOUBLE,
  error VARCHAR,
  error_class SYMBOL CAPACITY 256,
  run_id VARCHAR,
  received_at TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY TTL ${RAW_TTL} WAL
DEDUP UPSERT KEYS(ts, event_id, scheduler_name, job_name)`;

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
const scraperRun = `CREATE TABLE IF NOT EXISTS scraper_run (
  ts TIMESTAMP,
  event_id VARCHAR,
  scraper SYMBOL CAPACITY 1024,
  outcome SYMBOL CAPACITY 8,
  worst_field SYMBOL CAPACITY 4096,
  error_class SYMBOL CAPACITY 256,
  run_id VARCHAR,
  started_at TIMESTAMP,
  duration_ms DOUBLE,
  pages LONG,
  items LONG,
  errors LONG,
  worst_fill_pct DOUBLE,
  error VARCHAR,
  received_at TIMESTAMP
) TIMESTAMP(ts) PARTITION BY MONTH TTL ${RUN_TTL} WAL
DEDUP UPSERT KEYS(ts, event_id, scraper)`;

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

export const SCHEMA_VERSIONS: readonly SchemaVersion[] = Object.freeze([
  {
    version: 1,
    description: 'raw event tables with TTL and dedup; hourly and daily materialized views',
    statements: [
      pageNavigation,
      pageScrape,
      schedulerRun,
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
      scraperRun,
      scraperRunField,
    ],
  },
]);

export const SCHEMA_VERSION = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1]?.version ?? 0;
