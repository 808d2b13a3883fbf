/**
 * A bounded FIFO ring of serialised events. When full, `push` evicts the oldest entry and returns
 * it, so the caller can count the drop: recent telemetry is worth more than old telemetry.
 */
export interface QueuedEvent {
  /** Monotonic per client; lets flush() wait for "everything recorded before now". */
  readonly seq: number;
  /** The event as one JSON line (serialised at record time, so later mutation cannot change it). */
  readonly line: string;
  /** UTF-8 length of `line` plus its newline. */
  readonly bytes: number;
}

export class BoundedQueue {
  private readonly slots: (QueuedEvent | undefined)[];
  private head = 0;
  private size = 0;
  private totalBytes = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<QueuedEvent | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** NDJSON bytes of everything queued. */
  get bytes(): number {
    return this.totalBytes;
  }

  peek(): QueuedEvent | undefined {
    return this.size === 0 ? undefined : this.slots[this.head];
  }

  /** Appends; when that would pass `limit` (at most the capacity), evicts and returns the oldest. */
  push(item: QueuedEvent, limit: number = this.capacity): QueuedEvent | undefined {
    let evicted: QueuedEvent | undefined;
    if (this.size >= Math.min(limit, this.capacity)) {
      evicted = this.shift();
      if (evicted === undefined) return item; // limit 0: nothing fits, the new item is the drop.
    }
    this.slots[(this.head + this.size) % this.capacity] = item;
    this.size++;
    this.totalBytes += item.bytes;
    return evicted;
  }

  shift(): QueuedEvent | undefined {
    if (this.size === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    this.totalBytes -= item?.bytes ?? 0;
    return item;
  }

  /** Removes up to `maxItems` from the head, stopping before the batch would pass `maxBytes`. */
  take(maxItems: number, maxBytes: number): QueuedEvent[] {
    const out: QueuedEvent[] = [];
    let bytes = 0;
    while (out.length < maxItems && this.size > 0) {
      const next = this.slots[this.head] as QueuedEvent;
      if (out.length > 0 && bytes + next.bytes > maxBytes) break;
      bytes += next.bytes;
      out.push(next);
      this.shift();
    }
    return out;
  }

  /**
   * Puts items back at the head, in order (a batch whose delivery must be retried). Items that no
   * longer fit are the oldest ones and are returned as dropped.
   */
  unshiftAll(items: readonly QueuedEvent[]): QueuedEvent[] {
    const room = this.capacity - this.size;
    const keep = items.length > room ? items.slice(items.length - room) : items;
    const dropped = items.length > room ? items.slice(0, items.length - room) : [];
    for (let i = keep.length - 1; i >= 0; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      const item = keep[i] as QueuedEvent;
      this.slots[this.head] = item;
      this.size++;
      this.totalBytes += item.bytes;
    }
    return dropped;
  }

  /** Empties the queue and returns how many items it held. */
  clear(): number {
    const count = this.size;
    this.slots.fill(undefined);
    this.head = 0;
    this.size = 0;
    this.totalBytes = 0;
    return count;
  }
}
