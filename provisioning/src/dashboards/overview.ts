import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { live, sectionDashboard, statPanel, timeSeriesPanel } from './shared';

const LIVE_WINDOW_MS = 60_000;
/** A scraper counts as active with a navigation in this window. */
const ACTIVE_WINDOW_MS = 5 * 60_000;

export function overviewDashboard(): Dashboard {
  return sectionDashboard('overview', {
    description: 'Live state of every scraper: throughput, success, timings; one card per scraper.',
    from: 'now-15m',
    // Every panel streams: a refresh would only restart them and re-read their history.
    refresh: 'none',
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
        description: 'Items extracted during the last minute (live).',
        width: 4,
        height: 5,
        decimals: 0,
        targets: [
          live({
            kind: 'page_scrape',
            fields: ['items'],
            mode: 'aggregate',
            aggregate: 'sum',
            windowMs: LIVE_WINDOW_MS,
            groupBy: 'none',
          }),
        ],
      })
        // No event in the window is a count of zero, not missing data.
        .noValue('0'),
    )
    .withPanel(
      statPanel({
        id: 6,
        title: 'Active scrapers',
        description:
          'Scrapers that sent a navigation in the last 5 minutes (live; every scrape follows a navigation).',
        width: 4,
        height: 5,
        decimals: 0,
        targets: [
          live({
            kind: 'page_navigation',
            fields: ['duration'],
            mode: 'aggregate',
            aggregate: 'distinct_scrapers',
            windowMs: ACTIVE_WINDOW_MS,
            groupBy: 'none',
          }),
        ],
      })
        // No event in the window is a count of zero, not missing data.
        .noValue('0'),
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
