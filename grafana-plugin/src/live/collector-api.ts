import { getBackendSrv, isFetchError } from '@grafana/runtime';
import {
  STREAM_PATH,
  type ErrorBody,
  type HistoryQuery,
  type HistoryResponse,
  type ScrapersResponse,
} from '@scrapewatch/protocol/core';
import { lastValueFrom } from 'rxjs';

/** A failed call to the collector: HTTP status (0 when the browser got no answer) and the collector's error code. */
export class CollectorRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    /** The parsed response body, when there was one. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'CollectorRequestError';
  }
}

/** The collector's HTTP API as the browser calls it, through Grafana's BackendSrv. */
export interface CollectorApi {
  readonly baseUrl: string;
  history(query: HistoryQuery): Promise<HistoryResponse>;
  scrapers(): Promise<ScrapersResponse>;
  /** GET /readyz; resolves with the status and body for 200 and 503 alike. */
  readiness(): Promise<{ status: number; body: unknown }>;
}

/** ws(s):// URL of /v1/stream under an absolute base URL (which may carry a path: the proxy's). */
export function streamUrl(baseUrl: string): string {
  const url = new URL(
    STREAM_PATH.replace(/^\//, ''),
    baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`,
  );
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export function createCollectorApi(baseUrl: string, token: string | undefined): CollectorApi {
  const base = baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};

  async function get<T>(
    path: string,
    authenticated: boolean,
  ): Promise<{ status: number; data: T }> {
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<T>({
          url: `${base}${path}`,
          method: 'GET',
          headers: authenticated ? headers : {},
          showErrorAlert: false,
          showSuccessAlert: false,
        }),
      );
      return { status: response.status, data: response.data };
    } catch (error) {
      throw toRequestError(error, `${base}${path}`);
    }
  }

  return {
    baseUrl: base,
    async history(query) {
      const params = new URLSearchParams({
        kind: query.kind,
        from: String(Math.floor(query.fromMs)),
        to: String(Math.ceil(query.toMs)),
      });
      for (const scraper of query.scrapers ?? []) params.append('scraper', scraper);
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      return (await get<HistoryResponse>(`/v1/history?${params.toString()}`, true)).data;
    },
    async scrapers() {
      return (await get<ScrapersResponse>('/v1/scrapers', true)).data;
    },
    async readiness() {
      try {
        const { status, data } = await get<unknown>('/readyz', false);
        return { status, body: data };
      } catch (error) {
        if (error instanceof CollectorRequestError && error.status === 503) {
          return { status: 503, body: error.body };
        }
        throw error;
      }
    },
  };
}

function toRequestError(error: unknown, url: string): CollectorRequestError {
  if (isFetchError(error) && error.status > 0) {
    const body = error.data as Partial<ErrorBody> | undefined;
    const code = body?.error?.code;
    const message = body?.error?.message ?? error.statusText ?? `HTTP ${error.status}`;
    return new CollectorRequestError(
      error.status,
      code,
      `${url}: HTTP ${error.status} ${code ?? ''} ${message}`,
      error.data,
    );
  }
  const reason =
    error instanceof Error
      ? error.message
      : isFetchError(error)
        ? (error.message ?? '')
        : String(error);
  return new CollectorRequestError(
    0,
    undefined,
    `${url}: no answer${reason ? ` (${reason})` : ''}`,
  );
}
