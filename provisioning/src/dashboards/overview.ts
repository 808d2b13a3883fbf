import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { QuestDbFormat } from '../grafana/queries';
import { scraperIn } from '../sql/filters';
import { live, qdb, sectionDashboard, statPanel, timeSeriesPanel } from './shared';

const LIVE_WINDOW_MS = 60_000;

/** Items extracted during the minute before the dashboard's end time. */
export const ITEMS_PER_MINUTE_SQL = `SELECT coalesce(sum(items_extracted), 0) items_per_min
FROM page_scrape
WHERE ts > dateadd('m', -1, $__toTime) AND ts <= $__toTime AND ${scraperIn()}`;

/** Scrapers with a navigation or scrape during the 5 minutes before the dashboard's end time. */
export const ACTIVE_SCRAPERS_SQL = `SELECT count_distinct(scraper) active_scrapers FROM (
  SELECT scraper FROM page_navigation WHERE ts > dateadd('m', -5, $__toTime) AND ts <= $__toTime AND ${scraperIn()}
  UNION ALL
  SELECT scraper FROM page_scrape WHERE ts > dateadd('m', -5, $__toTime) AND ts <= $__toTime AND ${scraperIn()}
)`;

export function overviewDashboard(): Dashboard {
  return sectionDashboard('overview', {
    description: 'Live state of every scraper: throughput, success, timings; one card per scraper.',
    from: 'now-15m',
    refresh: '10s',
  })
    .withPanel(
      statPanel({
        id: 1,
        title: 'Events/s',
        description: 'Navigations and scrapes per second over the last minute (live).',
        width: 4,
        height: 5,
        unit: 'reqps',
        targets: [
          live(
            {
              kind: 'page_navigation',
              fields: ['duration'],
              mode: 'aggregate',
              aggregate: 'rate',
              windowMs: LIVE_WINDOW_MS,
              groupBy: 'none',
            },
            'A',
          ),
          live(
            {
              kind: 'page_scrape',
              fields: ['duration'],
              mode: 'aggregate',
              aggregate: 'rate',
              windowMs: LIVE_WINDOW_MS,
              groupBy: 'none',
            },
            'B',
          ),
        ],
      }),
    )
    .withPanel(
      statPanel({
        id: 2,
        title: 'Success rate',
        description: 'Share of successful navigations over the last minute (live).',
        width: 4,
        height: 5,
        unit: 'percent',
        targets: [
          live({
            kind: 'page_navigation',
            fields: ['success'],
            mode: 'aggregate',
            aggregate: 'success_pct',
            windowMs: LIVE_WINDOW_MS,
            groupBy: 'none',
          }),
        ],
      }).thresholds(
        new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
          { value: null, color: 'red' },
          { value: 90, color: 'orange' },
          { value: 98, color: 'green' },
        ]),
      ),
    )
    .withPanel(
      statPanel({
        id: 3,
        title: 'Avg navigation time',
        description: 'Mean navigation duration over the last minute (live).',
        width: 4,
        height: 5,
        unit: 'ms',
        decimals: 0,
        targets: [
          live({
            kind: 'page_navigation',
            fields: ['duration'],
            mode: 'aggregate',
            aggregate: 'avg',
            windowMs: LIVE_WINDOW_MS,
            groupBy: 'none',
          }),
        ],
      }),
    )
    .withPanel(
      statPanel({
        id: 4,
        title: 'Avg scrape time',
        description: 'Mean scrape (extraction) duration over the last minute (live).',
        width: 4,
        height: 5,
        unit: 'ms',
        decimals: 0,
        targets: [
          live({
            kind: 'page_scrape',
            fields: ['duration'],
            mode: 'aggregate',
            aggregate: 'avg',
            windowMs: LIVE_WINDOW_MS,
            groupBy: 'none',
          }),
        ],
      }),
    )
    .withPanel(
      statPanel({
        id: 5,
        title: 'Items/min',
        description:
          'Items extracted during the last minute (QuestDB, refreshed with the dashboard: the live model has no sum aggregate).',
        width: 4,
        height: 5,
        decimals: 0,
        targets: [qdb(ITEMS_PER_MINUTE_SQL, QuestDbFormat.Table)],
      }),
    )
    .withPanel(
      statPanel({
        id: 6,
        title: 'Active scrapers',
        description: 'Scrapers that sent a navigation or scrape in the last 5 minutes (QuestDB).',
        width: 4,
        height: 5,
        decimals: 0,
        targets: [qdb(ACTIVE_SCRAPERS_SQL, QuestDbFormat.Table)],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        id: 7,
        title: 'Success rate by scraper (live)',
        description: 'Rolling one-minute share of successful navigations, one series per scraper.',
        width: 12,
        height: 8,
        unit: 'percent',
        targets: [
          live({
            kind: 'page_navigation',
            fields: ['success'],
            mode: 'aggregate',
            aggregate: 'success_pct',
            windowMs: LIVE_WINDOW_MS,
            groupBy: 'scraper',
          }),
        ],
      }).max(100),
    )
    .withPanel(
      timeSeriesPanel({
        id: 8,
        title: 'Navigation time by scraper (live)',
        description: 'Every navigation as it arrives, one series per scraper.',
        width: 12,
        height: 8,
        unit: 'ms',
        targets: [
          live({ kind: 'page_navigation', fields: ['duration'], mode: 'raw', groupBy: 'scraper' }),
        ],
      }),
    )
    .withRow(new dashboard.RowBuilder('Per scraper').id(100))
    .withPanel(
      statPanel({
        id: 9,
        title: '$scraper',
        description:
          'One card per selected scraper: live success rate (A) and average navigation time (B).',
        width: 6,
        height: 5,
        unit: 'percent',
        targets: [
          live(
            {
              kind: 'page_navigation',
              fields: ['success'],
              mode: 'aggregate',
              aggregate: 'success_pct',
              windowMs: LIVE_WINDOW_MS,
              groupBy: 'none',
            },
            'A',
          ),
          live(
            {
              kind: 'page_navigation',
              fields: ['duration'],
              mode: 'aggregate',
              aggregate: 'avg',
              windowMs: LIVE_WINDOW_MS,
              groupBy: 'none',
            },
            'B',
          ),
        ],
      })
        .overrideByQuery('B', [
          { id: 'unit', value: 'ms' },
          { id: 'decimals', value: 0 },
        ])
        .repeat('scraper')
        .repeatDirection('h')
        .maxPerRow(4),
    )
    .build();
}
