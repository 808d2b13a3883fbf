import type { AcceptedEvent } from '@scrapewatch/protocol';
import { until } from '@scrapewatch/testkit';
import {
  metricValue,
  navigation,
  schedulerRun,
  scrape,
  startHub,
  subscribe,
  LIVE_POLL,
  type HubFixture,
  type StreamClient,
} from './harness';

describe('live hub fan-out', () => {
  let fixture: HubFixture;
  const clients: StreamClient[] = [];
  const open = async (message: Parameters<typeof subscribe>[1]): Promise<StreamClient> => {
    const client = await subscribe(fixture.url, message);
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    fixture = await startHub({ tickMs: 5, batchMaxItems: 10 });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await fixture.close();
  });

  const ids = (events: readonly AcceptedEvent[]): string[] => events.map((e) => e.eventId);

  it('delivers every event of the subscribed channels in order, with the envelope', async () => {
    const robinhood = await open({ channels: ['robinhood'] });
    const all = await open({ channels: ['*'] });
    const cnbc = await open({ channels: ['cnbc'] });
    const [subscribed] = robinhood.ofType('subscribed');
    expect(subscribed).toEqual({
      type: 'subscribed',
      channels: ['robinhood'],
      kinds: null,
      seqs: {},
      heartbeatIntervalMs: 60_000,
      version: 1,
    });

    const robinhoodEvents = Array.from({ length: 35 }, () => navigation('robinhood'));
    const cnbcEvents = Array.from({ length: 7 }, () => navigation('cnbc'));
    for (let i = 0; i < 35; i += 5) {
      fixture.hub.publish(robinhoodEvents.slice(i, i + 5));
      fixture.hub.publish(cnbcEvents.slice(i / 5, i / 5 + 1));
    }

    expect(ids(await robinhood.waitForEvents(35))).toEqual(ids(robinhoodEvents));
    await all.waitForEvents(42);
    expect(ids(all.events('robinhood'))).toEqual(ids(robinhoodEvents));
    expect(ids(all.events('cnbc'))).toEqual(ids(cnbcEvents));
    expect(ids(await cnbc.waitForEvents(7))).toEqual(ids(cnbcEvents));
    expect(cnbc.ofType('metrics_batch').every((b) => b.channel === 'cnbc')).toBe(true);
    expect(robinhood.ofType('metrics_batch').every((b) => b.channel === 'robinhood')).toBe(true);

    const batches = robinhood.ofType('metrics_batch');
    expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i + 1));
    for (const batch of batches) {
      expect(batch).toEqual({
        type: 'metrics_batch',
        channel: 'robinhood',
        seq: expect.any(Number),
        scraperSource: 'robinhood',
        count: batch.metrics.length,
        timestamp: expect.any(Number),
        metrics: expect.any(Array),
      });
      expect(batch.count).toBeLessThanOrEqual(10);
    }
  });

  it('serialises each sealed batch once, whatever the number of subscribers', async () => {
    const subscribers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => open({ channels: i % 2 === 0 ? ['*'] : ['robinhood'] })),
    );
    fixture.hub.publish(Array.from({ length: 30 }, () => navigation('robinhood')));
    for (const client of subscribers) await client.waitForEvents(30);

    expect(await metricValue(fixture.registry, 'scrapewatch_live_batches_serialized_total')).toBe(
      3,
    );
    expect(await metricValue(fixture.registry, 'scrapewatch_live_batches_sent_total')).toBe(15);
    expect(await metricValue(fixture.registry, 'scrapewatch_live_events_sent_total')).toBe(150);
    const bodies = subscribers.map((c) => JSON.stringify(c.ofType('metrics_batch')));
    expect(new Set(bodies).size).toBe(1);
  });

  it('applies the kind filter and uses the scheduler name as channel when a run has no scraper', async () => {
    const scrapesOnly = await open({ channels: ['robinhood'], kinds: ['page_scrape'] });
    const scheduler = await open({ channels: ['nightly'] });
    const events = [
      navigation('robinhood'),
      scrape('robinhood'),
      navigation('robinhood'),
      scrape('robinhood'),
    ];
    const run = schedulerRun('nightly');
    fixture.hub.publish([...events, run]);

    expect(ids(await scrapesOnly.waitForEvents(2))).toEqual([
      events[1]?.eventId,
      events[3]?.eventId,
    ]);
    expect(ids(await scheduler.waitForEvents(1))).toEqual([run.eventId]);
    // Batches hold one kind; the navigation batch still takes a seq, so filtered clients see jumps.
    fixture.hub.publish([scrape('robinhood')]);
    await scrapesOnly.waitForEvents(3);
    expect(scrapesOnly.events().every((e) => e.type === 'page_scrape')).toBe(true);
  });

  it('changes subscriptions on the open socket', async () => {
    const client = await open({ channels: ['robinhood'] });
    client.send({ type: 'subscribe', channels: ['cnbc'], kinds: ['page_navigation'] });
    await client.waitFor('subscribed', 2);
    expect(client.ofType('subscribed')[1]).toMatchObject({
      channels: ['robinhood', 'cnbc'],
      kinds: ['page_navigation'],
    });
    fixture.hub.publish([navigation('cnbc'), navigation('robinhood'), scrape('cnbc')]);
    await client.waitForEvents(2);

    client.send({ type: 'unsubscribe', channels: ['robinhood'] });
    await client.waitFor('subscribed', 3);
    expect(client.ofType('subscribed')[2]).toMatchObject({ channels: ['cnbc'] });
    const later = [navigation('robinhood'), navigation('cnbc')];
    fixture.hub.publish(later);
    await client.waitForEvents(3);
    const marker = navigation('cnbc');
    fixture.hub.publish([marker]);
    await client.waitForEvents(4);
    expect(client.events('robinhood')).toHaveLength(1);
    expect(ids(client.events('cnbc')).slice(-2)).toEqual([later[1]?.eventId, marker.eventId]);
    expect(client.events().some((e) => e.type === 'page_scrape')).toBe(false);

    client.send({ type: 'subscribe', channels: ['*'] });
    await client.waitFor('subscribed', 4);
    const other = navigation('zillow');
    fixture.hub.publish([other]);
    await until('the wildcard to deliver', () => client.events('zillow').length === 1, LIVE_POLL);
  });
});

