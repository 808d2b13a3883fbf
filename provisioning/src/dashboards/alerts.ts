import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERT_RULES } from '../alerting/rules';
import { GRAFANA_DATASOURCE } from '../grafana/datasources';
import { QuestDbFormat } from '../grafana/queries';
import { TIME_FILTER, schedulerScraperIn, scraperIn } from '../sql/filters';
import { ERRORS_TABLE_SQL } from '../sql/errors';
import { qdb, sectionDashboard, tablePanel, timeSeriesPanel } from './shared';

/**
 * The newest failures of every kind. Each branch reads its table newest first and stops after the
 * limit (QuestDB scans a designated timestamp backwards), so a week of rows is never read whole.
 */
export const RECENT_FAILURES_SQL = `SELECT * FROM (
  SELECT * FROM (
    SELECT ts, 'navigation' kind, scraper, url target, coalesce(error_class, 'unclassified') error_class, error
    FROM page_navigation WHERE ${TIME_FILTER} AND ${scraperIn()} AND NOT success
    ORDER BY ts DESC LIMIT 200
  )
  UNION ALL
  SELECT * FROM (
    SELECT ts, 'scrape' kind, scraper, url target, coalesce(error_class, 'unclassified') error_class, error
    FROM page_scrape WHERE ${TIME_FILTER} AND ${scraperIn()} AND NOT success
    ORDER BY ts DESC LIMIT 200
  )
  UNION ALL
  SELECT * FROM (
    SELECT ts, 'scheduler' kind, coalesce(scraper, '-') scraper, cast(job_name as varchar) target,
      coalesce(error_class, status) error_class, error
    FROM scheduler_run WHERE ${TIME_FILTER} AND ${schedulerScraperIn()} AND status IN ('failed', 'missed')
    ORDER BY ts DESC LIMIT 200
  )
) ORDER BY ts DESC
LIMIT 200`;

/**
 * Scrapewatch alert instances (every rule carries `product="scrapewatch"`) of the selected
 * scrapers. Also kept: `-`, the scraper of scheduler alerts for runs not tied to a scraper, and no
 * scraper label at all (Grafana's DatasourceError alert when QuestDB cannot be queried).
 */
export const ALERT_INSTANCE_FILTER = '{product="scrapewatch", scraper=~"${scraper:regex}|-|"}';

export function alertsDashboard(): Dashboard {
  const builder = sectionDashboard('alerts', {
    description:
      "Firing and pending Scrapewatch alerts, each rule's measure over time (alert state changes are drawn on it) and recent failures.",
    from: 'now-6h',
  })
    .withPanel(
      new dashboard.PanelBuilder()
        .type('alertlist')
        .datasource({ ...GRAFANA_DATASOURCE })
        .id(1)
        .title('Alerts')
        .description(
          'Scrapewatch alert instances that are firing, pending, without data or in error, for the selected scrapers.',
        )
        .span(12)
        .height(10)
        .options({
          viewMode: 'list',
          groupMode: 'default',
          groupBy: [],
          maxItems: 50,
          sortOrder: 1,
          dashboardAlerts: false,
          alertName: '',
          alertInstanceLabelFilter: ALERT_INSTANCE_FILTER,
          datasource: 'grafana',
          stateFilter: {
            firing: true,
            pending: true,
            noData: true,
            normal: false,
            error: true,
            recovering: true,
          },
          showInstances: true,
        }),
    )
    .withPanel(
      tablePanel({
        id: 2,
        title: 'Recent failures',
        description:
          'Failed navigations and scrapes and failed or missed scheduler runs, newest first.',
        width: 12,
        height: 10,
        targets: [qdb(RECENT_FAILURES_SQL, QuestDbFormat.Table)],
      }),
    )
    .withPanel(
      tablePanel({
        id: 3,
        title: 'Errors',
        description:
          'Errors grouped by fingerprint (the message with URLs, ids, numbers, quoted strings and timestamps replaced): first seen (within the 7 days kept raw), last seen, count, scrapers, domains, and the latest message and URL.',
        width: 24,
        height: 10,
        targets: [qdb(ERRORS_TABLE_SQL, QuestDbFormat.Table)],
      })
        .overrideByName('first_seen', [{ id: 'unit', value: 'dateTimeFromNow' }])
        .overrideByName('last_seen', [{ id: 'unit', value: 'dateTimeFromNow' }]),
    )
    .withRow(new dashboard.RowBuilder('Alert rules: measure over time and state history').id(100));
  for (const rule of ALERT_RULES) {
    const p = rule.panel;
    const description = `What "${rule.title}" measures, for the selected scrapers. Alert state changes of the rule appear as annotations.`;
    builder.withPanel(
      p.format === QuestDbFormat.Table
        ? tablePanel({
            id: p.id,
            title: p.title,
            description,
            width: 8,
            height: 8,
            unit: p.unit,
            targets: [qdb(p.sql, p.format)],
          })
        : timeSeriesPanel({
            id: p.id,
            title: p.title,
            description,
            width: 8,
            height: 8,
            unit: p.unit,
            targets: [qdb(p.sql, p.format)],
            ...(p.thresholdLine === undefined ? {} : { thresholdLine: p.thresholdLine }),
          }),
    );
  }
  return builder.build();
}
