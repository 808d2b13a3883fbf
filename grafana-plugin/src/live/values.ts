import { channelOf, eventSucceeded, liveValueOf } from '@scrapewatch/protocol/core';
import type { AcceptedEvent, LiveAggregate, LiveField } from '@scrapewatch/protocol/core';

/** Event time in epoch ms: the scraper's `recordedAt`, the designated timestamp in storage too. */
export function eventTimeMs(event: AcceptedEvent): number {
  return event.recordedAt;
}

// An event's scraper (its live channel and `scraper` column), its success and its plotted values
// are the protocol's own (its dependency-free core, derived from the event registry).
export {
  channelOf as eventScraper,
  eventSucceeded,
  liveValueOf as eventValue,
} from '@scrapewatch/protocol/core';

/** Field coverage of an event (`fields` of page_scrape and scraper_run), or undefined. */
export function eventFields(event: AcceptedEvent): Readonly<Record<string, number>> | undefined {
  return event.type === 'page_scrape' || event.type === 'scraper_run' ? event.fields : undefined;
}

/** The items the coverage counts of an event are over. */
function coveredItems(event: AcceptedEvent): number {
  if (event.type === 'page_scrape') return event.itemsExtracted;
  if (event.type === 'scraper_run') return event.items;
  return 0;
}

/**
 * Fill rate of `field` over the events, 0-100: filled over items, summed over the events that
 * report the field (the others do not say). Null without items.
 */
export function fillPct(events: readonly AcceptedEvent[], field: string): number | null {
  let filled = 0;
  let items = 0;
  for (const event of events) {
    const fields = eventFields(event);
    if (fields === undefined || !Object.hasOwn(fields, field)) continue;
    filled += fields[field] ?? 0;
    items += coveredItems(event);
  }
  return items > 0 ? (100 * filled) / items : null;
}

/** Nearest-rank percentile of unsorted values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

/**
 * One aggregate over the events of one window. count: events; rate: events per second over the
 * window; success_pct: 0-100 (null without events); avg/p95: of `field` (null without values);
 * sum: of `field` (0 without values: nothing was extracted); distinct_scrapers: scrapers with an
 * event in the window.
 */
export function aggregateEvents(
  events: readonly AcceptedEvent[],
  aggregate: LiveAggregate,
  field: LiveField,
  windowMs: number,
): number | null {
  switch (aggregate) {
    case 'count':
      return events.length;
    case 'rate':
      return events.length / (windowMs / 1000);
    case 'success_pct': {
      if (events.length === 0) return null;
      const successes = events.filter(eventSucceeded).length;
      return (100 * successes) / events.length;
    }
    case 'avg': {
      const values = numbers(events, field);
      if (values.length === 0) return null;
      return values.reduce((sum, v) => sum + v, 0) / values.length;
    }
    case 'p95':
      return percentile(numbers(events, field), 95);
    case 'fill_pct':
      // Per coverage field: evaluated by the series, which knows the field of each group.
      return null;
    case 'sum':
      return numbers(events, field).reduce((sum, v) => sum + v, 0);
    case 'distinct_scrapers':
      return new Set(events.map(channelOf)).size;
  }
}

/** Aggregates whose value does not depend on the plotted fields. */
export function isFieldless(aggregate: LiveAggregate): boolean {
  return (
    aggregate === 'count' ||
    aggregate === 'rate' ||
    aggregate === 'success_pct' ||
    aggregate === 'fill_pct' ||
    aggregate === 'distinct_scrapers'
  );
}

function numbers(events: readonly AcceptedEvent[], field: LiveField): number[] {
  const out: number[] = [];
  for (const event of events) {
    const value = liveValueOf(event, field);
    if (value !== null) out.push(value);
  }
  return out;
}
