import { setTimeout as sleepMs } from 'node:timers/promises';

/**
 * How long to keep polling and how often. A bare number is the timeout. The defaults suit a real
 * QuestDB on a loaded machine: WAL apply and view refresh take tens to hundreds of milliseconds.
 */
export type PollOptions = number | { readonly timeoutMs?: number; readonly intervalMs?: number };

export const DEFAULT_POLL_TIMEOUT_MS = 30_000;
export const DEFAULT_POLL_INTERVAL_MS = 100;

function resolveOptions(options: PollOptions): { timeoutMs: number; intervalMs: number } {
  if (typeof options === 'number') {
    return { timeoutMs: options, intervalMs: DEFAULT_POLL_INTERVAL_MS };
  }
  return {
    timeoutMs: options.timeoutMs ?? DEFAULT_POLL_TIMEOUT_MS,
    intervalMs: options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS,
  };
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.slice(0, 500);
  } catch {
    return String(value);
  }
}

/**
 * Thrown by a probe to stop polling at once (the process it waits for has exited, say): the
 * polling rejects with this error instead of waiting for the timeout.
 */
export class GiveUp extends Error {}

/**
 * Polling for state in the test's own memory (messages received, a socket's state): cheap to
 * read, so read often, which also catches short-lived states.
 */
export function memoryPoll(timeoutMs = DEFAULT_POLL_TIMEOUT_MS): PollOptions {
  return { timeoutMs, intervalMs: 10 };
}

/** Resolves after `ms` milliseconds. For a deliberate pause, never to wait for a condition. */
export function sleep(ms: number): Promise<void> {
  return sleepMs(ms);
}

/**
 * Calls `probe` until `done` accepts its value and resolves with that value. A probe that throws
 * counts as "not yet" (a server still starting, a table not yet created), unless it throws
 * `GiveUp`. After the timeout it
 * rejects naming `what`, the last value and the last error, so a failure says what it saw.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions = {},
): Promise<T> {
  const { timeoutMs, intervalMs } = resolveOptions(options);
  const deadline = Date.now() + timeoutMs;
  let seen = false;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      seen = true;
      last = value;
      lastError = undefined;
      if (done(value)) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const parts = [`timed out after ${timeoutMs} ms waiting for ${what}`];
      if (seen) parts.push(`last value ${describe(last)}`);
      if (lastError !== undefined)
        parts.push(
          `last error ${lastError instanceof Error ? lastError.message : String(lastError)}`,
        );
      throw new Error(parts.join('; '));
    }
    await sleepMs(intervalMs);
  }
}

/** What `until` waits for: anything but false, undefined and null. */
export type Present<T> = Exclude<T, false | undefined | null>;

/**
 * Calls `check` until it returns something other than false, undefined or null, and resolves
 * with it. Errors count as "not yet", as in `pollUntil`.
 */
export function until<T>(
  what: string,
  check: () => T | Promise<T>,
  options: PollOptions = {},
): Promise<Present<T>> {
  return pollUntil(
    what,
    check,
    (value) => value !== false && value !== undefined && value !== null,
    options,
  ) as Promise<Present<T>>;
}
