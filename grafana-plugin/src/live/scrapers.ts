import { WILDCARD_CHANNEL } from '@scrapewatch/protocol/core';

/** Every scraper, or exactly these (sorted, unique). */
export type ScraperSelection = { all: true } | { all: false; names: string[] };

/** What a variable's "All" may interpolate to when the dashboard sets a custom all value. */
const ALL_MARKERS = new Set([WILDCARD_CHANNEL, '.*', '$__all']);

/**
 * Resolves the target's `scrapers` (names or template variables) through `interpolate`, which
 * must format multi-value variables as comma-separated values (Grafana's `csv` format). An empty
 * list, or any entry that comes out as the All marker ("*", ".*", "$__all"), selects every scraper.
 * Grafana expands All without a custom all value into every value, which lands here as a list.
 */
export function resolveScrapers(
  scrapers: readonly string[] | undefined,
  interpolate: (text: string) => string,
): ScraperSelection {
  const names = new Set<string>();
  for (const entry of scrapers ?? []) {
    for (const raw of interpolate(entry).split(',')) {
      const name = raw.trim();
      if (name === '') continue;
      if (ALL_MARKERS.has(name)) return { all: true };
      names.add(name);
    }
  }
  if (names.size === 0) return { all: true };
  return { all: false, names: [...names].sort() };
}

/** The stream channels to subscribe for a selection. */
export function channelsFor(selection: ScraperSelection): string[] {
  return selection.all ? [WILDCARD_CHANNEL] : selection.names;
}

export function selects(selection: ScraperSelection, scraper: string): boolean {
  return selection.all || selection.names.includes(scraper);
}
