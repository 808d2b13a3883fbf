import type { StreamBatchMessage, StreamFrameMessage } from '@scrapewatch/protocol';
import { sleep, until } from '@scrapewatch/testkit';
import { connect, LIVE_POLL, type StreamClient } from '../live/harness';
import {
  STREAM_TOKEN,
  navigation,
  post,
  scrape,
  startCollector,
  uniquePrefix,
  type RunningCollector,
} from './harness';

/** Wire version 2 on a real collector: frames per tick, groups, resume, slow consumers. */
const prefix = uniquePrefix('e2e-frames');
let running: RunningCollector;
const clients: StreamClient[] = [];

beforeAll(async () => {
  running = await startCollector({ env: { SCRAPEWATCH_LIVE_TICK_MS: '1000' } });
});
afterAll(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await running.close();
});

async function open(
  channels: string[],
  extra: { version?: 1 | 2; kinds?: string[]; resume?: Record<string, number> } = {},
): Promise<StreamClient> {
  const client = await connect(`${running.wsUrl}/v1/stream`);
  clients.push(client);
  client.send({ type: 'subscribe', token: STREAM_TOKEN, channels, version: 2, ...extra });
  await client.waitFor('subscribed');
  return client;
}

const frames = (client: StreamClient): StreamFrameMessage[] => client.ofType('metrics_frame');

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${running.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

async function publish(events: unknown[]): Promise<void> {
  const res = await post(running.url, JSON.stringify(events));
  expect(res.status).toBe(202);
}

/** Waits for no more messages for `quietMs` (a tick and some), so counts are final. */
async function settle(client: StreamClient, quietMs = 1_300): Promise<void> {
  let seen = -1;
  await until(
    'the stream to go quiet',
    async () => {
      const now = client.messages.length;
      if (now === seen) return true;
      seen = now;
      await sleep(quietMs);
      return false;
    },
    { ...LIVE_POLL, timeoutMs: 30_000 },
  );
}

describe('live frames (wire version 2) on a real collector', () => {
  it('sends everything pending for a subscriber, any channels and kinds, as one frame per tick', async () => {
    const a = `${prefix}-coalesce-a`;
    const b = `${prefix}-coalesce-b`;
    const v2 = await open([a, b]);
    const v1 = await open([a, b], { version: 1 });
    expect(v2.ofType('subscribed')[0]?.version).toBe(2);
    expect(v1.ofType('subscribed')[0]?.version).toBe(1);
    await settle(v2);

    // One request of two channels and two kinds, on an idle hub: one frame, at once.
    const startedAt = performance.now();
    await publish([navigation(a), scrape(a), navigation(b), scrape(b), navigation(a)]);
    await v2.waitFor('metrics_frame');
    expect(performance.now() - startedAt).toBeLessThan(900);
    const [first] = frames(v2);
    expect(first?.batches.map((x) => [x.channel, x.count, x.metrics[0]?.type])).toEqual([
      [a, 2, 'page_navigation'],
      [a, 1, 'page_scrape'],
      [b, 1, 'page_navigation'],
      [b, 1, 'page_scrape'],
    ]);
    expect(first?.batches.map((x) => x.seq)).toEqual([1, 2, 1, 2]);

    // Five requests within the next tick: they leave together in one more frame.
    await Promise.all(Array.from({ length: 5 }, (_, i) => publish([navigation(i % 2 ? a : b)])));
    await v2.waitForEvents(10);
    await settle(v2);
    expect(frames(v2)).toHaveLength(2);
    expect(
      frames(v2)[1]
        ?.batches.map((x) => [x.channel, x.seq])
        .sort(),
    ).toEqual([
      [a, 3],
      [b, 3],
    ]);
    // A version 1 client reads the same batches, one message each.
    await v1.waitForEvents(10);
    expect(v1.ofType('metrics_frame')).toHaveLength(0);
    expect(JSON.stringify(v1.ofType('metrics_batch'))).toBe(JSON.stringify(v2.batches()));
  });

  it('serialises a frame once per group of identical subscriptions', async () => {
    const a = `${prefix}-group-a`;
    const b = `${prefix}-group-b`;
    const wildcard = await Promise.all(Array.from({ length: 4 }, () => open(['*'])));
    const named = await Promise.all(Array.from({ length: 3 }, () => open([b, a])));
    const [other] = await Promise.all([open([a, b], { kinds: ['page_scrape'] })]);
    for (const client of [...wildcard, ...named]) await settle(client, 1_100);
    const serialisedBefore = await metric('scrapewatch_live_frames_serialized_total');
    const sentBefore = await metric('scrapewatch_live_frames_sent_total');

    await publish([navigation(a), scrape(b), navigation(b)]);
    for (const client of [...wildcard, ...named]) await client.waitForEvents(3);
    await other?.waitForEvents(1);

    // Three groups ("*"; [a, b] in any order; [a, b] with a kind filter): three serialisations.
    expect((await metric('scrapewatch_live_frames_serialized_total')) - serialisedBefore).toBe(3);
    expect((await metric('scrapewatch_live_frames_sent_total')) - sentBefore).toBe(8);
    const texts = (group: StreamClient[]): Set<string> =>
      new Set(group.map((client) => client.texts.find((t) => t.includes(a)) ?? ''));
    expect(texts(wildcard).size).toBe(1);
    expect(texts(named).size).toBe(1);
    expect(other?.events().map((e) => e.type)).toEqual(['page_scrape']);
  });

  it('resumes per channel across coalesced frames: the missed batches, once, in order', async () => {
    const a = `${prefix}-resume-a`;
    const b = `${prefix}-resume-b`;
    const first = await open([a, b]);
    await publish([navigation(a), navigation(b), scrape(a)]);
    await first.waitForEvents(3);
    const last: Record<string, number> = {};
    for (const batch of first.batches()) last[batch.channel] = batch.seq;
    expect(last).toEqual({ [a]: 2, [b]: 1 });
    first.terminate();
    await first.waitClosed();

    const missed = [navigation(a, { url: 'https://example.com/m1' }), navigation(b), scrape(a)];
    await publish(missed);
    await publish([navigation(b, { url: 'https://example.com/m2' })]);
    // Past the next tick, so the missed events are sealed and held for replay.
    await sleep(1_300);
    const second = await open([a, b], { resume: last });
    await second.waitForEvents(4);
    await publish([navigation(a, { url: 'https://example.com/live' })]);
    await second.waitForEvents(5);
    await settle(second);

    const got = second.batches();
    // Both requests for b fell in one tick: one batch of two.
    expect(got.map((x: StreamBatchMessage) => [x.channel, x.seq, x.count])).toEqual([
      [a, 3, 1],
      [a, 4, 1],
      [b, 2, 2],
      [a, 5, 1],
    ]);
    expect(second.ofType('subscribed')[0]?.seqs).toEqual({ [a]: 4, [b]: 2 });
    expect(second.ofType('gap')).toHaveLength(0);
    expect(second.ofType('metrics_batch')).toHaveLength(0);
    // The replay leaves as one frame per resumed channel, the live batch in the next.
    expect(frames(second).map((f) => f.batches.length)).toEqual([2, 1, 1]);
    expect(second.events().map((e) => (e as { url: string }).url)).toContain(
      'https://example.com/live',
    );
  });

  it('merges a slow reader’s batches, closes one past 4 MiB with 4008 and keeps the others fed', async () => {
    // A collector of its own with a short tick, so that many ticks pass while the readers stall.
    const tickMs = 50;
    const own = await startCollector({ env: { SCRAPEWATCH_LIVE_TICK_MS: String(tickMs) } });
    const ownMetric = async (name: string): Promise<number> => {
      const text = await (await fetch(`${own.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return Number(line?.split(' ')[1] ?? Number.NaN);
    };
    const openOwn = async (channels: string[]): Promise<StreamClient> => {
      const client = await connect(`${own.wsUrl}/v1/stream`);
      clients.push(client);
      client.send({ type: 'subscribe', token: STREAM_TOKEN, channels, version: 2 });
      await client.waitFor('subscribed');
      return client;
    };
    try {
      const channel = `${prefix}-slow`;
      const fast = await openOwn([channel]);
      const merger = await openOwn([channel]);
      const stuck = await openOwn([channel]);
      merger.ws.pause();
      stuck.ws.pause();
      const url = (i: number): string => `https://example.com/${i}/${'p'.repeat(1_000)}`;
      let sent = 0;
      let heldSeen = false;
      let roundsHeld = 0;
      let maxPendingSeen = 0;
      for (
        let round = 0;
        round < 100 && (await ownMetric('scrapewatch_live_slow_consumer_drops_total')) === 0;
        round += 1
      ) {
        // About 450 KB a round, in two requests, then a pause of a few ticks.
        await Promise.all(
          Array.from({ length: 2 }, async () => {
            const events = Array.from({ length: 200 }, () =>
              navigation(channel, { url: url(sent++) }),
            );
            const res = await post(own.url, JSON.stringify(events));
            expect(res.status).toBe(202);
          }),
        );
        await fast.waitForEvents(sent);
        await sleep(3 * tickMs);
        const held = await ownMetric('scrapewatch_live_held_bytes');
        maxPendingSeen = Math.max(
          maxPendingSeen,
          held + (await ownMetric('scrapewatch_live_buffered_bytes')),
        );
        // Both stalled readers hold from about the same round: the merger reads again three
        // rounds later, before the bound.
        if (held > 0) heldSeen = true;
        if (heldSeen && (roundsHeld += 1) === 4) merger.ws.resume();
      }
      expect(heldSeen).toBe(true);
      expect(await ownMetric('scrapewatch_live_slow_consumer_drops_total')).toBe(1);
      stuck.ws.resume();
      expect((await stuck.waitClosed()).code).toBe(4008);
      // Both slow sockets together: each within the bound plus one frame.
      expect(maxPendingSeen).toBeLessThanOrEqual(2 * (4 * 1024 * 1024 + 1024 * 1024));

      merger.ws.resume();
      await merger.waitForEvents(sent);
      const seqs = merger.batches().map((x) => x.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      const urls = (client: StreamClient): string[] =>
        client.events().map((e) => (e as { url: string }).url);
      expect(urls(merger)).toEqual(urls(fast));
      // A merged frame spans ticks sealed far apart; the fast reader's frames span far less.
      // (How little depends on the machine's load, so the fast reader is the yardstick.)
      const spreadMs = (client: StreamClient): number =>
        Math.max(
          ...frames(client).map((frame) => {
            const stamps = frame.batches.map((x) => x.timestamp);
            return Math.max(...stamps) - Math.min(...stamps);
          }),
        );
      expect(spreadMs(fast)).toBeLessThan(spreadMs(merger));
      expect(spreadMs(merger)).toBeGreaterThanOrEqual(3 * tickMs);
      expect(frames(merger).length).toBeLessThan(frames(fast).length);
      expect(fast.close).toBeUndefined();
    } finally {
      await own.close();
    }
  });
});
