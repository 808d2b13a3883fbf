// Public surface of @scrapewatch/sdk.
export { createScrapewatch, DEFAULT_CLOSE_DEADLINE_MS } from './client';
export type { Scrapewatch } from './client';
export { DEFAULT_OPTIONS } from './options';
export type {
  ScrapewatchOptions,
  ScrapewatchDeps,
  DropReason,
  DropInfo,
  RetryInfo,
  ErrorContext,
} from './options';
export type { DeliveryStats, FlushResult, CloseResult } from './delivery/delivery';
export { retryDelayMs, parseRetryAfterMs } from './delivery/retry';
export type { RetryPolicy } from './delivery/retry';
export type {
  NavigationRecord,
  ScrapeRecord,
  SchedulerRunRecord,
  ScraperRunRecord,
} from './events';
export type { ScraperRun, StartRunOptions, FinishRunOptions } from './track/run';
export type { NavigablePage, NavigationResponse, TrackNavigationOptions } from './track/navigation';
export type { TrackScrapeOptions } from './track/scrape';
export { fieldCoverage, isFilled } from './track/coverage';
export type { FieldCounts } from './track/coverage';
export type { TrackSchedulerRunOptions, MissedRunOptions } from './track/scheduler';
export type { TrackFetchOptions } from './track/fetch';
export { classifyError, classifyStatus, CAPTCHA_MARKERS } from './track/classify';
export {
  DEFAULT_BLOCK_RULES,
  BODY_SAMPLE_CHARS,
  HEAD_SAMPLE_CHARS,
  EMPTY_RATIO,
  classifyBlock,
  createBlockClassifier,
} from './track/blocks';
export type { BlockRule, BlockSignals, BlockClassifier } from './track/blocks';
export { ScrapewatchError, ERROR_CLASSES, BLOCK_REASONS } from '@scrapewatch/protocol';
export type {
  ErrorCode,
  ErrorDetail,
  KnownErrorClass,
  RunOutcome,
  KnownBlockReason,
  SchedulerStatus,
} from '@scrapewatch/protocol';
