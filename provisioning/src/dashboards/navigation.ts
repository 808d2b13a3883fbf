import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { STATUS_CLASS_COLUMNS } from '@scrapewatch/protocol';
import { QuestDbFormat } from '../grafana/queries';
import { TIME_FILTER, scraperIn } from '../sql/filters';
import {
  HISTOGRAM_SUMS,
  ERROR_CLASS_MEASURES,
  MEASURES,
  histogramQuantile,
  tieredPercentileSeries,
  tieredRows,
  tieredSeries,
} from '../sql/tiers';
import { refreshExemptionNote } from './live-refresh';
import { BLOCK_RATE_BY_DOMAIN_SQL, MOST_BLOCKED_DOMAINS_SQL } from '../sql/blocks';
import { live, qdb, sectionDashboard, tablePanel, timeSeriesPanel } from './shared';

const RAW = `FROM page_navigation WHERE ${TIME_FILTER} AND ${scraperIn()}`;

/** Percentiles from the tiers' duration histograms: any range, never a week of raw rows. */
export const NAVIGATION_PERCENTILES_SQL = tieredPercentileSeries({
  table: 'page_navigation',
  groupBy: [],
  quantiles: [
    { name: 'p50_ms', q: 0.5 },
    { name: 'p95_ms', q: 0.95 },
    { name: 'p99_ms', q: 0.99 },
  ],
});

/** Navigations per HTTP status class, one series each, from the tiers. */
export const STATUS_CODES_SQL = tieredSeries({
  table: 'page_navigation',
  groupBy: [],
  measures: STATUS_CLASS_COLUMNS.map((s) => ({ name: `"${s.label}"`, rollup: `sum(${s.column})` })),
});

export const NAVIGATION_ERROR_CLASSES_SQL = tieredSeries({
  table: 'page_navigation',
  groupBy: [],
  measures: ERROR_CLASS_MEASURES,
});

export const PER_DOMAIN_SQL = `SELECT domain, scraper, n navigations,
  100.0 * successes / n success_pct,
  sum_duration_ms / n avg_ms,
  ${histogramQuantile(0.95)} p95_ms,
  max_ms,
  retries,
  bytes
FROM (
  SELECT domain, scraper, sum(events) n, sum(successes) successes, sum(sum_duration_ms) sum_duration_ms,
    max(max_duration_ms) max_ms, sum(retries) retries, sum(bytes) bytes, ${HISTOGRAM_SUMS}
  FROM ${tieredRows('page_navigation', ['*'])}
  GROUP BY domain, scraper
)
ORDER BY navigations DESC
LIMIT 500`;

export const TOP_ERROR_CLASSES_SQL = `SELECT coalesce(error_class, 'unclassified') error_class, scraper, count() failures,
  last(error) last_error, max(ts) last_seen
${RAW} AND NOT success
GROUP BY 1, 2
ORDER BY failures DESC
LIMIT 100`;

export function navigationDashboard(): Dashboard {
  return sectionDashboard('navigation', {
    description:
      'Page navigations: live timings, percentiles, retries, status codes, domains and error classes.',
  })
    .withPanel(
      timeSeriesPanel({
        id: 1,
        title: 'Navigation time (live)',
        description: `Every navigation as it arrives, one series per scraper. ${refreshExemptionNote('scrapewatch-navigation', 1)}`,
        width: 24,
        height: 8,
        unit: 'ms',
        targets: [
          live({ kind: 'page_navigation', fields: ['duration'], mode: 'raw', groupBy: 'scraper' }),
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 2,
        title: 'Navigation time p50 / p95 / p99',
        description:
          "Percentiles of navigation duration per bucket over the selected scrapers, from the rollup tiers' duration histograms (within one histogram bucket).",
        width: 12,
        height: 8,
        unit: 'ms',
        targets: [qdb(NAVIGATION_PERCENTILES_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 3,
        title: 'Retries by scraper',
        description:
          'Sum of retryCount per bucket (1-minute tier up to 2 days, hourly up to 31 days, daily beyond).',
        width: 12,
        height: 8,
        bars: true,
        targets: [
          qdb(
            tieredSeries({
              table: 'page_navigation',
              groupBy: ['scraper'],
              measures: [MEASURES.retries],
            }),
            QuestDbFormat.TimeSeries,
          ),
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 4,
        title: 'Status codes',
        description:
          'Navigations per HTTP status class per bucket ("none" when the scraper sent no status), from the rollup tiers.',
        width: 12,
        height: 8,
        bars: true,
        stack: true,
        targets: [qdb(STATUS_CODES_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 5,
        title: 'Navigation errors by class',
        description:
          'Failed navigations per error class per bucket, from the rollup tiers ("custom": a class outside the catalogue).',
        width: 12,
        height: 8,
        bars: true,
        stack: true,
        targets: [qdb(NAVIGATION_ERROR_CLASSES_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      tablePanel({
        id: 6,
        title: 'Per domain',
        description:
          'Per domain and scraper over the range: volume, success, timings, retries and bytes.',
        width: 24,
        height: 10,
        targets: [qdb(PER_DOMAIN_SQL, QuestDbFormat.Table)],
      })
        .overrideByName('success_pct', [
          { id: 'unit', value: 'percent' },
          { id: 'decimals', value: 1 },
        ])
        .overrideByRegexp('.*_ms', [{ id: 'unit', value: 'ms' }])
        .overrideByName('bytes', [{ id: 'unit', value: 'bytes' }]),
    )
    .withPanel(
      tablePanel({
        id: 7,
        title: 'Top error classes',
        description: 'Failed navigations per error class and scraper, with the latest error text.',
        width: 24,
        height: 8,
        targets: [qdb(TOP_ERROR_CLASSES_SQL, QuestDbFormat.Table)],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 8,
        title: 'Block rate by domain and reason',
        description:
          "Share of navigations the SDK classified as blocked, per domain and block reason (stacked: the stack is the domain's block rate; other = reasons added by the user). Raw up to 24 h, hourly view up to 31 days, daily beyond.",
        width: 24,
        height: 8,
        unit: 'percent',
        stack: true,
        targets: [qdb(BLOCK_RATE_BY_DOMAIN_SQL, QuestDbFormat.TimeSeries)],
      }),
    )
    .withPanel(
      tablePanel({
        id: 9,
        title: 'Most-blocked domains now',
        description:
          'Domains with blocked navigations in the 15 minutes before the end of the range: block rate, blocks, navigations, the block reasons seen and the scrapers blocked. (Here rather than on the Overview, whose panels all stream.)',
        width: 24,
        height: 7,
        sortBy: 'blocked_pct',
        targets: [qdb(MOST_BLOCKED_DOMAINS_SQL, QuestDbFormat.Table)],
      }).overrideByName('blocked_pct', [
        { id: 'unit', value: 'percent' },
        { id: 'decimals', value: 1 },
      ]),
    )
    .build();
}
