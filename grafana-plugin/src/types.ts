import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type { LiveQueryModel } from '@scrapewatch/protocol/core';

/** A panel target: Grafana's own fields plus the shared live query model, nothing else. */
export interface LiveQuery extends DataQuery, LiveQueryModel {}

/**
 * How the browser reaches the collector. proxy (the default): through Grafana's data source proxy
 * (`/api/datasources/proxy/uid/<uid>/…`), which adds the stream token from secureJsonData as
 * `Authorization: Bearer` (plugin.json `routes`), WebSocket included; viewers never receive the
 * token and the collector need not be reachable from browsers. direct: the browser calls the
 * collector itself, for setups without the proxy; the token then travels in jsonData.
 */
export type ConnectionMode = 'proxy' | 'direct';

/**
 * The connection a data source uses. Without an explicit choice: direct when a collector URL is
 * in jsonData (settings saved before the proxy existed keep working), else the proxy.
 */
export function connectionMode(jsonData: LiveDataSourceOptions): ConnectionMode {
  if (jsonData.connection === 'direct' || jsonData.connection === 'proxy')
    return jsonData.connection;
  return jsonData.collectorUrl ? 'direct' : 'proxy';
}

/** Data source settings (jsonData: readable by every viewer). */
export interface LiveDataSourceOptions extends DataSourceJsonData {
  /** See connectionMode(). */
  connection?: ConnectionMode;
  /** direct only: base URL of the collector as the viewer's browser reaches it. */
  collectorUrl?: string;
  /** direct only: stream token, visible to every viewer. The proxy uses secureJsonData instead. */
  streamToken?: string;
  /** First reconnect delay; doubles per failed attempt up to maxBackoffMs (with jitter). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Encrypted settings: Grafana's server reads them, browsers never do. */
export interface LiveSecureJsonData {
  /** Stream token the data source proxy sends as `Authorization: Bearer` (plugin.json routes). */
  streamToken?: string;
}

export const DEFAULT_INITIAL_BACKOFF_MS = 500;
export const DEFAULT_MAX_BACKOFF_MS = 30_000;
export const DEFAULT_WINDOW_MS = 60_000;
