import type { AcceptedEvent } from '@scrapewatch/protocol';
import { startQuestDB, type QuestDBServer } from '@scrapewatch/questdb';
import { pollUntil } from '@scrapewatch/testkit';
import { refreshTiers } from '@scrapewatch/testkit/collector';
import { migrate, recordedSchemaVersion } from '../../src/storage/migrate';
import { createQuestDBClient, type QuestDBClient } from '../../src/storage/questdb';
import { encodeRows } from '../../src/storage/rows';
import { SCHEMA_VERSION, SCHEMA_VERSIONS } from '../../src/storage/schema';
import { TIERS, dailyArchive, type TierSpec } from '../../src/storage/tiers';
import { silentLogger, tempDir } from './helpers';

const HOUR_MS = 3_600_000;
const SCRAPERS = ['alpha', 'beta', 'gamma'];
const DOMAINS = ['a.example.com', 'b.example.com', 'c.example.org', 'd.example.net'];

const BLOCK_REASONS = ['rate_limited', 'captcha', 'empty', 'geo_fence'] as const;

/**
 * Events of every kind spread over many hours, durations across the whole histogram, with what a
 * collector of schema `version` wrote: version 1 no field coverage, no error text (its
 * fingerprint columns come with version 3) and no block reason; version 2 adds field coverage;
 * version 3 error texts and block reasons (a built-in one or a user's own).
 */
function eventsUnderVersion(
  version: 1 | 2 | 3,
  count: number,
  startMs: number,
  prefix: string,
): AcceptedEvent[] {
  const withFields = version >= 2;
  const withErrors = version >= 3;
  const events: AcceptedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const recordedAt = startMs + i * 97_003; // crosses minutes, hours and the day boundary
    const scraper = SCRAPERS[i % SCRAPERS.length]!;
    const url = `https://${DOMAINS[i % DOMAINS.length]}/p/${i}`;
    const durationMs = [3, 10, 60, 480, 1_000, 2_750, 12_000, 90_000][i % 8]! + (i % 5) * 0.5;
    const success = i % 7 !== 0;
    const blockReason = withErrors && i % 5 === 0 ? BLOCK_REASONS[(i / 5) % 4] : undefined;
    events.push(
      {
        type: 'page_navigation',
        scraperSource: scraper,
        url,
        navigationDurationMs: durationMs,
        retryCount: i % 3,
        success,
        error: success || !withErrors ? null : `timeout after ${i} ms`,
        ...(success ? {} : { errorClass: i % 2 === 0 ? 'timeout' : 'my_own_class' }),
        ...(i % 6 === 0 ? {} : { statusCode: [200, 204, 301, 404, 429, 503][i % 6]! }),
        ...(i % 4 === 0 ? {} : { bytes: 1_000 + i }),
        ...(blockReason === undefined ? {} : { blockReason }),
        recordedAt,
        eventId: `${prefix}-n${i}`,
      },
      {
        type: 'page_scrape',
        scraperSource: scraper,
        url,
        scrapeDurationMs: durationMs / 2,
        itemsExtracted: i % 4 === 0 ? 0 : i % 50,
        // Field coverage exists from schema 2 on: only events written after the migration have it.
        ...(withFields && i % 4 !== 0
          ? { fields: { price: i % 50, title: (i % 50) - (i % 3) } }
          : {}),
        success,
        error: success || !withErrors ? null : `selector #item-${i} missing`,
        recordedAt: recordedAt + 1,
        eventId: `${prefix}-s${i}`,
      },
    );
    if (i % 3 === 0) {
      const status = (['success', 'failed', 'missed', 'skipped'] as const)[i % 4]!;
      events.push({
        type: 'scheduler_run',
        schedulerName: 'cron',
        jobName: `job-${i % 2}`,
        ...(i % 2 === 0 ? { scraperSource: scraper } : {}),
        durationMs,
        status,
        error: null,
        scheduledAt: recordedAt - 5_000,
        startedAt: status === 'missed' ? null : recordedAt - 5_000 + (i % 9) * 100,
        recordedAt: recordedAt + 2,
        eventId: `${prefix}-r${i}`,
      });
    }
  }
  return events;
}

