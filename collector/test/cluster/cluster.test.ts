import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNats, type NatsServer } from '@scrapewatch/nats';
import { countRows, navigation, pollUntil, post, sql, uniquePrefix } from '../e2e/harness';
import { startCollectorProcess, subscribe, type CollectorProcess } from './harness';

/** Rows of page_navigation per event id for a scraper: every id once means stored once. */
async function storedIds(scraper: string): Promise<Map<string, number>> {
  const rows = await sql(
    `SELECT event_id, count() FROM page_navigation WHERE scraper = '${scraper}' GROUP BY event_id`,
  );
  return new Map(rows.map((row) => [String(row[0]), Number(row[1])]));
}

async function waitStored(scraper: string, ids: readonly string[]): Promise<Map<string, number>> {
  let stored = new Map<string, number>();
  await pollUntil(
    async () => {
      stored = await storedIds(scraper);
      return ids.every((id) => stored.has(id));
    },
    60_000,
    `${ids.length} events of ${scraper} in QuestDB (have ${stored.size})`,
  );
  return stored;
}

function events(scraper: string, from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    ...navigation(scraper, { retryCount: from + i }),
    eventId: `${scraper}-${from + i}`,
  }));
}

describe('cluster mode (two collector processes, one nats-server, one QuestDB)', () => {
  let root: string;
  let nats: NatsServer;
  const collectors: CollectorProcess[] = [];

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-nats-'));
    nats = await startNats({ root });
    collectors.push(await startCollectorProcess(nats.url), await startCollectorProcess(nats.url));
  });
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.stop()));
    await nats?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('stores events posted alternately to both once, and streams them to subscribers of either, in order', async () => {
    const [a, b] = collectors as [CollectorProcess, CollectorProcess];
    const scraper = uniquePrefix('cluster-alt');
    const onA = await subscribe(a.wsUrl, [scraper]);
    const onB = await subscribe(b.wsUrl, [scraper]);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = events(scraper, i * 5, 5);
      const res = await post(i % 2 === 0 ? a.url : b.url, JSON.stringify(batch));
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 5, durability: 'jetstream' });
      ids.push(...batch.map((e) => e.eventId));
    }
    // A scraper retrying a whole request on the other collector: JetStream drops the duplicates.
    expect((await post(b.url, JSON.stringify(events(scraper, 0, 5)))).status).toBe(202);

    const stored = await waitStored(scraper, ids);
    expect(stored.size).toBe(50);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);

    for (const subscriber of [onA, onB]) {
      await pollUntil(
        () => Promise.resolve(subscriber.eventIds().length >= 50),
        10_000,
        'every event on the stream',
      );
      // In the order they were acknowledged, each exactly once.
      expect(subscriber.eventIds()).toEqual(ids);
      subscriber.close();
    }
  });

  it('keeps every acknowledged event, exactly once, when a collector is SIGKILLed mid-ingest', async () => {
    const victim = await startCollectorProcess(nats.url);
    const survivor = collectors[0] as CollectorProcess;
    const scraper = uniquePrefix('cluster-kill');
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    const sender = (async () => {
      while (!killed) {
        const batch = events(scraper, next, 20);
        next += 20;
        try {
          const res = await post(victim.url, JSON.stringify(batch));
          if (res.status === 202) acknowledged.push(...batch.map((e) => e.eventId));
        } catch {
          // The connection died with the process: not acknowledged, so the scraper retries later.
        }
      }
    })();
    await pollUntil(() => Promise.resolve(acknowledged.length >= 200), 30_000, '200 acked');
    await victim.kill();
    killed = true;
    await sender;
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);

    // The survivor's writer takes over what the victim had pulled but not committed (ack wait).
    const stored = await waitStored(scraper, acknowledged);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    // Posting to the survivor still works.
    expect((await post(survivor.url, JSON.stringify(events(scraper, next, 1)))).status).toBe(202);
  });

  it('answers 503 UNAVAILABLE while nats-server is down and recovers without a collector restart', async () => {
    const [a, b] = collectors as [CollectorProcess, CollectorProcess];
    const scraper = uniquePrefix('cluster-restart');
    expect((await post(a.url, JSON.stringify(events(scraper, 0, 3)))).status).toBe(202);

    const { port } = nats;
    await nats.stop();
    await pollUntil(
      async () => (await fetch(`${a.url}/readyz`)).status === 503,
      15_000,
      '/readyz 503 without NATS',
    );
    const ready = (await (await fetch(`${a.url}/readyz`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ ready: false, nats: false });
    expect(ready['reasons']).toContain('NATS is unreachable');
    const refused = await post(a.url, JSON.stringify(events(scraper, 3, 3)));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');

    nats = await startNats({ root, port });
    for (const c of [a, b]) {
      await pollUntil(
        async () => (await fetch(`${c.url}/readyz`)).status === 200,
        30_000,
        'ready again',
      );
    }
    // The scraper's retry of the refused request, on the other collector.
    const retried = await post(b.url, JSON.stringify(events(scraper, 3, 3)));
    expect(retried.status).toBe(202);
    const stored = await waitStored(
      scraper,
      events(scraper, 0, 6).map((e) => e.eventId),
    );
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect(await countRows('page_navigation', `scraper = '${scraper}'`)).toBe(6);
  });
});
