import { until } from '@scrapewatch/testkit';
import { rawSubscriber } from './raw-client';
import { connect, navigation, startHub, subscribe, LIVE_POLL, type HubFixture } from './harness';

describe('live hub close', () => {
  let fixture: HubFixture;
  afterEach(async () => {
    await fixture.close();
  });

  it('flushes pending batches, then closes every socket with 1001', async () => {
    // Published with no await before close(): only close() can deliver these events.
    fixture = await startHub({ tickMs: 600_000, batchMaxItems: 1_000 });
    const named = await subscribe(fixture.url, { channels: ['robinhood'] });
    const all = await subscribe(fixture.url, { channels: ['*'] });
    const waiting = await connect(fixture.url);
    const events = [navigation('robinhood'), navigation('robinhood'), navigation('cnbc')];
    fixture.hub.publish(events);

    await fixture.hub.close();
    expect(fixture.hub.subscriberCount).toBe(0);
    for (const client of [named, all, waiting]) {
      expect(await client.waitClosed()).toEqual({ code: 1001, reason: 'SHUTTING_DOWN' });
    }
    expect(named.events().map((e) => e.eventId)).toEqual(events.slice(0, 2).map((e) => e.eventId));
    expect(all.events()).toHaveLength(3);
    // Published after close: ignored, no throw.
    expect(() => fixture.hub.publish([navigation('robinhood')])).not.toThrow();
    await expect(connect(fixture.url)).rejects.toThrow('503');
  });

  it('terminates a peer that does not complete the closing handshake after the grace', async () => {
    fixture = await startHub({ closeGraceMs: 300 });
    const silent = await rawSubscriber(fixture.port, ['robinhood']);
    let ended = false;
    silent.socket.on('close', () => (ended = true));
    silent.socket.resume();
    await fixture.hub.close();
    expect(fixture.hub.subscriberCount).toBe(0);
    await until('the server to drop the silent peer', () => ended, LIVE_POLL);
    expect(silent.closeCode()).toBe(1001);
  });
});
