/**
 * Items kept in ascending time order, at most `capacity` of them: past it the oldest go. Most
 * inserts are at the end (live data); backfills and gap repairs insert older items in place.
 */
export class SortedBuffer<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly capacity: number,
    private readonly timeOf: (item: T) => number,
  ) {}

  get size(): number {
    return this.items.length;
  }

  insert(item: T): void {
    const at = this.upperBound(this.timeOf(item));
    if (at === this.items.length) this.items.push(item);
    else this.items.splice(at, 0, item);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** Replaces the item at exactly `timeOf(item)` if there is one, else inserts it. */
  upsert(item: T): void {
    const time = this.timeOf(item);
    const at = this.lowerBound(time);
    const existing = this.items[at];
    if (existing !== undefined && this.timeOf(existing) === time) this.items[at] = item;
    else this.insert(item);
  }

  /** Items with lowMs < time <= highMs. */
  between(lowMs: number, highMs: number): T[] {
    return this.items.slice(this.upperBound(lowMs), this.upperBound(highMs));
  }

  dropBefore(timeMs: number): void {
    const at = this.lowerBound(timeMs);
    if (at > 0) this.items.splice(0, at);
  }

  toArray(): readonly T[] {
    return this.items;
  }

  /** First index whose time is >= timeMs. */
  private lowerBound(timeMs: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeOf(this.items[mid] as T) < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose time is > timeMs. */
  private upperBound(timeMs: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeOf(this.items[mid] as T) <= timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