async function rows(client: QuestDBClient, sql: string): Promise<unknown[][]> {
  return (await client.exec(sql)).dataset?.map((row) => [...row]) ?? [];
}

/** What a tier must hold: its measures computed straight from the raw table at its grain. */
function expectedFromRaw(tier: TierSpec, table: string): string {
  const measures = tier.measures.map((m) => `${m.raw} ${m.column}`).join(', ');
  return `SELECT ts, ${tier.groupBy.join(', ')}, ${measures} FROM ${table} SAMPLE BY ${tier.grain}
    ORDER BY ts, ${tier.groupBy.join(', ')}`;
}

function actual(tier: TierSpec): string {
  const measures = tier.measures.map((m) => m.column).join(', ');
  return `SELECT ts, ${tier.groupBy.join(', ')}, ${measures} FROM ${tier.name}
    ORDER BY ts, ${tier.groupBy.join(', ')}`;
}

function rawTableOf(tier: TierSpec): string {
  return tier.name.replace(/_(1m|1h|1d)$/, '');
}

/** Floating sums may differ in the last bits with the order of addition. */
function normalise(table: unknown[][]): unknown[][] {
  return table.map((row) =>
    row.map((value) => (typeof value === 'number' ? Math.round(value * 1e6) / 1e6 : value)),
  );
}

/** The daily summaries of the views before the tiers, as the archive columns read them. */
const NAVIGATION_DAILY =
  'SELECT ts, scraper, domain, events, successes, sum_duration_ms FROM page_navigation_1d ORDER BY ts, scraper, domain';
const SIGNALS_DAILY =
  'SELECT ts, scraper, domain, events, requests, bytes, blocked, rate_limited, captcha, empty, other_blocks FROM page_navigation_signals_1d ORDER BY ts, scraper, domain';

