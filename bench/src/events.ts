import type { PageNavigationEvent } from '@scrapewatch/protocol';

/**
 * The events every load generator sends: valid `page_navigation` events, unique `eventId`s (so
 * QuestDB's dedup never folds two of them), and the send time carried in `runId` for fan-out.
 */

const SENT_PREFIX = 'sent:';

/**
 * Wall-clock time with sub-millisecond resolution, comparable between processes of one machine:
 * every process's `performance.timeOrigin` is taken from the same system clock.
 */
export function sharedClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export function encodeSentAt(sentAtMs: number): string {
  return `${SENT_PREFIX}${sentAtMs.toFixed(3)}`;
}

/** The send time an event carries: its `runId` when it was stamped by a load generator, else `recordedAt`. */
export function decodeSentAt(event: {
  runId?: string | null;
  recordedAt?: number;
}): number | undefined {
  const runId = event.runId;
  if (typeof runId === 'string' && runId.startsWith(SENT_PREFIX)) {
    const value = Number(runId.slice(SENT_PREFIX.length));
    if (Number.isFinite(value)) return value;
  }
  return typeof event.recordedAt === 'number' ? event.recordedAt : undefined;
}

/** 64 shop domains, so the `domain` symbol and the views see a realistic spread. */
const DOMAIN_COUNT = 64;

export function domainOf(index: number): string {
  return `shop-${index % DOMAIN_COUNT}.example.com`;
}

export interface EventSpec {
  readonly scraper: string;
  /** Unique within the scraper: part of the eventId. */
  readonly sequence: number;
  readonly recordedAt: number;
  /** Stamp the send time into runId (fan-out); ingest leaves runId null. */
  readonly sentAtMs?: number;
}

export function navigationEvent(spec: EventSpec): PageNavigationEvent & { eventId: string } {
  const { scraper, sequence } = spec;
  const success = sequence % 20 !== 0;
  return {
    type: 'page_navigation',
    scraperSource: scraper,
    url: `https://${domainOf(sequence)}/products/${sequence}?page=${sequence % 7}`,
    navigationDurationMs: 100 + (sequence % 900),
    retryCount: sequence % 3,
    success,
    error: success ? null : 'upstream returned 503',
    errorClass: success ? null : 'http_5xx',
    statusCode: success ? 200 : 503,
    bytes: 10_000 + (sequence % 50_000),
    recordedAt: spec.recordedAt,
    runId: spec.sentAtMs === undefined ? null : encodeSentAt(spec.sentAtMs),
    eventId: `${scraper}-${sequence}`,
  };
}
