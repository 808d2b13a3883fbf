import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { RUN_OUTCOMES, SCHEDULER_STATUSES } from './kinds';
import { ERROR_CLASS_PATTERN, FIELD_NAME_PATTERN, LIMITS, NAME_PATTERN } from './limits';

// Wire format of the three event kinds, camelCase as instrumented scrapers already send it.
// Timestamps are epoch milliseconds. Unknown properties are rejected so typos surface at once.

/**
 * `T | null` as one JSON-schema `type: [T, "null"]` rather than `anyOf`: one error per bad value
 * (so rejections name the real problem) and a faster compiled validator.
 */
function Nullable<T extends TSchema>(schema: T) {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}

const Name = Type.String({ minLength: 1, maxLength: LIMITS.maxNameLength, pattern: NAME_PATTERN });
const Url = Type.String({ minLength: 1, maxLength: LIMITS.maxUrlLength });
const EpochMs = Type.Number({ minimum: 0, maximum: 8_640_000_000_000_000 });
const ErrorText = Nullable(Type.String({ maxLength: LIMITS.maxErrorLength }));
const ErrorClass = Nullable(
  Type.String({
    minLength: 1,
    maxLength: LIMITS.maxErrorClassLength,
    pattern: ERROR_CLASS_PATTERN,
  }),
);
const EventId = Type.String({ minLength: 1, maxLength: LIMITS.maxEventIdLength });
const RunId = Nullable(Type.String({ minLength: 1, maxLength: LIMITS.maxRunIdLength }));
const Duration = (maximum: number) => Type.Number({ minimum: 0, maximum });
const Count = (maximum: number) => Type.Integer({ minimum: 0, maximum });

/**
 * Field coverage: `{ fieldName: filledCount }`, how many of the extracted items had the field
 * filled (not null, not an empty string or array). Each count is at most the items it is counted
 * over (checked in validate.ts, which JSON schema cannot express).
 */
const FieldCoverage = Type.Unsafe<Record<string, number>>({
  type: 'object',
  maxProperties: LIMITS.maxFields,
  propertyNames: {
    type: 'string',
    minLength: 1,
    maxLength: LIMITS.maxFieldNameLength,
    pattern: FIELD_NAME_PATTERN,
  },
  additionalProperties: Count(LIMITS.maxItemsExtracted),
});

export const PageNavigationSchema = Type.Object(
  {
    type: Type.Literal('page_navigation'),
    scraperSource: Name,
    url: Url,
    navigationDurationMs: Duration(LIMITS.maxDurationMs),
    retryCount: Count(LIMITS.maxRetryCount),
    success: Type.Boolean(),
    error: Type.Optional(ErrorText),
    recordedAt: EpochMs,
    statusCode: Type.Optional(Nullable(Type.Integer({ minimum: 100, maximum: 599 }))),
    bytes: Type.Optional(Nullable(Count(LIMITS.maxBytes))),
    errorClass: Type.Optional(ErrorClass),
    runId: Type.Optional(RunId),
    eventId: Type.Optional(EventId),
  },
  { additionalProperties: false },
);

export const PageScrapeSchema = Type.Object(
  {
    type: Type.Literal('page_scrape'),
    scraperSource: Name,
    url: Url,
    scrapeDurationMs: Duration(LIMITS.maxDurationMs),
    itemsExtracted: Count(LIMITS.maxItemsExtracted),
    success: Type.Boolean(),
    error: Type.Optional(ErrorText),
    recordedAt: EpochMs,
    /** Per-field filled counts over the `itemsExtracted` items. */
    fields: Type.Optional(FieldCoverage),
    errorClass: Type.Optional(ErrorClass),
    runId: Type.Optional(RunId),
    eventId: Type.Optional(EventId),
  },
  { additionalProperties: false },
);

export const SchedulerRunSchema = Type.Object(
  {
    type: Type.Literal('scheduler_run'),
    schedulerName: Name,
    jobName: Name,
    scraperSource: Type.Optional(Nullable(Name)),
    durationMs: Duration(LIMITS.maxSchedulerDurationMs),
    /** One of `success` and `status` is required; when both are given they must agree. */
    success: Type.Optional(Type.Boolean()),
    status: Type.Optional(
      Type.Unsafe<(typeof SCHEDULER_STATUSES)[number]>({
        type: 'string',
        enum: [...SCHEDULER_STATUSES],
      }),
    ),
    scrapersRun: Type.Optional(Count(LIMITS.maxScrapersRun)),
    error: Type.Optional(ErrorText),
    errorClass: Type.Optional(ErrorClass),
    /** When the run was due. */
    scheduledAt: EpochMs,
    /** When it actually started; null for a missed or skipped run. */
    startedAt: Nullable(EpochMs),
    recordedAt: EpochMs,
    runId: Type.Optional(RunId),
    eventId: Type.Optional(EventId),
  },
  { additionalProperties: false },
);

/**
 * One run of a scraper, sent when it ends: when it started and ended, how it ended, and what it
 * did (the totals of the events that carry its `runId`). The summary a run is compared on.
 */
export const ScraperRunSchema = Type.Object(
  {
    type: Type.Literal('scraper_run'),
    scraperSource: Name,
    runId: Type.String({ minLength: 1, maxLength: LIMITS.maxRunIdLength }),
    /** When the run started; at most `recordedAt` (its end). */
    startedAt: EpochMs,
    /** When the run ended. */
    recordedAt: EpochMs,
    outcome: Type.Unsafe<(typeof RUN_OUTCOMES)[number]>({
      type: 'string',
      enum: [...RUN_OUTCOMES],
    }),
    /** Navigations of the run. */
    pages: Count(LIMITS.maxRunCount),
    /** Items extracted over the run. */
    items: Count(LIMITS.maxRunCount),
    /** Failed navigations and failed scrapes of the run. */
    errors: Count(LIMITS.maxRunCount),
    /** Per-field filled counts over the run's `items`. */
    fields: Type.Optional(FieldCoverage),
    error: Type.Optional(ErrorText),
    errorClass: Type.Optional(ErrorClass),
    eventId: Type.Optional(EventId),
  },
  { additionalProperties: false },
);

export type PageNavigationEvent = Static<typeof PageNavigationSchema>;
export type PageScrapeEvent = Static<typeof PageScrapeSchema>;
export type SchedulerRunEvent = Static<typeof SchedulerRunSchema>;
export type ScraperRunEvent = Static<typeof ScraperRunSchema>;
export type MetricEvent =
  PageNavigationEvent | PageScrapeEvent | SchedulerRunEvent | ScraperRunEvent;

/** An event as the collector accepted it: `eventId` always set (sent, or derived stably). */
export type AcceptedEvent = MetricEvent & { eventId: string };

/** The channel (live) and `scraper` column (storage) of an event; scheduler runs without a scraper use the scheduler's name. */
export function channelOf(event: MetricEvent): string {
  if (event.type === 'scheduler_run') return event.scraperSource ?? event.schedulerName;
  return event.scraperSource;
}

/** The envelope scrapers may post and the live stream sends (the stream adds `channel` and `seq`). */
export interface MetricsBatchEnvelope {
  type: 'metrics_batch';
  scraperSource?: string;
  count: number;
  timestamp: number;
  metrics: MetricEvent[];
}
