import { until } from '@scrapewatch/testkit';
import {
  TOKEN_ALL,
  connect,
  metricValue,
  startHub,
  subscribe,
  LIVE_POLL,
  type HubFixture,
} from './harness';

describe('live hub heartbeats', () => {
  let fixture: HubFixture;
  afterEach(async () => {
    await fixture.close();
  });

  it('terminates a peer that does not answer pings and keeps a healthy one with heartbeat messages', async () => {
    fixture = await startHub({ heartbeatIntervalMs: 300 });
    const healthy = await subscribe(fixture.url, { channels: ['robinhood'] });
    const silent = await connect(fixture.url, { autoPong: false });
    silent.send({ type: 'subscribe', token: TOKEN_ALL, channels: ['robinhood'] });
    await silent.waitFor('subscribed');

    const closed = await silent.waitClosed();
    // Terminated, not closed: a dead peer would never read a close frame.
    expect(closed.code).toBe(1006);
    expect(
      await metricValue(fixture.registry, 'scrapewatch_live_heartbeat_terminations_total'),
    ).toBe(1);

    const beats = await healthy.waitFor('heartbeat', 3);
    expect(beats[0]).toEqual({ type: 'heartbeat', timestamp: expect.any(Number) });
    expect(healthy.close).toBeUndefined();
    await until('one subscriber left', () => fixture.hub.subscriberCount === 1, LIVE_POLL);
    healthy.terminate();
  });
});
