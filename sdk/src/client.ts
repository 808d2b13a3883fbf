import {
  ScrapewatchError,
  validateEvent,
  validationError,
  type ErrorDetail,
  type MetricEvent,
} from '@scrapewatch/protocol';
import {
  Delivery,
  type CloseResult,
  type DeliveryStats,
  type FlushResult,
} from './delivery/delivery';
import {
  navigationEvent,
  schedulerRunEvent,
  scrapeEvent,
  type EventDefaults,
  type NavigationRecord,
  type SchedulerRunRecord,
  type ScrapeRecord,
} from './events';
import {
  resolveOptions,
  type ErrorContext,
  type ScrapewatchDeps,
  type ScrapewatchOptions,
} from './options';
import {
  trackNavigation,
  type NavigablePage,
  type NavigationResponse,
  type TrackNavigationOptions,
} from './track/navigation';
import { trackScrape, type TrackScrapeOptions } from './track/scrape';
import {
  recordMissedRun,
  trackSchedulerRun,
  type MissedRunOptions,
  type TrackSchedulerRunOptions,
} from './track/scheduler';

export const DEFAULT_CLOSE_DEADLINE_MS = 5_000;

export interface Scrapewatch {
  /** Records one navigation. Returns its eventId, or undefined when the event was invalid (see onError). Never throws. */
  recordNavigation(input: NavigationRecord): string | undefined;
  /** Records one scrape. Never throws. */
  recordScrape(input: ScrapeRecord): string | undefined;
  /** Records one scheduler run (any status). Never throws. */
  recordSchedulerRun(input: SchedulerRunRecord): string | undefined;
  /** Records a run that never started (status 'missed' or 'skipped'). Never throws. */
  recordMissedRun(jobName: string, options: MissedRunOptions): string | undefined;
  /** page.goto with retries, recorded as one page_navigation event. */
  trackNavigation<R extends NavigationResponse>(
    page: NavigablePage<R>,
    url: string,
    options?: TrackNavigationOptions<R>,
  ): Promise<R | null>;
  /** Runs a scrape function, recorded as one page_scrape event. */
  trackScrape<T>(
    url: string,
    fn: () => T | Promise<T>,
    options?: TrackScrapeOptions<T>,
  ): Promise<T>;
  /** Runs a scheduled job, recorded as one scheduler_run event. */
  trackSchedulerRun<T>(
    jobName: string,
    fn: () => T | Promise<T>,
    options?: TrackSchedulerRunOptions<T>,
  ): Promise<T>;
  /** Sends what is queued now; resolves when it is delivered or dropped, or at the deadline. Never rejects. */
  flush(options?: { deadlineMs?: number }): Promise<FlushResult>;
  /** Flushes within the deadline (default 5 s), then gives up on the rest. Idempotent; never rejects. */
  close(options?: { deadlineMs?: number }): Promise<CloseResult>;
  stats(): DeliveryStats;
}

/** Calls a user callback; a callback that throws must not break delivery. */
function guarded<A extends unknown[]>(
  callback: ((...args: A) => void) | undefined,
): (...args: A) => void {
  return (...args: A) => {
    if (!callback) return;
    try {
      callback(...args);
    } catch {
      // The callback's own failure is not the SDK's to report.
    }
  };
}

/**
 * Creates a client. Throws only for invalid options (a programming error at start-up); once
 * created, nothing it does throws into the scraper's code path or keeps the process alive.
 */
export function createScrapewatch(
  options: ScrapewatchOptions,
  deps: ScrapewatchDeps = {},
): Scrapewatch {
  const resolved = resolveOptions(options);
  const nowMs = deps.nowMs ?? Date.now;
  const onError = guarded<[ScrapewatchError, ErrorContext]>(options.onError);
  const delivery = new Delivery(
    resolved,
    { onError, onDrop: guarded(options.onDrop), onRetry: guarded(options.onRetry) },
    deps.random ?? Math.random,
    nowMs,
  );

  function record<I>(
    input: I,
    build: (input: I, defaults: EventDefaults) => MetricEvent,
  ): string | undefined {
    try {
      const now = nowMs();
      const event = build(input, {
        scraper: resolved.scraper,
        schedulerName: resolved.schedulerName,
        nowMs: now,
      });
      const details: ErrorDetail[] = [];
      if (validateEvent(event, 0, { nowMs: now }, details) === undefined) {
        delivery.drop('invalid', 1);
        onError(validationError(details), { source: 'validation', events: 1 });
        return undefined;
      }
      return delivery.enqueue(JSON.stringify(event)) ? event.eventId : undefined;
    } catch (error) {
      // Input that is not even an object (a JavaScript caller), or a value JSON cannot hold.
      delivery.drop('invalid', 1);
      onError(
        new ScrapewatchError('INVALID_TYPE', `The event could not be built: ${String(error)}`, [
          { index: 0, path: '', code: 'INVALID_TYPE', message: String(error) },
        ]),
        { source: 'validation', events: 1 },
      );
      return undefined;
    }
  }

  const client: Scrapewatch = {
    recordNavigation: (input) => record(input, navigationEvent),
    recordScrape: (input) => record(input, scrapeEvent),
    recordSchedulerRun: (input) => record(input, schedulerRunEvent),
    recordMissedRun: (jobName, missed) => recordMissedRun(client, jobName, missed),
    trackNavigation: (page, url, navigation) => trackNavigation(client, page, url, navigation),
    trackScrape: (url, fn, scrape) => trackScrape(client, url, fn, scrape),
    trackSchedulerRun: (jobName, fn, run) => trackSchedulerRun(client, jobName, fn, run),
    flush: (flush) => delivery.flush(flush?.deadlineMs),
    close: (close) => delivery.close(close?.deadlineMs ?? DEFAULT_CLOSE_DEADLINE_MS),
    stats: () => delivery.stats(),
  };
  return client;
}
