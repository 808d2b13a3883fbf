import type { AcceptedEvent } from '@scrapewatch/protocol';
import { createBatcher, type Batcher } from '../../src/live/batcher';
import { navigation, waitUntil } from './harness';

interface Sealed {
  readonly channel: string;
  readonly kindIndex: number;
  readonly events: readonly AcceptedEvent[];
}

const NAVIGATION = 0;
const SCRAPE = 1;
/** Lets the current turn end and the batcher's immediate pass run. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('live batcher', () => {
  let batcher: Batcher | undefined;
  let sealed: Sealed[];
  const start = (options: { lingerMs: number; batchMaxItems: number }): Batcher => {
    sealed = [];
    batcher = createBatcher(options, (channel, kindIndex, events) => {
      sealed.push({ channel, kindIndex, events });
    });
    return batcher;
  };
  const shape = (): [string, number, number][] =>
    sealed.map((s) => [s.channel, s.kindIndex, s.events.length]);

  afterEach(() => {
    batcher?.close();
    batcher = undefined;
  });

  it('never seals inside add: a full batch is sealed right after the turn', async () => {
    const b = start({ lingerMs: 600_000, batchMaxItems: 2 });
    b.add('a', NAVIGATION, navigation('a'));
    b.add('a', NAVIGATION, navigation('a'));
    b.add('a', NAVIGATION, navigation('a'));
    expect(sealed).toEqual([]);
    await nextTurn();
    expect(shape()).toEqual([['a', NAVIGATION, 2]]);
  });

  it('seals a full batch past an earlier one still lingering, keeping each key in order', async () => {
    const b = start({ lingerMs: 600_000, batchMaxItems: 2 });
    const first = navigation('a');
    b.add('a', NAVIGATION, first);
    b.add('b', NAVIGATION, navigation('b'));
    b.add('b', NAVIGATION, navigation('b'));
    b.add('b', NAVIGATION, navigation('b'));
    await nextTurn();
    expect(shape()).toEqual([['b', NAVIGATION, 2]]);
    const second = navigation('a');
    b.add('a', NAVIGATION, second);
    await nextTurn();
    expect(shape()).toEqual([
      ['b', NAVIGATION, 2],
      ['a', NAVIGATION, 2],
    ]);
    expect(sealed[1]?.events).toEqual([first, second]);
    b.flush();
    expect(shape()[2]).toEqual(['b', NAVIGATION, 1]);
  });

  it('seals a partial batch once its linger has passed', async () => {
    const b = start({ lingerMs: 20, batchMaxItems: 100 });
    b.add('a', NAVIGATION, navigation('a'));
    b.add('a', SCRAPE, navigation('a'));
    await waitUntil(() => sealed.length === 2, 'both lingering batches');
    expect(shape()).toEqual([
      ['a', NAVIGATION, 1],
      ['a', SCRAPE, 1],
    ]);
  });

  it('with lingerMs 0 seals what one turn brought, still bounded by batchMaxItems', async () => {
    const b = start({ lingerMs: 0, batchMaxItems: 3 });
    for (let i = 0; i < 4; i += 1) b.add('a', NAVIGATION, navigation('a'));
    b.add('b', NAVIGATION, navigation('b'));
    expect(sealed).toEqual([]);
    await nextTurn();
    expect(shape()).toEqual([
      ['a', NAVIGATION, 3],
      ['a', NAVIGATION, 1],
      ['b', NAVIGATION, 1],
    ]);
    b.add('a', NAVIGATION, navigation('a'));
    await nextTurn();
    expect(shape()[3]).toEqual(['a', NAVIGATION, 1]);
  });

  it('flush seals everything pending in creation order; close drops what is left', async () => {
    const b = start({ lingerMs: 600_000, batchMaxItems: 2 });
    b.add('a', NAVIGATION, navigation('a'));
    b.add('b', NAVIGATION, navigation('b'));
    b.add('b', NAVIGATION, navigation('b'));
    b.flush();
    expect(shape()).toEqual([
      ['a', NAVIGATION, 1],
      ['b', NAVIGATION, 2],
    ]);
    b.add('c', NAVIGATION, navigation('c'));
    b.add('c', NAVIGATION, navigation('c'));
    b.close();
    await nextTurn();
    expect(sealed).toHaveLength(2);
  });
});
