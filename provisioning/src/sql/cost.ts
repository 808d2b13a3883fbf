import { TIME_FILTER } from './filters';
import { tieredRows, tieredSeries } from './tiers';

/**
 * Cost per 1,000 items. Requests = navigations + their retries; bytes as the SDK reported them
 * (content-length); items from the scrapes of the same scraper (and domain). Money comes from the
 * `scrapewatch_prices` table: the latest row of the scraper, else the latest row of `*`:
 *   cost per 1,000 items = 1000 * (requests * price_per_request + bytes / 1e9 * price_per_gb) / items
 */
export const PRICES_TABLE = 'scrapewatch_prices';

/** The prices in force per scraper (`*` the default), as `scraper, price_per_gb, price_per_request, currency`. */
export const LATEST_PRICES = `SELECT scraper, price_per_gb, price_per_request, currency FROM ${PRICES_TABLE} LATEST ON ts PARTITION BY scraper`;

/** `1000 * cost / items` over columns `requests`, `bytes`, `items` of `n` and prices `p` (scraper) and `d` (default). */
function costPer1000(n: string, s: string): string {
  return `1000.0 * (${n}.requests * coalesce(p.price_per_request, d.price_per_request, 0.0)
    + coalesce(${n}.bytes, 0) / 1e9 * coalesce(p.price_per_gb, d.price_per_gb, 0.0)) / ${s}.items`;
}

const PRICE_JOINS = (scraperColumn: string): string =>
  `LEFT JOIN (${LATEST_PRICES}) p ON ${scraperColumn} = p.scraper
CROSS JOIN (SELECT price_per_gb, price_per_request, currency FROM (${LATEST_PRICES}) WHERE scraper = '*') d`;

/** Cost per 1,000 items per scraper per bucket, over the tier the range selects. */
export const COST_PER_1000_ITEMS_SQL = `SELECT nav.ts ts, nav.scraper scraper,
  ${costPer1000('nav', 'scr')} cost_per_1000_items
FROM (${tieredSeries({
  table: 'page_navigation',
  groupBy: ['scraper'],
  measures: [
    // A navigation without a retry count made one request.
    { name: 'requests', rollup: 'sum(events) + coalesce(sum(retries), 0)' },
    { name: 'bytes', rollup: 'sum(bytes)' },
  ],
})}) nav
JOIN (${tieredSeries({
  table: 'page_scrape',
  groupBy: ['scraper'],
  measures: [{ name: 'items', rollup: 'sum(items_extracted)' }],
})}) scr ON nav.ts = scr.ts AND nav.scraper = scr.scraper
${PRICE_JOINS('nav.scraper')}
WHERE scr.items > 0
ORDER BY ts`;

/**
 * Per scraper and domain over the range: requests and bytes per item, money per 1,000 items, from
 * the tier the range selects (never a week of raw rows).
 */
export const COST_BY_DOMAIN_SQL = `WITH nav AS (
  SELECT scraper, domain, sum(events) navigations, sum(events) + coalesce(sum(retries), 0) requests,
    sum(bytes) bytes
  FROM ${tieredRows('page_navigation', ['scraper', 'domain', 'events', 'retries', 'bytes'])}
  GROUP BY scraper, domain
), scr AS (
  SELECT scraper, domain, sum(items_extracted) items
  FROM ${tieredRows('page_scrape', ['scraper', 'domain', 'items_extracted'])}
  GROUP BY scraper, domain
)
SELECT nav.scraper scraper, nav.domain domain, nav.navigations navigations, nav.requests requests,
  scr.items items,
  nav.requests * 1.0 / scr.items requests_per_item,
  coalesce(nav.bytes, 0) * 1.0 / scr.items bytes_per_item,
  ${costPer1000('nav', 'scr')} cost_per_1000_items,
  coalesce(p.currency, d.currency) currency
FROM nav JOIN scr ON nav.scraper = scr.scraper AND nav.domain = scr.domain
${PRICE_JOINS('nav.scraper')}
WHERE scr.items > 0
ORDER BY cost_per_1000_items DESC
LIMIT 500`;

/**
 * Cost per 1,000 items of each scraper over the rule's window divided by the same over the 7 days
 * before it (navigation and scrape hourly tiers, the last hour before the window left out), both at
 * today's prices. Needs `minItems` items now and `minBaselineItems` in the baseline.
 */
export function costRatioRuleSql(minItems: number, minBaselineItems: number): string {
  const baseline = `ts >= dateadd('d', -7, $__fromTime) AND ts < dateadd('h', -1, $__fromTime)`;
  return `WITH cur_nav AS (
  SELECT scraper, sum(retry_count) + count() requests, sum(bytes) bytes
  FROM page_navigation WHERE ${TIME_FILTER} GROUP BY scraper
), cur_scr AS (
  SELECT scraper, sum(items_extracted) items FROM page_scrape WHERE ${TIME_FILTER} GROUP BY scraper
), base_nav AS (
  SELECT scraper, sum(events) + coalesce(sum(retries), 0) requests, sum(bytes) bytes
  FROM page_navigation_1h WHERE ${baseline} GROUP BY scraper
), base_scr AS (
  SELECT scraper, sum(items_extracted) items FROM page_scrape_1h WHERE ${baseline} GROUP BY scraper
), cur AS (
  SELECT cur_nav.scraper scraper, cur_scr.items items, ${costPer1000('cur_nav', 'cur_scr')} cost
  FROM cur_nav JOIN cur_scr ON cur_nav.scraper = cur_scr.scraper
  ${PRICE_JOINS('cur_nav.scraper')}
  WHERE cur_scr.items >= ${minItems}
), base AS (
  SELECT base_nav.scraper scraper, base_scr.items items, ${costPer1000('base_nav', 'base_scr')} cost
  FROM base_nav JOIN base_scr ON base_nav.scraper = base_scr.scraper
  ${PRICE_JOINS('base_nav.scraper')}
  WHERE base_scr.items >= ${minBaselineItems}
)
SELECT cur.scraper scraper, cur.cost / base.cost cost_ratio
FROM cur JOIN base ON cur.scraper = base.scraper
WHERE base.cost > 0`;
}
