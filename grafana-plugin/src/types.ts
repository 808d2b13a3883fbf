import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type { LiveQueryModel } from '@scrapewatch/protocol';

/** A panel target: Grafana's own fields plus the shared live query model, nothing else. */
export interface LiveQuery extends DataQuery, LiveQueryModel {}

/**
 * Data source settings (jsonData). The stream token lives here, not in secureJsonData: the
 * browser must hold it to open WS /v1/stream, which Grafana's data source proxy cannot carry,
 * so hiding it server side would protect nothing. Use a read-only, scraper-scoped stream token.
 */
export interface LiveDataSourceOptions extends DataSourceJsonData {
  /** Base URL of the collector as the viewer's browser reaches it, e.g. https://collector.example:8080. */
  collectorUrl?: string;
  /** Stream token, sent as `Authorization: Bearer` on HTTP and in the first `subscribe` message. */
  streamToken?: string;
  /** First reconnect delay; doubles per failed attempt up to maxBackoffMs (with jitter). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export const DEFAULT_INITIAL_BACKOFF_MS = 500;
export const DEFAULT_MAX_BACKOFF_MS = 30_000;
export const DEFAULT_WINDOW_MS = 60_000;
