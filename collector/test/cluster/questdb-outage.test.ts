import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNats, type NatsServer } from '@scrapewatch/nats';
import { execSql, until } from '@scrapewatch/testkit';
import { startQuestDB, type QuestDBServer } from '@scrapewatch/questdb';
import { navigation, post, uniquePrefix } from '../e2e/harness';
import { startCollectorProcess, type CollectorProcess } from './harness';

/** The value of an unlabelled gauge in a Prometheus text exposition. */
function gauge(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function backlog(url: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const pending = gauge(text, 'scrapewatch_nats_writer_pending_messages');
  const ackPending = gauge(text, 'scrapewatch_nats_writer_ack_pending_messages');
  return pending === undefined || ackPending === undefined ? undefined : pending + ackPending;
}

function query(db: QuestDBServer, sqlText: string): Promise<unknown[][]> {
  return execSql(db.httpUrl, sqlText);
}

// Its own QuestDB: this test stops it for 30 s, which the run's shared server must never see.
describe('cluster mode with QuestDB down for 30 s', () => {
  let natsRoot: string;
  let dbRoot: string;
  let nats: NatsServer;
  let db: QuestDBServer;
  const collectors: CollectorProcess[] = [];

  beforeAll(async () => {
    natsRoot = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-nats-'));
    dbRoot = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-questdb-outage-'));
    nats = await startNats({ root: natsRoot });
    db = await startQuestDB({ root: dbRoot, heap: '384m', fastStart: true });
    const env = { SCRAPEWATCH_QUESTDB_HTTP: db.httpUrl, SCRAPEWATCH_QUESTDB_PG: db.pgUrl };
    collectors.push(
      await startCollectorProcess(nats.url, env),
      await startCollectorProcess(nats.url, env),
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.stop()));
    await nats?.stop();
    await db?.stop();
    rmSync(natsRoot, { recursive: true, force: true });
    rmSync(dbRoot, { recursive: true, force: true });
  });

  it('keeps acknowledging, shows the backlog in /metrics, then drains it exactly once', async () => {
    const [a, b] = collectors as [CollectorProcess, CollectorProcess];
    const scraper = uniquePrefix('cluster-qdb-down');
    const batch = (from: number) =>
      Array.from({ length: 50 }, (_, i) =>
        navigation(scraper, { eventId: `${scraper}-${from + i}` }),
      );
    expect((await post(a.url, JSON.stringify(batch(0)))).status).toBe(202);
    await until(
      'the first 50 rows',
      async () =>
        Number(
          (
            await query(db, `SELECT count() FROM page_navigation WHERE scraper='${scraper}'`)
          )[0]?.[0],
        ) === 50,
      30_000,
    );

    const { httpPort, pgPort, ilpPort } = db;
    await db.stop();
    const outageStarted = Date.now();
    for (let i = 1; i <= 6; i++) {
      const res = await post(i % 2 === 0 ? a.url : b.url, JSON.stringify(batch(i * 50)));
      expect(res.status).toBe(202);
    }
    await until('the backlog in /metrics', async () => ((await backlog(a.url)) ?? 0) > 0, 10_000);
    const remaining = 30_000 - (Date.now() - outageStarted);
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
    // Still acknowledging at the end of the outage, and still nothing lost.
    expect((await post(b.url, JSON.stringify(batch(350)))).status).toBe(202);

    db = await startQuestDB({
      root: dbRoot,
      httpPort,
      pgPort,
      ilpPort,
      heap: '384m',
      fastStart: true,
    });
    await until(
      'the backlog drained into QuestDB',
      async () =>
        Number(
          (
            await query(
              db,
              `SELECT count_distinct(event_id) FROM page_navigation WHERE scraper='${scraper}'`,
            )
          )[0]?.[0],
        ) === 400,
      90_000,
    );
    const rows = await query(db, `SELECT count() FROM page_navigation WHERE scraper='${scraper}'`);
    expect(Number(rows[0]?.[0])).toBe(400);
    await until('backlog 0 in /metrics', async () => (await backlog(a.url)) === 0, 30_000);
  }, 240_000);
});
