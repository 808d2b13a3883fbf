import { GiveUp, pollUntil, until } from '../src';

describe('pollUntil', () => {
  it('resolves with the first value `done` accepts', async () => {
    let calls = 0;
    const value = await pollUntil(
      'three calls',
      () => (calls += 1),
      (n) => n === 3,
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('counts a throwing probe as not yet, and names what, the last value and error on timeout', async () => {
    let calls = 0;
    await expect(
      pollUntil(
        'the answer',
        () => {
          calls += 1;
          if (calls % 2 === 0) throw new Error('connection refused');
          return calls;
        },
        () => false,
        { timeoutMs: 50, intervalMs: 5 },
      ),
    ).rejects.toThrow(/^timed out after 50 ms waiting for the answer; last value \d+/);
    await expect(
      pollUntil(
        'a server',
        () => Promise.reject(new Error('ECONNREFUSED')),
        () => true,
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow('waiting for a server; last error ECONNREFUSED');
  });

  it('stops at once on GiveUp', async () => {
    const startedMs = Date.now();
    await expect(
      pollUntil(
        'a process',
        () => {
          throw new GiveUp('it exited');
        },
        () => true,
        10_000,
      ),
    ).rejects.toThrow('it exited');
    expect(Date.now() - startedMs).toBeLessThan(5_000);
  });
});

describe('until', () => {
  it('resolves with the first value other than false, undefined and null', async () => {
    const values = [false, undefined, null, 0, 1];
    expect(await until('a value', () => values.shift(), { intervalMs: 1 })).toBe(0);
  });

  it('takes a bare number as the timeout', async () => {
    await expect(until('never', () => false, 30)).rejects.toThrow(
      'timed out after 30 ms waiting for never',
    );
  });
});
