import type { AcceptedEvent } from '@scrapewatch/protocol';
import {
  metricValue,
  navigation,
  scrape,
  startHub,
  subscribe,
  type HubFixture,
  type StreamClient,
} from './harness';

const ids = (events: readonly AcceptedEvent[]): string[] => events.map((e) => e.eventId);
const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);

describe('live hub resume', () => {
  let fixture: HubFixture;
  const clients: StreamClient[] = [];
  const open = async (message: Parameters<typeof subscribe>[1]): Promise<StreamClient> => {
    const client = await subscribe(fixture.url, message);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await fixture.close();
  });

  /** With batchMaxItems 1 every event is sealed at once as its own batch: seq = position. */
  const publishOneByOne = (events: AcceptedEvent[]): void => {
    for (const event of events) fixture.hub.publish([event]);
  };

  it('replays exactly the missed batches before live ones, without gap or duplicate', async () => {
    fixture = await startHub({ batchMaxItems: 2, tickMs: 5 });
    const published = Array.from({ length: 12 }, () => navigation('robinhood'));
    const first = await open({ channels: ['robinhood'] });
    fixture.hub.publish(published.slice(0, 6));
    await first.waitForEvents(6);
    const lastSeq = Math.max(...first.ofType('metrics_batch').map((b) => b.seq));
    expect(lastSeq).toBe(3);
    first.terminate();

    // Batches are sealed on the hub's tick; once another subscriber has both, they are in the
    // ring, and the resume below must replay them (not receive them live).
    const watcher = await open({ channels: ['robinhood'] });
    fixture.hub.publish(published.slice(6, 10));
    await watcher.waitForEvents(4);
    const again = await open({ channels: ['robinhood'], resume: { robinhood: lastSeq } });
    expect(again.ofType('subscribed')[0]?.seqs).toEqual({ robinhood: 5 });
    fixture.hub.publish(published.slice(10));
    await again.waitForEvents(6);
    expect(ids([...first.events(), ...again.events()])).toEqual(ids(published));
    expect(again.ofType('metrics_batch').map((b) => b.seq)).toEqual([4, 5, 6]);
    expect(again.ofType('gap')).toEqual([]);
    expect(await metricValue(fixture.registry, 'scrapewatch_live_replayed_batches_total')).toBe(2);
  });

  it('sends a gap with the event-time range of what the ring no longer holds', async () => {
    fixture = await startHub({ batchMaxItems: 1, replayBatchesPerChannel: 4 });
    const events = Array.from({ length: 10 }, (_, i) => navigation('cnbc', T0 + i * 1_000));
    publishOneByOne(events);
    const client = await open({ channels: ['cnbc'], resume: { cnbc: 2 } });
    const [gap] = await client.waitFor('gap');
    expect(gap).toEqual({
      type: 'gap',
      channel: 'cnbc',
      afterSeq: 2,
      toSeq: 6,
      fromMs: T0 + 2_000,
      toMs: T0 + 5_000,
    });
    await client.waitForEvents(4);
    expect(client.ofType('metrics_batch').map((b) => b.seq)).toEqual([7, 8, 9, 10]);
    // The gap comes after `subscribed` and before the replayed batches.
    expect(client.messages.map((m) => m.type)).toEqual([
      'subscribed',
      'gap',
      'metrics_batch',
      'metrics_batch',
      'metrics_batch',
      'metrics_batch',
    ]);
    expect(await metricValue(fixture.registry, 'scrapewatch_live_gaps_total')).toBe(1);
  });

  it('leaves out a gap when every missing batch is of a kind the client filters out', async () => {
    fixture = await startHub({ batchMaxItems: 1, replayBatchesPerChannel: 2 });
    publishOneByOne([
      scrape('cnbc'),
      navigation('cnbc'),
      navigation('cnbc'),
      scrape('cnbc'),
      scrape('cnbc'),
    ]);
    const client = await open({ channels: ['cnbc'], kinds: ['page_scrape'], resume: { cnbc: 1 } });
    await client.waitForEvents(2);
    expect(client.ofType('gap')).toEqual([]);
    expect(client.ofType('metrics_batch').map((b) => b.seq)).toEqual([4, 5]);
  });

  it('resumes a wildcard subscriber per channel', async () => {
    fixture = await startHub({ batchMaxItems: 1 });
    const a = Array.from({ length: 3 }, () => navigation('alpha'));
    const b = Array.from({ length: 2 }, () => navigation('beta'));
    publishOneByOne([...a, ...b, navigation('gamma')]);
    const client = await open({ channels: ['*'], resume: { alpha: 1, beta: 0 } });
    await client.waitForEvents(4);
    expect(ids(client.events('alpha'))).toEqual(ids(a.slice(1)));
    expect(ids(client.events('beta'))).toEqual(ids(b));
    expect(client.events('gamma')).toEqual([]);
    const live = navigation('gamma');
    fixture.hub.publish([live]);
    await client.waitForEvents(5);
    expect(client.ofType('metrics_batch').at(-1)).toMatchObject({ channel: 'gamma', seq: 2 });
  });

  it('signals restarted numbering when the client resumes past the newest seq', async () => {
    fixture = await startHub({ batchMaxItems: 1 });
    const events = [navigation('cnbc'), navigation('cnbc')];
    publishOneByOne(events);
    const client = await open({ channels: ['cnbc', 'fresh'], resume: { cnbc: 500, fresh: 3 } });
    await client.waitForEvents(2);
    const gaps = client.ofType('gap');
    expect(gaps).toEqual([
      { type: 'gap', channel: 'cnbc', afterSeq: 0, toSeq: 0, fromMs: null, toMs: null },
      { type: 'gap', channel: 'fresh', afterSeq: 0, toSeq: 0, fromMs: null, toMs: null },
    ]);
    expect(ids(client.events('cnbc'))).toEqual(ids(events));
  });

  it('replays the newest batches within the replay budget and reports the older ones as a gap', async () => {
    // Budget: half of maxBufferedBytes; each batch here is ~5 KB, so about 3 of 10 fit.
    fixture = await startHub({ batchMaxItems: 1, maxBufferedBytes: 32 * 1024 });
    const big = (i: number): AcceptedEvent =>
      navigation('cnbc', T0 + i, `https://example.com/${'x'.repeat(5_000)}/${i}`);
    const events = Array.from({ length: 10 }, (_, i) => big(i));
    publishOneByOne(events);
    const client = await open({ channels: ['cnbc'], resume: { cnbc: 0 } });
    const [gap] = await client.waitFor('gap');
    const replayed = client.ofType('metrics_batch');
    expect(replayed.length).toBeGreaterThan(0);
    expect(gap).toMatchObject({ afterSeq: 0, toSeq: 10 - replayed.length, fromMs: T0 });
    expect(gap?.toMs).toBe(T0 + 9 - replayed.length);
    expect(replayed.map((b) => b.seq)).toEqual(
      Array.from({ length: replayed.length }, (_, i) => 11 - replayed.length + i),
    );
    expect(client.close).toBeUndefined();
  });

  it('bounds the bytes of all rings together, evicting the oldest batches first', async () => {
    fixture = await startHub({ batchMaxItems: 1, replayMaxBytes: 4 * 1024 });
    const old = navigation('alpha', T0, `https://example.com/${'a'.repeat(1_500)}`);
    fixture.hub.publish([old]);
    for (let i = 0; i < 6; i += 1) {
      fixture.hub.publish([
        navigation('beta', T0 + 1 + i, `https://example.com/${'b'.repeat(1_500)}`),
      ]);
    }
    expect(
      await metricValue(fixture.registry, 'scrapewatch_live_replay_bytes'),
    ).toBeLessThanOrEqual(4 * 1024);
    const client = await open({ channels: ['alpha', 'beta'], resume: { alpha: 0, beta: 0 } });
    const gaps = await client.waitFor('gap', 2);
    expect(gaps.find((g) => g.channel === 'alpha')).toEqual({
      type: 'gap',
      channel: 'alpha',
      afterSeq: 0,
      toSeq: 1,
      fromMs: T0,
      toMs: T0,
    });
    const betaGap = gaps.find((g) => g.channel === 'beta');
    const betaBatches = client.ofType('metrics_batch').filter((b) => b.channel === 'beta');
    expect(betaBatches.length).toBeGreaterThan(0);
    expect(betaGap?.toSeq).toBe(betaBatches[0]!.seq - 1);
    expect(betaBatches.at(-1)?.seq).toBe(6);
  });
});
