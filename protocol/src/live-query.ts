import type { EventKind } from './kinds';

/**
 * The query model of the Grafana live data source (`scrapewatch-live-datasource`): what a panel
 * target holds besides Grafana's own `refId`, `datasource`, `hide`. Provisioned dashboards and
 * the plugin's QueryEditor both produce it.
 */
export const LIVE_FIELDS = ['duration', 'items', 'retries', 'success'] as const;
export type LiveField = (typeof LIVE_FIELDS)[number];

export const LIVE_AGGREGATES = [
  'count',
  'rate',
  'success_pct',
  'avg',
  'p95',
  'fill_pct',
  'sum',
  'distinct_scrapers',
] as const;
export type LiveAggregate = (typeof LIVE_AGGREGATES)[number];

export interface LiveQueryModel {
  /** Scraper names or template variables ("$scraper", multi-value and All). Empty: every scraper. */
  scrapers: string[];
  kind: EventKind;
  /** Values to plot. duration: navigationDurationMs/scrapeDurationMs/durationMs; items: itemsExtracted; retries: retryCount; success: 1/0. */
  fields: LiveField[];
  /** raw: one row per event; aggregate: a rolling window over events. */
  mode: 'raw' | 'aggregate';
  /**
   * Required when mode is aggregate. `rate` is events per second over the window; `sum` and
   * `avg`/`p95` apply to each field; `distinct_scrapers` counts the scrapers with an event in the
   * window (like count, rate and success_pct it ignores the fields). `fill_pct` is field
   * coverage (page_scrape and scraper_run events carrying `fields`): per field, the share of the
   * items extracted in the window with the field filled, one series per field (per scraper and
   * field with groupBy scraper).
   */
  aggregate?: LiveAggregate;
  /** Rolling window for aggregates, in ms (default 60000). */
  windowMs?: number;
  /** scraper: one series per scraper; none: all scrapers combined. */
  groupBy: 'scraper' | 'none';
}

export const DEFAULT_LIVE_QUERY: Readonly<LiveQueryModel> = Object.freeze<LiveQueryModel>({
  scrapers: [],
  kind: 'page_navigation',
  fields: ['duration'],
  mode: 'raw',
  groupBy: 'scraper',
});

/** The provisioned data source uids dashboards and alert rules refer to. */
export const LIVE_DATASOURCE_UID = 'scrapewatch-live';
export const QUESTDB_DATASOURCE_UID = 'questdb';
export const LIVE_PLUGIN_ID = 'scrapewatch-live-datasource';
