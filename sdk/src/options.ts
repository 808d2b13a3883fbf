import { ERROR_CLASS_PATTERN, LIMITS, type ScrapewatchError } from '@scrapewatch/protocol';
import type { BlockRule } from './track/blocks';

/** Why events were dropped instead of delivered. */
export type DropReason =
  /** The queue held maxQueueEvents; the oldest event made room for a new one. */
  | 'queue_full'
  /** The event failed validation in the SDK; it was never queued. */
  | 'invalid'
  /** The collector refused the events with a 4xx; resending the same bytes cannot succeed. */
  | 'rejected'
  /** close() reached its deadline before these events were acknowledged. */
  | 'close_deadline'
  /** Recorded after close(). */
  | 'closed';

export interface DropInfo {
  readonly reason: DropReason;
  readonly count: number;
}

export interface RetryInfo {
  /** 0 for the first retry of a batch. */
  readonly attempt: number;
  readonly delayMs: number;
  /** e.g. "HTTP 503", "timeout", "network: ECONNREFUSED". */
  readonly reason: string;
  readonly status: number | undefined;
  /** Events in the batch that will be sent again. */
  readonly events: number;
}

/** Where a reported error arose. */
export interface ErrorContext {
  readonly source: 'validation' | 'collector' | 'internal';
  /** HTTP status of the collector's answer (source 'collector'). */
  readonly status?: number;
  /** Events the error concerns. */
  readonly events: number;
}

export interface ScrapewatchOptions {
  /** Base URL of the collector, e.g. http://127.0.0.1:8080 (events go to `${url}/v1/metrics`). */
  readonly url: string;
  /** Ingest token, sent as `Authorization: Bearer`; omit only against a collector with auth off. */
  readonly token?: string;
  /** The scraperSource of every event that does not name its own. */
  readonly scraper: string;
  /** schedulerName for scheduler runs that do not name one (default: `scraper`). */
  readonly schedulerName?: string;
  /** A batch is sent as soon as it holds this many events (default 500). */
  readonly batchMaxEvents?: number;
  /** ...or this many bytes of NDJSON (default 512 KiB). */
  readonly batchMaxBytes?: number;
  /** ...or when its first event has waited this long (default 1000 ms). */
  readonly lingerMs?: number;
  /** Bound of the in-memory queue, in-flight events included; when full the oldest is dropped (default 100 000). */
  readonly maxQueueEvents?: number;
  /** First backoff ceiling (default 250 ms); doubles per attempt, full jitter. */
  readonly baseRetryDelayMs?: number;
  /** Upper bound of a backoff or a honoured Retry-After (default 30 000 ms). */
  readonly maxRetryDelayMs?: number;
  /** Timeout of one POST (default 10 000 ms). */
  readonly requestTimeoutMs?: number;
  /** Validation failures and collector rejections; called once per occurrence, never throws into the SDK. */
  readonly onError?: (error: ScrapewatchError, context: ErrorContext) => void;
  /** Every drop, with its reason and count. */
  readonly onDrop?: (info: DropInfo) => void;
  /** Every scheduled retry of a batch. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** Only 'http' (POST /v1/metrics, NDJSON, keep-alive) today. */
  readonly transport?: 'http';
  /**
   * Soft-block rules for trackNavigation and trackFetch, tried in order (default
   * DEFAULT_BLOCK_RULES). Extend with `[yourRule, ...DEFAULT_BLOCK_RULES]`.
   */
  readonly blockRules?: readonly BlockRule[];
}

/** Seams for tests and simulations; production code leaves them alone. */
export interface ScrapewatchDeps {
  /** [0, 1); drives the backoff jitter. */
  readonly random?: () => number;
  /** Epoch ms; recordedAt default and the validation window. */
  readonly nowMs?: () => number;
}

export const DEFAULT_OPTIONS = Object.freeze({
  batchMaxEvents: 500,
  batchMaxBytes: 512 * 1024,
  lingerMs: 1_000,
  maxQueueEvents: 100_000,
  baseRetryDelayMs: 250,
  maxRetryDelayMs: 30_000,
  requestTimeoutMs: 10_000,
});

export interface ResolvedOptions {
  readonly endpoint: string;
  readonly token: string | undefined;
  readonly scraper: string;
  readonly schedulerName: string;
  readonly batchMaxEvents: number;
  readonly batchMaxBytes: number;
  readonly lingerMs: number;
  readonly maxQueueEvents: number;
  readonly baseRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly requestTimeoutMs: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(
      `Scrapewatch option ${name} must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`Scrapewatch option ${name} must be a number >= 0, got ${String(value)}`);
  }
  return value;
}

const BLOCK_REASON = new RegExp(ERROR_CLASS_PATTERN);

function checkBlockRules(rules: readonly BlockRule[] | undefined): void {
  if (rules === undefined) return;
  if (!Array.isArray(rules)) throw new TypeError('Scrapewatch option blockRules must be an array');
  rules.forEach((rule: BlockRule, index) => {
    if (
      typeof rule?.reason !== 'string' ||
      !BLOCK_REASON.test(rule.reason) ||
      rule.reason.length > LIMITS.maxErrorClassLength
    ) {
      throw new TypeError(
        `Scrapewatch option blockRules[${index}].reason must match ${ERROR_CLASS_PATTERN} (at most ${LIMITS.maxErrorClassLength} characters)`,
      );
    }
    if (typeof rule.matches !== 'function') {
      throw new TypeError(`Scrapewatch option blockRules[${index}].matches must be a function`);
    }
  });
}

/**
 * Checks the options once, at construction: a misconfigured client is a programming error and
 * fails loudly there, whereas recording never throws.
 */
export function resolveOptions(options: ScrapewatchOptions): ResolvedOptions {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new TypeError(`Scrapewatch option url is not a URL: ${JSON.stringify(options.url)}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`Scrapewatch option url must be http(s), got ${base.protocol}`);
  }
  if (base.username || base.password || base.search) {
    throw new TypeError('Scrapewatch option url must not carry credentials or a query; pass token');
  }
  if (options.transport !== undefined && options.transport !== 'http') {
    throw new TypeError(
      `Scrapewatch option transport must be 'http', got ${String(options.transport)}`,
    );
  }
  if (typeof options.scraper !== 'string' || options.scraper === '') {
    throw new TypeError('Scrapewatch option scraper is required');
  }
  checkBlockRules(options.blockRules);
  const d = DEFAULT_OPTIONS;
  return {
    endpoint: new URL('v1/metrics', base.href.endsWith('/') ? base.href : `${base.href}/`).href,
    token: options.token === '' ? undefined : options.token,
    scraper: options.scraper,
    schedulerName: options.schedulerName ?? options.scraper,
    batchMaxEvents: positiveInt('batchMaxEvents', options.batchMaxEvents, d.batchMaxEvents),
    batchMaxBytes: positiveInt('batchMaxBytes', options.batchMaxBytes, d.batchMaxBytes),
    lingerMs: nonNegative('lingerMs', options.lingerMs, d.lingerMs),
    maxQueueEvents: positiveInt('maxQueueEvents', options.maxQueueEvents, d.maxQueueEvents),
    baseRetryDelayMs: nonNegative('baseRetryDelayMs', options.baseRetryDelayMs, d.baseRetryDelayMs),
    maxRetryDelayMs: nonNegative('maxRetryDelayMs', options.maxRetryDelayMs, d.maxRetryDelayMs),
    requestTimeoutMs: positiveInt('requestTimeoutMs', options.requestTimeoutMs, d.requestTimeoutMs),
  };
}
