import type { AcceptedEvent } from './wire-types';
import type { EventKind } from './kinds';

/**
 * `GET /v1/history?kind=page_navigation&scraper=a&scraper=b&from=<ms>&to=<ms>&limit=<n>`
 * (`scraper` repeated or comma-separated; absent means every scraper). Events are returned in
 * wire format, oldest first, each with its `eventId`, so a client can merge them with live
 * batches and drop duplicates.
 */
export interface HistoryQuery {
  kind: EventKind;
  scrapers?: string[];
  fromMs: number;
  toMs: number;
  limit?: number;
}

export interface HistoryResponse {
  kind: EventKind;
  fromMs: number;
  toMs: number;
  events: AcceptedEvent[];
  /** True when `limit` cut the result: the newest events up to `limit` are returned. */
  truncated: boolean;
}

export const HISTORY_DEFAULT_LIMIT = 10_000;
export const HISTORY_MAX_LIMIT = 100_000;

/** `GET /v1/scrapers`: every scraper seen within retention, newest activity first. */
export interface ScrapersResponse {
  scrapers: Array<{ name: string; lastSeenMs: number }>;
}
