import { until } from '@scrapewatch/testkit';
import { createTicker } from '../../src/live/ticker';
import { LIVE_POLL } from './harness';

/** Burns CPU for `ms`: a fan-out run that keeps the event loop busy. */
function busy(ms: number): void {
  const endsAt = performance.now() + ms;
  while (performance.now() < endsAt) {
    // spin
  }
}

/** Until `starts` holds `count` runs. */
function nextRun(starts: number[], count: number): Promise<boolean> {
  return until(`run ${count} of the ticker`, () => starts.length >= count, LIVE_POLL);
}

describe('ticker', () => {
  it('runs at once on an idle hub, then no sooner than a tick after the last start', async () => {
    const starts: number[] = [];
    const ticker = createTicker(60, () => starts.push(performance.now()));
    const askedAt = performance.now();
    ticker.request();
    await nextRun(starts, 1);
    expect((starts[0] as number) - askedAt).toBeLessThan(50);
    ticker.request();
    await nextRun(starts, 2);
    expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(59);
    ticker.cancel();
  });

  it('after a run longer than half a tick, pauses as long as the run took, at most four ticks', async () => {
    const starts: number[] = [];
    const ends: number[] = [];
    const runMs = [40, 200];
    const ticker = createTicker(10, () => {
      starts.push(performance.now());
      busy(runMs[starts.length - 1] ?? 0);
      ends.push(performance.now());
    });
    ticker.request();
    await nextRun(starts, 1);
    ticker.request();
    await nextRun(starts, 2);
    // 40 ms of fan-out: the next run waits 40 ms more, not the 10 ms tick.
    expect((starts[1] as number) - (ends[0] as number)).toBeGreaterThanOrEqual(39);
    ticker.request();
    await nextRun(starts, 3);
    // 200 ms: the pause is capped at four ticks (40 ms).
    const pause = (starts[2] as number) - (ends[1] as number);
    expect(pause).toBeGreaterThanOrEqual(39);
    expect(pause).toBeLessThan(190);
    ticker.cancel();
  });
});
