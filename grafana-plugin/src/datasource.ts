import {
  DataSourceApi,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import {
  DEFAULT_LIVE_QUERY,
  LIVE_AGGREGATES,
  LIVE_FIELDS,
  isEventKind,
} from '@scrapewatch/protocol/core';
import { merge, of, type Observable } from 'rxjs';
import { normaliseBackoff } from './live/backoff';
import { createCollectorApi, streamUrl, type CollectorApi } from './live/collector-api';
import type { ResolvedQuery } from './live/frames';
import { resolveScrapers } from './live/scrapers';
import {
  createStreamConnection,
  type StreamConnection,
  type StreamSocket,
  type Timers,
} from './live/stream-connection';
import { streamTarget } from './live/target-stream';
import { diagnose } from './live/test-datasource';
import {
  connectionMode,
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_WINDOW_MS,
  type LiveDataSourceOptions,
  type LiveQuery,
} from './types';

/** What the browser provides; tests may pass their own (e.g. counting timers). */
export interface LiveDataSourceDeps {
  createSocket: (url: string) => StreamSocket;
  /** The page's URL: Grafana's proxy path is relative to it. */
  pageUrl: () => string;
  timers: Timers;
  nowMs: () => number;
  random: () => number;
}

const browserDeps = (): LiveDataSourceDeps => ({
  createSocket: (url) => new WebSocket(url) as unknown as StreamSocket,
  pageUrl: () => (typeof window === 'undefined' ? 'http://localhost/' : window.location.href),
  timers: {
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  },
  nowMs: () => Date.now(),
  random: Math.random,
});

/**
 * The Scrapewatch live data source: history backfill plus the collector's WebSocket stream, one
 * socket per data source instance shared by every panel and target.
 */
export class LiveDataSource extends DataSourceApi<LiveQuery, LiveDataSourceOptions> {
  readonly api: CollectorApi;
  /** Through Grafana's data source proxy (the default), or straight to the collector. */
  readonly proxied: boolean;
  private readonly connection: StreamConnection;
  private readonly deps: LiveDataSourceDeps;

  constructor(
    instanceSettings: DataSourceInstanceSettings<LiveDataSourceOptions>,
    deps: Partial<LiveDataSourceDeps> = {},
  ) {
    super(instanceSettings);
    this.deps = { ...browserDeps(), ...deps };
    const jsonData = instanceSettings.jsonData ?? {};
    // Grafana sets `url` to its proxy path (/api/datasources/proxy/uid/<uid>) for proxy access.
    this.proxied = connectionMode(jsonData) === 'proxy' && Boolean(instanceSettings.url);
    const baseUrl = this.proxied
      ? (instanceSettings.url ?? '')
      : jsonData.collectorUrl || 'http://127.0.0.1:8080';
    // Through the proxy the browser sends no token: Grafana's server adds it.
    const token = this.proxied ? undefined : jsonData.streamToken;
    this.api = createCollectorApi(baseUrl, token);
    this.connection = createStreamConnection({
      url: streamUrl(new URL(this.api.baseUrl, this.deps.pageUrl()).toString()),
      token,
      backoff: normaliseBackoff(jsonData.initialBackoffMs, jsonData.maxBackoffMs, {
        initialMs: DEFAULT_INITIAL_BACKOFF_MS,
        maxMs: DEFAULT_MAX_BACKOFF_MS,
      }),
      createSocket: this.deps.createSocket,
      timers: this.deps.timers,
      random: this.deps.random,
    });
  }

  /** The shared stream connection (its state and listener count are useful to operators and tests). */
  get stream(): StreamConnection {
    return this.connection;
  }

  override getDefaultQuery(): Partial<LiveQuery> {
    return { ...DEFAULT_LIVE_QUERY, scrapers: [], fields: [...DEFAULT_LIVE_QUERY.fields] };
  }

  override filterQuery(query: LiveQuery): boolean {
    return !query.hide;
  }

  query(request: DataQueryRequest<LiveQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.filter((t) => !t.hide);
    if (targets.length === 0) return of({ data: [] });
    const fromMs = request.range.from.valueOf();
    const toMs = request.range.to.valueOf();
    const capacity = Math.max(10, request.maxDataPoints ?? 1_000);
    const panel = `${request.dashboardUID ?? 'explore'}/${request.panelId ?? request.requestId}`;
    return merge(
      ...targets.map((target) =>
        streamTarget(
          {
            key: `${this.uid}/${panel}/${target.refId}`,
            query: this.resolveQuery(target, request.scopedVars),
            fromMs,
            toMs,
            capacity,
          },
          {
            connection: this.connection,
            history: (q) => this.api.history(q),
            timers: this.deps.timers,
            nowMs: this.deps.nowMs,
          },
        ),
      ),
    );
  }

  /** Applies template variables and defaults; unknown values fall back to the defaults. */
  resolveQuery(target: LiveQuery, scopedVars: ScopedVars = {}): ResolvedQuery {
    const templateSrv = getTemplateSrv();
    const fields = (target.fields ?? []).filter((f) =>
      (LIVE_FIELDS as readonly string[]).includes(f),
    );
    const aggregate =
      target.aggregate && (LIVE_AGGREGATES as readonly string[]).includes(target.aggregate)
        ? target.aggregate
        : 'count';
    return {
      refId: target.refId,
      selection: resolveScrapers(target.scrapers, (text) =>
        templateSrv.replace(text, scopedVars, 'csv'),
      ),
      kind: isEventKind(target.kind) ? target.kind : DEFAULT_LIVE_QUERY.kind,
      fields: fields.length > 0 ? fields : [...DEFAULT_LIVE_QUERY.fields],
      mode: target.mode === 'aggregate' ? 'aggregate' : 'raw',
      aggregate,
      windowMs:
        target.windowMs !== undefined && target.windowMs > 0 ? target.windowMs : DEFAULT_WINDOW_MS,
      groupBy: target.groupBy === 'none' ? 'none' : 'scraper',
    };
  }

  override interpolateVariablesInQueries(
    queries: LiveQuery[],
    scopedVars: ScopedVars,
  ): LiveQuery[] {
    return queries.map((query) => {
      const selection = this.resolveQuery(query, scopedVars).selection;
      return { ...query, scrapers: selection.all ? [] : selection.names };
    });
  }

  /** Scraper names known to the collector, newest activity first. */
  async getScraperNames(): Promise<string[]> {
    return (await this.api.scrapers()).scrapers.map((s) => s.name);
  }

  /** Variable queries: every scraper; a non-empty query string keeps names containing it. */
  override async metricFindQuery(query: unknown): Promise<MetricFindValue[]> {
    const text =
      typeof query === 'string' ? query : ((query as { query?: string } | undefined)?.query ?? '');
    const filter = getTemplateSrv().replace(text).trim().toLowerCase();
    const names = await this.getScraperNames();
    return names
      .filter((name) => name.toLowerCase().includes(filter))
      .map((name) => ({ text: name, value: name }));
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    return diagnose(
      this.api,
      this.proxied ? 'proxy' : 'direct',
      typeof window === 'undefined' ? undefined : window.location.origin,
    );
  }
}
