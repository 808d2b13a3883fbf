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
  scraperRunEvent,
  scrapeEvent,
  type EventDefaults,
  type NavigationRecord,
  type SchedulerRunRecord,
  type ScraperRunRecord,
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
import { startRun, trackRun, type ScraperRun, type StartRunOptions } from './track/run';
import { createBlockClassifier } from './track/blocks';
import { trackFetch, type TrackFetchOptions } from './track/fetch';
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
  /** Records a finished scraper run (its summary). Prefer startRun/trackRun, which count for you. Never throws. */
  recordScraperRun(input: ScraperRunRecord): string | undefined;
  /**
   * Starts a scraper run: its navigations and scrapes carry its runId and add up into the summary
   * `finish()` records. Runs still open when the client closes are finished as `aborted`.
   */
  startRun(options?: StartRunOptions): ScraperRun;
  /** Runs fn as one scraper run: finished `success`, or `failed` when fn throws (rethrown). */
  trackRun<T>(fn: (run: ScraperRun) => T | Promise<T>, options?: StartRunOptions): Promise<T>;
  /** Records a run that never started (status 'missed' or 'skipped'). Never throws. */
  recordMissedRun(jobName: string, options: MissedRunOptions): string | undefined;
  /** page.goto with retries, recorded as one page_navigation event. */
  trackNavigation<R extends NavigationResponse>(
    page: NavigablePage<R>,
    url: string,
    options?: TrackNavigationOptions<R>,
  ): Promise<R | null>;
  /**
   * fetch with retries (for HTTP scrapers), recorded as one page_navigation event with status,
   * bytes and block reason. Resolves with fetch's Response, its body unread.
   */
  trackFetch(url: string, init?: RequestInit, options?: TrackFetchOptions): Promise<Response>;
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
  // One per client: it learns each domain's usual page size for the `empty` rule.
  const blocks = createBlockClassifier(options.blockRules);
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

  const openRuns = new Set<ScraperRun>();
  const begin = (runOptions?: StartRunOptions): ScraperRun => {
    const run = startRun(client, runOptions, nowMs, (ended) => openRuns.delete(ended), blocks);
    openRuns.add(run);
    return run;
  };

  const client: Scrapewatch = {
    recordNavigation: (input) => record(input, navigationEvent),
    recordScrape: (input) => record(input, scrapeEvent),
    recordSchedulerRun: (input) => record(input, schedulerRunEvent),
    recordScraperRun: (input) => record(input, scraperRunEvent),
    startRun: begin,
    trackRun: (fn, runOptions) => trackRun(begin(runOptions), fn),
    recordMissedRun: (jobName, missed) => recordMissedRun(client, jobName, missed),
    trackNavigation: (page, url, navigation) =>
      trackNavigation(client, page, url, navigation, blocks),
    trackFetch: (url, init, fetchOptions) => trackFetch(client, url, init, fetchOptions, blocks),
    trackScrape: (url, fn, scrape) => trackScrape(client, url, fn, scrape),
    trackSchedulerRun: (jobName, fn, run) => trackSchedulerRun(client, jobName, fn, run),
    flush: (flush) => delivery.flush(flush?.deadlineMs),
    close: (close) => {
      // A run cut short by shutdown is still a run: its summary goes out with the last batch.
      for (const run of [...openRuns]) {
        run.finish({ outcome: 'aborted', error: 'the client closed before the run finished' });
      }
      return delivery.close(close?.deadlineMs ?? DEFAULT_CLOSE_DEADLINE_MS);
    },
    stats: () => delivery.stats(),
  };
  return client;
}
