import { setTimeout as sleep } from 'node:timers/promises';

/** What every simulated loop shares: the stop signal and the demo clock. */
export interface DemoContext {
  readonly signal: AbortSignal;
  /** Multiplies the pace: pauses and incident timings shrink by it; latencies stay realistic. */
  readonly speed: number;
  /** Demo time since start, in ms (wall time times speed). */
  elapsedMs(): number;
}

/** Waits `ms` of demo time; resolves false when the demo is stopping. */
export async function pause(ctx: DemoContext, ms: number): Promise<boolean> {
  try {
    await sleep(ms / ctx.speed, undefined, { signal: ctx.signal });
    return true;
  } catch {
    return false;
  }
}
