import { createServer } from 'node:net';
import { setImmediate as nextMacrotask } from 'node:timers';
import { backoffDelayMs, normaliseBackoff } from '../src/live/backoff';
import {
  createStreamConnection,
  type ConnectionState,
  type StreamSocket,
} from '../src/live/stream-connection';

describe('backoff schedule', () => {
  const options = { initialMs: 100, maxMs: 1_000 };

  it('doubles from the initial delay up to the maximum', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 10, 60].map((attempt) =>
      backoffDelayMs(attempt, options, () => 1),
    );
    expect(ceilings).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
  });

  it('jitters within [ceiling/2, ceiling]', () => {
    const floors = [0, 1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, options, () => 0));
    expect(floors).toEqual([50, 100, 200, 400, 500]);
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const delay = backoffDelayMs(attempt, options);
      expect(delay).toBeGreaterThanOrEqual(backoffDelayMs(attempt, options, () => 0));
      expect(delay).toBeLessThanOrEqual(backoffDelayMs(attempt, options, () => 1));
    }
  });

  it('normalises missing or nonsensical settings', () => {
    const defaults = { initialMs: 500, maxMs: 30_000 };
    expect(normaliseBackoff(undefined, undefined, defaults)).toEqual(defaults);
    expect(normaliseBackoff(-5, 0, defaults)).toEqual(defaults);
    expect(normaliseBackoff(2_000, 1_000, defaults)).toEqual({ initialMs: 2_000, maxMs: 2_000 });
  });
});

describe('reconnect schedule (fake timers, real refused connections)', () => {
  let port = 0;

  beforeAll(async () => {
    // A port that was free a moment ago: connecting to it is refused.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('retries after each refusal with the exponential, capped, jittered delays and stops on unsubscribe', async () => {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance', 'hrtime', 'Date'],
    });
    const states: ConnectionState[] = [];
    let attempts = 0;
    const connection = createStreamConnection({
      url: `ws://127.0.0.1:${port}/v1/stream`,
      token: undefined,
      backoff: { initialMs: 100, maxMs: 800 },
      random: () => 0.5,
      createSocket: (url) => {
        attempts += 1;
        return new WebSocket(url) as unknown as StreamSocket;
      },
      timers: {
        setTimeout: (cb, ms) => setTimeout(cb, ms),
        clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      },
    });
    const release = connection.subscribe({
      channels: ['a'],
      kinds: null,
      onBatch() {},
      onGap() {},
      onState: (s) => states.push(s),
    });

    const waitForRefusal = async (count: number): Promise<number> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const refusals = states.filter((s) => s.state === 'disconnected');
        const latest = refusals[count - 1];
        if (latest !== undefined && latest.state === 'disconnected') return latest.retryInMs;
        if (Date.now() > deadline) throw new Error(`no refusal #${count}`);
        await new Promise((resolve) => nextMacrotask(resolve));
      }
    };

    const delays: number[] = [];
    for (let n = 1; n <= 5; n += 1) {
      const delay = await waitForRefusal(n);
      delays.push(delay);
      expect(attempts).toBe(n);
      jest.advanceTimersByTime(delay - 1);
      expect(attempts).toBe(n);
      jest.advanceTimersByTime(1);
      expect(attempts).toBe(n + 1);
    }
    // ceilings 100, 200, 400, 800, 800 with jitter at the middle of [ceiling/2, ceiling]
    expect(delays).toEqual([75, 150, 300, 600, 600]);

    const last = await waitForRefusal(6);
    release();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(last * 10);
    expect(attempts).toBe(6);
    expect(connection.state).toEqual({ state: 'idle' });
  });
});
