import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { LiveQueryModel } from '@scrapewatch/protocol';
import { GRAFANA_DATASOURCE, QUESTDB_DATASOURCE } from '../grafana/datasources';
import { LiveQueryBuilder, QuestDbFormat, QuestDbQueryBuilder } from '../grafana/queries';
import { DASHBOARD_TAG, SECTIONS, type SectionKey, section, sectionUrl } from './sections';
import { SCRAPER_VARIABLE } from '../sql/filters';
import { MEASURES, tieredSeries } from '../sql/tiers';

/** Known scrapers: every scraper the daily views (kept for ever) or scheduler runs have seen. */
export const SCRAPER_VARIABLE_SQL = `SELECT scraper FROM (
  SELECT DISTINCT scraper FROM page_navigation_1d
  UNION SELECT DISTINCT scraper FROM page_scrape_1d
  UNION SELECT DISTINCT scraper FROM scheduler_run_1d WHERE scraper IS NOT NULL
) ORDER BY scraper`;

export function scraperVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(SCRAPER_VARIABLE)
    .label('Scraper')
    .datasource({ ...QUESTDB_DATASOURCE })
    .query({
      refId: 'scraper',
      queryType: 'sql',
      rawSql: SCRAPER_VARIABLE_SQL,
      format: QuestDbFormat.Table,
    })
    .definition(SCRAPER_VARIABLE_SQL)
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

export interface SectionOptions {
  readonly description: string;
  readonly from?: string;
  /**
   * Auto-refresh interval, or 'none' for a dashboard whose panels all stream: a refresh would
   * only restart them (see live-refresh.ts). Such a dashboard follows "now" with liveNow instead.
   */
  readonly refresh?: string | 'none';
}

/** A section dashboard: tab links to all six, the `scraper` variable, alert annotations. */
export function sectionDashboard(
  key: SectionKey,
  options: SectionOptions,
): dashboard.DashboardBuilder {
  const me = section(key);
  const builder = new dashboard.DashboardBuilder(me.title)
    .uid(me.uid)
    .description(options.description)
    .tags([DASHBOARD_TAG])
    .timezone('browser')
    .time({ from: options.from ?? 'now-1h', to: 'now' })
    .refresh(options.refresh === 'none' ? '' : (options.refresh ?? '30s'))
    .liveNow(options.refresh === 'none')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(scraperVariable())
    .annotation(
      new dashboard.AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .datasource({ ...GRAFANA_DATASOURCE })
        .type('dashboard')
        .builtIn(1)
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)'),
    );
  for (const s of SECTIONS) {
    builder.link(
      new dashboard.DashboardLinkBuilder(s.title.replace('Scrapewatch / ', ''))
        .type(dashboard.DashboardLinkType.Link)
        .url(sectionUrl(s.uid))
        .icon('dashboard')
        .tooltip(s.title)
        .includeVars(true)
        .keepTime(true)
        .asDropdown(false)
        .targetBlank(false),
    );
  }
  return builder;
}

export function qdb(rawSql: string, format: QuestDbFormat, refId = 'A'): QuestDbQueryBuilder {
  return new QuestDbQueryBuilder(rawSql, format).refId(refId);
}

/** A live target; `scrapers: ['$scraper']` makes it follow the dashboard's selection. */
/** Items extracted per scraper over time: shown on both the Scrapers and the Scraping dashboard. */
export function itemsByScraper(): QuestDbQueryBuilder {
  return qdb(
    tieredSeries({ table: 'page_scrape', groupBy: ['scraper'], measures: [MEASURES.items] }),
    QuestDbFormat.TimeSeries,
  );
}

export function live(model: Omit<LiveQueryModel, 'scrapers'>, refId = 'A'): LiveQueryBuilder {
  return new LiveQueryBuilder({ scrapers: [`$${SCRAPER_VARIABLE}`], ...model }).refId(refId);
}

/** Grafana's pseudo data source for panels whose targets use different data sources. */
export const MIXED_DATASOURCE = Object.freeze({ type: 'datasource', uid: '-- Mixed --' });

/** The panel-level data source: the targets' own when they share one, else Mixed. */
export function panelDatasource(targets: readonly Builder<Dataquery>[]): {
  type: string;
  uid: string;
} {
  const refs = targets.map(
    (t) => (t.build() as unknown as { datasource: { type: string; uid: string } }).datasource,
  );
  const first = refs[0];
  if (first && refs.every((r) => r.uid === first.uid)) return { ...first };
  return { ...MIXED_DATASOURCE };
}

interface PanelBase {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly targets: readonly Builder<Dataquery>[];
  readonly width: number;
  readonly height: number;
  readonly unit?: string;
}

export function timeSeriesPanel(
  p: PanelBase & {
    readonly stack?: boolean;
    readonly bars?: boolean;
    readonly thresholdLine?: number;
  },
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .id(p.id)
    .title(p.title)
    .description(p.description)
    .targets([...p.targets])
    .datasource(panelDatasource(p.targets))
    .span(p.width)
    .height(p.height)
    .unit(p.unit ?? 'short')
    .lineWidth(1)
    .fillOpacity(p.bars ? 80 : 10)
    .spanNulls(true)
    .drawStyle(p.bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true),
    );
  if (p.stack) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (p.thresholdLine !== undefined) {
    panel
      .thresholds(
        new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
          { value: null, color: 'green' },
          { value: p.thresholdLine, color: 'red' },
        ]),
      )
      .thresholdsStyle(
        new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line),
      );
  }
  return panel;
}

export function statPanel(
  p: PanelBase & { readonly decimals?: number; readonly calc?: string },
): stat.PanelBuilder {
  return (
    new stat.PanelBuilder()
      .id(p.id)
      .title(p.title)
      .description(p.description)
      .targets([...p.targets])
      .datasource(panelDatasource(p.targets))
      .span(p.width)
      .height(p.height)
      .unit(p.unit ?? 'short')
      .decimals(p.decimals ?? 1)
      .graphMode(common.BigValueGraphMode.Area)
      .colorMode(common.BigValueColorMode.Value)
      .textMode(common.BigValueTextMode.Auto)
      .reduceOptions(
        new common.ReduceDataOptionsBuilder().calcs([p.calc ?? 'lastNotNull']).values(false),
      )
      // A neutral colour unless the panel sets meaningful thresholds: Grafana's default turns
      // everything above 80 red, which means nothing for durations or counts.
      .thresholds(
        new dashboard.ThresholdsConfigBuilder()
          .mode(dashboard.ThresholdsMode.Absolute)
          .steps([{ value: null, color: 'text' }]),
      )
  );
}

export function tablePanel(p: PanelBase & { readonly sortBy?: string }): table.PanelBuilder {
  const panel = new table.PanelBuilder()
    .id(p.id)
    .title(p.title)
    .description(p.description)
    .targets([...p.targets])
    .datasource(panelDatasource(p.targets))
    .span(p.width)
    .height(p.height)
    .unit(p.unit ?? 'short')
    .filterable(true);
  if (p.sortBy)
    panel.sortBy([new common.TableSortByFieldStateBuilder().displayName(p.sortBy).desc(true)]);
  return panel;
}
