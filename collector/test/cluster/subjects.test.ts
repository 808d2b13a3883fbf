import { chunkEvents, decodeRecord } from '../../src/cluster/codec';
import { channelSubject, subjectOf, subjectToken } from '../../src/cluster/subjects';
import { normaliseEvents } from '../../src/ingest/normalise';
import { navigation, scrape } from '../e2e/harness';

const accepted = (items: unknown[]) => normaliseEvents(items as never);

describe('stream subjects and messages', () => {
  it('keeps safe scraper names and escapes every byte a subject token may not hold', () => {
    expect(subjectToken('robinhood_v2-eu')).toBe('robinhood_v2-eu');
    expect(subjectToken('a.b *>c')).toBe('a~2eb~20~2a~3ec');
    expect(subjectToken('café')).toBe('caf~c3~a9');
    expect(subjectToken('')).toBe('~');
    // Escaping is injective: a literal "~2e" does not collide with ".".
    expect(subjectToken('~2e')).not.toBe(subjectToken('.'));
    expect(subjectOf('page_navigation', 'shop.example')).toBe(
      'scrapewatch.events.page_navigation.shop~2eexample',
    );
    expect(channelSubject('shop.example')).toBe('scrapewatch.events.*.shop~2eexample');
  });

  it('cuts a request into one message per kind and scraper, in order, and round-trips them', () => {
    const events = accepted([
      navigation('a', { retryCount: 0 }),
      scrape('a'),
      navigation('b', { retryCount: 1 }),
      navigation('a', { retryCount: 2 }),
    ]);
    const chunks = chunkEvents(events, 123, 1 << 20);
    expect(chunks.map((c) => [c.kind, c.channel, c.events.length])).toEqual([
      ['page_navigation', 'a', 2],
      ['page_scrape', 'a', 1],
      ['page_navigation', 'b', 1],
    ]);
    const first = chunks[0];
    if (first === undefined) throw new Error('no chunk');
    expect(decodeRecord(first.body)).toEqual({
      receivedAtMs: 123,
      events: [events[0], events[3]],
    });
  });

  it('bounds every message in bytes and names each by its events, the same on a retry', () => {
    const events = accepted(
      Array.from({ length: 50 }, (_, i) => navigation('big', { retryCount: i })),
    );
    const one = Buffer.byteLength(JSON.stringify(events[0]));
    const chunks = chunkEvents(events, 1, one * 10);
    expect(chunks.length).toBeGreaterThan(4);
    for (const chunk of chunks) expect(chunk.body.length).toBeLessThanOrEqual(one * 10);
    expect(chunks.flatMap((c) => c.events)).toEqual(events);
    // A retry of the same request (received later) gets the same message ids: JetStream drops it.
    expect(chunkEvents(events, 2, one * 10).map((c) => c.msgId)).toEqual(
      chunks.map((c) => c.msgId),
    );
    expect(new Set(chunks.map((c) => c.msgId)).size).toBe(chunks.length);
    // An event larger than the bound travels alone.
    expect(chunkEvents(events.slice(0, 2), 1, 10).map((c) => c.events.length)).toEqual([1, 1]);
  });

  it('refuses bodies that are not event records', () => {
    const body = (text: string) => Buffer.from(text, 'utf8');
    expect(decodeRecord(body('{"receivedAtMs":1,"events":[{"type":"x"}]}'))).toBeUndefined();
    expect(decodeRecord(body('{"receivedAtMs":1,"events":[]}'))).toBeUndefined();
    expect(decodeRecord(body('not json'))).toBeUndefined();
  });
});
