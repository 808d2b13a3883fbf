import type { TestDataSourceResponse } from '@grafana/data';
import { CollectorRequestError, type CollectorApi } from './collector-api';

/**
 * The "Save & test" check: /readyz (collector up, QuestDB reachable, schema applied), then an
 * authenticated /v1/scrapers (token valid, origin allowed). Each failure says what to fix.
 */
export async function diagnose(
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
