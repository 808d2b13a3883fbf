import { randomUUID } from 'node:crypto';
import {
  LIMITS,
  type PageNavigationEvent,
  type PageScrapeEvent,
  type RunOutcome,
  type SchedulerRunEvent,
  type SchedulerStatus,
  type ScraperRunEvent,
} from '@scrapewatch/protocol';

/** What a caller gives recordNavigation; the client fills scraperSource, recordedAt and eventId. */
export interface NavigationRecord {
  readonly url: string;
  readonly navigationDurationMs: number;
  readonly success: boolean;
  /** Default 0. */
  readonly retryCount?: number;
  readonly error?: string | null;
  readonly statusCode?: number | null;
  readonly bytes?: number | null;
  readonly errorClass?: string | null;
  /** Soft-block verdict (rate_limited, forbidden, challenge, captcha, login_wall, empty, or your own). */
  readonly blockReason?: string | null;
  readonly runId?: string | null;
  /** Default: the client's `scraper`. */
  readonly scraperSource?: string;
  /** Epoch ms; default now. */
  readonly recordedAt?: number;
  /** Default: a fresh UUID. Give your own only if it is unique per event: it is the dedup key. */
  readonly eventId?: string;
}

export interface ScrapeRecord {
  readonly url: string;
  readonly scrapeDurationMs: number;
  readonly itemsExtracted: number;
  readonly success: boolean;
  /** Field coverage: on how many of the `itemsExtracted` items each field is filled. */
  readonly fields?: Readonly<Record<string, number>>;
  readonly error?: string | null;
  readonly errorClass?: string | null;
  readonly runId?: string | null;
  readonly scraperSource?: string;
  readonly recordedAt?: number;
  readonly eventId?: string;
}

export interface SchedulerRunRecord {
  readonly jobName: string;
  readonly status: SchedulerStatus;
  /** When the run was due (epoch ms). */
  readonly scheduledAt: number;
  /** When it started (epoch ms); null or absent for a missed or skipped run. */
  readonly startedAt?: number | null;
  /** Default 0. */
  readonly durationMs?: number;
  /** Default: the client's `schedulerName`. */
  readonly schedulerName?: string;
  /** The scraper the job runs, if it runs one; absent: none. */
  readonly scraperSource?: string | null;
  readonly scrapersRun?: number;
  readonly error?: string | null;
  readonly errorClass?: string | null;
  readonly runId?: string | null;
  readonly recordedAt?: number;
  readonly eventId?: string;
}

export interface ScraperRunRecord {
  readonly runId: string;
  /** When the run started (epoch ms). */
  readonly startedAt: number;
  readonly outcome: RunOutcome;
  /** Navigations, items extracted and failed navigations + scrapes of the run. */
  readonly pages: number;
  readonly items: number;
  readonly errors: number;
  /** Per-field filled counts over the run's `items`. */
  readonly fields?: Readonly<Record<string, number>>;
  readonly error?: string | null;
  readonly errorClass?: string | null;
  readonly scraperSource?: string;
  /** When the run ended (epoch ms); default now. */
  readonly recordedAt?: number;
  readonly eventId?: string;
}

export interface EventDefaults {
  readonly scraper: string;
  readonly schedulerName: string;
  readonly nowMs: number;
}

/** Free text is shortened to its limit rather than failing the whole event. */
function clip(text: string | null | undefined, max: number): string | null | undefined {
  return typeof text === 'string' && text.length > max ? text.slice(0, max) : text;
}

/**
 * Copies the optional fields that are set. Objects are built field by field (no spread, no
 * delete): stable shapes keep validation and serialisation fast, and unknown properties of a
 * JavaScript caller's input are left behind.
 */
function copyOptional<T extends object, K extends keyof T>(
  target: T,
  input: Partial<Pick<T, K>>,
  keys: readonly K[],
): T {
  for (const key of keys) {
    const value = input[key];
    if (value !== undefined) target[key] = value as T[K];
  }
  return target;
}

const NAVIGATION_OPTIONAL = ['statusCode', 'bytes', 'errorClass', 'blockReason', 'runId'] as const;
const SCRAPE_OPTIONAL = ['fields', 'errorClass', 'runId'] as const;
const SCHEDULER_OPTIONAL = ['scraperSource', 'scrapersRun', 'errorClass', 'runId'] as const;
const RUN_OPTIONAL = ['fields', 'errorClass'] as const;

export function navigationEvent(input: NavigationRecord, d: EventDefaults): PageNavigationEvent {
  const event: PageNavigationEvent = {
    type: 'page_navigation',
    scraperSource: input.scraperSource ?? d.scraper,
    url: clip(input.url, LIMITS.maxUrlLength) as string,
    navigationDurationMs: input.navigationDurationMs,
    retryCount: input.retryCount ?? 0,
    success: input.success,
    error: clip(input.error ?? null, LIMITS.maxErrorLength),
    recordedAt: input.recordedAt ?? d.nowMs,
    eventId: input.eventId ?? randomUUID(),
  };
  return copyOptional(event, input, NAVIGATION_OPTIONAL);
}

export function scrapeEvent(input: ScrapeRecord, d: EventDefaults): PageScrapeEvent {
  const event: PageScrapeEvent = {
    type: 'page_scrape',
    scraperSource: input.scraperSource ?? d.scraper,
    url: clip(input.url, LIMITS.maxUrlLength) as string,
    scrapeDurationMs: input.scrapeDurationMs,
    itemsExtracted: input.itemsExtracted,
    success: input.success,
    error: clip(input.error ?? null, LIMITS.maxErrorLength),
    recordedAt: input.recordedAt ?? d.nowMs,
    eventId: input.eventId ?? randomUUID(),
  };
  return copyOptional(event, input, SCRAPE_OPTIONAL);
}

export function schedulerRunEvent(input: SchedulerRunRecord, d: EventDefaults): SchedulerRunEvent {
  const event: SchedulerRunEvent = {
    type: 'scheduler_run',
    schedulerName: input.schedulerName ?? d.schedulerName,
    jobName: input.jobName,
    durationMs: input.durationMs ?? 0,
    status: input.status,
    success: input.status === 'success',
    scheduledAt: input.scheduledAt,
    startedAt: input.startedAt ?? null,
    error: clip(input.error ?? null, LIMITS.maxErrorLength),
    recordedAt: input.recordedAt ?? d.nowMs,
    eventId: input.eventId ?? randomUUID(),
  };
  return copyOptional(event, input, SCHEDULER_OPTIONAL);
}

export function scraperRunEvent(input: ScraperRunRecord, d: EventDefaults): ScraperRunEvent {
  const event: ScraperRunEvent = {
    type: 'scraper_run',
    scraperSource: input.scraperSource ?? d.scraper,
    runId: input.runId,
    startedAt: input.startedAt,
    recordedAt: input.recordedAt ?? d.nowMs,
    outcome: input.outcome,
    pages: input.pages,
    items: input.items,
    errors: input.errors,
    error: clip(input.error ?? null, LIMITS.maxErrorLength),
    eventId: input.eventId ?? randomUUID(),
  };
  return copyOptional(event, input, RUN_OPTIONAL);
}
