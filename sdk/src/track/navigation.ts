import { setTimeout as sleep } from 'node:timers/promises';
import type { KnownErrorClass } from '@scrapewatch/protocol';
import {
  BODY_SAMPLE_CHARS,
  HEAD_SAMPLE_CHARS,
  createBlockClassifier,
  type BlockClassifier,
} from './blocks';
import { classifyError, classifyStatus, errorMessage } from './classify';
import { elapsedMs, monotonicMs, type Recorder } from './recorder';

/** The part of a Playwright/Puppeteer response the wrapper reads. */
export interface NavigationResponse {
  status(): number;
  /** Used for `bytes` (content-length) when present. */
  headers?(): Record<string, string>;
  /** Read for refusals and small or unsized 2xx answers, to detect block pages (see blocks.ts). */
  text?(): Promise<string>;
  /** The URL the navigation ended on, after redirects (Playwright, Puppeteer and fetch have it). */
  url?(): string;
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
  /**
   * Read the body of refusals (4xx/5xx) and of 2xx answers without a content-length or smaller
   * than 50 kB, to detect block pages (default true). Without it only status, headers and URLs
   * are classified.
   */
  readonly inspectBody?: boolean;
  readonly runId?: string;
  readonly scraperSource?: string;
}

const DEFAULT_RETRY_ON: readonly KnownErrorClass[] = ['timeout', 'network', 'http_5xx'];
/** 2xx answers at least this large (by content-length) are content, not block pages: not read. */
const READ_2XX_BELOW_BYTES = 50_000;

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

function headersOf<R extends NavigationResponse>(response: R): Record<string, string> {
  try {
    return response.headers?.() ?? {};
  } catch {
    return {};
  }
}

function finalUrlOf<R extends NavigationResponse>(response: R, requested: string): string {
  try {
    return response.url?.() || requested;
  } catch {
    return requested;
  }
}

/** The whole body, when worth reading for block detection (see `inspectBody`). */
async function bodyOf<R extends NavigationResponse>(
  response: R,
  status: number,
  declaredBytes: number | null,
): Promise<string | undefined> {
  const worthReading =
    status >= 400 ||
    (status >= 200 &&
      status < 300 &&
      (declaredBytes === null || declaredBytes < READ_2XX_BELOW_BYTES));
  if (!worthReading || typeof response.text !== 'function') return undefined;
  try {
    return await response.text();
  } catch {
    return undefined;
  }
}

/** The error class of a soft block: captcha pages keep their own class, every other block is `blocked`. */
function blockErrorClass(reason: string): string {
  return reason === 'captcha' ? 'captcha' : 'blocked';
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
  blocks: BlockClassifier = createBlockClassifier(),
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
    let blockReason: string | undefined;
    let bytes: number | null = null;
    // The navigation's own time: reading the body and classifying it are not the site's.
    let attemptMs: number | undefined;
    try {
      response = await page.goto(url, gotoOptions);
      attemptMs = elapsedMs(startMs);
      const status = response?.status();
      if (response && status !== undefined) {
        bytes = contentLength(response);
        const body =
          options.inspectBody === false ? undefined : await bodyOf(response, status, bytes);
        if (bytes === null && body !== undefined) bytes = Buffer.byteLength(body);
        blockReason = blocks.classify({
          status,
          headers: headersOf(response),
          requestedUrl: url,
          finalUrl: finalUrlOf(response, url),
          body:
            body === undefined
              ? undefined
              : body.slice(0, status >= 400 ? BODY_SAMPLE_CHARS : HEAD_SAMPLE_CHARS),
          bytes,
        });
        errorClass =
          (await options.detect?.(response)) ??
          (blockReason === undefined
            ? classifyStatus(status, undefined)
            : blockErrorClass(blockReason));
      }
    } catch (error) {
      durationMs += attemptMs ?? elapsedMs(startMs);
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
    durationMs += attemptMs ?? elapsedMs(startMs);
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
      blockReason: blockReason ?? null,
      statusCode: status,
      bytes,
      runId: options.runId,
      scraperSource: options.scraperSource,
    });
    return response;
  }
}
