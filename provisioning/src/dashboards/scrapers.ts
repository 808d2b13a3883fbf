import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { QuestDbFormat } from '../grafana/queries';
import { scraperIn } from '../sql/filters';
import {
  HISTOGRAM_SUMS,
  MEASURES,
  histogramQuantile,
  tieredRows,
  tieredSeries,
} from '../sql/tiers';
import { runsPanel } from './runs';
import { COST_BY_DOMAIN_SQL, COST_PER_1000_ITEMS_SQL } from '../sql/cost';
import { itemsByScraper, qdb, sectionDashboard, tablePanel, timeSeriesPanel } from './shared';

/**
 * One row per scraper over the dashboard range (the tier the range selects), compared with the
 * same scraper's own 7 days before the range (hourly tier; hours overlapping the range excluded).
 * The p95 comes from the duration histogram; last seen is to the minute (the fine tier's bucket).
 */
export const SCRAPER_COMPARISON_SQL = `WITH nav AS (
  SELECT scraper, n navigations, 100.0 * successes / n success_pct,
    ${histogramQuantile(0.95)} p95_ms, sum_duration_ms / n avg_ms, last_navigation
  FROM (
    SELECT scraper, sum(events) n, sum(successes) successes, sum(sum_duration_ms) sum_duration_ms,
      max(max_duration_ms) max_ms, max(ts) last_navigation, ${HISTOGRAM_SUMS}
    FROM ${tieredRows('page_navigation', ['*'])}
    GROUP BY scraper
  )
), scr AS (
  SELECT scraper, sum(events) scrapes, sum(items_extracted) items, max(ts) last_scrape
  FROM ${tieredRows('page_scrape', ['ts', 'scraper', 'events', 'items_extracted'])}
  GROUP BY scraper
), nav_base AS (
  SELECT scraper, 100.0 * sum(successes) / sum(events) base_success_pct, sum(sum_duration_ms) / sum(events) base_avg_ms
  FROM page_navigation_1h
  WHERE ts >= dateadd('d', -7, $__fromTime) AND ts < dateadd('h', -1, $__fromTime) AND ${scraperIn()}
  GROUP BY scraper
), scr_base AS (
  SELECT scraper, sum(items_extracted) * 1.0 / sum(events) base_items_per_scrape
  FROM page_scrape_1h
  WHERE ts >= dateadd('d', -7, $__fromTime) AND ts < dateadd('h', -1, $__fromTime) AND ${scraperIn()}
  GROUP BY scraper
)
SELECT nav.scraper scraper,
  nav.success_pct success_pct,
  nav.success_pct - nav_base.base_success_pct success_pct_vs_7d,
  nav.p95_ms p95_ms,
  nav.avg_ms avg_ms,
  100.0 * (nav.avg_ms - nav_base.base_avg_ms) / nav_base.base_avg_ms avg_ms_change_pct_vs_7d,
  nav.navigations navigations,
  scr.scrapes scrapes,
  scr.items items,
  100.0 * (scr.items * 1.0 / scr.scrapes - scr_base.base_items_per_scrape) / scr_base.base_items_per_scrape items_per_scrape_change_pct_vs_7d,
  CASE WHEN scr.last_scrape > nav.last_navigation THEN scr.last_scrape ELSE nav.last_navigation END last_seen
FROM nav
LEFT JOIN scr ON nav.scraper = scr.scraper
LEFT JOIN nav_base ON nav.scraper = nav_base.scraper
LEFT JOIN scr_base ON nav.scraper = scr_base.scraper
ORDER BY success_pct`;

export const SUCCESS_RATE_TREND_SQL = tieredSeries({
  table: 'page_navigation',
  groupBy: ['scraper'],
  measures: [MEASURES.successPct],
});

export function scrapersDashboard(): Dashboard {
  return sectionDashboard('scrapers', {
    description:
      'Scrapers side by side over time, each against its own 7-day baseline, and each run against its last ten.',
    from: 'now-6h',
  })
    .withPanel(
      timeSeriesPanel({
        id: 1,
        title: 'Navigation success rate by scraper',
        description:
          'Share of successful navigations per bucket (1-minute tier up to 2 days, hourly up to 31 days, daily beyond).',
        width: 12,
        height: 8,
        unit: 'percent',
        targets: [qdb(SUCCESS_RATE_TREND_SQL, QuestDbFormat.TimeSeries)],
      }).max(100),
    )
    .withPanel(
      timeSeriesPanel({
        id: 2,
        title: 'Navigations by scraper',
        description: 'Navigations per bucket.',
        width: 12,
        height: 8,
        targets: [
          qdb(
            tieredSeries({
              table: 'page_navigation',
              groupBy: ['scraper'],
              measures: [MEASURES.events],
            }),
            QuestDbFormat.TimeSeries,
          ),
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 3,
        title: 'Average navigation time by scraper',
        description: 'Mean navigation duration per bucket.',
        width: 12,
        height: 8,
        unit: 'ms',
        targets: [
          qdb(
            tieredSeries({
              table: 'page_navigation',
              groupBy: ['scraper'],
              measures: [MEASURES.avgDurationMs],
            }),
            QuestDbFormat.TimeSeries,
          ),
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 4,
        title: 'Items extracted by scraper',
        description: 'Items extracted per bucket.',
        width: 12,
        height: 8,
        targets: [itemsByScraper()],
      }),
    )
    .withPanel(
      tablePanel({
        id: 5,
        title: 'Scraper comparison',
        description:
          'Per scraper over the range: success %, p95 and average navigation time, items, last seen; the *_vs_7d columns compare with the same scraper over the 7 days before the range (success in points, averages and items per scrape in percent).',
        width: 24,
        height: 10,
        targets: [qdb(SCRAPER_COMPARISON_SQL, QuestDbFormat.Table)],
      })
        .overrideByName('success_pct', [
          { id: 'unit', value: 'percent' },
          { id: 'decimals', value: 1 },
        ])
        .overrideByName('p95_ms', [{ id: 'unit', value: 'ms' }])
        .overrideByName('avg_ms', [{ id: 'unit', value: 'ms' }])
        .overrideByName('last_seen', [{ id: 'unit', value: 'dateTimeFromNow' }]),
    )
    .withPanel(runsPanel(6))
    .withPanel(
      timeSeriesPanel({
        id: 7,
        title: 'Cost per 1,000 items by scraper',
        description:
          'Money per 1,000 items per bucket: (requests x price per request + GB x proxy price per GB) / items x 1000, at the prices in the scrapewatch_prices table (currency as set there). Requests are navigations plus retries.',
        width: 24,
        height: 8,
        targets: [qdb(COST_PER_1000_ITEMS_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      tablePanel({
        id: 8,
        title: 'Cost by scraper and domain',
        description:
          'Per scraper and domain over the range (raw rows, 7 days): requests (navigations + retries) and bytes per item, and money per 1,000 items at the prices in force.',
        width: 24,
        height: 10,
        sortBy: 'cost_per_1000_items',
        targets: [qdb(COST_BY_DOMAIN_SQL, QuestDbFormat.Table)],
      })
        .overrideByName('bytes_per_item', [{ id: 'unit', value: 'bytes' }])
        .overrideByName('requests_per_item', [{ id: 'decimals', value: 2 }])
        .overrideByName('cost_per_1000_items', [{ id: 'decimals', value: 3 }]),
    )
    .build();
}
