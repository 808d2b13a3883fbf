export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * Reconnect delay before attempt `attempt` (0 = first retry): exponential, capped at `maxMs`,
 * with "equal jitter": a uniformly random delay in [ceiling/2, ceiling], so that panels of many
 * viewers do not reconnect in lockstep after a collector restart, yet never retry at once.
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const initialMs = Math.max(1, options.initialMs);
  const maxMs = Math.max(initialMs, options.maxMs);
  const ceilingMs = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(0, attempt), 30));
  const half = ceilingMs / 2;
  return Math.round(half + random() * half);
}

/** Settings as entered may be missing, zero or nonsense; these are the ones actually used. */
export function normaliseBackoff(
  initialMs: number | undefined,
  maxMs: number | undefined,
  defaults: BackoffOptions,
): BackoffOptions {
  const initial =
    Number.isFinite(initialMs) && (initialMs ?? 0) > 0 ? (initialMs as number) : defaults.initialMs;
  const max = Number.isFinite(maxMs) && (maxMs ?? 0) > 0 ? (maxMs as number) : defaults.maxMs;
  return { initialMs: initial, maxMs: Math.max(initial, max) };
}