describe('schema migration from versions 1-3 to the rollup tiers (version 4)', () => {
  const root = tempDir('migration');
  let server: QuestDBServer;
  let client: QuestDBClient;

  beforeAll(async () => {
    server = await startQuestDB({ root: root.dir, heap: '384m', fastStart: true });
    client = createQuestDBClient(server.httpUrl, 10_000);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await server?.stop();
    root.remove();
  });

  it('keeps every event written under versions 1 and 3 in every tier and carries the old daily summaries', async () => {
    const upTo = (version: number): typeof SCHEMA_VERSIONS =>
      SCHEMA_VERSIONS.filter((v) => v.version <= version);
    expect(SCHEMA_VERSION).toBe(4);

    // Version 1: raw tables and the hourly and daily views on them.
    expect(await migrate(client, silentLogger, upTo(1))).toBe(1);
    const start = Date.now() - 40 * HOUR_MS;
    await client.sendIlp(encodeRows(eventsUnderVersion(1, 600, start, 'v1'), Date.now()));
    // Schema 1's daily views refresh on every commit: wait until they hold every row.
    await pollUntil(
      'the version-1 daily views holding every row',
      async () => [
        await rows(client, 'SELECT sum(events) FROM page_navigation_1d'),
        await rows(client, 'SELECT sum(runs) FROM scheduler_run_1d'),
      ],
      ([nav, runs]) => nav?.[0]?.[0] === 600 && runs?.[0]?.[0] === 200,
    );

    // Versions 2 and 3: field coverage, error fingerprints, block reasons and the signal views,
    // which are built from the raw rows at creation (version-1 rows included).
    expect(await migrate(client, silentLogger, upTo(3))).toBe(3);
    await client.sendIlp(
      encodeRows(eventsUnderVersion(3, 300, start + 3 * HOUR_MS, 'v3'), Date.now()),
    );
    await pollUntil(
      'the version-3 views holding every row',
      async () => [
        await rows(client, 'SELECT sum(events) FROM page_navigation_1d'),
        await rows(client, 'SELECT sum(events), sum(blocked) FROM page_navigation_signals_1d'),
        await rows(client, 'SELECT sum(scrapes) FROM field_coverage_1d'),
      ],
      ([nav, signals, coverage]) =>
        nav?.[0]?.[0] === 900 &&
        signals?.[0]?.[0] === 900 &&
        signals?.[0]?.[1] === 60 &&
        Number(coverage?.[0]?.[0]) > 0,
    );
    const navigationDaily = await rows(client, NAVIGATION_DAILY);
    const signalsDaily = await rows(client, SIGNALS_DAILY);

    expect(await migrate(client, silentLogger)).toBe(4);
    expect(await recordedSchemaVersion(client)).toBe(4);

    // Rows written after the migration reach the tiers as well.
    const after = eventsUnderVersion(3, 60, Date.now() - 30 * 60_000, 'v4');
    await client.sendIlp(encodeRows(after, Date.now()));
    await refreshTiers(server.httpUrl);

    // Only the tiers remain: the views of versions 1-3, signal views included, are gone.
    const views = await rows(client, 'SELECT view_name, base_table_name FROM materialized_views()');
    expect(new Map(views.map(([name, base]) => [String(name), String(base)]))).toEqual(
      new Map(TIERS.map((tier) => [tier.name, tier.grain === '1m' ? rawTableOf(tier) : tier.base])),
    );
    for (const tier of TIERS) {
      const want = normalise(await rows(client, expectedFromRaw(tier, rawTableOf(tier))));
      expect(want.length).toBeGreaterThan(0);
      const got = await pollUntil(
        'the tier holding what its raw rows give',
        async () => normalise(await rows(client, actual(tier))),
        (table) => JSON.stringify(table) === JSON.stringify(want),
        { timeoutMs: 30_000 },
      ).catch(async () => normalise(await rows(client, actual(tier))));
      expect({ tier: tier.name, rows: got }).toEqual({ tier: tier.name, rows: want });
    }

    // Every raw row is still there, once.
    expect(await rows(client, 'SELECT count() FROM page_navigation')).toEqual([[960]]);
    expect(await rows(client, 'SELECT count() FROM page_scrape')).toEqual([[960]]);
    expect(await rows(client, 'SELECT count() FROM scheduler_run')).toEqual([[320]]);
    expect((await rows(client, 'SELECT count() FROM field_coverage'))[0]?.[0]).toBeGreaterThan(0);

    // The navigation tiers carry what the signal views counted: the same blocks per reason (a
    // user's own reason in block_other), requests = events + retries, and bytes. Events written
    // before the migration are more than 23 hours old, those after it less than one.
    expect(
      await rows(
        client,
        `SELECT sum(events), sum(events) + sum(retries), sum(bytes), sum(blocked), sum(block_rate_limited),
          sum(block_captcha), sum(block_empty), sum(block_other) FROM page_navigation_1h WHERE ts < dateadd('h', -2, now())`,
      ),
    ).toEqual(
      await rows(
        client,
        `SELECT sum(events), sum(requests), sum(bytes), sum(blocked), sum(rate_limited), sum(captcha),
          sum(empty), sum(other_blocks) FROM ${dailyArchive('page_navigation_signals')}`,
      ),
    );
    expect((await rows(client, 'SELECT sum(block_other) FROM page_navigation_1d'))[0]?.[0]).toBe(
      15 + 3,
    );

    // The daily summaries of the views before the tiers, kept for the days whose raw rows expire.
    const archived = await rows(
      client,
      `SELECT ts, scraper, domain, events, successes, sum_duration_ms FROM ${dailyArchive('page_navigation')} ORDER BY ts, scraper, domain`,
    );
    expect(archived).toEqual(navigationDaily);
    expect(archived.length).toBeGreaterThan(0);
    expect(
      await rows(
        client,
        SIGNALS_DAILY.replace(
          'page_navigation_signals_1d',
          dailyArchive('page_navigation_signals'),
        ),
      ),
    ).toEqual(signalsDaily);

    // Applying the versions again changes nothing (a second collector starting).
    expect(await migrate(client, silentLogger)).toBe(4);
  }, 240_000);
});
