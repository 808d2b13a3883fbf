import type { DataFrame } from '@grafana/data';
import type { AcceptedEvent } from '@scrapewatch/protocol/core';
import {
  aggregateColumns,
  buildAggregateFrame,
  buildRawFrame,
  seriesOf,
  splitSeries,
  type AggregatePoint,
  type ResolvedQuery,
} from './frames';
import { selects } from './scrapers';
import { SortedBuffer } from './sorted-buffer';
import { aggregateEvents, eventScraper, eventTimeMs, fillPct } from './values';

export interface TargetSeriesOptions {
  /** Rows (raw) or points (aggregate) kept per series: the panel's maxDataPoints. */
  readonly capacity: number;
  /** Events kept per series for aggregate windows and gap repair. */
  readonly maxEvents: number;
  /** Event ids remembered for de-duplication (history and live overlap, replayed batches). */
  readonly maxRememberedIds: number;
}

/**
 * The data of one target, independent of transport: merges history and live events exactly once
 * (by eventId), keeps every series time-ordered and bounded, evaluates rolling aggregates and
 * builds the frames. Everything here is synchronous and deterministic.
 */
export class TargetSeries {
  private readonly seen = new Set<string>();
  private readonly events = new Map<string, SortedBuffer<AcceptedEvent>>();
  private readonly points = new Map<string, SortedBuffer<AggregatePoint>>();
  private newestEventMs: number | null = null;

  constructor(
    readonly query: ResolvedQuery,
    private readonly options: TargetSeriesOptions,
  ) {}

  /** Time of the newest event taken in, if any. */
  get newestMs(): number | null {
    return this.newestEventMs;
  }

  /** Takes in the events this target selects and has not seen; returns how many were new. */
  add(events: readonly AcceptedEvent[]): number {
    let added = 0;
    for (const event of events) {
      if (event.type !== this.query.kind || !selects(this.query.selection, eventScraper(event)))
        continue;
      if (this.seen.has(event.eventId)) continue;
      this.remember(event.eventId);
      for (const group of seriesOf(event, this.query)) {
        let buffer = this.events.get(group);
        if (buffer === undefined) {
          const capacity =
            this.query.mode === 'raw' ? this.options.capacity : this.options.maxEvents;
          buffer = new SortedBuffer<AcceptedEvent>(capacity, eventTimeMs);
          this.events.set(group, buffer);
        }
        buffer.insert(event);
      }
      const timeMs = eventTimeMs(event);
      if (this.newestEventMs === null || timeMs > this.newestEventMs) this.newestEventMs = timeMs;
      added += 1;
    }
    return added;
  }

  /** Aggregate mode: evaluates every series at each of `timesMs`, replacing earlier values there. */
  evaluate(timesMs: readonly number[]): void {
    if (this.query.mode !== 'aggregate') return;
    const columns = aggregateColumns(this.query);
    for (const [group, events] of this.events) {
      let points = this.points.get(group);
      if (points === undefined) {
        points = new SortedBuffer<AggregatePoint>(this.options.capacity, (p) => p.timeMs);
        this.points.set(group, points);
      }
      const { field } = splitSeries(group);
      for (const timeMs of timesMs) {
        const inWindow = events.between(timeMs - this.query.windowMs, timeMs);
        points.upsert({
          timeMs,
          values: columns.map((c) =>
            field !== undefined
              ? fillPct(inWindow, field)
              : aggregateEvents(inWindow, this.query.aggregate, c.field, this.query.windowMs),
          ),
        });
      }
    }
  }

  /** Aggregate mode: re-evaluates the points already computed within [fromMs, toMs] (after a gap repair). */
  reevaluate(fromMs: number, toMs: number): void {
    const times = new Set<number>();
    for (const points of this.points.values()) {
      for (const point of points.between(fromMs - 1, toMs)) times.add(point.timeMs);
    }
    this.evaluate([...times].sort((a, b) => a - b));
  }

  /** Forgets events older than `timeMs` (aggregate windows no longer need them). */
  dropEventsBefore(timeMs: number): void {
    if (this.query.mode !== 'aggregate') return;
    for (const events of this.events.values()) events.dropBefore(timeMs);
  }

  frames(): DataFrame[] {
    const groups = [
      ...(this.query.mode === 'raw' ? this.events.keys() : this.points.keys()),
    ].sort();
    return groups.map((group) =>
      this.query.mode === 'raw'
        ? buildRawFrame(this.query, group, this.events.get(group)?.toArray() ?? [])
        : buildAggregateFrame(this.query, group, this.points.get(group)?.toArray() ?? []),
    );
  }

  private remember(eventId: string): void {
    this.seen.add(eventId);
    if (this.seen.size > this.options.maxRememberedIds) {
      // Sets iterate in insertion order: the first one is the oldest remembered.
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}

/** Evaluation times for an aggregate backfill: a grid of `stepMs` over [fromMs, toMs], plus toMs. */
export function evaluationGrid(fromMs: number, toMs: number, stepMs: number): number[] {
  const times: number[] = [];
  for (let t = Math.ceil(fromMs / stepMs) * stepMs; t < toMs; t += stepMs) times.push(t);
  times.push(toMs);
  return times;
}
