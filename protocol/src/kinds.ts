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

/**
 * Why a navigation looks blocked, as the SDK's block classifier names it. Users may add their own
 * reasons (any short token); dashboards and rollups count these and put the rest under "other".
 */
export const BLOCK_REASONS = [
  'rate_limited',
  'forbidden',
  'challenge',
  'captcha',
  'login_wall',
  'empty',
] as const;
export type KnownBlockReason = (typeof BLOCK_REASONS)[number];
