import { testQuestDB } from '@scrapewatch/questdb';
import type { AcceptedEvent } from '@scrapewatch/protocol';
import { pollUntil } from '@scrapewatch/testkit';
import { refreshTiers } from '@scrapewatch/testkit/collector';
import {
  countsByEventId,
  makeStorage,
  metricValue,
  seedEvents,
  sql,
  tempDir,
  uniqueName,
  type TestStorage,
} from './helpers';
import { SCHEMA_VERSION } from '../../src/storage/schema';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

describe('storage round trip on the real QuestDB', () => {
  const { httpUrl, pgUrl } = testQuestDB();
  const spool = tempDir('roundtrip');
  let t: TestStorage;

  beforeAll(async () => {
    t = makeStorage({
      questdbHttpUrl: httpUrl,
      questdbPgUrl: pgUrl,
      spoolDir: spool.dir,
      writeLingerMs: 20,
    });
    await t.storage.start();
  });

  afterAll(async () => {
    await t.storage.close();
    spool.remove();
  });

  it('applies the schema: TTL, DEDUP keys, WAL, views, recorded version', async () => {
    const readiness = await t.storage.readiness();
    expect(readiness).toEqual({
      ready: true,
      questdb: true,
      schemaVersion: SCHEMA_VERSION,
      spooledBytes: 0,
    });
    for (const [table, keys] of [
      ['field_coverage', 'ts,event_id,scraper,domain,field'],
      ['page_navigation', 'ts,event_id,scraper,domain'],
      ['page_scrape', 'ts,event_id,scraper,domain'],
      ['scheduler_run', 'ts,event_id,scheduler_name,job_name,scraper'],
    ] as const) {
      const [row] = await sql(pgUrl, `SHOW CREATE TABLE ${table}`);
      const ddl = String(row?.ddl);
      expect(ddl).toContain('PARTITION BY DAY TTL 1 WEEK');
      expect(ddl).toContain(`DEDUP UPSERT KEYS(${keys})`);
    }
    const tables = await sql(
      pgUrl,
      `SELECT table_name, walEnabled FROM tables() WHERE table_name IN ('page_navigation', 'page_scrape', 'scheduler_run')`,
    );
    expect(tables.map((r) => r.walenabled ?? r.walEnabled)).toEqual([true, true, true]);
    const views = await sql(pgUrl, 'SELECT view_name FROM materialized_views()');
    const names = views.map((v) => String(v.view_name)).sort();
    for (const kind of ['page_navigation', 'page_scrape', 'scheduler_run']) {
      expect(names).toEqual(expect.arrayContaining([`${kind}_1m`, `${kind}_1h`, `${kind}_1d`]));
    }
    expect(names).toEqual(expect.arrayContaining(['field_coverage_1h', 'field_coverage_1d']));
    const [hourly] = await sql(pgUrl, 'SHOW CREATE MATERIALIZED VIEW page_navigation_1h');
    expect(String(hourly?.ddl)).toContain('TTL 90 DAYS');
  });

  it('round-trips every kind with the right column types and values', async () => {
    const scraper = uniqueName('rt');
    const scheduler = uniqueName('sched');
    const base = Date.now() - 2 * HOUR_MS;
    const [seedNav, seedNav2] = seedEvents(scraper, 2, base);
    const nav: AcceptedEvent = {
      type: 'page_navigation',
      scraperSource: scraper,
      url: 'https://Robinhood.COM/stocks/AAPL',
      navigationDurationMs: 150.25,
      retryCount: 2,
      success: true,
      error: null,
      recordedAt: base + 10_000.5,
      statusCode: 200,
      bytes: 9_007_199_254_740_000,
      runId: 'run-1',
      eventId: `${scraper}-nav-full`,
    };
    const badUrl: AcceptedEvent = {
      type: 'page_navigation',
      scraperSource: scraper,
      url: 'not a url',
      navigationDurationMs: 3000,
      retryCount: 0,
      success: false,
      error: 'page.goto: net::ERR_NAME_NOT_RESOLVED at https://gone-7.example/p/31',
      errorClass: 'network',
      blockReason: 'rate_limited',
      recordedAt: base + 11_000,
      eventId: `${scraper}-nav-bad-url`,
    };
    const scrape: AcceptedEvent = {
      type: 'page_scrape',
      scraperSource: scraper,
      url: 'https://robinhood.com/stocks/AAPL',
      scrapeDurationMs: 200,
      itemsExtracted: 5,
      success: true,
      error: null,
      recordedAt: base + 12_000,
      eventId: `${scraper}-scrape-1`,
    };
    const missed: AcceptedEvent = {
      type: 'scheduler_run',
      schedulerName: scheduler,
      jobName: 'nightly',
      durationMs: 0,
      status: 'missed',
      error: null,
      scheduledAt: base + 13_000,
      startedAt: null,
      recordedAt: base + 14_000,
      eventId: `${scheduler}-missed`,
    };
    const ran: AcceptedEvent = {
      type: 'scheduler_run',
      schedulerName: scheduler,
      jobName: 'hourly',
      scraperSource: scraper,
      durationMs: 4200,
      success: true,
      scrapersRun: 3,
      error: null,
      scheduledAt: base + 15_000,
      startedAt: base + 16_500,
      recordedAt: base + 21_000,
      runId: 'run-2',
      eventId: `${scheduler}-ran`,
    };
    const receivedAtMs = base + 30_000;
    const events = [seedNav!, seedNav2!, nav, badUrl, scrape, missed, ran];
    await expect(t.storage.write(events, receivedAtMs)).resolves.toEqual({
      durability: 'committed',
    });

    // Column types in QuestDB are exactly those of the DDL: ILP added or retyped nothing.
    const columns = await sql(pgUrl, `SELECT "column" c, type FROM table_columns('scheduler_run')`);
    expect(Object.fromEntries(columns.map((r) => [r.c, r.type]))).toEqual({
      ts: 'TIMESTAMP',
      event_id: 'VARCHAR',
      scheduler_name: 'SYMBOL',
      job_name: 'SYMBOL',
      scraper: 'SYMBOL',
      status: 'SYMBOL',
      success: 'BOOLEAN',
      duration_ms: 'DOUBLE',
      scrapers_run: 'INT',
      scheduled_at: 'TIMESTAMP',
      started_at: 'TIMESTAMP',
      lateness_ms: 'DOUBLE',
      error: 'VARCHAR',
      error_class: 'SYMBOL',
      run_id: 'VARCHAR',
      received_at: 'TIMESTAMP',
      error_fingerprint: 'SYMBOL',
      error_template: 'VARCHAR',
    });
    const navColumns = await sql(
      pgUrl,
      `SELECT "column" c, type FROM table_columns('page_navigation')`,
    );
    expect(Object.fromEntries(navColumns.map((r) => [r.c, r.type]))).toEqual({
      ts: 'TIMESTAMP',
      event_id: 'VARCHAR',
      scraper: 'SYMBOL',
      domain: 'SYMBOL',
      url: 'VARCHAR',
      duration_ms: 'DOUBLE',
      retry_count: 'INT',
      success: 'BOOLEAN',
      status_code: 'INT',
      bytes: 'LONG',
      error: 'VARCHAR',
      error_class: 'SYMBOL',
      run_id: 'VARCHAR',
      received_at: 'TIMESTAMP',
      error_fingerprint: 'SYMBOL',
      error_template: 'VARCHAR',
      block_reason: 'SYMBOL',
    });

    const navRows = await pollUntil(
      'the navigation rows',
      () =>
        sql(
          pgUrl,
          `SELECT event_id, domain, duration_ms, retry_count, status_code, cast(bytes AS string) bytes, error_class,
             cast(ts AS long) ts_us, cast(received_at AS long) received_us
           FROM page_navigation WHERE scraper = $1 ORDER BY ts`,
          [scraper],
        ),
      (rows) => rows.length === 4,
    );
    const full = navRows.find((r) => r.event_id === nav.eventId);
    expect(full).toEqual({
      event_id: nav.eventId,
      domain: 'robinhood.com',
      duration_ms: 150.25,
      retry_count: 2,
      status_code: 200,
      bytes: '9007199254740000',
      error_class: null,
      ts_us: String((base + 10_000.5) * 1000),
      received_us: String(receivedAtMs * 1000),
    });
    expect(navRows.find((r) => r.event_id === badUrl.eventId)?.domain).toBeNull();
    // The collector stores the error's template and fingerprint beside it; the SDK's block reason.
    const [fingerprinted] = await sql(
      pgUrl,
      `SELECT error_template, error_fingerprint, block_reason FROM page_navigation WHERE event_id = $1`,
      [badUrl.eventId],
    );
    expect(fingerprinted).toEqual({
      error_template: 'page.goto: net::ERR_NAME_NOT_RESOLVED at <url>',
      error_fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      block_reason: 'rate_limited',
    });
    const [clean] = await sql(
      pgUrl,
      `SELECT error_template, error_fingerprint, block_reason FROM page_navigation WHERE event_id = $1`,
      [nav.eventId],
    );
    expect(clean).toEqual({ error_template: null, error_fingerprint: null, block_reason: null });

    const runs = await pollUntil(
      'the scheduler rows',
      () =>
        sql(
          pgUrl,
          `SELECT event_id, scraper, status, success, lateness_ms, scrapers_run, cast(started_at AS long) started_us
           FROM scheduler_run WHERE scheduler_name = $1 ORDER BY ts`,
          [scheduler],
        ),
      (rows) => rows.length === 2,
    );
    expect(runs).toEqual([
      {
        event_id: missed.eventId,
        scraper: null,
        status: 'missed',
        success: false,
        lateness_ms: null,
        scrapers_run: null,
        started_us: null,
      },
      {
        event_id: ran.eventId,
        scraper,
        status: 'success',
        success: true,
        lateness_ms: 1500,
        scrapers_run: 3,
        started_us: String((base + 16_500) * 1000),
      },
    ]);

    // history() gives the wire format back, with derived fields filled in.
    const range = { fromMs: base - 1, toMs: base + 60_000 };
    const navHistory = await pollUntil(
      'the navigation history',
      () => t.storage.history({ kind: 'page_navigation', scrapers: [scraper], ...range }),
      (h) => h.events.length === 4,
    );
    expect(navHistory).toEqual({
      kind: 'page_navigation',
      ...range,
      truncated: false,
      events: [seedNav, seedNav2, nav, badUrl],
    });
    const scrapeHistory = await pollUntil(
      'the scrape history',
      () => t.storage.history({ kind: 'page_scrape', scrapers: [scraper], ...range }),
      (h) => h.events.length === 1,
    );
    expect(scrapeHistory.events).toEqual([scrape]);
    const runHistory = await t.storage.history({
      kind: 'scheduler_run',
      scrapers: [scraper, scheduler],
      ...range,
    });
    expect(runHistory.events).toEqual([
      { ...missed, success: false },
      { ...ran, status: 'success' },
    ]);
  });

  it('stores a re-sent event once', async () => {
    const scraper = uniqueName('dedup');
    const events = seedEvents(scraper, 20, Date.now() - HOUR_MS);
    expect(await t.storage.write(events, Date.now())).toEqual({ durability: 'committed' });
    await pollUntil(
      '20 navigations',
      () => countsByEventId(pgUrl, 'page_navigation', 'scraper', [scraper]),
      (m) => m.size === 20,
    );
    // The re-sent events and a sentinel share one ILP request, i.e. one WAL transaction.
    const [sentinel] = seedEvents(`${scraper}-sentinel`, 1, Date.now() - HOUR_MS);
    const changed = events.map((e) => ({ ...e, retryCount: 7 }));
    expect(
      await t.storage.write(
        [...changed, { ...sentinel!, scraperSource: scraper, eventId: `${scraper}-sentinel` }],
        Date.now(),
      ),
    ).toEqual({ durability: 'committed' });
    const counts = await pollUntil(
      'the sentinel row',
      () => countsByEventId(pgUrl, 'page_navigation', 'scraper', [scraper]),
      (m) => m.has(`${scraper}-sentinel`),
    );
    expect(counts.size).toBe(21);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const [row] = await sql(
      pgUrl,
      'SELECT count() n, min(retry_count) lo FROM page_navigation WHERE scraper = $1',
      [scraper],
    );
    expect(Number(row?.n)).toBe(21);
    expect(row?.lo).toBe(0); // the sentinel; every re-sent row was upserted to 7
  });

  it('group-commits concurrent writes into fewer ILP requests, each call committed', async () => {
    const scraper = uniqueName('group');
    const start = Date.now() - HOUR_MS;
    const calls = 60;
    const flushesBefore = await metricValue(t.registry, 'scrapewatch_storage_ilp_flushes_total', {
      path: 'direct',
    });
    const results = await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        t.storage.write(
          seedEvents(scraper, 2, start + i * 10).map((e, j) => ({
            ...e,
            eventId: `${scraper}-${i}-${j}`,
          })),
          Date.now(),
        ),
      ),
    );
    expect(results.every((r) => r.durability === 'committed')).toBe(true);
    const flushes =
      (await metricValue(t.registry, 'scrapewatch_storage_ilp_flushes_total', { path: 'direct' })) -
      flushesBefore;
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(flushes).toBeLessThan(calls);
    const counts = await pollUntil(
      'every navigation',
      () => countsByEventId(pgUrl, 'page_navigation', 'scraper', [scraper]),
      (m) => m.size === calls * 2,
    );
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('keeps hourly and daily aggregates in the materialized views', async () => {
    const scraper = uniqueName('views');
    const scheduler = uniqueName('views-sched');
    const dayOne = Math.floor(Date.now() / DAY_MS) * DAY_MS - 2 * DAY_MS;
    const dayTwo = dayOne + DAY_MS;
    const at = [
      dayOne + 10 * HOUR_MS + 5 * 60_000,
      dayOne + 10 * HOUR_MS + 40 * 60_000,
      dayOne + 11 * HOUR_MS + 20 * 60_000,
      dayTwo + 9 * HOUR_MS,
    ];
    const durations = [100, 200, 300, 400];
    const items = [5, 0, 7, 3];
    const success = [true, false, true, true];
    const events: AcceptedEvent[] = [];
    at.forEach((recordedAt, i) => {
      const url = 'https://www.example.com/page';
      events.push(
        {
          type: 'page_navigation',
          scraperSource: scraper,
          url,
          navigationDurationMs: durations[i]!,
          retryCount: i,
          success: success[i]!,
          error: null,
          recordedAt,
          eventId: `${scraper}-n${i}`,
        },
        {
          type: 'page_scrape',
          scraperSource: scraper,
          url,
          scrapeDurationMs: durations[i]!,
          itemsExtracted: items[i]!,
          success: true,
          error: null,
          recordedAt,
          eventId: `${scraper}-s${i}`,
        },
        {
          type: 'scheduler_run',
          schedulerName: scheduler,
          jobName: 'job',
          durationMs: durations[i]!,
          status: i === 1 ? 'failed' : 'success',
          error: null,
          scheduledAt: recordedAt - 1000,
          startedAt: recordedAt - 1000 + i * 100,
          recordedAt,
          eventId: `${scheduler}-r${i}`,
        },
      );
    });
    expect(await t.storage.write(events, Date.now())).toEqual({ durability: 'committed' });
    await refreshTiers(httpUrl);

    const hourly = await pollUntil(
      'the hourly navigation view',
      () =>
        sql(
          pgUrl,
          `SELECT cast(ts AS long) ts_us, domain, events, successes, sum_duration_ms, min_duration_ms, max_duration_ms, retries
           FROM page_navigation_1h WHERE scraper = $1 ORDER BY ts`,
          [scraper],
        ),
      (rows) => rows.reduce((n, r) => n + Number(r.events), 0) === 4,
      { timeoutMs: 45_000 },
    );
    expect(hourly).toEqual([
      {
        ts_us: String((dayOne + 10 * HOUR_MS) * 1000),
        domain: 'www.example.com',
        events: '2',
        successes: '1',
        sum_duration_ms: 300,
        min_duration_ms: 100,
        max_duration_ms: 200,
        retries: '1',
      },
      {
        ts_us: String((dayOne + 11 * HOUR_MS) * 1000),
        domain: 'www.example.com',
        events: '1',
        successes: '1',
        sum_duration_ms: 300,
        min_duration_ms: 300,
        max_duration_ms: 300,
        retries: '2',
      },
      {
        ts_us: String((dayTwo + 9 * HOUR_MS) * 1000),
        domain: 'www.example.com',
        events: '1',
        successes: '1',
        sum_duration_ms: 400,
        min_duration_ms: 400,
        max_duration_ms: 400,
        retries: '3',
      },
    ]);

    const daily = await pollUntil(
      'the daily scrape view',
      () =>
        sql(
          pgUrl,
          `SELECT cast(ts AS long) ts_us, events, successes, sum_duration_ms, min_duration_ms, max_duration_ms, items_extracted, zero_item_scrapes
           FROM page_scrape_1d WHERE scraper = $1 ORDER BY ts`,
          [scraper],
        ),
      (rows) => rows.reduce((n, r) => n + Number(r.events), 0) === 4,
      { timeoutMs: 45_000 },
    );
    expect(daily).toEqual([
      {
        ts_us: String(dayOne * 1000),
        events: '3',
        successes: '3',
        sum_duration_ms: 600,
        min_duration_ms: 100,
        max_duration_ms: 300,
        items_extracted: '12',
        zero_item_scrapes: '1',
      },
      {
        ts_us: String(dayTwo * 1000),
        events: '1',
        successes: '1',
        sum_duration_ms: 400,
        min_duration_ms: 400,
        max_duration_ms: 400,
        items_extracted: '3',
        zero_item_scrapes: '0',
      },
    ]);

    const schedulerDaily = await pollUntil(
      'the daily scheduler view',
      () =>
        sql(
          pgUrl,
          `SELECT cast(ts AS long) ts_us, runs, successes, failures, missed, skipped, max_lateness_ms
           FROM scheduler_run_1d WHERE scheduler_name = $1 ORDER BY ts`,
          [scheduler],
        ),
      (rows) => rows.reduce((n, r) => n + Number(r.runs), 0) === 4,
      { timeoutMs: 45_000 },
    );
    expect(schedulerDaily).toEqual([
      {
        ts_us: String(dayOne * 1000),
        runs: '3',
        successes: '2',
        failures: '1',
        missed: '0',
        skipped: '0',
        max_lateness_ms: 200,
      },
      {
        ts_us: String(dayTwo * 1000),
        runs: '1',
        successes: '1',
        failures: '0',
        missed: '0',
        skipped: '0',
        max_lateness_ms: 300,
      },
    ]);
  });
});
