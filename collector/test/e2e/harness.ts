import type pino from 'pino';
import { testQuestDB } from '@scrapewatch/questdb';
import { execSql, countRows as countQuestDBRows, waitForRowCount } from '@scrapewatch/testkit';
import { startInProcessCollector, type InProcessCollector } from '@scrapewatch/testkit/collector';

export const INGEST_TOKEN = 'ingest-token-0123456789abcdef';
/** May send only scrapers whose names it lists. */
export const SCOPED_INGEST_TOKEN = 'ingest-scoped-0123456789abcdef';
export const STREAM_TOKEN = 'stream-token-0123456789abcdef';
export const SCOPED_STREAM_TOKEN = 'stream-scoped-0123456789abcdef';

export type RunningCollector = InProcessCollector;

/** A unique name prefix per test file, so parallel files never see each other's rows. */
export function uniquePrefix(label: string): string {
  return `${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A real collector on 127.0.0.1:0 against the run's QuestDB, with its own spool directory and
 * the test tokens. `scoped` names the scrapers the scoped tokens may use. Resolves once /readyz
 * answers 200.
 */
export function startCollector(
  options: { env?: Record<string, string>; scoped?: readonly string[]; logger?: pino.Logger } = {},
): Promise<RunningCollector> {
  const { httpUrl, pgUrl } = testQuestDB();
  const scoped = (options.scoped ?? ['scoped-only']).join('|');
  return startInProcessCollector(
    {
      SCRAPEWATCH_QUESTDB_HTTP: httpUrl,
      SCRAPEWATCH_QUESTDB_PG: pgUrl,
      SCRAPEWATCH_INGEST_TOKENS: `${INGEST_TOKEN},${SCOPED_INGEST_TOKEN}:${scoped}`,
      SCRAPEWATCH_STREAM_TOKENS: `${STREAM_TOKEN},${SCOPED_STREAM_TOKEN}:${scoped}`,
      SCRAPEWATCH_WRITE_LINGER_MS: '2',
      ...options.env,
    },
    options.logger === undefined ? {} : { logger: options.logger },
  );
}

/** Rows of a SQL query through QuestDB's REST API. */
export function sql(query: string): Promise<unknown[][]> {
  return execSql(testQuestDB().httpUrl, query);
}

export function countRows(table: string, where: string): Promise<number> {
  return countQuestDBRows(testQuestDB().httpUrl, table, where);
}

/** Waits until `table` holds exactly `expected` rows matching `where` (WAL applies asynchronously). */
export function waitForRows(table: string, where: string, expected: number): Promise<void> {
  return waitForRowCount(testQuestDB().httpUrl, table, where, expected);
}

export function navigation(scraper: string, overrides: Record<string, unknown> = {}) {
  return {
    type: 'page_navigation',
    scraperSource: scraper,
    url: 'https://example.com/page',
    navigationDurationMs: 250,
    retryCount: 0,
    success: true,
    error: null,
    recordedAt: Date.now(),
    statusCode: 200,
    ...overrides,
  };
}

export function scrape(scraper: string, overrides: Record<string, unknown> = {}) {
  return {
    type: 'page_scrape',
    scraperSource: scraper,
    url: 'https://example.com/page',
    scrapeDurationMs: 120,
    itemsExtracted: 7,
    success: true,
    error: null,
    recordedAt: Date.now(),
    ...overrides,
  };
}

export function schedulerRun(scraper: string, overrides: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    type: 'scheduler_run',
    schedulerName: 'main-scheduler',
    jobName: `${scraper}-job`,
    scraperSource: scraper,
    durationMs: 5_000,
    status: 'success',
    scrapersRun: 1,
    error: null,
    scheduledAt: now - 6_000,
    startedAt: now - 5_500,
    recordedAt: now,
    ...overrides,
  };
}

/** POST /v1/metrics with the ingest token by default. */
export function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/v1/metrics`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${INGEST_TOKEN}`,
      ...headers,
    },
    body,
  });
}
