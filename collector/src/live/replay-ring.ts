/** A sealed batch as the hub keeps it: the serialised message, shared by every send and replay. */
export interface SealedBatch {
  /**
   * The batch's position in its channel: 1, 2, 3... per channel in one process; the JetStream
   * stream sequence of the message that carried it in cluster mode (increasing, not consecutive).
   */
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
 * The batches of one channel, newest `capacity` of them, in seq order. Batches evicted from it
 * keep a small description (seq, kind and event-time range, 25 bytes) in a larger ring allocated
 * at the first eviction, so that a `gap` can say which event times the missing batches covered.
 *
 * `floor`: the ring holds every batch of its channel with a seq above it (nothing about the batches
 * at or below it). It starts at the position the channel's numbering starts after (0 in one
 * process; in cluster mode the stream position the live feed started after) and rises as batches
 * are evicted.
 */
export class ReplayRing {
  /** Newest sealed seq; `floor` before the first batch. */
  newest: number;
  floor: number;
  heldBytes = 0;
  /** Batches pushed so far; a batch's position is its push index. */
  private pushed = 0;
  /** Position of the oldest held batch. */
  private start = 0;
  private readonly held: (SealedBatch | undefined)[] = [];
  private described:
    { seq: Float64Array; minMs: Float64Array; maxMs: Float64Array; kind: Uint8Array } | undefined;
  private readonly describedCapacity: number;
  /** Seq of the newest batch whose description was dropped: below it nothing is known. */
  private forgotten: number;

  constructor(
    private readonly capacity: number,
    floor = 0,
  ) {
    this.describedCapacity = Math.min(capacity * DESCRIBED_PER_HELD, MAX_DESCRIBED);
    this.floor = floor;
    this.forgotten = floor;
    this.newest = floor;
  }

  get heldCount(): number {
    return this.pushed - this.start;
  }

  /** Seq of the oldest held batch; newest + 1 when nothing is held. */
  get oldestHeld(): number {
    return this.heldCount > 0 ? (this.at(this.start)?.seq ?? this.newest + 1) : this.newest + 1;
  }

  /** Whether any batch was ever sealed on this channel. */
  get sealedAny(): boolean {
    return this.pushed > 0;
  }

  /** Appends the next batch (its seq above newest); returns the bytes evicted to make room. */
  push(batch: SealedBatch): number {
    let freed = 0;
    if (this.heldCount >= this.capacity) freed = this.evictOldest();
    this.newest = batch.seq;
    this.held[this.pushed % this.capacity] = batch;
    this.pushed += 1;
    this.heldBytes += batch.bytes.length;
    return freed;
  }

  /** Drops the oldest held batch, keeping its description; returns its size (0 when empty). */
  evictOldest(): number {
    if (this.heldCount <= 0) return 0;
    const position = this.start;
    const slot = position % this.capacity;
    const batch = this.held[slot];
    this.held[slot] = undefined;
    this.start += 1;
    if (batch === undefined) return 0;
    this.floor = batch.seq;
    this.describe(position, batch);
    this.heldBytes -= batch.bytes.length;
    return batch.bytes.length;
  }

  get(seq: number): SealedBatch | undefined {
    const index = this.indexAfter(seq - 1);
    const batch = index < this.pushed ? this.at(index) : undefined;
    return batch?.seq === seq ? batch : undefined;
  }

  /** Held batches with a seq above `afterSeq`, newest first. */
  *newestFirst(afterSeq: number): Generator<SealedBatch> {
    for (let index = this.pushed - 1; index >= this.start; index -= 1) {
      const batch = this.at(index);
      if (batch === undefined || batch.seq <= afterSeq) return;
      yield batch;
    }
  }

  /** Describes batches with seqs in [fromSeq, toSeq], held or evicted, for the kinds in kindMask. */
  missing(fromSeq: number, toSeq: number, kindMask: number): MissingRange {
    if (fromSeq <= this.forgotten || toSeq > this.newest) {
      return { known: false, admitted: true, fromMs: null, toMs: null };
    }
    let fromMs = Infinity;
    let toMs = -Infinity;
    const take = (seq: number, kindIndex: number, minMs: number, maxMs: number): void => {
      if (seq < fromSeq || seq > toSeq || (kindMask & (1 << kindIndex)) === 0) return;
      fromMs = Math.min(fromMs, minMs);
      toMs = Math.max(toMs, maxMs);
    };
    const d = this.described;
    if (d !== undefined) {
      for (let p = Math.max(0, this.start - this.describedCapacity); p < this.start; p += 1) {
        const slot = p % this.describedCapacity;
        take(d.seq[slot] ?? 0, d.kind[slot] ?? 0, d.minMs[slot] ?? NaN, d.maxMs[slot] ?? NaN);
      }
    }
    for (let p = this.start; p < this.pushed; p += 1) {
      const batch = this.at(p);
      if (batch !== undefined) take(batch.seq, batch.kindIndex, batch.minMs, batch.maxMs);
    }
    const admitted = fromMs !== Infinity;
    return {
      known: true,
      admitted,
      fromMs: admitted && Number.isFinite(fromMs) ? fromMs : null,
      toMs: admitted && Number.isFinite(toMs) ? toMs : null,
    };
  }

  private at(position: number): SealedBatch | undefined {
    return this.held[position % this.capacity];
  }

  /** Position of the first held batch with a seq above `seq` (pushed when none). */
  private indexAfter(seq: number): number {
    let low = this.start;
    let high = this.pushed;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.at(mid)?.seq ?? Infinity) > seq) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  private describe(position: number, batch: SealedBatch): void {
    this.described ??= {
      seq: new Float64Array(this.describedCapacity),
      minMs: new Float64Array(this.describedCapacity),
      maxMs: new Float64Array(this.describedCapacity),
      kind: new Uint8Array(this.describedCapacity),
    };
    const slot = position % this.describedCapacity;
    if (position >= this.describedCapacity) this.forgotten = this.described.seq[slot] ?? 0;
    this.described.seq[slot] = batch.seq;
    this.described.minMs[slot] = batch.minMs;
    this.described.maxMs[slot] = batch.maxMs;
    this.described.kind[slot] = batch.kindIndex;
  }
}
