import type { AcceptedEvent } from '@scrapewatch/protocol';

/** Called once per sealed batch: all events share the channel and the kind. */
export type SealBatch = (channel: string, kindIndex: number, events: AcceptedEvent[]) => void;

interface PendingBatch {
  readonly channel: string;
  readonly kindIndex: number;
  readonly events: AcceptedEvent[];
  /** performance.now() at which the batch is sealed, whatever its size. */
  readonly sealAtMs: number;
  /** Sealed by the next pass whatever its deadline: it is full, or the linger is 0. */
  full: boolean;
  sealed: boolean;
}

export interface Batcher {
  /** O(1) and never sends: sealing (and so the fan-out) runs later, after the caller's turn. */
  add(channel: string, kindIndex: number, event: AcceptedEvent): void;
  /** Seals every pending batch now, in creation order. */
  flush(): void;
  /** Clears the timer and the immediate; pending batches are dropped (flush first). */
  close(): void;
}

/**
 * A timer that fires this close to a deadline seals the batch rather than re-arming: timers run
 * on a whole-millisecond clock, and one more event-loop hop costs more than the early seal.
 */
const DEADLINE_TOLERANCE_MS = 1;

/**
 * Linger batching per (channel, kind): a batch is sealed `lingerMs` after its first event, or once
 * it holds `batchMaxItems` events. A full batch (and, with `lingerMs` 0, every batch) is sealed by
 * a `setImmediate` pass right after the current I/O turn, never inside `add`: publishing stays
 * proportional to the events, the caller's durable write starts without waiting for the fan-out,
 * and events several requests brought in one turn still share a batch. Since the linger is the
 * same for every batch, creation order is deadline order, so one timer armed for the oldest open
 * batch serves them all. Batches of one (channel, kind) are always sealed in creation order.
 */
export function createBatcher(
  options: { readonly lingerMs: number; readonly batchMaxItems: number },
  seal: SealBatch,
): Batcher {
  const open = new Map<string, (PendingBatch | undefined)[]>();
  /** Batches in creation (= deadline) order; sealed ones are skipped when reached. */
  let queue: PendingBatch[] = [];
  let queueHead = 0;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  /** Takes a batch out of `open`: later events of its (channel, kind) start a new batch. */
  const closeToEvents = (batch: PendingBatch): void => {
    const slots = open.get(batch.channel);
    if (slots === undefined || slots[batch.kindIndex] !== batch) return;
    slots[batch.kindIndex] = undefined;
    if (slots.every((slot) => slot === undefined)) open.delete(batch.channel);
  };

  const sealBatch = (batch: PendingBatch): void => {
    batch.sealed = true;
    closeToEvents(batch);
    seal(batch.channel, batch.kindIndex, batch.events);
  };

  const compact = (): void => {
    if (queueHead > 1_024 && queueHead * 2 > queue.length) {
      queue = queue.slice(queueHead);
      queueHead = 0;
    }
  };

  /**
   * Seals, in creation order, every batch that is full or due. An open batch not yet due stops the
   * pass unless a full batch waits behind it (a batch created earlier may still be lingering while
   * a later one filled): then open batches are skipped, so each (channel, kind) keeps its order
   * (the skipped batch was created earlier than anything of its own key behind it).
   */
  const sealPass = (fullPending: boolean): void => {
    const now = performance.now() + DEADLINE_TOLERANCE_MS;
    let skipped = false;
    for (let index = queueHead; index < queue.length; index += 1) {
      const batch = queue[index];
      if (batch === undefined || batch.sealed) {
        if (!skipped) queueHead = index + 1;
        continue;
      }
      if (batch.full || batch.sealAtMs <= now) {
        sealBatch(batch);
        if (!skipped) queueHead = index + 1;
        continue;
      }
      if (!fullPending) break;
      skipped = true;
    }
    compact();
  };

  const arm = (): void => {
    while (queueHead < queue.length && queue[queueHead]?.sealed === true) queueHead += 1;
    compact();
    const head = queue[queueHead];
    if (timer !== undefined || head === undefined || options.lingerMs === 0) return;
    timer = setTimeout(onTimer, Math.max(0, head.sealAtMs - performance.now()));
    timer.unref();
  };

  function onTimer(): void {
    timer = undefined;
    sealPass(immediate !== undefined);
    arm();
  }

  function onImmediate(): void {
    immediate = undefined;
    sealPass(true);
    arm();
  }

  const scheduleImmediate = (): void => {
    if (immediate !== undefined) return;
    immediate = setImmediate(onImmediate);
    immediate.unref();
  };

  return {
    add(channel, kindIndex, event) {
      let slots = open.get(channel);
      if (slots === undefined) {
        slots = [];
        open.set(channel, slots);
      }
      let batch = slots[kindIndex];
      if (batch === undefined) {
        batch = {
          channel,
          kindIndex,
          events: [],
          sealAtMs: performance.now() + options.lingerMs,
          full: false,
          sealed: false,
        };
        slots[kindIndex] = batch;
        queue.push(batch);
        // With lingerMs 0 a batch takes what this turn brings, then the next pass seals it.
        if (options.lingerMs === 0) {
          batch.full = true;
          scheduleImmediate();
        } else arm();
      }
      batch.events.push(event);
      if (batch.events.length >= options.batchMaxItems) {
        batch.full = true;
        closeToEvents(batch);
        scheduleImmediate();
      }
    },
    flush() {
      for (; queueHead < queue.length; queueHead += 1) {
        const batch = queue[queueHead];
        if (batch !== undefined && !batch.sealed) sealBatch(batch);
      }
      queue = [];
      queueHead = 0;
    },
    close() {
      if (timer !== undefined) clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      timer = undefined;
      immediate = undefined;
      open.clear();
      queue = [];
      queueHead = 0;
    },
  };
}
