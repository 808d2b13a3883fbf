import { classifyError, errorMessage } from './classify';
import { fieldCoverage, type FieldCounts } from './coverage';
import { elapsedMs, monotonicMs, type Recorder } from './recorder';

export interface TrackScrapeOptions<T> {
  /**
   * Items the scrape extracted: a number, or a function of the result. Default: an array's
   * length, a Set's or Map's size, `result.items.length`, 0 for null/undefined, else 1.
   */
  readonly itemsExtracted?: number | ((result: T) => number);
  /**
   * The extracted items (or a function of the result returning them): the scrape then reports
   * field coverage, and, unless `itemsExtracted` is given, their number as items extracted.
   */
  readonly items?: readonly unknown[] | ((result: T) => readonly unknown[]);
  /**
   * With `items`: the fields to report coverage for (recommended: a field that vanished from every
   * item is then reported as 0 filled). Default: the keys seen on the items.
   */
  readonly expectedFields?: readonly string[];
  /** Field coverage counted by the caller instead of `items` (or a function of the result). */
  readonly fields?: FieldCounts | ((result: T) => FieldCounts);
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
  let itemsExtracted: number;
  let fields: FieldCounts | undefined;
  try {
    const items = typeof options.items === 'function' ? options.items(result) : options.items;
    const count = options.itemsExtracted;
    itemsExtracted = wholeCount(
      typeof count === 'number'
        ? count
        : typeof count === 'function'
          ? count(result)
          : items !== undefined
            ? items.length
            : defaultCount(result),
    );
    fields =
      typeof options.fields === 'function'
        ? options.fields(result)
        : (options.fields ??
          (items !== undefined ? fieldCoverage(items, options.expectedFields) : undefined));
  } catch {
    // A counting function of the caller failed: the scrape itself succeeded and is recorded so.
    itemsExtracted = wholeCount(defaultCount(result));
    fields = undefined;
  }
  recorder.recordScrape({
    url,
    scrapeDurationMs,
    itemsExtracted,
    success: true,
    ...(fields !== undefined ? { fields } : {}),
    runId: options.runId,
    scraperSource: options.scraperSource,
  });
  return result;
}
