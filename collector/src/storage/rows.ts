import type {
  AcceptedEvent,
  PageNavigationEvent,
  PageScrapeEvent,
  SchedulerRunEvent,
  SchedulerStatus,
  ScraperRunEvent,
} from '@scrapewatch/protocol';
import { IlpTextEncoder, type IlpRowSink } from './ilp';
import { DERIVED_TABLES, TABLES } from './schema';

// Each event becomes one ILP row of its kind's table, with exactly the column types of schema.ts:
// symbols first (ILP requires it), INT/LONG columns as ILP integers, DOUBLE columns as floats,
// TIMESTAMP columns in microseconds. A column whose value is null is left out (QuestDB stores null).
// The mapping writes to an `IlpRowSink`: the collector's own encoder (ilp.ts), or, in tests and
// the encoder benchmark, the client's buffer, whose bytes it must reproduce.

/** Epoch milliseconds (possibly fractional) to whole epoch microseconds. */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000);
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

function optionalSymbol(rows: IlpRowSink, name: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined) rows.symbol(name, value);
}

function optionalString(rows: IlpRowSink, name: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined) rows.stringColumn(name, value);
}

function optionalInt(rows: IlpRowSink, name: string, value: number | null | undefined): void {
  if (value !== null && value !== undefined) rows.intColumn(name, value);
}

function writeNavigation(
  rows: IlpRowSink,
  e: PageNavigationEvent,
  eventId: string,
  receivedAtUs: number,
): void {
  rows.table(TABLES.page_navigation);
  rows.symbol('scraper', e.scraperSource);
  optionalSymbol(rows, 'domain', domainOf(e.url));
  optionalSymbol(rows, 'error_class', e.errorClass);
  rows.stringColumn('event_id', eventId);
  rows.stringColumn('url', e.url);
  rows.floatColumn('duration_ms', e.navigationDurationMs);
  rows.intColumn('retry_count', e.retryCount);
  rows.booleanColumn('success', e.success);
  optionalInt(rows, 'status_code', e.statusCode);
  optionalInt(rows, 'bytes', e.bytes);
  optionalString(rows, 'error', e.error);
  optionalString(rows, 'run_id', e.runId);
  rows.timestampColumn('received_at', receivedAtUs, 'us');
  rows.at(toMicros(e.recordedAt), 'us');
}

function writeScrape(
  rows: IlpRowSink,
  e: PageScrapeEvent,
  eventId: string,
  receivedAtUs: number,
): void {
  const domain = domainOf(e.url);
  rows.table(TABLES.page_scrape);
  rows.symbol('scraper', e.scraperSource);
  optionalSymbol(rows, 'domain', domain);
  optionalSymbol(rows, 'error_class', e.errorClass);
  rows.stringColumn('event_id', eventId);
  rows.stringColumn('url', e.url);
  rows.floatColumn('duration_ms', e.scrapeDurationMs);
  rows.intColumn('items_extracted', e.itemsExtracted);
  rows.booleanColumn('success', e.success);
  optionalString(rows, 'error', e.error);
  optionalString(rows, 'run_id', e.runId);
  rows.timestampColumn('received_at', receivedAtUs, 'us');
  rows.at(toMicros(e.recordedAt), 'us');
  if (e.fields !== undefined) writeFieldCoverage(rows, e, eventId, domain);
}

/** One field_coverage row per field of the scrape, at the scrape's time. */
function writeFieldCoverage(
  rows: IlpRowSink,
  e: PageScrapeEvent,
  eventId: string,
  domain: string | null,
): void {
  const fields = e.fields ?? {};
  const tsUs = toMicros(e.recordedAt);
  for (const field of Object.keys(fields)) {
    rows.table(DERIVED_TABLES.field_coverage);
    rows.symbol('scraper', e.scraperSource);
    optionalSymbol(rows, 'domain', domain);
    rows.symbol('field', field);
    rows.stringColumn('event_id', eventId);
    rows.intColumn('filled', fields[field] ?? 0);
    rows.intColumn('items', e.itemsExtracted);
    rows.at(tsUs, 'us');
  }
}

