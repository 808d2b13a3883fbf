/** A sealed batch as the hub keeps it: the serialised message, shared by every send and replay. */
export interface SealedBatch {
  readonly seq: number;
  /** Index of the batch's event kind in EVENT_KINDS (a batch holds one kind). */
  readonly kindIndex: number;
  readonly count: number;
  readonly bytes: Buffer;
  /** Event-time range (recordedAt) of the batch's events. */
  readonly minMs: number;
  readonly maxMs: number;
}

/** What is known of a range of batches that can no longer be replayed. */
export interface MissingRange {
  /** False when some batch of the range is no longer described: times and kinds are then unknown. */
  readonly known: boolean;
  /** Whether any batch of the range has a kind in the mask (true when unknown). */
  readonly admitted: boolean;
  readonly fromMs: number | null;
  readonly toMs: number | null;
}

/** How many evicted batches stay described (seq, kind, times) per replayed one. */
const DESCRIBED_PER_HELD = 4;
const MAX_DESCRIBED = 1 << 16;

/**
 * The batches of one channel, newest `capacity` of them, indexed by seq. Batches evicted from it
 * keep a small description (kind and event-time range, 17 bytes) in a larger ring allocated at
 * the first eviction, so that a `gap` can say which event times the missing batches covered.
 */
export class ReplayRing {
  /** Newest sealed seq; 0 before the first batch. */
  newest = 0;
  /** Oldest held seq; newest + 1 when nothing is held. */
  oldestHeld = 1;
  heldBytes = 0;
  private readonly held: (SealedBatch | undefined)[] = [];
  private described: { minMs: Float64Array; maxMs: Float64Array; kind: Uint8Array } | undefined;
  private readonly describedCapacity: number;

  constructor(private readonly capacity: number) {
    this.describedCapacity = Math.min(capacity * DESCRIBED_PER_HELD, MAX_DESCRIBED);
  }

  get heldCount(): number {
    return this.newest - this.oldestHeld + 1;
  }

  /** Appends the next batch (its seq must be newest + 1); returns the bytes evicted to make room. */
  push(batch: SealedBatch): number {
    let freed = 0;
    if (this.heldCount >= this.capacity) freed = this.evictOldest();
    this.newest = batch.seq;
    this.held[batch.seq % this.capacity] = batch;
    this.heldBytes += batch.bytes.length;
    return freed;
  }

  /** Drops the oldest held batch, keeping its description; returns its size (0 when empty). */
  evictOldest(): number {
    if (this.heldCount <= 0) return 0;
    const slot = this.oldestHeld % this.capacity;
    const batch = this.held[slot];
    this.held[slot] = undefined;
    this.oldestHeld += 1;
    if (batch === undefined) return 0;
    this.describe(batch);
    this.heldBytes -= batch.bytes.length;
    return batch.bytes.length;
  }

  get(seq: number): SealedBatch | undefined {
    if (seq < this.oldestHeld || seq > this.newest) return undefined;
    return this.held[seq % this.capacity];
  }

  /** Describes batches fromSeq..toSeq (inclusive), held or evicted, for the kinds in kindMask. */
  missing(fromSeq: number, toSeq: number, kindMask: number): MissingRange {
    const oldestDescribed = Math.max(1, this.oldestHeld - this.describedCapacity);
    if (fromSeq < oldestDescribed || toSeq > this.newest) {
      return { known: false, admitted: true, fromMs: null, toMs: null };
    }
    let fromMs = Infinity;
    let toMs = -Infinity;
    for (let seq = fromSeq; seq <= toSeq; seq += 1) {
      let kindIndex: number;
      let minMs: number;
      let maxMs: number;
      const batch = this.get(seq);
      if (batch !== undefined) {
        ({ kindIndex, minMs, maxMs } = batch);
      } else if (this.described !== undefined && seq < this.oldestHeld) {
        const slot = seq % this.describedCapacity;
        kindIndex = this.described.kind[slot] ?? 0;
        minMs = this.described.minMs[slot] ?? NaN;
        maxMs = this.described.maxMs[slot] ?? NaN;
      } else {
        return { known: false, admitted: true, fromMs: null, toMs: null };
      }
      if ((kindMask & (1 << kindIndex)) === 0) continue;
      fromMs = Math.min(fromMs, minMs);
      toMs = Math.max(toMs, maxMs);
    }
    const admitted = fromMs !== Infinity;
    return {
      known: true,
      admitted,
      fromMs: admitted && Number.isFinite(fromMs) ? fromMs : null,
      toMs: admitted && Number.isFinite(toMs) ? toMs : null,
    };
  }

  private describe(batch: SealedBatch): void {
    this.described ??= {
      minMs: new Float64Array(this.describedCapacity),
      maxMs: new Float64Array(this.describedCapacity),
      kind: new Uint8Array(this.describedCapacity),
    };
    const slot = batch.seq % this.describedCapacity;
    this.described.minMs[slot] = batch.minMs;
    this.described.maxMs[slot] = batch.maxMs;
    this.described.kind[slot] = batch.kindIndex;
  }
}
