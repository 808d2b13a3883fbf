import { setTimeout as sleep } from 'node:timers/promises';
import type { KnownErrorClass } from '@scrapewatch/protocol';
import { classifyError, classifyStatus, errorMessage } from './classify';
import { elapsedMs, monotonicMs, type Recorder } from './recorder';

/** The part of a Playwright/Puppeteer response the wrapper reads. */
export interface NavigationResponse {
  status(): number;
  /** Used for `bytes` (content-length) when present. */
  headers?(): Record<string, string>;
  /** Read only for 403/429/503 answers, to tell a captcha from a plain block. */
  text?(): Promise<string>;
}

/** Anything with Playwright's/Puppeteer's `page.goto` shape. */
export interface NavigablePage<R extends NavigationResponse = NavigationResponse> {
  goto(url: string, options?: { timeout?: number }): Promise<R | null>;
}

export interface TrackNavigationOptions<R extends NavigationResponse = NavigationResponse> {
  /** Extra attempts after the first (default 2). */
  readonly retries?: number;
  /** Passed to goto as `timeout` (Playwright and Puppeteer enforce it). */
  readonly timeoutMs?: number;
  /** Wait before retry n is backoffMs * 2^n (default 1000). */
  readonly backoffMs?: number;
  /** Error classes worth another attempt (default timeout, network, http_5xx). */
  readonly retryOn?: readonly string[];
  /** Further goto options (waitUntil, referer, ...). */
  readonly gotoOptions?: Readonly<Record<string, unknown>>;
  /**
   * Your own verdict on an answer, e.g. a soft block served with 200: return an error class to
   * mark the navigation failed, or undefined to use the built-in classification.
   */
  readonly detect?: (response: R) => string | undefined | Promise<string | undefined>;
  /** Read the body of 403/429/503 answers to detect captcha pages (default true). */
  readonly inspectBody?: boolean;
  readonly runId?: string;
  readonly scraperSource?: string;
}

const DEFAULT_RETRY_ON: readonly KnownErrorClass[] = ['timeout', 'network', 'http_5xx'];
const BODY_SAMPLE_CHARS = 64 * 1024;

function contentLength<R extends NavigationResponse>(response: R): number | null {
  try {
    const value = response.headers?.()['content-length'];
    if (value === undefined) return null;
    const bytes = Number(value);
    return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : null;
  } catch {
    return null;
  }
}

async function bodySample<R extends NavigationResponse>(
  response: R,
  status: number,
): Promise<string | undefined> {
  if (status !== 403 && status !== 429 && status !== 503) return undefined;
  if (typeof response.text !== 'function') return undefined;
  try {
    return (await response.text()).slice(0, BODY_SAMPLE_CHARS);
  } catch {
    return undefined;
  }
}

/**
 * Navigates with retries and records one page_navigation event for the whole call: duration is
 * the sum of the attempts (backoff waits excluded), retryCount the extra attempts made.
 *
 * An HTTP error answer is returned as goto returned it (recorded as failed); a thrown error is
 * rethrown unchanged (the same object) once retries are exhausted.
 */
export async function trackNavigation<R extends NavigationResponse>(
  recorder: Recorder,
  page: NavigablePage<R>,
  url: string,
  options: TrackNavigationOptions<R> = {},
): Promise<R | null> {
  const retries = Math.max(0, Math.floor(options.retries ?? 2));
  const backoffMs = options.backoffMs ?? 1000;
  const retryOn = options.retryOn ?? DEFAULT_RETRY_ON;
  const gotoOptions = {
    ...options.gotoOptions,
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  };
  let durationMs = 0;
  for (let attempt = 0; ; attempt++) {
    const startMs = monotonicMs();
    let response: R | null;
    let errorClass: string | undefined;
    try {
      response = await page.goto(url, gotoOptions);
      const status = response?.status();
      if (response && status !== undefined) {
        errorClass =
          (await options.detect?.(response)) ??
          classifyStatus(
            status,
            options.inspectBody === false ? undefined : await bodySample(response, status),
          );
      }
    } catch (error) {
      durationMs += elapsedMs(startMs);
      const thrownClass = classifyError(error);
      if (attempt < retries && retryOn.includes(thrownClass)) {
        await sleep(backoffMs * 2 ** attempt);
        continue;
      }
      recorder.recordNavigation({
        url,
        navigationDurationMs: durationMs,
        retryCount: attempt,
        success: false,
        error: errorMessage(error),
        errorClass: thrownClass,
        runId: options.runId,
        scraperSource: options.scraperSource,
      });
      throw error;
    }
    durationMs += elapsedMs(startMs);
    if (errorClass !== undefined && attempt < retries && retryOn.includes(errorClass)) {
      await sleep(backoffMs * 2 ** attempt);
      continue;
    }
    const status = response?.status() ?? null;
    recorder.recordNavigation({
      url,
      navigationDurationMs: durationMs,
      retryCount: attempt,
      success: errorClass === undefined,
      error: errorClass === undefined ? null : `HTTP ${String(status)} (${errorClass})`,
      errorClass: errorClass ?? null,
      statusCode: status,
      bytes: response ? contentLength(response) : null,
      runId: options.runId,
      scraperSource: options.scraperSource,
    });
    return response;
  }
}
