import type { AcceptedEvent } from '@scrapewatch/protocol';
import { until } from '@scrapewatch/testkit';
import { rawSubscriber } from './raw-client';
import {
  metricValue,
  navigation,
  startHub,
  subscribe,
  LIVE_POLL,
  type HubFixture,
} from './harness';

describe('live hub backpressure', () => {
  let fixture: HubFixture;
  afterEach(async () => {
    await fixture.close();
  });

  it('drops a subscriber that stops reading with 4008, keeps memory bounded and others fed', async () => {
    const maxBufferedBytes = 256 * 1024;
    fixture = await startHub({
      maxBufferedBytes,
      batchMaxItems: 100,
      tickMs: 5,
      closeGraceMs: 30_000,
      replayBatchesPerChannel: 4,
    });
    const fast = await subscribe(fixture.url, { channels: ['robinhood'] });
    const slow = await rawSubscriber(fixture.port, ['robinhood']);
    expect(fixture.hub.subscriberCount).toBe(2);

    const published: AcceptedEvent[] = [];
    const batchOf = () =>
      Array.from({ length: 100 }, () =>
        navigation('robinhood', undefined, `https://example.com/${'p'.repeat(4_000)}`),
      );
    let maxBufferedSeen = 0;
    // About 400 KB a round; loopback kernel buffers take a few MB before the hub's buffer grows.
    for (let round = 0; round < 500; round += 1) {
      const batch = batchOf();
      published.push(...batch);
      fixture.hub.publish(batch);
      await fast.waitForEvents(published.length);
      maxBufferedSeen = Math.max(
        maxBufferedSeen,
        await metricValue(fixture.registry, 'scrapewatch_live_buffered_bytes'),
      );
      if ((await metricValue(fixture.registry, 'scrapewatch_live_slow_consumer_drops_total')) > 0)
        break;
    }
    expect(await metricValue(fixture.registry, 'scrapewatch_live_slow_consumer_drops_total')).toBe(
      1,
    );
    expect(fixture.hub.subscriberCount).toBe(1);
    // Bounded: the bound plus at most the one batch that crossed it (~410 KB).
    expect(maxBufferedSeen).toBeLessThanOrEqual(maxBufferedBytes + 512 * 1024);

    // Nothing more is queued for the dropped subscriber; the fast one keeps receiving all.
    const bufferedAtDrop = await metricValue(fixture.registry, 'scrapewatch_live_buffered_bytes');
    for (let round = 0; round < 5; round += 1) {
      const batch = batchOf();
      published.push(...batch);
      fixture.hub.publish(batch);
    }
    await fast.waitForEvents(published.length);
    expect(fast.events().map((e) => e.eventId)).toEqual(published.map((e) => e.eventId));
    expect(
      await metricValue(fixture.registry, 'scrapewatch_live_buffered_bytes'),
    ).toBeLessThanOrEqual(bufferedAtDrop);
    expect(fast.close).toBeUndefined();

    // Once it reads again, the slow client finds the 4008 close frame after what was queued.
    slow.socket.resume();
    await until('the close frame', () => slow.closeCode() !== undefined, {
      ...LIVE_POLL,
      timeoutMs: 30_000,
    });
    expect(slow.closeCode()).toBe(4008);
    slow.socket.destroy();
    fast.terminate();
  });
});
