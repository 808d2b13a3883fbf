import { randomUUID } from 'node:crypto';
import { LIMITS, type RunOutcome } from '@scrapewatch/protocol';
import type { NavigationRecord, ScrapeRecord } from '../events';
import { classifyError, errorMessage } from './classify';
import type { BlockClassifier } from './blocks';
import { trackNavigation, type NavigablePage, type NavigationResponse } from './navigation';
import type { TrackNavigationOptions } from './navigation';
import type { Recorder } from './recorder';
import { trackScrape, type TrackScrapeOptions } from './scrape';

export interface StartRunOptions {
  /** Default: a fresh UUID. Every event of the run carries it. */
  readonly runId?: string;
  /** Default: the client's `scraper`. */
  readonly scraperSource?: string;
}

export interface FinishRunOptions {
  /** Default 'success'. */
  readonly outcome?: RunOutcome;
  readonly error?: string | null;
  readonly errorClass?: string | null;
}

/**
 * One run of a scraper: its navigations and scrapes carry its `runId` and add up into the
 * scraper_run event `finish()` records (pages, items, errors, field coverage, start, end, outcome).
 */
export interface ScraperRun {
  readonly runId: string;
  /** Epoch ms. */
  readonly startedAt: number;
  recordNavigation(input: Omit<NavigationRecord, 'runId'>): string | undefined;
  recordScrape(input: Omit<ScrapeRecord, 'runId'>): string | undefined;
  trackNavigation<R extends NavigationResponse>(
    page: NavigablePage<R>,
    url: string,
    options?: Omit<TrackNavigationOptions<R>, 'runId' | 'scraperSource'>,
  ): Promise<R | null>;
  trackScrape<T>(
    url: string,
    fn: () => T | Promise<T>,
    options?: Omit<TrackScrapeOptions<T>, 'runId' | 'scraperSource'>,
  ): Promise<T>;
  /** Ends the run and records its summary; returns its eventId. Later calls do nothing. */
  finish(options?: FinishRunOptions): string | undefined;
  readonly finished: boolean;
}

/**
 * Starts a run recorded through `recorder`. `onFinish` is told when it ends (the client keeps
 * open runs to end them as `aborted` when it closes).
 */
export function startRun(
  recorder: Recorder,
  options: StartRunOptions = {},
  nowMs: () => number = Date.now,
  onFinish: (run: ScraperRun) => void = () => {},
  /** The client's block classifier, so a run's navigations share what it learnt of page sizes. */
  blocks?: BlockClassifier,
): ScraperRun {
  const runId = options.runId ?? randomUUID();
  const scraperSource = options.scraperSource;
  const startedAt = nowMs();
  let pages = 0;
  let items = 0;
  let errors = 0;
  const fields = new Map<string, number>();
  let finished = false;

  // Adds every event to the totals, tagged with the run (and its scraper, when it has its own).
  const tagged: Recorder = {
    recordNavigation(input) {
      pages += 1;
      if (!input.success) errors += 1;
      return recorder.recordNavigation({ ...input, runId, ...scraperOf(input) });
    },
    recordScrape(input) {
      if (!input.success) errors += 1;
      items += input.itemsExtracted;
      for (const [field, filled] of Object.entries(input.fields ?? {})) {
        if (fields.has(field) || fields.size < LIMITS.maxFields) {
          fields.set(field, (fields.get(field) ?? 0) + filled);
        }
      }
      return recorder.recordScrape({ ...input, runId, ...scraperOf(input) });
    },
    recordSchedulerRun: (input) => recorder.recordSchedulerRun(input),
    recordScraperRun: (input) => recorder.recordScraperRun(input),
  };

  function scraperOf(input: { scraperSource?: string }): { scraperSource?: string } {
    const source = input.scraperSource ?? scraperSource;
    return source === undefined ? {} : { scraperSource: source };
  }

  const run: ScraperRun = {
    runId,
    startedAt,
    get finished() {
      return finished;
    },
    recordNavigation: (input) => tagged.recordNavigation(input),
    recordScrape: (input) => tagged.recordScrape(input),
    trackNavigation: (page, url, navigation) =>
      trackNavigation(tagged, page, url, navigation, blocks),
    trackScrape: (url, fn, scrape) => trackScrape(tagged, url, fn, scrape),
    finish(finish = {}) {
      if (finished) return undefined;
      finished = true;
      onFinish(run);
      const recordedAt = Math.max(startedAt, nowMs());
      return recorder.recordScraperRun({
        runId,
        startedAt,
        recordedAt,
        outcome: finish.outcome ?? 'success',
        pages,
        items,
        errors,
        ...(fields.size > 0 ? { fields: Object.fromEntries(fields) } : {}),
        ...(finish.error !== undefined ? { error: finish.error } : {}),
        ...(finish.errorClass !== undefined ? { errorClass: finish.errorClass } : {}),
        ...(scraperSource !== undefined ? { scraperSource } : {}),
      });
    },
  };
  return run;
}

/**
 * Runs `fn` as one whole run: finished `success` when it resolves, `failed` with the classified
 * error when it throws (rethrown unchanged).
 */
export async function trackRun<T>(
  run: ScraperRun,
  fn: (run: ScraperRun) => T | Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await fn(run);
  } catch (error) {
    run.finish({ outcome: 'failed', error: errorMessage(error), errorClass: classifyError(error) });
    throw error;
  }
  run.finish({ outcome: 'success' });
  return result;
}
