import { BLOCK_REASONS } from '@scrapewatch/protocol';
import { TIME_FILTER, scraperIn } from './filters';
import { type TieredMeasure, tieredSeries } from './tiers';

/**
 * Soft blocks: navigations the SDK's classifier gave a `block_reason`. The signal views count the
 * built-in reasons one column each and every reason a user added as `other_blocks`.
 */
export const SIGNAL_VIEWS = Object.freeze({
  hourly: 'page_navigation_signals_1h',
  daily: 'page_navigation_signals_1d',
});

const quotedReasons = BLOCK_REASONS.map((r) => `'${r}'`).join(', ');
const isBlocked = 'block_reason IS NOT NULL';

/** Share of navigations blocked for one reason, in percent. */
const reasonPct = (reason: string): TieredMeasure => ({
  name: reason,
  raw: `100.0 * sum(CASE WHEN block_reason = '${reason}' THEN 1 ELSE 0 END) / count()`,
  rollup: `100.0 * sum(${reason}) / sum(events)`,
});

export const BLOCK_MEASURES: readonly TieredMeasure[] = Object.freeze([
  ...BLOCK_REASONS.map(reasonPct),
  {
    name: 'other',
    raw: `100.0 * sum(CASE WHEN ${isBlocked} AND block_reason NOT IN (${quotedReasons}) THEN 1 ELSE 0 END) / count()`,
    rollup: '100.0 * sum(other_blocks) / sum(events)',
  },
]);

/** Block rate per domain and reason over time (stacked, the stack is the domain's block rate). */
export const BLOCK_RATE_BY_DOMAIN_SQL = tieredSeries({
  table: 'page_navigation',
  groupBy: ['domain'],
  measures: BLOCK_MEASURES,
  rollups: SIGNAL_VIEWS,
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
  measures: [
    {
      name: 'blocked_pct',
      raw: `100.0 * sum(CASE WHEN ${isBlocked} THEN 1 ELSE 0 END) / count()`,
      rollup: '100.0 * sum(blocked) / sum(events)',
    },
  ],
  rollups: SIGNAL_VIEWS,
});
