import { SAMPLE_BY, TIME_FILTER, schedulerScraperIn, scraperIn } from './filters';

/**
 * Errors by fingerprint (the collector's `error_fingerprint` / `error_template` columns) across
 * the three event kinds. A scheduler run has no domain and its job stands in for the URL.
 */

/** Every fingerprinted error matching `filter` (a condition on `ts`), one row per event. */
export function fingerprintedErrors(filter: string, scraperFilter = true): string {
  const scraper = scraperFilter ? ` AND ${scraperIn()}` : '';
  const schedulerScraper = scraperFilter ? ` AND ${schedulerScraperIn()}` : '';
  return `SELECT ts, scraper, domain, url, error, error_fingerprint, error_template
  FROM page_navigation WHERE ${filter}${scraper} AND error_fingerprint IS NOT NULL
  UNION ALL
  SELECT ts, scraper, domain, url, error, error_fingerprint, error_template
  FROM page_scrape WHERE ${filter}${scraper} AND error_fingerprint IS NOT NULL
  UNION ALL
  SELECT ts, coalesce(scraper, '-') scraper, cast(null as symbol) domain, cast(job_name as varchar) url, error,
    error_fingerprint, error_template
  FROM scheduler_run WHERE ${filter}${schedulerScraper} AND error_fingerprint IS NOT NULL`;
}

/** The raw TTL before the dashboard's end: how far back "first seen" can look. */
const RETAINED = `ts >= dateadd('d', -7, $__toTime) AND ts <= $__toTime`;

/**
 * The Errors table: one row per fingerprint seen in the range, newest first: its template, first
 * seen (within the 7 days kept raw), last seen, count, scrapers and domains, and the latest
 * message and URL as a sample.
 */
export const ERRORS_TABLE_SQL = `WITH errors AS (
  SELECT error_fingerprint fingerprint, error_template template, max(ts) last_seen, count() occurrences,
    string_distinct_agg(cast(scraper as varchar), ',') scrapers,
    string_distinct_agg(cast(domain as varchar), ',') domains,
    last(error) sample_error, last(url) sample_url
  FROM (${fingerprintedErrors(TIME_FILTER)})
  GROUP BY error_fingerprint, error_template
), seen AS (
  SELECT error_fingerprint fingerprint, min(ts) first_seen
  FROM (${fingerprintedErrors(RETAINED)})
  GROUP BY error_fingerprint
)
SELECT errors.template template, seen.first_seen first_seen, errors.last_seen last_seen,
  errors.occurrences occurrences, errors.scrapers scrapers, errors.domains domains,
  errors.sample_error sample_error, errors.sample_url sample_url, errors.fingerprint fingerprint
FROM errors JOIN seen ON errors.fingerprint = seen.fingerprint
ORDER BY last_seen DESC
LIMIT 200`;

/**
 * Fingerprints first seen in the `newMinutes` before `$__toTime` (absent from the rest of the
 * rule's range, up to the 7 days kept raw), per scraper: occurrences, template and a sample
 * message. Not filtered by the dashboard selection: alert rules see every scraper.
 */
export function newFingerprintsSql(newMinutes: number, sampleChars: number): string {
  const recent = `ts > dateadd('m', -${newMinutes}, $__toTime) AND ts <= $__toTime`;
  const before = `$__timeFilter(ts) AND ts <= dateadd('m', -${newMinutes}, $__toTime)`;
  return `WITH recent AS (
  SELECT scraper, error_fingerprint fingerprint, error_template template, count() occurrences,
    left(first(error), ${sampleChars}) sample_error, first(url) sample_url
  FROM (${fingerprintedErrors(recent, false)})
  GROUP BY scraper, error_fingerprint, error_template
), known AS (
  SELECT DISTINCT error_fingerprint fingerprint FROM (${fingerprintedErrors(before, false)})
)
SELECT recent.scraper scraper, recent.fingerprint fingerprint, recent.template template,
  recent.sample_error sample_error, recent.sample_url sample_url, recent.occurrences occurrences
FROM recent LEFT JOIN known ON recent.fingerprint = known.fingerprint
WHERE known.fingerprint IS NULL`;
}

/** Fingerprinted errors per template per bucket: a new kind of error is a new series. */
export const ERRORS_BY_TEMPLATE_SQL = `SELECT ts, error_template, count() errors
FROM ((${fingerprintedErrors(TIME_FILTER)}) ORDER BY ts) timestamp(ts)
${SAMPLE_BY}`;
