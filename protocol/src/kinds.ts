export const EVENT_KINDS = [
  'page_navigation',
  'page_scrape',
  'scheduler_run',
  'scraper_run',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export function isEventKind(value: unknown): value is EventKind {
  return typeof value === 'string' && (EVENT_KINDS as readonly string[]).includes(value);
}

/** The error classes the SDK assigns; the collector accepts any short token. */
export const ERROR_CLASSES = [
  'timeout',
  'network',
  'http_4xx',
  'http_5xx',
  'blocked',
  'captcha',
  'parse',
  'other',
] as const;
export type KnownErrorClass = (typeof ERROR_CLASSES)[number];

/** How a scraper run ended: `aborted` when it was stopped before its end (shutdown, crash handler). */
export const RUN_OUTCOMES = ['success', 'failed', 'aborted'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export const SCHEDULER_STATUSES = ['success', 'failed', 'skipped', 'missed'] as const;
export type SchedulerStatus = (typeof SCHEDULER_STATUSES)[number];
