import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { QuestDbFormat } from '../grafana/queries';
import { SAMPLE_BY, TIME_FILTER, scraperIn } from '../sql/filters';
import { ERROR_CLASS_MEASURES, MEASURES, tieredSeries } from '../sql/tiers';
import { fillRatePanels } from './field-coverage';
import { refreshExemptionNote } from './live-refresh';
import { itemsByScraper, live, qdb, sectionDashboard, tablePanel, timeSeriesPanel } from './shared';

/**
 * Items per run (scrapes sharing a runId) over the range against the same scraper's 7 days
 * before it. Runs need run ids, which only raw rows carry, so the baseline reaches back at most
 * as far as the raw TTL (7 days). Scrapes without a runId are not counted here.
 */
export const ITEMS_PER_RUN_SQL = `WITH cur AS (
  SELECT scraper, count_distinct(run_id) runs, sum(items_extracted) items
  FROM page_scrape WHERE ${TIME_FILTER} AND ${scraperIn()} AND run_id IS NOT NULL
  GROUP BY scraper
), base AS (
  SELECT scraper, count_distinct(run_id) base_runs, sum(items_extracted) base_items
  FROM page_scrape
  WHERE ts >= dateadd('d', -7, $__fromTime) AND ts < $__fromTime AND ${scraperIn()} AND run_id IS NOT NULL
  GROUP BY scraper
)
SELECT cur.scraper scraper, cur.runs runs,
  cur.items * 1.0 / cur.runs items_per_run,
  base.base_items * 1.0 / base.base_runs baseline_items_per_run,
  100.0 * (cur.items * 1.0 / cur.runs) / (base.base_items * 1.0 / base.base_runs) pct_of_baseline
FROM cur LEFT JOIN base ON cur.scraper = base.scraper
ORDER BY pct_of_baseline`;

export const ITEMS_PER_RUN_TREND_SQL = `SELECT ts, scraper, sum(items_extracted) * 1.0 / count_distinct(run_id) items_per_run
FROM page_scrape WHERE ${TIME_FILTER} AND ${scraperIn()} AND run_id IS NOT NULL
${SAMPLE_BY}`;

export const SCRAPE_ERROR_CLASSES_SQL = tieredSeries({
  table: 'page_scrape',
  groupBy: [],
  measures: ERROR_CLASS_MEASURES,
});

export const ZERO_ITEM_TREND_SQL = tieredSeries({
  table: 'page_scrape',
  groupBy: ['scraper'],
  measures: [MEASURES.zeroItemScrapes],
});

export function scrapingDashboard(): Dashboard {
  const builder = sectionDashboard('scraping', {
    description:
      'Extraction: scrape timings, items, zero-item scrapes, items per run and field fill rates against their baselines.',
  })
    .withPanel(
      timeSeriesPanel({
        id: 1,
        title: 'Scrape time (live)',
        description: `Every scrape as it arrives, one series per scraper. ${refreshExemptionNote('scrapewatch-scraping', 1)}`,
        width: 12,
        height: 8,
        unit: 'ms',
        targets: [
          live({ kind: 'page_scrape', fields: ['duration'], mode: 'raw', groupBy: 'scraper' }),
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 2,
        title: 'Average scrape time by scraper',
        description:
          'Mean scrape duration per bucket (1-minute tier up to 2 days, hourly up to 31 days, daily beyond).',
        width: 12,
        height: 8,
        unit: 'ms',
        targets: [
          qdb(
            tieredSeries({
              table: 'page_scrape',
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
        id: 3,
        title: 'Items extracted',
        description: 'Items extracted per bucket and scraper.',
        width: 12,
        height: 8,
        bars: true,
        stack: true,
        targets: [itemsByScraper()],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 4,
        title: 'Zero-item successful scrapes',
        description: 'Scrapes that succeeded but extracted nothing, per bucket and scraper.',
        width: 12,
        height: 8,
        bars: true,
        stack: true,
        targets: [qdb(ZERO_ITEM_TREND_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 5,
        title: 'Items per run',
        description: 'Items per run (scrapes sharing a runId) per bucket and scraper.',
        width: 12,
        height: 8,
        targets: [qdb(ITEMS_PER_RUN_TREND_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 6,
        title: 'Scrape errors by class',
        description: 'Failed scrapes per error class per bucket.',
        width: 12,
        height: 8,
        bars: true,
        stack: true,
        targets: [qdb(SCRAPE_ERROR_CLASSES_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      tablePanel({
        id: 7,
        title: 'Items per run vs 7-day baseline',
        description:
          'Per scraper: runs and items per run over the range, the same over the 7 days before, and the ratio in percent.',
        width: 24,
        height: 8,
        targets: [qdb(ITEMS_PER_RUN_SQL, QuestDbFormat.Table)],
      }).overrideByName('pct_of_baseline', [
        { id: 'unit', value: 'percent' },
        { id: 'decimals', value: 0 },
      ]),
    );
  for (const panel of fillRatePanels()) builder.withPanel(panel);
  return builder.build();
}
