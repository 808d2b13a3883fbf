import type { AcceptedEvent } from '@scrapewatch/protocol';
import { startQuestDB, type QuestDBServer } from '@scrapewatch/questdb';
import { migrate, recordedSchemaVersion } from '../../src/storage/migrate';
import { createQuestDBClient, type QuestDBClient } from '../../src/storage/questdb';
import { encodeRows } from '../../src/storage/rows';
import { SCHEMA_VERSION, SCHEMA_VERSIONS } from '../../src/storage/schema';
import { TIERS, dailyArchive, type TierSpec } from '../../src/storage/tiers';
import { pollUntil, refreshTiers, silentLogger, tempDir } from './helpers';

const HOUR_MS = 3_600_000;
const SCRAPERS = ['alpha', 'beta', 'gamma'];
const DOMAINS = ['a.example.com', 'b.example.com', 'c.example.org', 'd.example.net'];

/** Events of every kind spread over the last two days, durations across the whole histogram. */
function eventsUnderVersionOne(
  count: number,
  startMs: number,
  prefix: string,
  withFields = false,
): AcceptedEvent[] {
  const events: AcceptedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const recordedAt = startMs + i * 97_003; // crosses minutes, hours and the day boundary
    const scraper = SCRAPERS[i % SCRAPERS.length]!;
    const url = `https://${DOMAINS[i % DOMAINS.length]}/p/${i}`;
    const durationMs = [3, 10, 60, 480, 1_000, 2_750, 12_000, 90_000][i % 8]! + (i % 5) * 0.5;
    const success = i % 7 !== 0;
    events.push(
      {
        type: 'page_navigation',
        scraperSource: scraper,
        url,
        navigationDurationMs: durationMs,
        retryCount: i % 3,
        success,
        error: success ? null : 'timeout',
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
        error: success ? null : 'selector missing',
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

describe('schema migration from version 1 to the rollup tiers', () => {
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

  it('keeps every version-1 event in every tier and carries the version-1 daily summaries', async () => {
    const versionOne = SCHEMA_VERSIONS.filter((v) => v.version === 1);
    expect(await migrate(client, silentLogger, versionOne)).toBe(1);

    const start = Date.now() - 40 * HOUR_MS;
    const before = eventsUnderVersionOne(600, start, 'v1');
    await client.sendIlp(encodeRows(before, Date.now()));
    // Schema 1's daily views refresh on every commit: wait until they hold every row.
    await pollUntil(
      async () => [
        await rows(client, 'SELECT sum(events) FROM page_navigation_1d'),
        await rows(client, 'SELECT sum(runs) FROM scheduler_run_1d'),
      ],
      ([nav, runs]) => nav?.[0]?.[0] === 600 && runs?.[0]?.[0] === 200,
    );
    const versionOneDaily = await rows(
      client,
      'SELECT ts, scraper, domain, events, successes, sum_duration_ms FROM page_navigation_1d ORDER BY ts, scraper, domain',
    );

    expect(await migrate(client, silentLogger)).toBe(SCHEMA_VERSION);
    expect(await recordedSchemaVersion(client)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);

    // Rows written after the migration reach the tiers as well.
    const after = eventsUnderVersionOne(60, Date.now() - 30 * 60_000, 'v2', true);
    await client.sendIlp(encodeRows(after, Date.now()));
    await refreshTiers(server.httpUrl);

    const views = await rows(client, 'SELECT view_name, base_table_name FROM materialized_views()');
    expect(new Map(views.map(([name, base]) => [String(name), String(base)]))).toEqual(
      new Map(TIERS.map((tier) => [tier.name, tier.grain === '1m' ? rawTableOf(tier) : tier.base])),
    );
    for (const tier of TIERS) {
      const want = normalise(await rows(client, expectedFromRaw(tier, rawTableOf(tier))));
      expect(want.length).toBeGreaterThan(0);
      const got = await pollUntil(
        async () => normalise(await rows(client, actual(tier))),
        (table) => JSON.stringify(table) === JSON.stringify(want),
        { timeoutMs: 30_000 },
      ).catch(async () => normalise(await rows(client, actual(tier))));
      expect({ tier: tier.name, rows: got }).toEqual({ tier: tier.name, rows: want });
    }

    // Every raw row is still there, once.
    expect(await rows(client, 'SELECT count() FROM page_navigation')).toEqual([[660]]);
    expect(await rows(client, 'SELECT count() FROM page_scrape')).toEqual([[660]]);
    expect(await rows(client, 'SELECT count() FROM scheduler_run')).toEqual([[220]]);
    expect((await rows(client, 'SELECT count() FROM field_coverage'))[0]?.[0]).toBeGreaterThan(0);

    // Schema 1's daily summaries, kept for the days whose raw rows expire.
    const archived = await rows(
      client,
      `SELECT ts, scraper, domain, events, successes, sum_duration_ms FROM ${dailyArchive('page_navigation')} ORDER BY ts, scraper, domain`,
    );
    expect(archived).toEqual(versionOneDaily);
    expect(archived.length).toBeGreaterThan(0);

    // Applying the versions again changes nothing (a second collector starting).
    expect(await migrate(client, silentLogger)).toBe(SCHEMA_VERSION);
  }, 180_000);
});
