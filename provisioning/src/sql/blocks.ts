import { BLOCK_REASON_COLUMNS } from '@scrapewatch/protocol';
import { TIME_FILTER, scraperIn } from './filters';
import { type TieredMeasure, tieredSeries } from './tiers';

/**
 * Soft blocks: navigations the SDK's classifier gave a `block_reason`. The navigation tiers count
 * the built-in reasons one column each (`block_<reason>`), every reason a user added as
 * `block_other`, and every blocked navigation as `blocked`.
 */
const isBlocked = 'block_reason IS NOT NULL';

export const BLOCK_MEASURES: readonly TieredMeasure[] = Object.freeze([
  ...BLOCK_REASON_COLUMNS.map(({ column, reason }) => ({
    name: reason,
    rollup: `100.0 * sum(${column}) / sum(events)`,
  })),
  { name: 'other', rollup: '100.0 * sum(block_other) / sum(events)' },
]);

/** Block rate per domain and reason over time (stacked, the stack is the domain's block rate). */
export const BLOCK_RATE_BY_DOMAIN_SQL = tieredSeries({
  table: 'page_navigation',
  groupBy: ['domain'],
  measures: BLOCK_MEASURES,
});

/** The domains with the highest block rate in the 15 minutes before the dashboard's end. */
export const MOST_BLOCKED_DOMAINS_SQL = `SELECT domain, blocked_pct, blocked, navigations, reasons, scrapers FROM (
  SELECT domain, count() navigations,
    sum(CASE WHEN ${isBlocked} THEN 1 ELSE 0 END) blocked,
    100.0 * sum(CASE WHEN ${isBlocked} THEN 1 ELSE 0 END) / count() blocked_pct,
    string_distinct_agg(cast(block_reason as varchar), ',') reasons,
    string_distinct_agg(cast(scraper as varchar), ',') scrapers
  FROM page_navigation
  WHERE ts > dateadd('m', -15, $__toTime) AND ts <= $__toTime AND ${scraperIn()} AND domain IS NOT NULL
  GROUP BY domain
) WHERE blocked > 0
ORDER BY blocked_pct DESC, blocked DESC
LIMIT 10`;

/** Block rate per scraper and domain over the rule's window, for domains with enough navigations. */
export function blockRateRuleSql(minNavigations: number): string {
  return `SELECT scraper, domain, blocked_pct FROM (
  SELECT scraper, domain, count() navigations,
    100.0 * sum(CASE WHEN ${isBlocked} THEN 1 ELSE 0 END) / count() blocked_pct
  FROM page_navigation WHERE ${TIME_FILTER} AND domain IS NOT NULL
  GROUP BY scraper, domain
) WHERE navigations >= ${minNavigations}`;
}

/** The rule's measure over time on the Alerts dashboard. */
export const BLOCK_RATE_PANEL_SQL = tieredSeries({
  table: 'page_navigation',
  groupBy: ['domain'],
  measures: [{ name: 'blocked_pct', rollup: '100.0 * sum(blocked) / sum(events)' }],
});
