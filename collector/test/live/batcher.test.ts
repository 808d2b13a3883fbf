import { createBatcher } from '../../src/live/batcher';
import { navigation, scrape } from './harness';

describe('live batcher', () => {
  const KIND_NAV = 0;
  const KIND_SCRAPE = 1;

  it('groups events per (channel, kind) in creation order and starts empty after a drain', () => {
    const b = createBatcher({ batchMaxItems: 100 });
    const events = [navigation('a'), scrape('a'), navigation('b'), navigation('a')];
    b.add('a', KIND_NAV, events[0]!);
    b.add('a', KIND_SCRAPE, events[1]!);
    b.add('b', KIND_NAV, events[2]!);
    b.add('a', KIND_NAV, events[3]!);
    expect(b.pendingEvents).toBe(4);
    const drained = b.drain();
    expect(drained.map((d) => [d.channel, d.kindIndex, d.events.map((e) => e.eventId)])).toEqual([
      ['a', KIND_NAV, [events[0]!.eventId, events[3]!.eventId]],
      ['a', KIND_SCRAPE, [events[1]!.eventId]],
      ['b', KIND_NAV, [events[2]!.eventId]],
    ]);
    expect(b.pendingEvents).toBe(0);
    expect(b.drain()).toEqual([]);
  });

  it('closes a batch at batchMaxItems; the next event of its key starts another, in order', () => {
    const b = createBatcher({ batchMaxItems: 2 });
    const events = Array.from({ length: 5 }, () => navigation('a'));
    for (const event of events) b.add('a', KIND_NAV, event);
    b.add('b', KIND_NAV, navigation('b'));
    const drained = b.drain();
    expect(drained.map((d) => [d.channel, d.events.length])).toEqual([
      ['a', 2],
      ['a', 2],
      ['a', 1],
      ['b', 1],
    ]);
    expect(drained.slice(0, 3).flatMap((d) => d.events.map((e) => e.eventId))).toEqual(
      events.map((e) => e.eventId),
    );
  });
});
