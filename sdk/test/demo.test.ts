import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { testQuestDB } from '@scrapewatch/questdb';
import {
  execSql,
  spawnCollector,
  startProcess,
  until,
  withOutput,
  type CollectorProcess,
} from '@scrapewatch/testkit';
import { parseDemoConfig } from '../demo/config';

const ROOT = path.resolve(__dirname, '../..');

describe('demo configuration', () => {
  it('reads the environment and the flags', () => {
    expect(parseDemoConfig([], {})).toEqual({
      url: 'http://127.0.0.1:8080',
      token: undefined,
      speed: 1,
      backfillHours: 0,
      durationS: undefined,
      suffix: '',
    });
    expect(
      parseDemoConfig(['--backfill-hours', '24', '--duration-s=60', '--suffix', 'x1'], {
        SCRAPEWATCH_URL: 'http://collector:8080',
        SCRAPEWATCH_TOKEN: 'tok',
        DEMO_SPEED: '5',
      }),
    ).toEqual({
      url: 'http://collector:8080',
      token: 'tok',
      speed: 5,
      backfillHours: 24,
      durationS: 60,
      suffix: '-x1',
    });
    expect(() => parseDemoConfig(['--backfill-hours', '500'], {})).toThrow(/backfill-hours/);
    expect(() => parseDemoConfig(['--bogus'], {})).toThrow(/unknown option/);
  });
});

describe('npm run demo against the real collector', () => {
  const questdb = testQuestDB();
  const token = `demo-test-token-${randomBytes(8).toString('hex')}`;
  let spoolDir: string;
  let collector: CollectorProcess;

  beforeAll(async () => {
    spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sdk-demo-spool-'));
    collector = await spawnCollector({
      inherit: 'path',
      env: {
        SCRAPEWATCH_LOG_LEVEL: 'warn',
        SCRAPEWATCH_INGEST_TOKENS: token,
        SCRAPEWATCH_STREAM_TOKENS: `stream-${token}`,
        SCRAPEWATCH_QUESTDB_HTTP: questdb.httpUrl,
        SCRAPEWATCH_QUESTDB_PG: questdb.pgUrl,
        SCRAPEWATCH_SPOOL_DIR: spoolDir,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await collector?.stop();
    await rm(spoolDir, { recursive: true, force: true });
  }, 60_000);

  it('backfills history, simulates live traffic and closes cleanly on SIGINT', async () => {
    const suffix = randomBytes(4).toString('hex');
    const demo = startProcess(
      [
        process.execPath,
        '--import',
        'tsx',
        'sdk/demo/main.ts',
        '--backfill-hours',
        '0.25',
        '--speed',
        '20',
        '--suffix',
        suffix,
      ],
      {
        name: 'the demo',
        cwd: ROOT,
        env: {
          PATH: process.env['PATH'] ?? '',
          SCRAPEWATCH_URL: collector.url,
          SCRAPEWATCH_TOKEN: token,
        },
      },
    );
    // A wait that times out says what the demo printed.
    const withDemoOutput = (error: unknown): never => {
      throw new Error(withOutput(error instanceof Error ? error.message : String(error), demo));
    };
    try {
      const count = async (table: string, where: string) =>
        Number(
          (await execSql(questdb.httpUrl, `SELECT count() FROM ${table} WHERE ${where}`))[0]?.[0] ??
            0,
        );
      // History first (older than the start), then live events of the suffixed scrapers.
      await until(
        'backfilled and live rows',
        async () =>
          demo.output().includes('backfill done') &&
          (await count(
            'page_navigation',
            `scraper = 'robinhood-${suffix}' AND ts < dateadd('m', -5, now())`,
          )) > 0 &&
          (await count(
            'page_scrape',
            `scraper = 'yahoo-${suffix}' AND ts > dateadd('m', -1, now())`,
          )) > 0 &&
          (await count('scheduler_run', `scheduler_name = 'demo-cron-${suffix}'`)) > 0 &&
          // The incidents: webull starts blocking (429s, then captchas: at speed 20 the 429 phase
          // lasts 12 s), cnbc meets a new error (one template).
          (await count(
            'page_navigation',
            `scraper = 'webull-${suffix}' AND block_reason IN ('rate_limited', 'captcha')`,
          )) > 0 &&
          (await count(
            'page_scrape',
            `scraper = 'cnbc-${suffix}' AND error_template = 'Error: quote table missing on <url> (layout experiment <uuid>)'`,
          )) > 0,
        120_000,
      ).catch(withDemoOutput);
      // Runs from the backfill and live; yahoo's UK layout change (price never filled there,
      // still filled on its main site) and robinhood's one short run of 3 pages.
      await until(
        'the layout change and the short run',
        async () =>
          (await count(
            'field_coverage',
            `scraper = 'yahoo-${suffix}' AND domain = 'uk.finance.yahoo.com' AND field = 'price' AND filled = 0 AND items > 0 AND ts > dateadd('m', -2, now())`,
          )) > 0 &&
          (await count(
            'scraper_run',
            `scraper = 'robinhood-${suffix}' AND pages = 3 AND outcome = 'success'`,
          )) === 1,
        120_000,
      ).catch(withDemoOutput);
      expect(
        await count(
          'field_coverage',
          `scraper = 'yahoo-${suffix}' AND domain = 'finance.yahoo.com' AND field = 'price' AND filled > 0 AND ts > dateadd('m', -2, now())`,
        ),
      ).toBeGreaterThan(0);
      expect(
        await count('scraper_run', `scraper = 'robinhood-${suffix}' AND run_id LIKE '%backfill%'`),
      ).toBeGreaterThan(0);
      expect(await demo.stop({ signal: 'SIGINT' })).toEqual({ code: 0, signal: null });
      expect(demo.output()).toMatch(/demo: stopped; \d+ events delivered, 0 unsent/);
      const errorClasses = await execSql(
        questdb.httpUrl,
        `SELECT DISTINCT error_class FROM page_navigation WHERE scraper LIKE '%-${suffix}' AND error_class IS NOT NULL`,
      );
      expect(errorClasses.length).toBeGreaterThan(0);
      // Scheduler jobs report on the suffixed scrapers' channels, never on the real scrapers'.
      const runs = `scheduler_run WHERE scheduler_name = 'demo-cron-${suffix}'`;
      expect(
        await execSql(questdb.httpUrl, `SELECT DISTINCT scraper FROM ${runs} ORDER BY scraper`),
      ).toEqual([
        [null],
        ...['cnbc', 'marketbeat', 'robinhood', 'webull', 'yahoo'].map((s) => [`${s}-${suffix}`]),
      ]);
    } finally {
      await demo.stop({ signal: 'SIGKILL' });
    }
  }, 240_000);
});
