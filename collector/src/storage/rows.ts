import type { SenderBuffer } from '@questdb/nodejs-client';
import type {
  AcceptedEvent,
  PageNavigationEvent,
  PageScrapeEvent,
  SchedulerRunEvent,
  SchedulerStatus,
} from '@scrapewatch/protocol';
import { TABLES } from './schema';

// Each event becomes one ILP row of its kind's table, with exactly the column types of schema.ts:
// symbols first (ILP requires it), INT/LONG columns as ILP integers, DOUBLE columns as floats,
// TIMESTAMP columns in microseconds. A column whose value is null is left out (QuestDB stores null).

/** Epoch milliseconds (possibly fractional) to whole epoch microseconds. */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000);
}

/** Lower-cased hostname of `url`, or null when it does not parse or has no host (e.g. `mailto:`). */
export function domainOf(url: string): string | null {
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

function optionalSymbol(
  buffer: SenderBuffer,
  name: string,
  value: string | null | undefined,
): void {
  if (value !== null && value !== undefined) buffer.symbol(name, value);
}

function optionalString(
  buffer: SenderBuffer,
  name: string,
  value: string | null | undefined,
): void {
  if (value !== null && value !== undefined) buffer.stringColumn(name, value);
}

function optionalInt(buffer: SenderBuffer, name: string, value: number | null | undefined): void {
  if (value !== null && value !== undefined) buffer.intColumn(name, value);
}

function writeNavigation(
  buffer: SenderBuffer,
  e: PageNavigationEvent,
  eventId: string,
  receivedAtUs: number,
): void {
  buffer.table(TABLES.page_navigation).symbol('scraper', e.scraperSource);
  optionalSymbol(buffer, 'domain', domainOf(e.url));
  optionalSymbol(buffer, 'error_class', e.errorClass);
  buffer
    .stringColumn('event_id', eventId)
    .stringColumn('url', e.url)
    .floatColumn('duration_ms', e.navigationDurationMs)
    .intColumn('retry_count', e.retryCount)
    .booleanColumn('success', e.success);
  optionalInt(buffer, 'status_code', e.statusCode);
  optionalInt(buffer, 'bytes', e.bytes);
  optionalString(buffer, 'error', e.error);
  optionalString(buffer, 'run_id', e.runId);
  buffer.timestampColumn('received_at', receivedAtUs, 'us');
  buffer.at(toMicros(e.recordedAt), 'us');
}

function writeScrape(
  buffer: SenderBuffer,
  e: PageScrapeEvent,
  eventId: string,
  receivedAtUs: number,
): void {
  buffer.table(TABLES.page_scrape).symbol('scraper', e.scraperSource);
  optionalSymbol(buffer, 'domain', domainOf(e.url));
  optionalSymbol(buffer, 'error_class', e.errorClass);
  buffer
    .stringColumn('event_id', eventId)
    .stringColumn('url', e.url)
    .floatColumn('duration_ms', e.scrapeDurationMs)
    .intColumn('items_extracted', e.itemsExtracted)
    .booleanColumn('success', e.success);
  optionalString(buffer, 'error', e.error);
  optionalString(buffer, 'run_id', e.runId);
  buffer.timestampColumn('received_at', receivedAtUs, 'us');
  buffer.at(toMicros(e.recordedAt), 'us');
}

function writeSchedulerRun(
  buffer: SenderBuffer,
  e: SchedulerRunEvent,
  eventId: string,
  receivedAtUs: number,
): void {
  buffer
    .table(TABLES.scheduler_run)
    .symbol('scheduler_name', e.schedulerName)
    .symbol('job_name', e.jobName);
  optionalSymbol(buffer, 'scraper', e.scraperSource);
  buffer.symbol('status', schedulerStatusOf(e));
  optionalSymbol(buffer, 'error_class', e.errorClass);
  buffer
    .stringColumn('event_id', eventId)
    .booleanColumn('success', schedulerSuccessOf(e))
    .floatColumn('duration_ms', e.durationMs);
  optionalInt(buffer, 'scrapers_run', e.scrapersRun);
  buffer.timestampColumn('scheduled_at', toMicros(e.scheduledAt), 'us');
  if (e.startedAt !== null) {
    buffer
      .timestampColumn('started_at', toMicros(e.startedAt), 'us')
      .floatColumn('lateness_ms', e.startedAt - e.scheduledAt);
  }
  optionalString(buffer, 'error', e.error);
  optionalString(buffer, 'run_id', e.runId);
  buffer.timestampColumn('received_at', receivedAtUs, 'us');
  buffer.at(toMicros(e.recordedAt), 'us');
}

/** Appends one ILP row per event to `buffer`. */
export function writeRows(
  buffer: SenderBuffer,
  events: readonly AcceptedEvent[],
  receivedAtMs: number,
): void {
  const receivedAtUs = toMicros(receivedAtMs);
  for (const event of events) {
    switch (event.type) {
      case 'page_navigation':
        writeNavigation(buffer, event, event.eventId, receivedAtUs);
        break;
      case 'page_scrape':
        writeScrape(buffer, event, event.eventId, receivedAtUs);
        break;
      case 'scheduler_run':
        writeSchedulerRun(buffer, event, event.eventId, receivedAtUs);
        break;
    }
  }
}

/**
 * The ILP bytes of `events` (a copy, owned by the caller). On a mapping error the buffer is
 * cleared, so one bad call never leaks a half row into the next.
 */
export function encodeRows(
  buffer: SenderBuffer,
  events: readonly AcceptedEvent[],
  receivedAtMs: number,
): Buffer {
  try {
    writeRows(buffer, events, receivedAtMs);
    return buffer.toBufferNew() ?? Buffer.alloc(0);
  } finally {
    buffer.reset();
  }
}