describe('live hub ticks', () => {
  let fixture: HubFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
  });

  it('splits what a tick brings into batches of at most batchMaxItems, each with its seq', async () => {
    fixture = await startHub({ tickMs: 600_000, batchMaxItems: 4 });
    const client = await subscribe(fixture.url, { channels: ['robinhood'] });
    fixture.hub.publish(Array.from({ length: 9 }, () => navigation('robinhood')));
    const batches = await client.waitFor('metrics_batch', 3);
    expect(batches.map((b) => b.count)).toEqual([4, 4, 1]);
    expect(batches.map((b) => b.seq)).toEqual([1, 2, 3]);
    client.terminate();
  });

  it('sends at once on an idle hub, then holds later events until the next tick', async () => {
    const tickMs = 400;
    fixture = await startHub({ tickMs, batchMaxItems: 1_000 });
    const client = await subscribe(fixture.url, { channels: ['robinhood'] });
    const startedAt = performance.now();
    fixture.hub.publish([navigation('robinhood'), navigation('robinhood')]);
    fixture.hub.publish([navigation('robinhood')]);
    const [first] = await client.waitFor('metrics_batch', 1);
    const firstAfterMs = performance.now() - startedAt;
    expect(first?.count).toBe(3);
    expect(firstAfterMs).toBeLessThan(tickMs / 2);
    fixture.hub.publish([navigation('robinhood')]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    fixture.hub.publish([navigation('robinhood')]);
    const batches = await client.waitFor('metrics_batch', 2);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(tickMs - 5);
    expect(batches[1]).toMatchObject({ seq: 2, count: 2 });
    client.terminate();
  });

  it('with tickMs 0 sends what one turn brought together', async () => {
    fixture = await startHub({ tickMs: 0, batchMaxItems: 1_000 });
    const client = await subscribe(fixture.url, { channels: ['*'] });
    fixture.hub.publish([navigation('a'), navigation('b')]);
    fixture.hub.publish([navigation('a')]);
    const batches = await client.waitFor('metrics_batch', 2);
    expect(batches.map((b) => [b.channel, b.count])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    client.terminate();
  });
});
