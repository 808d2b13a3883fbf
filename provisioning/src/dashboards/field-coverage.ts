import type * as table from '@grafana/grafana-foundation-sdk/table';
import { QuestDbFormat } from '../grafana/queries';
import { TIME_FILTER, scraperIn } from '../sql/filters';
import { MEASURES, tieredSeries } from '../sql/tiers';
import { refreshExemptionNote } from './live-refresh';
import { section } from './sections';
import { live, qdb, tablePanel, timeSeriesPanel } from './shared';

/**
 * Field fill rates (filled / items, percent) over the range, per scraper and field (and domain),
 * against the same key over its own 7 days before the range, read from the hourly view with the
 * hours overlapping the range left out. `change_pts` is the difference in percentage points.
 */
export function fillRateSql(dimensions: readonly string[]): string {
  const dims = dimensions.join(', ');
  const on = dimensions.map((d) => `cur.${d} = base.${d}`).join(' AND ');
  const selected = dimensions.map((d) => `cur.${d} ${d}`).join(', ');
  return `WITH cur AS (
  SELECT ${dims}, sum(items) items, 100.0 * sum(filled) / sum(items) fill_pct
  FROM field_coverage WHERE ${TIME_FILTER} AND ${scraperIn()}
  GROUP BY ${dims}
), base AS (
  SELECT ${dims}, 100.0 * sum(filled) / sum(items) base_fill_pct
  FROM field_coverage_1h
  WHERE ts >= dateadd('d', -7, $__fromTime) AND ts < dateadd('h', -1, $__fromTime) AND ${scraperIn()}
  GROUP BY ${dims}
)
SELECT ${selected}, cur.fill_pct fill_pct, base.base_fill_pct baseline_fill_pct,
  cur.fill_pct - base.base_fill_pct change_pts, cur.items items
FROM cur LEFT JOIN base ON ${on}
ORDER BY change_pts, fill_pct`;
}

export const FILL_RATE_SQL = fillRateSql(['scraper', 'field']);
export const FILL_RATE_BY_DOMAIN_SQL = fillRateSql(['scraper', 'field', 'domain']);

export const FILL_RATE_TREND_SQL = tieredSeries({
  table: 'field_coverage',
  groupBy: ['scraper', 'field'],
  measures: [MEASURES.fillPct],
});

/** Panel ids on the Scraping dashboard (the drill-down link opens the domain table by id). */
export const FILL_RATE_PANEL_IDS = Object.freeze({ table: 8, byDomain: 9, trend: 10, live: 11 });

/** The live fill rate's rolling window. */
export const LIVE_FILL_RATE_WINDOW_MS = 300_000;

/** Red at a drop of 30 points or more (the alert's threshold), orange from 10, green otherwise. */
function colourChange(panel: table.PanelBuilder): table.PanelBuilder {
  return panel
    .overrideByName('change_pts', [
      { id: 'unit', value: 'none' },
      { id: 'decimals', value: 1 },
      { id: 'custom.cellOptions', value: { type: 'color-background' } },
      {
        id: 'thresholds',
        value: {
          mode: 'absolute',
          steps: [
            { value: null, color: 'red' },
            { value: -30, color: 'orange' },
            { value: -10, color: 'green' },
          ],
        },
      },
    ])
    .overrideByName('fill_pct', [
      { id: 'unit', value: 'percent' },
      { id: 'decimals', value: 1 },
    ])
    .overrideByName('baseline_fill_pct', [
      { id: 'unit', value: 'percent' },
      { id: 'decimals', value: 1 },
    ]);
}

export function fillRatePanels(): (table.PanelBuilder | ReturnType<typeof timeSeriesPanel>)[] {
  const byDomainUrl =
    `/d/${section('scraping').uid}?var-scraper=\${__data.fields.scraper}` +
    `&viewPanel=${FILL_RATE_PANEL_IDS.byDomain}&\${__url_time_range}`;
  return [
    colourChange(
      tablePanel({
        id: FILL_RATE_PANEL_IDS.table,
        title: 'Field fill rate',
        description:
          'Per scraper and field: share of extracted items with the field filled over the range, the same over the 7 days before, and the change in points (red: 30 or more below). Click a row to drill down by domain.',
        width: 12,
        height: 10,
        targets: [qdb(FILL_RATE_SQL, QuestDbFormat.Table)],
      }),
    ).overrideByName('field', [
      {
        id: 'links',
        value: [{ title: 'Fill rate of this scraper by domain', url: byDomainUrl }],
      },
    ]),
    colourChange(
      tablePanel({
        id: FILL_RATE_PANEL_IDS.byDomain,
        title: 'Field fill rate by domain',
        description:
          'The field fill rate per scraper, field and domain against its own 7-day baseline: a layout change usually hits one domain first.',
        width: 12,
        height: 10,
        targets: [qdb(FILL_RATE_BY_DOMAIN_SQL, QuestDbFormat.Table)],
      }),
    ),
    timeSeriesPanel({
      id: FILL_RATE_PANEL_IDS.live,
      title: 'Field fill rate (live)',
      description: `Fill rate per scraper and field over the last 5 minutes, from the scrapes as they arrive. ${refreshExemptionNote('scrapewatch-scraping', FILL_RATE_PANEL_IDS.live)}`,
      width: 12,
      height: 8,
      unit: 'percent',
      targets: [
        live({
          kind: 'page_scrape',
          fields: ['items'],
          mode: 'aggregate',
          aggregate: 'fill_pct',
          windowMs: LIVE_FILL_RATE_WINDOW_MS,
          groupBy: 'scraper',
        }),
      ],
    }).max(100),
    timeSeriesPanel({
      id: FILL_RATE_PANEL_IDS.trend,
      title: 'Field fill rate over time',
      description:
        'Fill rate per scraper and field per bucket (raw up to 24 h, hourly view up to 31 days, daily beyond).',
      width: 12,
      height: 8,
      unit: 'percent',
      targets: [qdb(FILL_RATE_TREND_SQL, QuestDbFormat.TimeSeries)],
    }).max(100),
  ];
}