function writeSchedulerRun(
  rows: IlpRowSink,
  e: SchedulerRunEvent,
  eventId: string,
  receivedAtUs: number,
): void {
  rows.table(TABLES.scheduler_run);
  rows.symbol('scheduler_name', e.schedulerName);
  rows.symbol('job_name', e.jobName);
  optionalSymbol(rows, 'scraper', e.scraperSource);
  rows.symbol('status', schedulerStatusOf(e));
  optionalSymbol(rows, 'error_class', e.errorClass);
  rows.stringColumn('event_id', eventId);
  rows.booleanColumn('success', schedulerSuccessOf(e));
  rows.floatColumn('duration_ms', e.durationMs);
  optionalInt(rows, 'scrapers_run', e.scrapersRun);
  rows.timestampColumn('scheduled_at', toMicros(e.scheduledAt), 'us');
  if (e.startedAt !== null) {
    rows.timestampColumn('started_at', toMicros(e.startedAt), 'us');
    rows.floatColumn('lateness_ms', e.startedAt - e.scheduledAt);
  }
  optionalString(rows, 'error', e.error);
  optionalString(rows, 'run_id', e.runId);
  rows.timestampColumn('received_at', receivedAtUs, 'us');
  rows.at(toMicros(e.recordedAt), 'us');
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

function writeScraperRun(
  rows: IlpRowSink,
  e: ScraperRunEvent,
  eventId: string,
  receivedAtUs: number,
): void {
  const tsUs = toMicros(e.recordedAt);
  const worst = worstField(e.fields, e.items);
  rows.table(TABLES.scraper_run);
  rows.symbol('scraper', e.scraperSource);
  rows.symbol('outcome', e.outcome);
  if (worst) rows.symbol('worst_field', worst.field);
  optionalSymbol(rows, 'error_class', e.errorClass);
  rows.stringColumn('event_id', eventId);
  rows.stringColumn('run_id', e.runId);
  rows.timestampColumn('started_at', toMicros(e.startedAt), 'us');
  rows.floatColumn('duration_ms', e.recordedAt - e.startedAt);
  rows.intColumn('pages', e.pages);
  rows.intColumn('items', e.items);
  rows.intColumn('errors', e.errors);
  if (worst) rows.floatColumn('worst_fill_pct', worst.fillPct);
  optionalString(rows, 'error', e.error);
  rows.timestampColumn('received_at', receivedAtUs, 'us');
  rows.at(tsUs, 'us');
  const fields = e.fields ?? {};
  for (const field of Object.keys(fields)) {
    rows.table(DERIVED_TABLES.scraper_run_field);
    rows.symbol('scraper', e.scraperSource);
    rows.symbol('field', field);
    rows.stringColumn('event_id', eventId);
    rows.stringColumn('run_id', e.runId);
    rows.intColumn('filled', fields[field] ?? 0);
    rows.intColumn('items', e.items);
    rows.at(tsUs, 'us');
  }
}

/** Writes one ILP row per event to `rows`. */
export function writeRows(
  rows: IlpRowSink,
  events: readonly AcceptedEvent[],
  receivedAtMs: number,
): void {
  const receivedAtUs = toMicros(receivedAtMs);
  for (const event of events) {
    switch (event.type) {
      case 'page_navigation':
        writeNavigation(rows, event, event.eventId, receivedAtUs);
        break;
      case 'page_scrape':
        writeScrape(rows, event, event.eventId, receivedAtUs);
        break;
      case 'scheduler_run':
        writeSchedulerRun(rows, event, event.eventId, receivedAtUs);
        break;
      case 'scraper_run':
        writeScraperRun(rows, event, event.eventId, receivedAtUs);
        break;
    }
  }
}

/**
 * The ILP bytes of `events`, protocol version 1 text. Throws on a value the row cannot carry; no
 * state is kept between calls, so one bad call never leaks a half row into the next.
 */
export function encodeRows(events: readonly AcceptedEvent[], receivedAtMs: number): Buffer {
  const encoder = new IlpTextEncoder();
  writeRows(encoder, events, receivedAtMs);
  return encoder.toBuffer();
}
