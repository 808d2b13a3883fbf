export interface Ticker {
  /** Asks for a run: right after this I/O turn when the last run is a tick or more ago, else at the next tick. */
  request(): void;
  /** Clears the pending timer or immediate; a later request() arms again. */
  cancel(): void;
}

/**
 * Paces the fan-out: at most one run per `tickMs`, and none while nothing asks for one. A request
 * on an idle hub (the last run is at least a tick ago) runs after the caller's turn (setImmediate,
 * so events several requests bring in one turn still leave together) instead of waiting a tick;
 * under load the runs fall on a steady `tickMs` rhythm. `run` must not throw; its timers are
 * unref()ed and never overlap (a run cannot start while another is on the stack).
 */
export function createTicker(tickMs: number, run: () => void): Ticker {
  let lastRunAtMs = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  function fire(): void {
    timer = undefined;
    immediate = undefined;
    lastRunAtMs = performance.now();
    run();
  }

  return {
    request() {
      if (timer !== undefined || immediate !== undefined) return;
      const waitMs = lastRunAtMs + tickMs - performance.now();
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
