import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { testQuestDB } from '@scrapewatch/questdb';
import { createCollector, type Collector } from '../../src/collector';
import { loadConfig } from '../../src/config';

export const INGEST_TOKEN = 'ingest-token-0123456789abcdef';
/** May send only scrapers whose names it lists. */
export const SCOPED_INGEST_TOKEN = 'ingest-scoped-0123456789abcdef';
export const STREAM_TOKEN = 'stream-token-0123456789abcdef';
export const SCOPED_STREAM_TOKEN = 'stream-scoped-0123456789abcdef';

export interface RunningCollector {
  readonly collector: Collector;
  readonly url: string;
  readonly wsUrl: string;
  close(): Promise<void>;
}

/** A unique name prefix per test file, so parallel files never see each other's rows. */
export function uniquePrefix(label: string): string {
  return `${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A real collector on 127.0.0.1:0 against the run's QuestDB, with its own spool directory.
 * `scoped` names the scrapers the scoped tokens may use. Resolves once /readyz answers 200.
 */
export async function startCollector(
  options: { env?: Record<string, string>; scoped?: readonly string[]; logger?: pino.Logger } = {},
): Promise<RunningCollector> {
  const { httpUrl, pgUrl } = testQuestDB();
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-collector-test-'));
  const scoped = (options.scoped ?? ['scoped-only']).join('|');
  const config = loadConfig({
    SCRAPEWATCH_HOST: '127.0.0.1',
    SCRAPEWATCH_PORT: '0',
    SCRAPEWATCH_QUESTDB_HTTP: httpUrl,
    SCRAPEWATCH_QUESTDB_PG: pgUrl,
    SCRAPEWATCH_SPOOL_DIR: spoolDir,
    SCRAPEWATCH_INGEST_TOKENS: `${INGEST_TOKEN},${SCOPED_INGEST_TOKEN}:${scoped}`,
    SCRAPEWATCH_STREAM_TOKENS: `${STREAM_TOKEN},${SCOPED_STREAM_TOKEN}:${scoped}`,
    SCRAPEWATCH_WRITE_LINGER_MS: '2',
    ...options.env,
  });
  const collector = createCollector(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  const { url } = await collector.start();
  await pollUntil(async () => (await fetch(`${url}/readyz`)).status === 200, 60_000, '/readyz 200');
  return {
    collector,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    async close() {
      await collector.close();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Rows of a SQL query through QuestDB's REST API. */
export async function sql(query: string): Promise<unknown[][]> {
  const { httpUrl } = testQuestDB();
  const res = await fetch(`${httpUrl}/exec?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { dataset?: unknown[][]; error?: string };
  if (!res.ok || body.error) throw new Error(`QuestDB: ${body.error ?? res.status}: ${query}`);
  return body.dataset ?? [];
}

export async function countRows(table: string, where: string): Promise<number> {
  const rows = await sql(`SELECT count() FROM ${table} WHERE ${where}`);
  return Number(rows[0]?.[0] ?? 0);
}

/** Waits until `table` holds exactly `expected` rows matching `where` (WAL applies asynchronously). */
export async function waitForRows(table: string, where: string, expected: number): Promise<void> {
  let last = -1;
  await pollUntil(
    async () => {
      last = await countRows(table, where);
      return last === expected;
    },
    30_000,
    `${expected} rows in ${table} WHERE ${where} (last seen ${last})`,
  );
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
