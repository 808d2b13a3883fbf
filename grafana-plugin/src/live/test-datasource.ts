import type { TestDataSourceResponse } from '@grafana/data';
import { CollectorRequestError, type CollectorApi } from './collector-api';

/**
 * The "Save & test" check: /readyz (collector up, QuestDB reachable, schema applied), then an
 * authenticated /v1/scrapers (token valid, origin allowed). Each failure says what to fix.
 */
export async function diagnose(
  api: CollectorApi,
  via: 'proxy' | 'direct',
  origin: string | undefined,
): Promise<TestDataSourceResponse> {
  return via === 'proxy' ? diagnoseProxied(api) : diagnoseDirect(api, origin);
}

/** Grafana's data source proxy answers 502 when the collector is unreachable from its server. */
const PROXY_NO_ANSWER = new Set([0, 502, 504]);

/**
 * Through Grafana's proxy: the server reaches the collector at the data source URL and adds the
 * token from secureJsonData. The proxy turns the collector's 401 into a 400 "Authentication to
 * data source failed".
 */
async function diagnoseProxied(api: CollectorApi): Promise<TestDataSourceResponse> {
  try {
    const readiness = await api.readiness();
    if (readiness.status !== 200) {
      return {
        status: 'error',
        message: `The collector is up but not ready (QuestDB unreachable or schema not applied yet): ${JSON.stringify(readiness.body)}. Check QuestDB and SCRAPEWATCH_QUESTDB_HTTP/PG.`,
      };
    }
  } catch (error) {
    if (error instanceof CollectorRequestError && PROXY_NO_ANSWER.has(error.status)) {
      return {
        status: 'error',
        message: `Grafana's server cannot reach the collector (HTTP ${error.status} from the data source proxy). Check the URL: it is the collector as Grafana's server reaches it.`,
      };
    }
    return {
      status: 'error',
      message: `The collector's /readyz answered unexpectedly: ${(error as Error).message}`,
    };
  }
  try {
    const { scrapers } = await api.scrapers();
    return {
      status: 'success',
      message: `Connected to the collector through Grafana's data source proxy; ${scrapers.length} scraper(s) seen.`,
    };
  } catch (error) {
    if (!(error instanceof CollectorRequestError)) throw error;
    if (error.status === 400 || error.status === 401) {
      return {
        status: 'error',
        message:
          'The collector refused the stream token: save a token listed in SCRAPEWATCH_STREAM_TOKENS in the secure Stream token field.',
      };
    }
    if (error.status === 403) {
      return {
        status: 'error',
        message: `The stream token is not allowed to read scrapers (403 ${error.code ?? ''}): check its scope in SCRAPEWATCH_STREAM_TOKENS.`,
      };
    }
    return { status: 'error', message: `GET /v1/scrapers failed: ${error.message}` };
  }
}

async function diagnoseDirect(
  api: CollectorApi,
  origin: string | undefined,
): Promise<TestDataSourceResponse> {
  const originHint = origin ? ` and that SCRAPEWATCH_ALLOWED_ORIGINS includes ${origin}` : '';
  try {
    const readiness = await api.readiness();
    if (readiness.status !== 200) {
      return {
        status: 'error',
        message: `The collector at ${api.baseUrl} is up but not ready (QuestDB unreachable or schema not applied yet): ${JSON.stringify(readiness.body)}. Check QuestDB and SCRAPEWATCH_QUESTDB_HTTP/PG.`,
      };
    }
  } catch (error) {
    if (!(error instanceof CollectorRequestError) || error.status === 0) {
      return {
        status: 'error',
        message: `Cannot reach the collector at ${api.baseUrl} from this browser. Check the URL, that the collector runs${originHint} (a CORS refusal looks the same to the browser).`,
      };
    }
    return {
      status: 'error',
      message: `The collector's /readyz answered unexpectedly: ${error.message}`,
    };
  }
  try {
    const { scrapers } = await api.scrapers();
    return {
      status: 'success',
      message: `Connected to the collector at ${api.baseUrl}; ${scrapers.length} scraper(s) seen.`,
    };
  } catch (error) {
    if (!(error instanceof CollectorRequestError)) throw error;
    if (error.status === 401) {
      return {
        status: 'error',
        message:
          'The collector refused the stream token (401): set a token listed in SCRAPEWATCH_STREAM_TOKENS.',
      };
    }
    if (error.status === 403 && error.code === 'ORIGIN_NOT_ALLOWED') {
      return {
        status: 'error',
        message: `The collector refused this origin (403): add ${origin ?? 'the Grafana origin'} to SCRAPEWATCH_ALLOWED_ORIGINS.`,
      };
    }
    if (error.status === 403) {
      return {
        status: 'error',
        message: `The stream token is not allowed to read scrapers (403 ${error.code ?? ''}): check its scope in SCRAPEWATCH_STREAM_TOKENS.`,
      };
    }
    if (error.status === 0) {
      return {
        status: 'error',
        message: `/readyz answered but /v1/scrapers did not: the collector most likely refuses this origin for CORS; check that SCRAPEWATCH_ALLOWED_ORIGINS includes ${origin ?? 'the Grafana origin'}.`,
      };
    }
    return { status: 'error', message: `GET /v1/scrapers failed: ${error.message}` };
  }
}
