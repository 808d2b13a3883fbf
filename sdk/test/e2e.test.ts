import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { testQuestDB } from '@scrapewatch/questdb';
import { createScrapewatch, type Scrapewatch, type ScrapewatchError } from '@scrapewatch/sdk';
import {
  type CollectorProcess,
  execSql,
  spawnCollector,
  until,
  walApplied,
} from '@scrapewatch/testkit';
import { startLossyProxy, type LossyProxy } from './support/lossy-proxy';
import { countByEventId } from './support/questdb-query';

// The SDK against the real collector process and the real QuestDB: what it sends lands once.
const INGEST_TOKEN = `sdk-e2e-ingest-${randomBytes(8).toString('hex')}`;
const STREAM_TOKEN = `sdk-e2e-stream-${randomBytes(8).toString('hex')}`;
const ONE_HOUR_MS = 3_600_000;

type Table = 'page_navigation' | 'page_scrape' | 'scheduler_run';

describe('SDK -> collector -> QuestDB', () => {
  const questdb = testQuestDB();
  let spoolDir: string;
  let collector: CollectorProcess;
  let proxy: LossyProxy;
  const clients: Scrapewatch[] = [];

  function scraperName(label: string): string {
    return `sdk-e2e-${label}-${randomBytes(4).toString('hex')}`;
  }

  function client(scraper: string, options: Partial<Parameters<typeof createScrapewatch>[0]> = {}) {
    const created = createScrapewatch({
      url: collector.url,
      token: INGEST_TOKEN,
      scraper,
      lingerMs: 50,
      baseRetryDelayMs: 50,
      maxRetryDelayMs: 1_000,
      ...options,
    });
    clients.push(created);
    return created;
  }

  /** Waits until the scraper's rows are visible and every WAL transaction applied, then counts. */
  async function landed(table: Table, scraper: string, expected: number) {
    let counted = { rows: 0, distinct: 0 };
    await until(
      `${expected} rows of ${scraper} in ${table} (last count ${JSON.stringify(counted)})`,
      async () => {
        counted = await countByEventId(questdb.httpUrl, table, scraper);
        return counted.rows >= expected && (await walApplied(questdb.httpUrl, table));
      },
      60_000,
    );
    return countByEventId(questdb.httpUrl, table, scraper);
  }

  beforeAll(async () => {
    spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sdk-e2e-spool-'));
    collector = await spawnCollector({
      inherit: 'path',
      env: {
        SCRAPEWATCH_LOG_LEVEL: 'warn',
        SCRAPEWATCH_AUTH: 'on',
        SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
        SCRAPEWATCH_STREAM_TOKENS: STREAM_TOKEN,
        SCRAPEWATCH_QUESTDB_HTTP: questdb.httpUrl,
        SCRAPEWATCH_QUESTDB_PG: questdb.pgUrl,
        SCRAPEWATCH_SPOOL_DIR: spoolDir,
        SCRAPEWATCH_MAX_PAST_MS: String(ONE_HOUR_MS),
      },
    });
    proxy = await startLossyProxy(collector.port);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ deadlineMs: 2_000 })));
    await proxy?.close();
    await collector?.stop();
    await rm(spoolDir, { recursive: true, force: true });
  }, 60_000);

  it('stores every event of all three kinds exactly once, with its fields', async () => {
    const scraper = scraperName('kinds');
    const sw = client(scraper, { batchMaxEvents: 20 });
    for (let i = 0; i < 50; i++) {
      sw.recordNavigation({
        url: `https://www.cnbc.com/quotes/${i}`,
        navigationDurationMs: 100 + i,
        success: i % 10 !== 0,
        statusCode: i % 10 === 0 ? 503 : 200,
        errorClass: i % 10 === 0 ? 'http_5xx' : null,
        retryCount: i % 3,
      });
    }
    for (let i = 0; i < 20; i++) {
      await sw.trackScrape(`https://www.cnbc.com/quotes/${i}`, () =>
        Array.from({ length: i }, () => 'row'),
      );
    }
    for (let i = 0; i < 5; i++) {
      await sw.trackSchedulerRun(`job-${i}`, () => 'ok', {
        scraperSource: scraper,
        scheduledAt: Date.now() - 2_000,
      });
    }
    expect(await sw.flush({ deadlineMs: 30_000 })).toEqual({ ok: true, pending: 0 });
    expect(sw.stats()).toMatchObject({ delivered: 75, lastDurability: 'committed' });

    expect(await landed('page_navigation', scraper, 50)).toEqual({ rows: 50, distinct: 50 });
    expect(await landed('page_scrape', scraper, 20)).toEqual({ rows: 20, distinct: 20 });
    expect(await landed('scheduler_run', scraper, 5)).toEqual({ rows: 5, distinct: 5 });

    const [failed] = await execSql(
      questdb.httpUrl,
      `SELECT status_code, error_class, duration_ms, domain FROM page_navigation WHERE scraper = '${scraper}' AND url = 'https://www.cnbc.com/quotes/10'`,
    );
    expect(failed).toEqual([503, 'http_5xx', 110, 'www.cnbc.com']);
    const [items] = await execSql(
      questdb.httpUrl,
      `SELECT sum(items_extracted) FROM page_scrape WHERE scraper = '${scraper}'`,
    );
    expect(items).toEqual([190]);
    const [late] = await execSql(
      questdb.httpUrl,
      `SELECT min(lateness_ms), count() FROM scheduler_run WHERE scraper = '${scraper}' AND status = 'success'`,
    );
    expect(Number(late?.[0])).toBeGreaterThanOrEqual(2_000);
  });

  it('keeps an event once when the collector committed it but the response was lost', async () => {
    const scraper = scraperName('lost-ack');
    const sw = client(scraper, { url: proxy.url });
    proxy.dropNextResponse();
    for (let i = 0; i < 10; i++) {
      sw.recordNavigation({
        url: `https://robinhood.com/stocks/S${i}`,
        navigationDurationMs: 80,
        success: true,
      });
    }
    expect(await sw.flush({ deadlineMs: 30_000 })).toEqual({ ok: true, pending: 0 });
    expect(proxy.dropped).toBe(1);
    expect(sw.stats().retries).toBeGreaterThanOrEqual(1);
    expect(sw.stats().delivered).toBe(10);
    expect(await landed('page_navigation', scraper, 10)).toEqual({ rows: 10, distinct: 10 });
  });

  it('reports a collector validation error once, drops only that event and delivers the rest', async () => {
    const scraper = scraperName('invalid');
    const errors: { error: ScrapewatchError; source: string; status: number | undefined }[] = [];
    const sw = client(scraper, {
      lingerMs: 60_000,
      onError: (error, context) =>
        errors.push({ error, source: context.source, status: context.status }),
    });
    sw.recordScrape({
      url: 'https://webull.com/a',
      scrapeDurationMs: 10,
      itemsExtracted: 1,
      success: true,
    });
    // Inside the SDK's 7-day window, outside this collector's 1-hour one: only the collector can refuse it.
    sw.recordScrape({
      url: 'https://webull.com/old',
      scrapeDurationMs: 10,
      itemsExtracted: 1,
      success: true,
      recordedAt: Date.now() - 2 * ONE_HOUR_MS,
    });
    sw.recordScrape({
      url: 'https://webull.com/b',
      scrapeDurationMs: 10,
      itemsExtracted: 1,
      success: true,
    });
    // Refused by the SDK itself.
    sw.recordScrape({
      url: 'https://webull.com/c',
      scrapeDurationMs: -1,
      itemsExtracted: 1,
      success: true,
    });
    expect(await sw.flush({ deadlineMs: 30_000 })).toEqual({ ok: true, pending: 0 });

    expect(errors.map((e) => [e.source, e.status, e.error.code])).toEqual([
      ['validation', undefined, 'OUT_OF_RANGE'],
      ['collector', 400, 'RECORDED_AT_OUT_OF_WINDOW'],
    ]);
    expect(errors[1]?.error.details[0]).toMatchObject({ index: 1, path: '/recordedAt' });
    expect(sw.stats()).toMatchObject({
      delivered: 2,
      retries: 0,
      dropped: { invalid: 1, rejected: 1 },
    });
    expect(await landed('page_scrape', scraper, 2)).toEqual({ rows: 2, distinct: 2 });
  });

  it('reports a wrong token once and does not retry', async () => {
    const scraper = scraperName('token');
    const errors: ScrapewatchError[] = [];
    const sw = client(scraper, {
      token: 'not-the-right-token-at-all',
      onError: (error) => errors.push(error),
    });
    sw.recordNavigation({
      url: 'https://marketbeat.com/x',
      navigationDurationMs: 5,
      success: true,
    });
    await sw.flush({ deadlineMs: 30_000 });
    expect(errors.map((e) => e.code)).toEqual(['UNAUTHORIZED']);
    expect(sw.stats()).toMatchObject({ delivered: 0, retries: 0, dropped: { rejected: 1 } });
  });

  // Last: it stops and restarts the shared collector.
  it('buffers while the collector is down and delivers everything once after it restarts', async () => {
    const scraper = scraperName('restart');
    let retries = 0;
    const sw = client(scraper, { onRetry: () => retries++ });
    const record = (i: number) =>
      sw.recordNavigation({
        url: `https://finance.yahoo.com/q/${i}`,
        navigationDurationMs: 120,
        success: true,
      });
    for (let i = 0; i < 5; i++) record(i);
    expect(await sw.flush({ deadlineMs: 30_000 })).toEqual({ ok: true, pending: 0 });

    await collector.stop();
    for (let i = 5; i < 25; i++) record(i);
    await until('retries against the stopped collector', () => retries >= 2);
    expect(sw.stats().delivered).toBe(5);
    expect(sw.stats().queued + sw.stats().inFlight).toBe(20);

    await collector.restart();
    expect(await sw.flush({ deadlineMs: 30_000 })).toEqual({ ok: true, pending: 0 });
    expect(sw.stats()).toMatchObject({ delivered: 25, dropped: { queue_full: 0 } });
    expect(await landed('page_navigation', scraper, 25)).toEqual({ rows: 25, distinct: 25 });
  }, 180_000);
});
