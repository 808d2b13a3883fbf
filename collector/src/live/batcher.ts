import type { AcceptedEvent } from '@scrapewatch/protocol';

/** Called once per sealed batch: all events share the channel and the kind. */
export type SealBatch = (channel: string, kindIndex: number, events: AcceptedEvent[]) => void;

interface PendingBatch {
  readonly channel: string;
  readonly kindIndex: number;
  readonly events: AcceptedEvent[];
  /** performance.now() at which the batch is sealed, whatever its size. */
  readonly sealAtMs: number;
  sealed: boolean;
}

export interface Batcher {
  add(channel: string, kindIndex: number, event: AcceptedEvent): void;
  /** Seals every pending batch now, oldest first. */
  flush(): void;
  /** Clears the timer; pending batches are dropped (flush first). */
  close(): void;
}

/**
 * Linger batching per (channel, kind): a batch is sealed when it holds `batchMaxItems` events or
 * `lingerMs` after its first event. Since the linger is the same for every batch, creation order
 * is deadline order, so one timer armed for the oldest open batch serves them all. With
 * `lingerMs` 0 the caller flushes after each publish.
 */
export function createBatcher(
  options: { readonly lingerMs: number; readonly batchMaxItems: number },
  seal: SealBatch,
): Batcher {
  const open = new Map<string, (PendingBatch | undefined)[]>();
  /** Open batches in creation (= deadline) order; sealed ones are skipped when reached. */
  let queue: PendingBatch[] = [];
  let queueHead = 0;
  let timer: NodeJS.Timeout | undefined;

  const sealBatch = (batch: PendingBatch): void => {
    batch.sealed = true;
    const slots = open.get(batch.channel);
    if (slots !== undefined) {
      slots[batch.kindIndex] = undefined;
      if (slots.every((slot) => slot === undefined)) open.delete(batch.channel);
    }
    seal(batch.channel, batch.kindIndex, batch.events);
  };

  const compact = (): void => {
    if (queueHead > 1_024 && queueHead * 2 > queue.length) {
      queue = queue.slice(queueHead);
      queueHead = 0;
    }
  };

  const arm = (): void => {
    while (queueHead < queue.length && queue[queueHead]?.sealed === true) queueHead += 1;
    compact();
    const head = queue[queueHead];
    if (timer !== undefined || head === undefined) return;
    timer = setTimeout(onTimer, Math.max(0, head.sealAtMs - performance.now()));
    timer.unref();
  };

  function onTimer(): void {
    timer = undefined;
    const now = performance.now();
    for (let head = queue[queueHead]; head !== undefined; head = queue[queueHead]) {
      if (!head.sealed) {
        if (head.sealAtMs > now) break;
        sealBatch(head);
      }
      queueHead += 1;
    }
    arm();
  }

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
          sealed: false,
        };
        slots[kindIndex] = batch;
        queue.push(batch);
        arm();
      }
      batch.events.push(event);
      if (batch.events.length >= options.batchMaxItems) sealBatch(batch);
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
      timer = undefined;
      open.clear();
      queue = [];
      queueHead = 0;
    },
  };
}
