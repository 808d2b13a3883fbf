import type { AcceptedEvent } from '@scrapewatch/protocol';

/** Events of one channel and one kind waiting for the next tick. */
export interface PendingBatch {
  readonly channel: string;
  readonly kindIndex: number;
  readonly events: AcceptedEvent[];
  /** Cluster mode: the stream position that becomes the batch's seq (see LiveHub.publishAt). */
  readonly seq?: number;
}

export interface Batcher {
  /** O(1) and never sends: the events leave at the next tick (see createTicker). */
  add(channel: string, kindIndex: number, event: AcceptedEvent): void;
  /** A batch of its own, sealed as given (never merged with others) with `seq` as its seq. */
  addBatch(channel: string, kindIndex: number, events: AcceptedEvent[], seq: number): void;
  /** Hands over every pending batch in creation order and starts empty. */
  drain(): PendingBatch[];
  /** Events waiting for the next tick. */
  readonly pendingEvents: number;
}

/**
 * Groups the events published between two ticks per (channel, kind), at most `batchMaxItems` to a
 * batch: a full batch is closed and the next event of its key starts another. Batches are handed
 * over in creation order, so the batches of one (channel, kind) keep the order of their events.
 */
export function createBatcher(options: { readonly batchMaxItems: number }): Batcher {
  /** The open (not full) batch per channel, indexed by kind. */
  let open = new Map<string, (PendingBatch | undefined)[]>();
  let batches: PendingBatch[] = [];
  let pendingEvents = 0;

  return {
    add(channel, kindIndex, event) {
      let slots = open.get(channel);
      if (slots === undefined) {
        slots = [];
        open.set(channel, slots);
      }
      let batch = slots[kindIndex];
      if (batch === undefined) {
        batch = { channel, kindIndex, events: [] };
        slots[kindIndex] = batch;
        batches.push(batch);
      }
      batch.events.push(event);
      pendingEvents += 1;
      if (batch.events.length >= options.batchMaxItems) slots[kindIndex] = undefined;
    },
    addBatch(channel, kindIndex, events, seq) {
      batches.push({ channel, kindIndex, events, seq });
      pendingEvents += events.length;
    },
    drain() {
      const drained = batches;
      batches = [];
      open = new Map();
      pendingEvents = 0;
      return drained;
    },
    get pendingEvents() {
      return pendingEvents;
    },
  };
}
