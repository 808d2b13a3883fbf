// A small, faithful stand-in for the services Grafana's frontend installs at start-up
// (setBackendSrv / setTemplateSrv): real HTTP through fetch, and Grafana's interpolation rules
// for the parts the plugin uses. It is the only test double in these tests.
import {
  dateTime,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type ScopedVars,
  type TypedVariableModel,
} from '@grafana/data';
import {
  setBackendSrv,
  setTemplateSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchResponse,
  type TemplateSrv,
} from '@grafana/runtime';
import { Observable } from 'rxjs';
import { LiveDataSource, type LiveDataSourceDeps } from '../../src/datasource';
import type { LiveDataSourceOptions, LiveQuery } from '../../src/types';

/** A dashboard variable as the stand-in knows it. */
export interface TestVariable {
  name: string;
  /** Selected value(s); "$__all" when All is selected. */
  current: string | string[];
  options: string[];
  /** The variable's custom all value, if set. */
  allValue?: string;
}

const ALL = '$__all';
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?::(\w+))?}/g;

function formatValue(value: string | string[], format: string | undefined): string {
  if (!Array.isArray(value)) return value;
  switch (format) {
    case 'csv':
    case 'raw':
      return value.join(',');
    case 'pipe':
      return value.join('|');
    default:
      // Grafana's default for multi-value text is glob.
      return value.length === 1 ? (value[0] ?? '') : `{${value.join(',')}}`;
  }
}

/** Grafana's TemplateSrv.replace rules: $var, ${var}, ${var:format}, [[var]]; All expands to every option unless allValue is set. */
export class TestTemplateSrv implements TemplateSrv {
  constructor(public variables: TestVariable[] = []) {}

  getVariables(): TypedVariableModel[] {
    return this.variables.map(
      (v) => ({ name: v.name, type: 'custom' }) as unknown as TypedVariableModel,
    );
  }

  containsTemplate(target?: string): boolean {
    return target !== undefined && new RegExp(VARIABLE.source).test(target);
  }

  updateTimeRange(): void {}

  replace(
    target?: string,
    scopedVars?: ScopedVars,
    format?: string | ((value: unknown) => string),
  ): string {
    if (target === undefined) return '';
    return target.replace(VARIABLE, (match, simple, legacy, legacyFormat, braced, bracedFormat) => {
      const name: string = simple ?? legacy ?? braced;
      const fmt = (bracedFormat ??
        legacyFormat ??
        (typeof format === 'string' ? format : undefined)) as string | undefined;
      const scoped = scopedVars?.[name];
      if (scoped !== undefined && scoped !== null) return formatValue(String(scoped.value), fmt);
      const variable = this.variables.find((v) => v.name === name);
      if (variable === undefined) return match;
      const current = variable.current;
      const isAll = current === ALL || (Array.isArray(current) && current.includes(ALL));
      if (isAll) {
        if (variable.allValue !== undefined) return variable.allValue;
        return formatValue(variable.options, fmt);
      }
      return formatValue(current, fmt);
    });
  }
}

/** The page Grafana's frontend runs on: relative URLs resolve against it, its cookies go along. */
export interface TestBrowser {
  readonly origin: string;
  readonly cookie?: string;
}

/** BackendSrv.fetch over the real fetch: JSON in, FetchResponse out, FetchError-shaped rejections. */
export function createTestBackendSrv(browser?: TestBrowser): BackendSrv {
  const fetchObservable = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      const headers = { ...(options.headers as Record<string, string> | undefined) };
      if (browser?.cookie) headers['cookie'] = browser.cookie;
      fetch(browser ? new URL(options.url, browser.origin).toString() : options.url, {
        method: options.method ?? 'GET',
        headers,
        signal: controller.signal,
      })
        .then(async (response) => {
          const text = await response.text();
          let data: unknown = text;
          try {
            data = text === '' ? undefined : JSON.parse(text);
          } catch {
            // Not JSON: Grafana passes the text through.
          }
          const result = {
            data: data as T,
            status: response.status,
            statusText: response.statusText,
            ok: response.ok,
            headers: response.headers,
            redirected: response.redirected,
            type: response.type,
            url: response.url,
            config: options,
          };
          if (response.ok) {
            subscriber.next(result);
            subscriber.complete();
          } else {
            subscriber.error({ ...result, message: `${response.status} ${response.statusText}` });
          }
        })
        .catch((error: unknown) => {
          // Grafana reports a request that got no answer with status -1 (or 0).
          subscriber.error({
            status: -1,
            statusText: 'network error',
            data: undefined,
            config: options,
            message: (error as Error).message,
          });
        });
      return () => controller.abort();
    });
  return { fetch: fetchObservable } as unknown as BackendSrv;
}

export function installGrafanaServices(
  templateSrv: TestTemplateSrv = new TestTemplateSrv(),
  browser?: TestBrowser,
): TestTemplateSrv {
  setBackendSrv(createTestBackendSrv(browser));
  setTemplateSrv(templateSrv);
  return templateSrv;
}

export function createDataSource(
  jsonData: LiveDataSourceOptions,
  deps: Partial<LiveDataSourceDeps> = {},
  /** What Grafana adds for proxy access, e.g. `url: /api/datasources/proxy/uid/<uid>`. */
  extra: { url?: string; access?: 'proxy' | 'direct' } = {},
): LiveDataSource {
  const settings = {
    id: 1,
    uid: 'scrapewatch-live',
    type: 'scrapewatch-live-datasource',
    name: 'Scrapewatch Live',
    access: 'direct',
    readOnly: false,
    jsonData,
    ...extra,
    meta: {
      id: 'scrapewatch-live-datasource',
      name: 'Scrapewatch Live',
      type: 'datasource',
      info: {},
      module: '',
      baseUrl: '',
      streaming: true,
    },
  } as unknown as DataSourceInstanceSettings<LiveDataSourceOptions>;
  return new LiveDataSource(settings, deps);
}

export function queryRequest(
  targets: LiveQuery[],
  fromMs: number,
  toMs: number,
  patch: Partial<DataQueryRequest<LiveQuery>> = {},
): DataQueryRequest<LiveQuery> {
  const from = dateTime(fromMs);
  const to = dateTime(toMs);
  return {
    requestId: 'Q1',
    interval: '1s',
    intervalMs: 1_000,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
    maxDataPoints: 1_000,
    panelId: 1,
    dashboardUID: 'test',
    ...patch,
  } as DataQueryRequest<LiveQuery>;
}

/** setTimeout/clearTimeout that count what is pending, to prove teardown clears every timer. */
export function countingTimers(): LiveDataSourceDeps['timers'] & { readonly pending: number } {
  const live = new Set<ReturnType<typeof setTimeout>>();
  return {
    get pending() {
      return live.size;
    },
    setTimeout(callback, delayMs) {
      const handle = setTimeout(() => {
        live.delete(handle);
        callback();
      }, delayMs);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle as ReturnType<typeof setTimeout>);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}
