import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startQuestDB, type QuestDBServer } from '@scrapewatch/questdb';
import { pollUntil, sleep } from '@scrapewatch/testkit';
import {
  countsByEventId,
  makeStorage,
  metricValue,
  tempDir,
  uniqueName,
  type TestStorage,
} from './helpers';
import type { AcceptedEvent } from '@scrapewatch/protocol';
import { migrate, recordedSchemaVersion } from '../../src/storage/migrate';
import { createQuestDBClient } from '../../src/storage/questdb';
import { SCHEMA_VERSION, SCHEMA_VERSIONS } from '../../src/storage/schema';
import { silentLogger, sql } from './helpers';

/** Writes a small batch every few milliseconds until stopped; records what was acknowledged. */
function steadyWriter(t: TestStorage, scraper: string) {
  const acked: string[] = [];
  const durabilities: string[] = [];
  const failures: unknown[] = [];
  let stopped = false;
  let batch = 0;
  const start = Date.now() - 3_600_000;
  const done = (async () => {
    while (!stopped) {
      const n = batch++;
      const events: AcceptedEvent[] = Array.from({ length: 4 }, (_, i) => ({
        type: 'page_scrape',
        scraperSource: scraper,
        url: `https://shop.example.com/p/${n}/${i}`,
        scrapeDurationMs: 10 + i,
        itemsExtracted: i,
        success: true,
        error: null,
        recordedAt: start + n * 10 + i,
        eventId: `${scraper}-${n}-${i}`,
      }));
      try {
        const { durability } = await t.storage.write(events, Date.now());
        durabilities.push(durability);
        acked.push(...events.map((e) => e.eventId));
      } catch (error) {
        failures.push(error);
      }
      await sleep(15);
    }
  })();
  return {
    acked,
    durabilities,
    failures,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

// Runs its own QuestDB: it stops and restarts it.
describe('a fresh QuestDB, then an outage and recovery', () => {
  const tmp = tempDir('outage');
  const root = path.join(tmp.dir, 'questdb');
  let server: QuestDBServer;
  let t: TestStorage | undefined;

  beforeAll(async () => {
    server = await startQuestDB({ root, heap: '384m' });
  });

  afterAll(async () => {
    await t?.storage.close();
    await server?.stop();
    tmp.remove();
  });

  it('lets two collectors start at once on a fresh QuestDB, and applies later versions once', async () => {
    const first = makeStorage({
      questdbHttpUrl: server.httpUrl,
      questdbPgUrl: server.pgUrl,
      spoolDir: path.join(tmp.dir, 's1'),
    });
    const second = makeStorage({
      questdbHttpUrl: server.httpUrl,
      questdbPgUrl: server.pgUrl,
      spoolDir: path.join(tmp.dir, 's2'),
    });
    try {
      await Promise.all([first.storage.start(), second.storage.start()]);
      for (const s of [first, second]) {
        expect(await s.storage.readiness()).toEqual({
          ready: true,
          questdb: true,
          schemaVersion: SCHEMA_VERSION,
          spooledBytes: 0,
        });
      }
      const views = await sql(server.pgUrl, 'SELECT view_name FROM materialized_views()');
      // The views the versions leave, in order: a later version drops some and may create a
      // view of the same name again.
      const viewNames = new Set<string>();
      for (const statement of SCHEMA_VERSIONS.flatMap((v) => v.statements)) {
        const created = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)/.exec(statement)?.[1];
        const dropped = /^DROP MATERIALIZED VIEW IF EXISTS (\w+)/.exec(statement)?.[1];
        if (created !== undefined) viewNames.add(created);
        if (dropped !== undefined) viewNames.delete(dropped);
      }
      expect(viewNames.has('page_navigation_signals_1h')).toBe(false);
      expect(new Set(views.map((v) => String(v.view_name)))).toEqual(viewNames);

      const client = createQuestDBClient(server.httpUrl, 5_000);
      try {
        const next = [
          ...SCHEMA_VERSIONS,
          {
            version: SCHEMA_VERSION + 1,
            description: 'probe table',
            statements: [
              'CREATE TABLE IF NOT EXISTS migrate_probe (ts TIMESTAMP, x INT) TIMESTAMP(ts) PARTITION BY DAY WAL',
            ],
          },
        ];
        const probe = SCHEMA_VERSION + 1;
        expect(await migrate(client, silentLogger, next)).toBe(probe);
        expect(await migrate(client, silentLogger, next)).toBe(probe);
        expect(await recordedSchemaVersion(client)).toBe(probe);
        const recorded = await sql(
          server.pgUrl,
          `SELECT version FROM scrapewatch_schema WHERE version = ${probe}`,
        );
        expect(recorded).toHaveLength(1);
      } finally {
        client.close();
      }
    } finally {
      await Promise.all([first.storage.close(), second.storage.close()]);
    }
  });

  it('spools while QuestDB is down and drains by itself once it is back: every ack exactly once', async () => {
    const spoolDir = path.join(tmp.dir, 'spool');
    const ports = { httpPort: server.httpPort, pgPort: server.pgPort, ilpPort: server.ilpPort };
    t = makeStorage({
      questdbHttpUrl: server.httpUrl,
      questdbPgUrl: server.pgUrl,
      spoolDir,
      writeLingerMs: 5,
      questdbTimeoutMs: 3_000,
      spoolReplayIntervalMs: 200,
    });
    await t.storage.start();
    const scraper = uniqueName('outage');
    const writer = steadyWriter(t, scraper);

    await pollUntil(
      'five committed writes',
      async () => writer.durabilities.filter((d) => d === 'committed').length,
      (n) => n >= 5,
    );
    await server.stop();
    const downAt = writer.durabilities.length;
    await pollUntil(
      'twenty writes spooled during the outage',
      async () => writer.durabilities.slice(downAt).filter((d) => d === 'spooled').length,
      (n) => n >= 20,
    );
    expect(await t.storage.readiness()).toMatchObject({ ready: false, questdb: false });
    expect((await t.storage.readiness()).spooledBytes).toBeGreaterThan(0);

    server = await startQuestDB({ root, heap: '384m', ...ports });
    await pollUntil(
      'the spool drained',
      async () => (await t!.storage.readiness()).spooledBytes,
      (bytes) => bytes === 0,
      {
        timeoutMs: 45_000,
      },
    );
    const upAt = writer.durabilities.length;
    await pollUntil(
      'five committed writes after the recovery',
      async () => writer.durabilities.slice(upAt).filter((d) => d === 'committed').length,
      (n) => n >= 5,
    );
    await writer.stop();

    expect(writer.failures).toEqual([]);
    expect(new Set(writer.durabilities)).toEqual(new Set(['committed', 'spooled']));
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.log'))).toEqual([]);
    // Re-checked after the outage: the version above ours is the probe recorded by the test before.
    expect(await t.storage.readiness()).toMatchObject({
      ready: true,
      questdb: true,
      schemaVersion: SCHEMA_VERSION + 1,
    });
    expect(
      await metricValue(t.registry, 'scrapewatch_storage_spool_replays_total'),
    ).toBeGreaterThan(0);

    const pgUrl = server.pgUrl;
    const counts = await pollUntil(
      'every acknowledged scrape in QuestDB',
      () => countsByEventId(pgUrl, 'page_scrape', 'scraper', [scraper]),
      (m) => writer.acked.every((id) => m.has(id)),
      { timeoutMs: 45_000 },
    );
    expect(writer.acked.filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});
