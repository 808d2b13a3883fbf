import { testQuestDB } from '@scrapewatch/questdb';
import { ScrapewatchError, type AcceptedEvent } from '@scrapewatch/protocol';
import { pollUntil } from '@scrapewatch/testkit';
import { makeStorage, seedEvents, tempDir, uniqueName, type TestStorage } from './helpers';

describe('history() and scrapers()', () => {
  const { httpUrl, pgUrl } = testQuestDB();
  const spool = tempDir('history');
  let t: TestStorage;
  // A window of its own, days back, so that other test files' rows never fall into it.
  const base = Date.now() - 5 * 86_400_000 - Math.floor(Math.random() * 3_600_000);
  const a = uniqueName('hist-a');
  const b = uniqueName('hist-b');
  const scheduler = uniqueName('hist-sched');
  const navA = seedEvents(a, 10, base, 1_000); // base .. base+9s
  const navB = seedEvents(b, 3, base + 500, 1_000); // base+0.5s .. base+2.5s
  const scrapeA: AcceptedEvent = {
    type: 'page_scrape',
    scraperSource: a,
    url: 'https://a.example.com/x',
    scrapeDurationMs: 12,
    itemsExtracted: 0,
    success: true,
    error: null,
    recordedAt: base + 20_000,
    eventId: `${a}-scrape`,
  };
  const run: AcceptedEvent = {
    type: 'scheduler_run',
    schedulerName: scheduler,
    jobName: 'job',
    durationMs: 5,
    success: false,
    error: 'boom',
    errorClass: 'other',
    scheduledAt: base + 29_000,
    startedAt: base + 29_500,
    recordedAt: base + 30_000,
    eventId: `${scheduler}-run`,
  };

  beforeAll(async () => {
    t = makeStorage({ questdbHttpUrl: httpUrl, questdbPgUrl: pgUrl, spoolDir: spool.dir });
    await t.storage.start();
    await t.storage.write([...navA, ...navB, scrapeA, run], Date.now());
    await pollUntil(
      'the scheduler run in history',
      () =>
        t.storage.history({
          kind: 'scheduler_run',
          scrapers: [scheduler],
          fromMs: base,
          toMs: base + 60_000,
        }),
      (h) => h.events.length === 1,
    );
    await pollUntil(
      'the navigations in history',
      () =>
        t.storage.history({
          kind: 'page_navigation',
          scrapers: [a, b],
          fromMs: base,
          toMs: base + 60_000,
        }),
      (h) => h.events.length === 13,
    );
  });

  afterAll(async () => {
    await t.storage.close();
    spool.remove();
  });

  const ids = (events: AcceptedEvent[]) => events.map((e) => e.eventId);

  it('returns one kind, oldest first, within inclusive bounds', async () => {
    const all = await t.storage.history({
      kind: 'page_navigation',
      fromMs: base,
      toMs: base + 9_000,
    });
    expect(all.truncated).toBe(false);
    const expected = [...navA, ...navB].sort((x, y) => x.recordedAt - y.recordedAt);
    expect(ids(all.events)).toEqual(ids(expected));
    const inner = await t.storage.history({
      kind: 'page_navigation',
      fromMs: base + 1_000,
      toMs: base + 2_000,
    });
    expect(ids(inner.events)).toEqual([navA[1], navB[1], navA[2]].map((e) => e!.eventId));
    const scrapes = await t.storage.history({
      kind: 'page_scrape',
      fromMs: base,
      toMs: base + 60_000,
    });
    expect(scrapes.events).toEqual([scrapeA]);
  });

  it('filters by scraper; a scheduler run without scraper belongs to its scheduler', async () => {
    const onlyB = await t.storage.history({
      kind: 'page_navigation',
      scrapers: [b],
      fromMs: base,
      toMs: base + 60_000,
    });
    expect(ids(onlyB.events)).toEqual(ids(navB));
    const none = await t.storage.history({
      kind: 'page_scrape',
      scrapers: [b],
      fromMs: base,
      toMs: base + 60_000,
    });
    expect(none.events).toEqual([]);
    const runs = await t.storage.history({
      kind: 'scheduler_run',
      scrapers: [scheduler],
      fromMs: base,
      toMs: base + 60_000,
    });
    expect(runs.events).toEqual([{ ...run, status: 'failed' }]);
  });

  it('treats scraper names as values, never as SQL', async () => {
    const hostile = await t.storage.history({
      kind: 'page_navigation',
      scrapers: [`${a}' OR '1'='1`, "x') --"],
      fromMs: base,
      toMs: base + 60_000,
    });
    expect(hostile.events).toEqual([]);
  });

  it('returns the newest `limit` events, oldest first, and says it truncated', async () => {
    const cut = await t.storage.history({
      kind: 'page_navigation',
      scrapers: [a],
      fromMs: base,
      toMs: base + 60_000,
      limit: 3,
    });
    expect(cut.truncated).toBe(true);
    expect(ids(cut.events)).toEqual(ids(navA.slice(7)));
    const exact = await t.storage.history({
      kind: 'page_navigation',
      scrapers: [a],
      fromMs: base,
      toMs: base + 60_000,
      limit: 10,
    });
    expect(exact.truncated).toBe(false);
    expect(ids(exact.events)).toEqual(ids(navA));
  });

  it('lists scrapers with their last activity, newest first', async () => {
    const { scrapers } = await t.storage.scrapers();
    const mine = scrapers.filter((s) => [a, b, scheduler].includes(s.name));
    expect(mine).toEqual([
      { name: scheduler, lastSeenMs: run.recordedAt },
      { name: a, lastSeenMs: scrapeA.recordedAt },
      { name: b, lastSeenMs: navB[2]!.recordedAt },
    ]);
    const order = scrapers.map((s) => s.lastSeenMs);
    expect([...order].sort((x, y) => y - x)).toEqual(order);
  });

  it('rejects with HISTORY_UNAVAILABLE when QuestDB cannot be read', async () => {
    const down = makeStorage({
      questdbHttpUrl: 'http://127.0.0.1:9',
      questdbPgUrl: 'postgresql://admin:quest@127.0.0.1:9/qdb',
      spoolDir: spool.dir + '-down',
    });
    try {
      const error = await down.storage
        .history({ kind: 'page_scrape', fromMs: 0, toMs: 1 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScrapewatchError);
      expect(error).toMatchObject({ code: 'HISTORY_UNAVAILABLE', status: 503 });
      await expect(down.storage.scrapers()).rejects.toMatchObject({ code: 'HISTORY_UNAVAILABLE' });
    } finally {
      await down.storage.close();
    }
  });
});
