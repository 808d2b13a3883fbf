/**
 * How every QuestDB query honours the dashboards' `scraper` variable (multi-value, with All).
 *
 * The explicit `singlequote` format is used rather than the data source's default: the QuestDB
 * plugin's own formatter quotes only arrays (`'a','b'`) and leaves a plain string unquoted, so a
 * single selected value arriving as a string would produce invalid SQL. `${scraper:singlequote}`
 * yields `'a'` or `'a','b'` in every case; All expands to every option (no custom all value).
 * Scraper names match NAME_PATTERN (no quotes), so no escaping is involved.
 */
export const SCRAPER_VARIABLE = 'scraper';
export const SCRAPER_VALUES = '${scraper:singlequote}';

export function scraperIn(column = 'scraper'): string {
  return `${column} IN (${SCRAPER_VALUES})`;
}

/**
 * Scheduler runs not tied to one scraper have a null `scraper`; they stay visible whatever the
 * selection, because no scraper selection can express them.
 */
export function schedulerScraperIn(column = 'scraper'): string {
  return `(${column} IN (${SCRAPER_VALUES}) OR ${column} IS NULL)`;
}

/** The condition and the bucket size of every history panel (QuestDB plugin macros). */
export const TIME_FILTER = '$__timeFilter(ts)';
export const SAMPLE_BY = 'SAMPLE BY $__sampleByInterval';
