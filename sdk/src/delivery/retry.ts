/** Delay policy of the delivery loop: exponential backoff with full jitter, or the server's Retry-After. */
export interface RetryPolicy {
  /** First backoff ceiling; attempt n waits a random time in [0, min(max, base * 2^n)). */
  readonly baseRetryDelayMs: number;
  /** Upper bound of every wait, including a Retry-After the server asks for. */
  readonly maxRetryDelayMs: number;
}

/**
 * How long to wait before retry number `attempt` (0 = first retry). A server-given Retry-After wins
 * over the computed backoff (it knows its own load), bounded by `maxRetryDelayMs`.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined)
    return Math.min(Math.max(0, retryAfterMs), policy.maxRetryDelayMs);
  const ceilingMs = Math.min(
    policy.maxRetryDelayMs,
    policy.baseRetryDelayMs * 2 ** Math.min(attempt, 30),
  );
  return Math.floor(random() * ceilingMs);
}

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Returns
 * milliseconds from `nowMs`, or undefined when absent or unparsable.
 */
export function parseRetryAfterMs(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const atMs = Date.parse(text);
  if (Number.isNaN(atMs)) return undefined;
  return Math.max(0, atMs - nowMs);
}
