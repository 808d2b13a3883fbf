import type { SchedulerStatus } from './kinds';
import type { CoreDerivation, Derivation } from './registry';
import type { AcceptedEvent, MetricEvent, SchedulerRunEvent } from './wire-types';

// Values computed from an event, shared by the collector (storage, live channels) and the
// Grafana plugin (live panels), so both read an event the same way.

/** The channel (live) and `scraper` column (storage) of an event; scheduler runs without a scraper use the scheduler's name. */
export function channelOf(event: MetricEvent): string {
  if (event.type === 'scheduler_run') return event.scraperSource ?? event.schedulerName;
  return event.scraperSource;
}

/** `status` when sent, else derived from `success`. */
export function schedulerStatusOf(event: SchedulerRunEvent): SchedulerStatus {
  if (event.status !== undefined) return event.status;
  return event.success === true ? 'success' : 'failed';
}

/** `success` when sent, else derived from `status` (only `success` counts as a success). */
export function schedulerSuccessOf(event: SchedulerRunEvent): boolean {
  if (event.success !== undefined) return event.success;
  return event.status === 'success';
}

/** Whether the event reports a success (a scheduler run: `success`, else its `status`; a scraper run: its outcome). */
export function eventSucceeded(event: MetricEvent): boolean {
  if (event.type === 'scheduler_run') return schedulerSuccessOf(event);
  if (event.type === 'scraper_run') return event.outcome === 'success';
  return event.success;
}

/**
 * `http(s)://host` followed by the end or `/?#`, the host of ASCII letters, digits, dots and
 * hyphens: what nearly every scraped URL looks like. For such a host the WHATWG parser only
 * lower-cases, unless its last label is a number (an IPv4 address, which it normalises) or a
 * label is punycode (`xn--`, which it validates); those, and every other URL, take the parser.
 */
const PLAIN_HOST_URL = /^https?:\/\/([a-z0-9.-]+)(?:[/?#]|$)/i;
const PARSER_HOST = /(?:^|\.)xn--|(?:^|\.)(?:\d|0x)[^.]*\.?$/i;

/** Lower-cased hostname of `url`, or null when it does not parse or has no host (e.g. `mailto:`). */
export function domainOf(url: string): string | null {
  const plain = PLAIN_HOST_URL.exec(url)?.[1];
  if (plain !== undefined && !PARSER_HOST.test(plain)) {
    const domain = plain.toLowerCase().replace(/\.$/, '');
    return domain.length > 0 ? domain : null;
  }
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return null;
  }
  const domain = hostname.toLowerCase().replace(/\.$/, '');
  return domain.length > 0 ? domain : null;
}

/** The field with the lowest fill rate over `items` (first in key order on a tie), or null. */
export function worstField(
  fields: Readonly<Record<string, number>> | undefined,
  items: number,
): { field: string; fillPct: number } | null {
  if (fields === undefined || items <= 0) return null;
  let worst: { field: string; fillPct: number } | null = null;
  for (const field of Object.keys(fields)) {
    const fillPct = (100 * (fields[field] ?? 0)) / items;
    if (worst === null || fillPct < worst.fillPct) worst = { field, fillPct };
  }
  return worst;
}

/** A derived column's value; null or undefined when the column stays null. */
export type DerivedValue = string | number | boolean | null | undefined;

/**
 * The value of each derived column, from the event and the time the collector accepted it
 * (epoch ms). Values are in wire units (timestamps in epoch ms).
 */
export const DERIVATIONS: Readonly<
  Record<CoreDerivation, (event: AcceptedEvent, receivedAtMs: number) => DerivedValue>
> = Object.freeze({
  domain: (event) => ('url' in event ? domainOf(event.url) : null),
  schedulerStatus: (event) => (event.type === 'scheduler_run' ? schedulerStatusOf(event) : null),
  schedulerSuccess: (event) => (event.type === 'scheduler_run' ? schedulerSuccessOf(event) : null),
  latenessMs: (event) =>
    event.type === 'scheduler_run' && event.startedAt !== null
      ? event.startedAt - event.scheduledAt
      : null,
  receivedAt: (_event, receivedAtMs) => receivedAtMs,
  runDurationMs: (event) =>
    event.type === 'scraper_run' ? event.recordedAt - event.startedAt : null,
  worstField: (event) =>
    event.type === 'scraper_run' ? (worstField(event.fields, event.items)?.field ?? null) : null,
  worstFillPct: (event) =>
    event.type === 'scraper_run' ? (worstField(event.fields, event.items)?.fillPct ?? null) : null,
});

/** The core computation of `derivation`; undefined for one only the collector computes. */
export function coreDerivation(
  derivation: Derivation,
): ((event: AcceptedEvent, receivedAtMs: number) => DerivedValue) | undefined {
  switch (derivation) {
    case 'errorFingerprint':
    case 'errorTemplate':
      return undefined;
    default:
      return DERIVATIONS[derivation];
  }
}
