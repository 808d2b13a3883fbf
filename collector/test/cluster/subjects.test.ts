import { subjectOf, subjectToken } from '../../src/cluster/subjects';
import { decodeRecord, encodeRecord } from '../../src/cluster/codec';
import { normaliseEvents } from '../../src/ingest/normalise';
import { navigation } from '../e2e/harness';

describe('stream subjects and records', () => {
  it('keeps safe scraper names and escapes every byte a subject token may not hold', () => {
    expect(subjectToken('robinhood_v2-eu')).toBe('robinhood_v2-eu');
    expect(subjectToken('a.b *>c')).toBe('a~2eb~20~2a~3ec');
    expect(subjectToken('café')).toBe('caf~c3~a9');
    expect(subjectToken('')).toBe('~');
    // Escaping is injective: a literal "~2e" does not collide with ".".
    expect(subjectToken('~2e')).not.toBe(subjectToken('.'));
  });

  it('names kind and scraper in the subject and round-trips the record', () => {
    const [event] = normaliseEvents([navigation('shop.example') as never]);
    if (!event) throw new Error('no event');
    expect(subjectOf(event)).toBe('scrapewatch.events.page_navigation.shop~2eexample');
    expect(decodeRecord(encodeRecord(event, 123))).toEqual({ receivedAtMs: 123, event });
    expect(decodeRecord('{"receivedAtMs":1,"event":{"type":"x"}}')).toBeUndefined();
    expect(decodeRecord('not json')).toBeUndefined();
  });
});
