import { RUN_OUTCOMES, SCHEDULER_STATUSES, type EventKind } from './kinds';
import { ERROR_CLASS_PATTERN, FIELD_NAME_PATTERN, LIMITS, NAME_PATTERN } from './limits';
import type { LiveField } from './live-query';

/**
 * One declaration per event kind: its wire fields (name, type, limits, documentation) and its
 * QuestDB columns (name, type, symbol or not, dedup key, rollup role, the schema version that
 * added it). Everything else is derived from it: the wire types, the JSON schemas the collector
 * validates with, the raw tables' DDL, the ILP rows, the history rows, docs/events.md and the
 * OpenAPI document. Dependency-free, so the browser bundle can import it.
 *
 * Adding a field: add it to `fields` (wire order: the order validation reports problems in), add
 * its column to the end of `columns` with `since` set to a new schema version, and add that
 * version to the collector's migrations (docs/architecture.md).
 */

/** The JSON type of a wire field, with its limits. */
export type WireType =
  | {
      readonly type: 'string';
      readonly minLength?: number;
      readonly maxLength: number;
      readonly pattern?: string;
    }
  | { readonly type: 'number'; readonly minimum: number; readonly maximum: number }
  | { readonly type: 'integer'; readonly minimum: number; readonly maximum: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | {
      /** `{ name: count }`: an object of whole numbers keyed by names. */
      readonly type: 'counts';
      readonly maxProperties: number;
      readonly key: {
        readonly minLength: number;
        readonly maxLength: number;
        readonly pattern: string;
      };
      readonly maximum: number;
    };

export interface FieldSpec {
  /** The camelCase name scrapers send. */
  readonly name: string;
  readonly value: WireType;
  readonly required: boolean;
  /** `null` is accepted (and means the same as absent). */
  readonly nullable: boolean;
  readonly doc: string;
  /** Where a field without a column of its own is stored (e.g. one row per entry elsewhere). */
  readonly storedIn?: string;
  /** The value live panels plot for this field (`success` is every kind's, see eventSucceeded). */
  readonly live?: Exclude<LiveField, 'success'>;
}

export type ColumnType = 'SYMBOL' | 'VARCHAR' | 'DOUBLE' | 'INT' | 'LONG' | 'BOOLEAN' | 'TIMESTAMP';

/**
 * Column values the collector computes instead of copying one wire field: the core ones (also
 * computed in the browser, see DERIVATIONS in derive.ts), and the collector's own.
 */
export type Derivation = CoreDerivation | CollectorDerivation;

/**
 * Derivations only the collector computes (storage/rows.ts): error fingerprints hash with
 * node:crypto, which the dependency-free core cannot import.
 */
export type CollectorDerivation = 'errorFingerprint' | 'errorTemplate';

export type CoreDerivation =
  | 'domain'
  | 'schedulerStatus'
  | 'schedulerSuccess'
  | 'latenessMs'
  | 'receivedAt'
  | 'runDurationMs'
  | 'worstField'
  | 'worstFillPct';

/** How a column takes part in the summaries: grouped by, or aggregated. */
export type RollupRole = 'dimension' | 'measure';

export interface ColumnSpec {
  /** snake_case column name. */
  readonly name: string;
  readonly type: ColumnType;
  /** SYMBOL capacity (distinct values QuestDB sizes the symbol table for). */
  readonly capacity?: number;
  /** The wire field the column stores, and that history reads it back into. */
  readonly field?: string;
  /** Computed on write instead of copied from `field`. */
  readonly derive?: Derivation;
  /** The designated timestamp. */
  readonly designated?: boolean;
  readonly dedupKey?: boolean;
  /** The schema version that made an existing column a dedup key (a rollup tier groups by it). */
  readonly dedupKeySince?: number;
  readonly rollup?: RollupRole;
  /** History returns `null` for a null value instead of leaving the field out. */
  readonly readNullAsNull?: boolean;
  /** The schema version that created the column. */
  readonly since: number;
  /** What a derived column holds. */
  readonly doc?: string;
  /** The value live panels plot from this derived column. */
  readonly live?: Exclude<LiveField, 'success'>;
}

export interface KindSpec {
  readonly kind: EventKind;
  readonly table: string;
  /** The schema version that created the table. */
  readonly since: number;
  readonly partitionBy: 'DAY' | 'MONTH';
  /** QuestDB TTL of the table's rows. */
  readonly ttl: string;
  readonly doc: string;
  /** Wire order. */
  readonly fields: readonly FieldSpec[];
  /** Table order (also the ILP order: symbols first, then the rest, each in this order). */
  readonly columns: readonly ColumnSpec[];
}

/** Raw events are kept as long as `recordedAt` may lie in the past. */
const RAW_TTL = '7 DAYS';

/** Field coverage: how many of the items had each field filled (checked against them in validate.ts). */
const FIELD_COVERAGE = {
  type: 'counts',
  maxProperties: LIMITS.maxFields,
  key: { minLength: 1, maxLength: LIMITS.maxFieldNameLength, pattern: FIELD_NAME_PATTERN },
  maximum: LIMITS.maxItemsExtracted,
} as const;

const NAME = {
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.maxNameLength,
  pattern: NAME_PATTERN,
} as const;
const URL_TEXT = { type: 'string', minLength: 1, maxLength: LIMITS.maxUrlLength } as const;
/** The largest ECMAScript date, in epoch ms. */
const EPOCH_MS = { type: 'number', minimum: 0, maximum: 8_640_000_000_000_000 } as const;
const ERROR_TEXT = { type: 'string', maxLength: LIMITS.maxErrorLength } as const;
const ERROR_CLASS = {
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.maxErrorClassLength,
  pattern: ERROR_CLASS_PATTERN,
} as const;
/** Version 3: error fingerprints, on the three raw tables that carry an `error`. */
const ERROR_FINGERPRINT_COLUMN = {
  name: 'error_fingerprint',
  type: 'SYMBOL',
  capacity: 4096,
  derive: 'errorFingerprint',
  since: 3,
  doc: 'Short stable id of `error_template` (16 hex characters); null without `error`.',
} as const;
const ERROR_TEMPLATE_COLUMN = {
  name: 'error_template',
  type: 'VARCHAR',
  derive: 'errorTemplate',
  since: 3,
  doc: '`error` with its variable parts (URLs, numbers, ids, quoted text, …) replaced by placeholders and its stack cut; null without `error`.',
} as const;
const EVENT_ID = { type: 'string', minLength: 1, maxLength: LIMITS.maxEventIdLength } as const;
const RUN_ID = { type: 'string', minLength: 1, maxLength: LIMITS.maxRunIdLength } as const;

const DOCS = {
  scraperSource: 'The scraper: its live channel and the `scraper` column.',
  url: 'The page URL; its host becomes the `domain` column.',
  success: 'Whether the step succeeded.',
  error: 'What went wrong, or null.',
  errorClass: 'A short lowercase token classifying the error (timeout, http_5xx, blocked, …).',
  recordedAt: 'When the event happened, epoch milliseconds; the designated timestamp `ts`.',
  runId: 'The scraper run the event belongs to.',
  eventId:
    'Stable id of the event; a re-sent event with the same id is stored once. Derived when absent.',
} as const;

const EVENT_ID_COLUMN = {
  name: 'event_id',
  type: 'VARCHAR',
  field: 'eventId',
  dedupKey: true,
  since: 1,
} as const;
const TS_COLUMN = {
  name: 'ts',
  type: 'TIMESTAMP',
  field: 'recordedAt',
  designated: true,
  dedupKey: true,
  since: 1,
} as const;
const RECEIVED_AT_COLUMN = {
  name: 'received_at',
  type: 'TIMESTAMP',
  derive: 'receivedAt',
  since: 1,
  doc: 'When the collector accepted the event.',
} as const;
const DOMAIN_COLUMN = {
  name: 'domain',
  type: 'SYMBOL',
  capacity: 4096,
  derive: 'domain',
  dedupKey: true,
  rollup: 'dimension',
  since: 1,
  doc: 'Lower-cased host of `url`; null when it has none.',
} as const;

export const PAGE_NAVIGATION = {
  kind: 'page_navigation',
  table: 'page_navigation',
  since: 1,
  partitionBy: 'DAY',
  ttl: RAW_TTL,
  doc: 'One page navigation: loading a URL, with its retries.',
  fields: [
    {
      name: 'scraperSource',
      value: NAME,
      required: true,
      nullable: false,
      doc: DOCS.scraperSource,
    },
    { name: 'url', value: URL_TEXT, required: true, nullable: false, doc: DOCS.url },
    {
      name: 'navigationDurationMs',
      value: { type: 'number', minimum: 0, maximum: LIMITS.maxDurationMs },
      required: true,
      nullable: false,
      doc: 'How long the navigation took, ms.',
      live: 'duration',
    },
    {
      name: 'retryCount',
      value: { type: 'integer', minimum: 0, maximum: LIMITS.maxRetryCount },
      required: true,
      nullable: false,
      doc: 'Retries before the final attempt.',
      live: 'retries',
    },
    {
      name: 'success',
      value: { type: 'boolean' },
      required: true,
      nullable: false,
      doc: DOCS.success,
    },
    { name: 'error', value: ERROR_TEXT, required: false, nullable: true, doc: DOCS.error },
    { name: 'recordedAt', value: EPOCH_MS, required: true, nullable: false, doc: DOCS.recordedAt },
    {
      name: 'statusCode',
      value: { type: 'integer', minimum: 100, maximum: 599 },
      required: false,
      nullable: true,
      doc: 'HTTP status of the final response.',
    },
    {
      name: 'bytes',
      value: { type: 'integer', minimum: 0, maximum: LIMITS.maxBytes },
      required: false,
      nullable: true,
      doc: 'Bytes received.',
    },
    {
      name: 'errorClass',
      value: ERROR_CLASS,
      required: false,
      nullable: true,
      doc: DOCS.errorClass,
    },
    { name: 'runId', value: RUN_ID, required: false, nullable: true, doc: DOCS.runId },
    { name: 'eventId', value: EVENT_ID, required: false, nullable: false, doc: DOCS.eventId },
    {
      name: 'blockReason',
      value: ERROR_CLASS,
      required: false,
      nullable: true,
      doc: "Why the page looks blocked, as the SDK's block classifier names it (rate_limited, forbidden, challenge, captcha, login_wall, empty, or a reason of your own); null when it does not.",
    },
  ],
  columns: [
    TS_COLUMN,
    EVENT_ID_COLUMN,
    {
      name: 'scraper',
      type: 'SYMBOL',
      capacity: 1024,
      field: 'scraperSource',
      dedupKey: true,
      rollup: 'dimension',
      since: 1,
    },
    DOMAIN_COLUMN,
    { name: 'url', type: 'VARCHAR', field: 'url', since: 1 },
    {
      name: 'duration_ms',
      type: 'DOUBLE',
      field: 'navigationDurationMs',
      rollup: 'measure',
      since: 1,
    },
    { name: 'retry_count', type: 'INT', field: 'retryCount', rollup: 'measure', since: 1 },
    { name: 'success', type: 'BOOLEAN', field: 'success', rollup: 'measure', since: 1 },
    { name: 'status_code', type: 'INT', field: 'statusCode', since: 1 },
    { name: 'bytes', type: 'LONG', field: 'bytes', since: 1 },
    { name: 'error', type: 'VARCHAR', field: 'error', readNullAsNull: true, since: 1 },
    { name: 'error_class', type: 'SYMBOL', capacity: 256, field: 'errorClass', since: 1 },
    { name: 'run_id', type: 'VARCHAR', field: 'runId', since: 1 },
    RECEIVED_AT_COLUMN,
    ERROR_FINGERPRINT_COLUMN,
    ERROR_TEMPLATE_COLUMN,
    { name: 'block_reason', type: 'SYMBOL', capacity: 64, field: 'blockReason', since: 3 },
  ],
} as const satisfies KindSpec;

export const PAGE_SCRAPE = {
  kind: 'page_scrape',
  table: 'page_scrape',
  since: 1,
  partitionBy: 'DAY',
  ttl: RAW_TTL,
  doc: 'One page scrape: extracting items from a loaded page.',
  fields: [
    {
      name: 'scraperSource',
      value: NAME,
      required: true,
      nullable: false,
      doc: DOCS.scraperSource,
    },
    { name: 'url', value: URL_TEXT, required: true, nullable: false, doc: DOCS.url },
    {
      name: 'scrapeDurationMs',
      value: { type: 'number', minimum: 0, maximum: LIMITS.maxDurationMs },
      required: true,
      nullable: false,
      doc: 'How long the extraction took, ms.',
      live: 'duration',
    },
    {
      name: 'itemsExtracted',
      value: { type: 'integer', minimum: 0, maximum: LIMITS.maxItemsExtracted },
      required: true,
      nullable: false,
      doc: 'Items the scrape produced.',
      live: 'items',
    },
    {
      name: 'success',
      value: { type: 'boolean' },
      required: true,
      nullable: false,
      doc: DOCS.success,
    },
    { name: 'error', value: ERROR_TEXT, required: false, nullable: true, doc: DOCS.error },
    { name: 'recordedAt', value: EPOCH_MS, required: true, nullable: false, doc: DOCS.recordedAt },
    {
      name: 'fields',
      value: FIELD_COVERAGE,
      required: false,
      nullable: false,
      doc: 'Field coverage: `{ fieldName: filledCount }` over the `itemsExtracted` items.',
      storedIn: 'field_coverage (one row per field)',
    },
    {
      name: 'errorClass',
      value: ERROR_CLASS,
      required: false,
      nullable: true,
      doc: DOCS.errorClass,
    },
    { name: 'runId', value: RUN_ID, required: false, nullable: true, doc: DOCS.runId },
    { name: 'eventId', value: EVENT_ID, required: false, nullable: false, doc: DOCS.eventId },
  ],
  columns: [
    TS_COLUMN,
    EVENT_ID_COLUMN,
    {
      name: 'scraper',
      type: 'SYMBOL',
      capacity: 1024,
      field: 'scraperSource',
      dedupKey: true,
      rollup: 'dimension',
      since: 1,
    },
    DOMAIN_COLUMN,
    { name: 'url', type: 'VARCHAR', field: 'url', since: 1 },
    { name: 'duration_ms', type: 'DOUBLE', field: 'scrapeDurationMs', rollup: 'measure', since: 1 },
    { name: 'items_extracted', type: 'LONG', field: 'itemsExtracted', rollup: 'measure', since: 1 },
    { name: 'success', type: 'BOOLEAN', field: 'success', rollup: 'measure', since: 1 },
    { name: 'error', type: 'VARCHAR', field: 'error', readNullAsNull: true, since: 1 },
    { name: 'error_class', type: 'SYMBOL', capacity: 256, field: 'errorClass', since: 1 },
    { name: 'run_id', type: 'VARCHAR', field: 'runId', since: 1 },
    RECEIVED_AT_COLUMN,
    ERROR_FINGERPRINT_COLUMN,
    ERROR_TEMPLATE_COLUMN,
  ],
} as const satisfies KindSpec;

export const SCHEDULER_RUN = {
  kind: 'scheduler_run',
  table: 'scheduler_run',
  since: 1,
  partitionBy: 'DAY',
  ttl: RAW_TTL,
  doc: 'One run of a scheduled job. One of `success` and `status` is required; when both are given they must agree.',
  fields: [
    { name: 'schedulerName', value: NAME, required: true, nullable: false, doc: 'The scheduler.' },
    { name: 'jobName', value: NAME, required: true, nullable: false, doc: 'The scheduled job.' },
    {
      name: 'scraperSource',
      value: NAME,
      required: false,
      nullable: true,
      doc: 'The scraper the job ran, if one; else the live channel is the scheduler name.',
    },
    {
      name: 'durationMs',
      value: { type: 'number', minimum: 0, maximum: LIMITS.maxSchedulerDurationMs },
      required: true,
      nullable: false,
      doc: 'How long the run took, ms.',
      live: 'duration',
    },
    {
      name: 'success',
      value: { type: 'boolean' },
      required: false,
      nullable: false,
      doc: 'Whether the run succeeded (or send `status`).',
    },
    {
      name: 'status',
      value: { type: 'enum', values: SCHEDULER_STATUSES },
      required: false,
      nullable: false,
      doc: 'How the run ended (or send `success`); derived from `success` when absent.',
    },
    {
      name: 'scrapersRun',
      value: { type: 'integer', minimum: 0, maximum: LIMITS.maxScrapersRun },
      required: false,
      nullable: false,
      doc: 'Scrapers the run started.',
    },
    { name: 'error', value: ERROR_TEXT, required: false, nullable: true, doc: DOCS.error },
    {
      name: 'errorClass',
      value: ERROR_CLASS,
      required: false,
      nullable: true,
      doc: DOCS.errorClass,
    },
    {
      name: 'scheduledAt',
      value: EPOCH_MS,
      required: true,
      nullable: false,
      doc: 'When the run was due, epoch ms.',
    },
    {
      name: 'startedAt',
      value: EPOCH_MS,
      required: true,
      nullable: true,
      doc: 'When it actually started, epoch ms; null for a missed or skipped run.',
    },
    { name: 'recordedAt', value: EPOCH_MS, required: true, nullable: false, doc: DOCS.recordedAt },
    { name: 'runId', value: RUN_ID, required: false, nullable: true, doc: DOCS.runId },
    { name: 'eventId', value: EVENT_ID, required: false, nullable: false, doc: DOCS.eventId },
  ],
  columns: [
    TS_COLUMN,
    EVENT_ID_COLUMN,
    {
      name: 'scheduler_name',
      type: 'SYMBOL',
      capacity: 256,
      field: 'schedulerName',
      dedupKey: true,
      rollup: 'dimension',
      since: 1,
    },
    {
      name: 'job_name',
      type: 'SYMBOL',
      capacity: 1024,
      field: 'jobName',
      dedupKey: true,
      rollup: 'dimension',
      since: 1,
    },
    {
      name: 'scraper',
      type: 'SYMBOL',
      capacity: 1024,
      field: 'scraperSource',
      dedupKeySince: 4,
      since: 1,
    },
    {
      name: 'status',
      type: 'SYMBOL',
      capacity: 8,
      field: 'status',
      derive: 'schedulerStatus',
      rollup: 'measure',
      since: 1,
      doc: '`status` as sent, else success or failed from `success`.',
    },
    {
      name: 'success',
      type: 'BOOLEAN',
      field: 'success',
      derive: 'schedulerSuccess',
      since: 1,
      doc: '`success` as sent, else whether `status` is success.',
    },
    { name: 'duration_ms', type: 'DOUBLE', field: 'durationMs', rollup: 'measure', since: 1 },
    { name: 'scrapers_run', type: 'INT', field: 'scrapersRun', since: 1 },
    { name: 'scheduled_at', type: 'TIMESTAMP', field: 'scheduledAt', since: 1 },
    { name: 'started_at', type: 'TIMESTAMP', field: 'startedAt', since: 1 },
    {
      name: 'lateness_ms',
      type: 'DOUBLE',
      derive: 'latenessMs',
      rollup: 'measure',
      since: 1,
      doc: '`startedAt - scheduledAt`; null when the run never started.',
    },
    { name: 'error', type: 'VARCHAR', field: 'error', readNullAsNull: true, since: 1 },
    { name: 'error_class', type: 'SYMBOL', capacity: 256, field: 'errorClass', since: 1 },
    { name: 'run_id', type: 'VARCHAR', field: 'runId', since: 1 },
    RECEIVED_AT_COLUMN,
    ERROR_FINGERPRINT_COLUMN,
    ERROR_TEMPLATE_COLUMN,
  ],
} as const satisfies KindSpec;

export const SCRAPER_RUN = {
  kind: 'scraper_run',
  table: 'scraper_run',
  since: 2,
  partitionBy: 'MONTH',
  ttl: '12 MONTHS',
  doc: 'One run of a scraper, sent when it ends: what it did (the totals of the events carrying its `runId`) and how it ended. Kept 12 months, to compare a run with those before it.',
  fields: [
    {
      name: 'scraperSource',
      value: NAME,
      required: true,
      nullable: false,
      doc: DOCS.scraperSource,
    },
    { name: 'runId', value: RUN_ID, required: true, nullable: false, doc: 'The run.' },
    {
      name: 'startedAt',
      value: EPOCH_MS,
      required: true,
      nullable: false,
      doc: 'When the run started, epoch ms; at most `recordedAt`.',
    },
    {
      name: 'recordedAt',
      value: EPOCH_MS,
      required: true,
      nullable: false,
      doc: 'When the run ended, epoch milliseconds; the designated timestamp `ts`.',
    },
    {
      name: 'outcome',
      value: { type: 'enum', values: RUN_OUTCOMES },
      required: true,
      nullable: false,
      doc: 'How the run ended (`aborted`: stopped before its end).',
    },
    {
      name: 'pages',
      value: { type: 'integer', minimum: 0, maximum: LIMITS.maxRunCount },
      required: true,
      nullable: false,
      doc: 'Navigations of the run.',
    },
    {
      name: 'items',
      value: { type: 'integer', minimum: 0, maximum: LIMITS.maxRunCount },
      required: true,
      nullable: false,
      doc: 'Items extracted over the run.',
      live: 'items',
    },
    {
      name: 'errors',
      value: { type: 'integer', minimum: 0, maximum: LIMITS.maxRunCount },
      required: true,
      nullable: false,
      doc: 'Failed navigations and scrapes of the run.',
    },
    {
      name: 'fields',
      value: FIELD_COVERAGE,
      required: false,
      nullable: false,
      doc: "Field coverage: `{ fieldName: filledCount }` over the run's `items`.",
      storedIn: 'scraper_run_field (one row per field)',
    },
    { name: 'error', value: ERROR_TEXT, required: false, nullable: true, doc: DOCS.error },
    {
      name: 'errorClass',
      value: ERROR_CLASS,
      required: false,
      nullable: true,
      doc: DOCS.errorClass,
    },
    { name: 'eventId', value: EVENT_ID, required: false, nullable: false, doc: DOCS.eventId },
  ],
  columns: [
    { ...TS_COLUMN, since: 2 },
    { ...EVENT_ID_COLUMN, since: 2 },
    {
      name: 'scraper',
      type: 'SYMBOL',
      capacity: 1024,
      field: 'scraperSource',
      dedupKey: true,
      rollup: 'dimension',
      since: 2,
    },
    { name: 'outcome', type: 'SYMBOL', capacity: 8, field: 'outcome', since: 2 },
    {
      name: 'worst_field',
      type: 'SYMBOL',
      capacity: 4096,
      derive: 'worstField',
      since: 2,
      doc: 'The field of `fields` with the lowest fill rate; null without coverage.',
    },
    { name: 'error_class', type: 'SYMBOL', capacity: 256, field: 'errorClass', since: 2 },
    { name: 'run_id', type: 'VARCHAR', field: 'runId', since: 2 },
    { name: 'started_at', type: 'TIMESTAMP', field: 'startedAt', since: 2 },
    {
      name: 'duration_ms',
      type: 'DOUBLE',
      derive: 'runDurationMs',
      rollup: 'measure',
      live: 'duration',
      since: 2,
      doc: '`recordedAt - startedAt`.',
    },
    { name: 'pages', type: 'LONG', field: 'pages', rollup: 'measure', since: 2 },
    { name: 'items', type: 'LONG', field: 'items', rollup: 'measure', since: 2 },
    { name: 'errors', type: 'LONG', field: 'errors', rollup: 'measure', since: 2 },
    {
      name: 'worst_fill_pct',
      type: 'DOUBLE',
      derive: 'worstFillPct',
      since: 2,
      doc: 'Fill rate of `worst_field`, 0-100.',
    },
    { name: 'error', type: 'VARCHAR', field: 'error', readNullAsNull: true, since: 2 },
    { ...RECEIVED_AT_COLUMN, since: 2 },
  ],
} as const satisfies KindSpec;

/** Every kind's declaration, keyed by kind. */
export const EVENT_REGISTRY: Readonly<Record<EventKind, KindSpec>> = Object.freeze({
  page_navigation: PAGE_NAVIGATION,
  page_scrape: PAGE_SCRAPE,
  scheduler_run: SCHEDULER_RUN,
  scraper_run: SCRAPER_RUN,
});
