import { fieldCoverage, type FieldCounts } from '@scrapewatch/sdk';

/** The fields of one extracted quote, as the demo scrapers report their coverage. */
export const QUOTE_FIELDS = ['symbol', 'name', 'price', 'change', 'volume', 'marketCap'] as const;
export type QuoteField = (typeof QUOTE_FIELDS)[number];

/** How often a field is legitimately missing on a healthy page (some quotes have no market cap). */
const MISSING_RATE: Readonly<Record<QuoteField, number>> = {
  symbol: 0,
  name: 0.01,
  price: 0.01,
  change: 0.03,
  volume: 0.05,
  marketCap: 0.12,
};

export type Quote = Record<QuoteField, string | number | null>;

/**
 * `count` quotes as a scraper extracts them. Fields in `empty` are never filled: the page layout
 * changed and their selector matches nothing, while the page itself still loads.
 */
export function quoteItems(
  count: number,
  empty: ReadonlySet<string> = new Set(),
  random: () => number = Math.random,
): Quote[] {
  return Array.from({ length: count }, (_, i) => {
    const filled = (field: QuoteField): boolean =>
      !empty.has(field) && random() >= MISSING_RATE[field];
    return {
      symbol: `Q${i}`,
      name: filled('name') ? `Quote ${i}` : '',
      price: filled('price') ? Math.round(random() * 50_000) / 100 : null,
      change: filled('change') ? Math.round((random() - 0.5) * 1_000) / 100 : null,
      volume: filled('volume') ? Math.floor(random() * 1e7) : null,
      marketCap: filled('marketCap') ? Math.floor(random() * 1e12) : null,
    };
  });
}

/** Coverage of `count` simulated quotes without building them (the backfill's fast path). */
export function quoteCoverage(
  count: number,
  empty: ReadonlySet<string> = new Set(),
  random: () => number = Math.random,
): FieldCounts {
  return fieldCoverage(quoteItems(count, empty, random), QUOTE_FIELDS);
}
