export interface Ticker {
  /** Asks for a run: right after this I/O turn when the last run is a tick or more ago, else at the next tick. */
  request(): void;
  /** Clears the pending timer or immediate; a later request() arms again. */
  cancel(): void;
}

/** A run that takes longer than this many ticks still delays the next by at most this many. */
const MAX_PAUSE_TICKS = 4;

/**
 * Paces the fan-out: at most one run per `tickMs`, and none while nothing asks for one. A request
 * on an idle hub (the last run is at least a tick ago) runs after the caller's turn (setImmediate,
 * so events several requests bring in one turn still leave together) instead of waiting a tick;
 * under load the runs fall on a steady `tickMs` rhythm. A run that took longer than half a tick
 * (many subscribers, or a machine short of CPU) is followed by a pause as long as itself (at most
 * MAX_PAUSE_TICKS ticks): the fan-out then takes at most half of the event loop, ingest keeps the
 * rest, and each run carries more events in the same number of frames instead of the runs
 * following each other back to back while requests queue. `run` must not throw; its timers are
 * unref()ed and never overlap (a run cannot start while another is on the stack).
 */
export function createTicker(tickMs: number, run: () => void): Ticker {
  /** The earliest start of the next run. */
  let nextRunAtMs = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  function fire(): void {
    timer = undefined;
    immediate = undefined;
    const startedAtMs = performance.now();
    run();
    const endedAtMs = performance.now();
    const pauseMs = Math.min(endedAtMs - startedAtMs, MAX_PAUSE_TICKS * tickMs);
    nextRunAtMs = Math.max(startedAtMs + tickMs, endedAtMs + pauseMs);
  }

  return {
    request() {
      if (timer !== undefined || immediate !== undefined) return;
      const waitMs = nextRunAtMs - performance.now();
      if (waitMs <= 0) {
        immediate = setImmediate(fire);
        immediate.unref();
      } else {
        timer = setTimeout(fire, Math.ceil(waitMs));
        timer.unref();
      }
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      timer = undefined;
      immediate = undefined;
    },
  };
}
