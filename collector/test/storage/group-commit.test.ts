import { testQuestDB } from '@scrapewatch/questdb';
import { pollUntil, sleep } from '@scrapewatch/testkit';
import {
  countsByEventId,
  makeStorage,
  metricValue,
  seedEvents,
  tempDir,
  uniqueName,
  type TestStorage,
} from './helpers';

const FLUSHES = 'scrapewatch_storage_ilp_flushes_total';

/** Adaptive group commit against the real QuestDB: how many requests carry a stream of writes. */
describe('adaptive group commit', () => {
  const { httpUrl, pgUrl } = testQuestDB();
  const spools: Array<{ remove(): void }> = [];
  const open: TestStorage[] = [];

  async function storage(overrides: {
    writeMinIntervalMs: number;
    writeMaxRows?: number;
    writeMaxBytes?: number;
  }): Promise<TestStorage> {
    const spool = tempDir('group-commit');
    spools.push(spool);
    const t = makeStorage({
      questdbHttpUrl: httpUrl,
      questdbPgUrl: pgUrl,
      spoolDir: spool.dir,
      writeLingerMs: 0,
      ...overrides,
    });
    open.push(t);
    await t.storage.start();
    return t;
  }

  afterAll(async () => {
    for (const t of open) await t.storage.close();
    for (const spool of spools) spool.remove();
  });

  it('under a steady stream, requests start at least the interval apart and carry everything queued', async () => {
    const t = await storage({ writeMinIntervalMs: 250 });
    const scraper = uniqueName('gc-stream');
    const events = seedEvents(scraper, 40, Date.now() - 60_000, 10);
    const startedAt = Date.now();
    const writes: Array<Promise<unknown>> = [];
    // 40 writes of one event, 10 ms apart: about 400 ms of arrivals.
    for (const event of events) {
      writes.push(t.storage.write([event], Date.now()));
      await sleep(10);
    }
    const results = await Promise.all(writes);
    const elapsedMs = Date.now() - startedAt;
    expect(results.every((r) => (r as { durability: string }).durability === 'committed')).toBe(
      true,
    );
    const requests = await metricValue(t.registry, FLUSHES, { outcome: 'committed' });
    // One request per started interval at most (plus the first, sent at once): far fewer than 40.
    expect(requests).toBeLessThanOrEqual(Math.ceil(elapsedMs / 250) + 1);
    expect(requests).toBeGreaterThanOrEqual(2);
    const stored = await pollUntil(
      'the 40 navigations stored',
      () => countsByEventId(pgUrl, 'page_navigation', 'scraper', [scraper]),
      (m) => m.size === 40,
    );
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
  });

  it('an idle writer sends a lone write at once, in its own request', async () => {
    const t = await storage({ writeMinIntervalMs: 60_000 });
    const scraper = uniqueName('gc-idle');
    const [first, second] = seedEvents(scraper, 2, Date.now() - 60_000);
    // The first write of an idle writer does not wait for the (long) interval.
    await expect(t.storage.write([first!], Date.now())).resolves.toEqual({
      durability: 'committed',
    });
    expect(await metricValue(t.registry, FLUSHES, { outcome: 'committed' })).toBe(1);
    // The next one waits for the interval; closing flushes it at once.
    const pending = t.storage.write([second!], Date.now());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await metricValue(t.registry, FLUSHES, { outcome: 'committed' })).toBe(1);
    await t.storage.close();
    await expect(pending).resolves.toEqual({ durability: 'committed' });
    expect(await metricValue(t.registry, FLUSHES, { outcome: 'committed' })).toBe(2);
  });

  it('a request never exceeds the byte and row ceilings (a single larger write goes alone)', async () => {
    const t = await storage({ writeMinIntervalMs: 0, writeMaxBytes: 1_500, writeMaxRows: 1_000 });
    const scraper = uniqueName('gc-ceiling');
    const events = seedEvents(scraper, 12, Date.now() - 60_000);
    // Each write is two rows (about 500 bytes of ILP): at most two writes fit under 1,500 bytes.
    const writes = [];
    for (let i = 0; i < events.length; i += 2)
      writes.push(t.storage.write(events.slice(i, i + 2), Date.now()));
    await Promise.all(writes);
    const requests = await metricValue(t.registry, FLUSHES, { outcome: 'committed' });
    expect(requests).toBeGreaterThanOrEqual(3);
    // Larger than the ceiling on its own: still sent, in one request.
    const big = seedEvents(uniqueName('gc-big'), 10, Date.now() - 60_000);
    await expect(t.storage.write(big, Date.now())).resolves.toEqual({ durability: 'committed' });
    expect(await metricValue(t.registry, FLUSHES, { outcome: 'committed' })).toBe(requests + 1);
  });
});
