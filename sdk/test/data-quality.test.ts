import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { testQuestDB } from '@scrapewatch/questdb';
import { LIMITS } from '@scrapewatch/protocol';
import { createScrapewatch, fieldCoverage, isFilled, type Scrapewatch } from '@scrapewatch/sdk';
import {
  type CollectorProcess,
  execSql,
  spawnCollector,
  until,
  walApplied,
} from '@scrapewatch/testkit';
import { fetchPage, startSite, type Site } from './support/site';

describe('fieldCoverage', () => {
  it('counts filled values: not null/undefined, not an empty string or array', () => {
    expect([null, undefined, '', []].map(isFilled)).toEqual([false, false, false, false]);
    expect([0, false, ' ', [0], {}, 'x', Number.NaN].map(isFilled)).toEqual(Array(7).fill(true));
    const items = [
      { price: 10, title: 'a', tags: ['x'], seller: null },
      { price: 0, title: '', tags: [] },
      { price: null, title: 'c', tags: ['y'], seller: 'z' },
      'not an object',
    ];
    expect(fieldCoverage(items)).toEqual({ price: 2, title: 2, tags: 2, seller: 1 });
  });

  it('with expected fields, reports exactly those, a vanished field as 0', () => {
    const items = [{ title: 'a' }, { title: 'b', extra: 1 }];
    expect(fieldCoverage(items, ['price', 'title'])).toEqual({ price: 0, title: 2 });
    expect(fieldCoverage([], ['price'])).toEqual({ price: 0 });
  });

  it('discovers keys across item shapes, skips unreportable names and stops at the limit', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < LIMITS.maxFields + 10; i += 1) wide[`f${i}`] = i;
    const counts = fieldCoverage([
      { a: 1, 'bad\nname': 1, ['x'.repeat(LIMITS.maxFieldNameLength + 1)]: 1 },
      { b: 2 },
      { a: 1 },
    ]);
    expect(counts).toEqual({ a: 2, b: 1 });
    expect(Object.keys(fieldCoverage([wide]))).toHaveLength(LIMITS.maxFields);
    const proto = fieldCoverage([JSON.parse('{"__proto__": 1, "ok": 1}') as object]);
    expect(Object.keys(proto)).toEqual(['ok']);
  });
});

