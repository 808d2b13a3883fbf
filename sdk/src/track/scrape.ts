import { classifyError, errorMessage } from './classify';
import { elapsedMs, monotonicMs, type Recorder } from './recorder';

export interface TrackScrapeOptions<T> {
  /**
   * Items the scrape extracted: a number, or a function of the result. Default: an array's
   * length, a Set's or Map's size, `result.items.length`, 0 for null/undefined, else 1.
   */
  readonly itemsExtracted?: number | ((result: T) => number);
  readonly runId?: string;
  readonly scraperSource?: string;
}

function defaultCount(result: unknown): number {
  if (result === null || result === undefined) return 0;
  if (Array.isArray(result)) return result.length;
  if (result instanceof Set || result instanceof Map) return result.size;
  const items = (result as { items?: unknown }).items;
  if (Array.isArray(items)) return items.length;
  return 1;
}

function wholeCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * Runs one scrape and records a page_scrape event (duration, items, success or the classified
 * error). Returns fn's result; rethrows fn's error unchanged (the same object).
 */
export async function trackScrape<T>(
  recorder: Recorder,
  url: string,
  fn: () => T | Promise<T>,
  options: TrackScrapeOptions<T> = {},
): Promise<T> {
  const startMs = monotonicMs();
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    recorder.recordScrape({
      url,
      scrapeDurationMs: elapsedMs(startMs),
      itemsExtracted: 0,
      success: false,
      error: errorMessage(error),
      errorClass: classifyError(error),
      runId: options.runId,
      scraperSource: options.scraperSource,
    });
    throw error;
  }
  const scrapeDurationMs = elapsedMs(startMs);
  const count = options.itemsExtracted;
  const itemsExtracted = wholeCount(
    typeof count === 'number'
      ? count
      : typeof count === 'function'
        ? count(result)
        : defaultCount(result),
  );
  recorder.recordScrape({
    url,
    scrapeDurationMs,
    itemsExtracted,
    success: true,
    runId: options.runId,
    scraperSource: options.scraperSource,
  });
  return result;
}