describe('coverage and runs, through the real collector into QuestDB', () => {
  const questdb = testQuestDB();
  const token = `sdk-coverage-${randomBytes(8).toString('hex')}`;
  let spoolDir: string;
  let collector: CollectorProcess;
  let sw: Scrapewatch;
  let site: Site;
  const scraper = `sdk-coverage-${randomBytes(4).toString('hex')}`;
  const count = async (sql: string): Promise<number> =>
    Number((await execSql(questdb.httpUrl, sql))[0]?.[0] ?? 0);

  beforeAll(async () => {
    spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sdk-coverage-spool-'));
    collector = await spawnCollector({
      inherit: 'path',
      env: {
        SCRAPEWATCH_LOG_LEVEL: 'warn',
        SCRAPEWATCH_AUTH: 'on',
        SCRAPEWATCH_INGEST_TOKENS: token,
        SCRAPEWATCH_STREAM_TOKENS: `${token}-stream`,
        SCRAPEWATCH_QUESTDB_HTTP: questdb.httpUrl,
        SCRAPEWATCH_QUESTDB_PG: questdb.pgUrl,
        SCRAPEWATCH_SPOOL_DIR: spoolDir,
      },
    });
    sw = createScrapewatch({ url: collector.url, token, scraper, lingerMs: 20 });
    site = await startSite();
  }, 120_000);

  afterAll(async () => {
    await site?.close();
    await sw?.close({ deadlineMs: 2_000 });
    await collector?.stop();
    await rm(spoolDir, { recursive: true, force: true });
  }, 60_000);

  it('stores the items count and one coverage row per expected field', async () => {
    const products = [
      { title: 'A', price: 10 },
      { title: 'B', price: null },
      { title: '', price: 12 },
    ];
    const result = await sw.trackScrape(
      'https://shop.example.com/list',
      () => ({ products, next: null }),
      { items: (r) => r.products, expectedFields: ['title', 'price', 'rating'] },
    );
    expect(result.products).toBe(products);
    await sw.flush();
    await until(
      'coverage rows',
      async () =>
        (
          await execSql(
            questdb.httpUrl,
            `SELECT count() FROM field_coverage WHERE scraper = '${scraper}'`,
          )
        )[0]?.[0] === 3 && (await walApplied(questdb.httpUrl, 'page_scrape')),
      60_000,
    );
    expect(
      await execSql(
        questdb.httpUrl,
        `SELECT field, filled, items, domain FROM field_coverage WHERE scraper = '${scraper}' ORDER BY field`,
      ),
    ).toEqual([
      ['price', 2, 3, 'shop.example.com'],
      ['rating', 0, 3, 'shop.example.com'],
      ['title', 2, 3, 'shop.example.com'],
    ]);
    expect(
      await execSql(
        questdb.httpUrl,
        `SELECT items_extracted FROM page_scrape WHERE scraper = '${scraper}'`,
      ),
    ).toEqual([[3]]);
  });

  it('a tracked run tags its events and records their totals and coverage when it ends', async () => {
    const runScraper = `${scraper}-run`;
    const page = fetchPage();
    const runId = await sw.trackRun(
      async (run) => {
        await run.trackNavigation(page, `${site.url}/ok`);
        await run.trackNavigation(page, `${site.url}/missing`, { retries: 0 });
        await run.trackScrape(`${site.url}/ok`, () => [{ price: 1, title: 'a' }, { title: 'b' }], {
          items: (r) => r,
          expectedFields: ['price', 'title'],
        });
        await run
          .trackScrape(`${site.url}/ok`, () => {
            throw new SyntaxError('Unexpected token < in JSON');
          })
          .catch(() => undefined);
        return run.runId;
      },
      { scraperSource: runScraper },
    );
    await sw.flush();
    await until(
      'the run summary',
      async () =>
        (await count(`SELECT count() FROM scraper_run WHERE scraper = '${runScraper}'`)) === 1,
      60_000,
    );
    const [row] = await execSql(
      questdb.httpUrl,
      `SELECT run_id, outcome, pages, items, errors, worst_field, worst_fill_pct, duration_ms >= 0 ` +
        `FROM scraper_run WHERE scraper = '${runScraper}'`,
    );
    expect(row).toEqual([runId, 'success', 2, 2, 2, 'price', 50, true]);
    await until(
      'the events of the run',
      async () =>
        (await count(
          `SELECT count() FROM page_navigation WHERE scraper = '${runScraper}' AND run_id = '${runId}'`,
        )) === 2 &&
        (await count(
          `SELECT count() FROM page_scrape WHERE scraper = '${runScraper}' AND run_id = '${runId}'`,
        )) === 2,
      60_000,
    );
  });

  it('a run still open when the client closes is recorded as aborted', async () => {
    const closing = createScrapewatch({
      url: collector.url,
      token,
      scraper: `${scraper}-closing`,
      lingerMs: 20,
    });
    const run = closing.startRun();
    run.recordScrape({
      url: 'https://x.example/',
      scrapeDurationMs: 5,
      itemsExtracted: 3,
      success: true,
    });
    const closed = await closing.close({ deadlineMs: 5_000 });
    expect(closed.unsent).toBe(0);
    expect(run.finished).toBe(true);
    await until(
      'the aborted run',
      async () =>
        (await count(
          `SELECT count() FROM scraper_run WHERE scraper = '${scraper}-closing' AND outcome = 'aborted' AND items = 3`,
        )) === 1,
      60_000,
    );
    // Finishing again records nothing more.
    expect(run.finish()).toBeUndefined();
  });
});
