import { ERRORS, ERROR_CODES, type ErrorCode } from './errors';
import { HISTORY_MAX_LIMIT } from './history';
import { wireSchemas, type JsonSchema } from './json-schema';
import { EVENT_KINDS } from './kinds';
import { LIMITS, NAME_PATTERN } from './limits';

/**
 * The OpenAPI 3.1 document of the collector's HTTP API (GET /v1/openapi.json), derived from the
 * event registry (request and history bodies) and the error catalogue (each error status lists
 * the codes that carry it). WebSocket endpoints are described in docs/live-stream.md instead.
 */

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

function codesWithStatus(status: number): ErrorCode[] {
  return ERROR_CODES.filter((code) => (ERRORS[code] as { status?: number }).status === status);
}

/** An error body whose code is one of those `status` carries. */
function errorSchema(status: number): JsonSchema {
  return {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'details'],
        properties: {
          code: { type: 'string', enum: codesWithStatus(status) },
          message: { type: 'string' },
          details: { type: 'array', items: ref('ErrorDetail') },
        },
      },
    },
  };
}

function errorResponse(status: number): JsonSchema {
  const codes = codesWithStatus(status);
  return {
    description: `Rejected with one of: ${codes.join(', ')} (docs/errors.md).`,
    content: { 'application/json': { schema: ref(`Error${String(status)}`) } },
  };
}

function errorResponses(statuses: readonly number[]): Record<string, JsonSchema> {
  return Object.fromEntries(statuses.map((status) => [String(status), errorResponse(status)]));
}

const ERROR_STATUSES = [
  ...new Set(
    ERROR_CODES.map((code) => (ERRORS[code] as { status?: number }).status).filter(
      (status): status is number => status !== undefined,
    ),
  ),
].sort((a, b) => a - b);

const KIND_SCHEMA_NAMES = {
  page_navigation: 'PageNavigation',
  page_scrape: 'PageScrape',
  scheduler_run: 'SchedulerRun',
  scraper_run: 'ScraperRun',
} as const;

const EPOCH_MS_PARAMETER = { type: 'string', pattern: '^[0-9]{1,16}$' };

export interface OpenApiOptions {
  /** The collector's version. */
  readonly version: string;
  /** Request examples are recorded at this time (epoch ms), so that they are accepted. */
  readonly nowMs: number;
}

/** One accepted example of each kind, recorded at `nowMs`. */
function examples(nowMs: number): Record<string, JsonSchema> {
  const recordedAt = Math.floor(nowMs);
  const navigation = {
    type: 'page_navigation',
    scraperSource: 'example-shop',
    url: 'https://shop.example.com/products/1',
    navigationDurationMs: 412.5,
    retryCount: 0,
    success: true,
    error: null,
    recordedAt,
    statusCode: 200,
  };
  const scrape = {
    type: 'page_scrape',
    scraperSource: 'example-shop',
    url: 'https://shop.example.com/products/1',
    scrapeDurationMs: 35,
    itemsExtracted: 24,
    success: true,
    error: null,
    recordedAt,
  };
  const run = {
    type: 'scheduler_run',
    schedulerName: 'example-scheduler',
    jobName: 'hourly-prices',
    scraperSource: 'example-shop',
    durationMs: 61_000,
    status: 'success',
    scrapersRun: 1,
    error: null,
    scheduledAt: recordedAt - 62_000,
    startedAt: recordedAt - 61_500,
    recordedAt,
  };
  return {
    navigation: { summary: 'One page navigation', value: navigation },
    scrape: { summary: 'One page scrape', value: scrape },
    schedulerRun: { summary: 'One scheduler run', value: run },
    array: { summary: 'An array of events', value: [navigation, scrape] },
    envelope: {
      summary: 'A metrics_batch envelope',
      value: {
        type: 'metrics_batch',
        scraperSource: 'example-shop',
        count: 1,
        timestamp: recordedAt,
        metrics: [scrape],
      },
    },
  };
}

/** Components, paths and all. */
export function openApiDocument(options: OpenApiOptions): JsonSchema {
  const { version, nowMs } = options;
  const kinds = wireSchemas({ describe: true });
  const eventRefs = EVENT_KINDS.map((kind) => ref(KIND_SCHEMA_NAMES[kind]));
  const schemas: Record<string, JsonSchema> = {
    ...Object.fromEntries(EVENT_KINDS.map((kind) => [KIND_SCHEMA_NAMES[kind], kinds[kind]])),
    MetricEvent: { oneOf: eventRefs },
    MetricsBatch: {
      description: 'The batch envelope: its events are in `metrics`.',
      type: 'object',
      additionalProperties: false,
      required: ['type', 'metrics'],
      properties: {
        type: { const: 'metrics_batch', type: 'string' },
        id: {
          description: 'Correlation id, echoed in the ack on WS /v1/ingest.',
          type: ['string', 'number'],
          maxLength: 128,
        },
        scraperSource: { type: 'string', maxLength: LIMITS.maxNameLength, pattern: NAME_PATTERN },
        count: {
          description: 'When given, the number of events in `metrics`.',
          type: 'integer',
          minimum: 0,
        },
        timestamp: { type: 'number', minimum: 0 },
        metrics: { type: 'array', minItems: 1, items: ref('MetricEvent') },
      },
    },
    IngestRequest: {
      oneOf: [
        ref('MetricEvent'),
        { type: 'array', minItems: 1, items: ref('MetricEvent') },
        ref('MetricsBatch'),
      ],
    },
    IngestAccepted: {
      type: 'object',
      required: ['accepted', 'durability'],
      properties: {
        accepted: { type: 'integer', minimum: 0 },
        durability: {
          description: 'committed: in QuestDB; spooled: on disk, replayed when QuestDB is back.',
          type: 'string',
          enum: ['committed', 'spooled'],
        },
      },
    },
    AcceptedEvent: {
      description: 'An event as stored: its wire form with `eventId` always set.',
      oneOf: eventRefs,
    },
    HistoryResponse: {
      type: 'object',
      required: ['kind', 'fromMs', 'toMs', 'events', 'truncated'],
      properties: {
        kind: { type: 'string', enum: [...EVENT_KINDS] },
        fromMs: { type: 'number' },
        toMs: { type: 'number' },
        events: { type: 'array', items: ref('AcceptedEvent') },
        truncated: { type: 'boolean' },
      },
    },
    ScrapersResponse: {
      type: 'object',
      required: ['scrapers'],
      properties: {
        scrapers: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'lastSeenMs'],
            properties: { name: { type: 'string' }, lastSeenMs: { type: 'number' } },
          },
        },
      },
    },
    ErrorDetail: {
      type: 'object',
      required: ['index', 'path', 'code', 'message'],
      properties: {
        index: { type: ['integer', 'null'], minimum: 0 },
        path: { type: 'string' },
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string' },
      },
    },
    ...Object.fromEntries(
      ERROR_STATUSES.map((status) => [`Error${String(status)}`, errorSchema(status)]),
    ),
  };

  const ingestSecurity = [{ ingestToken: [] }];
  const readSecurity = [{ streamToken: [] }];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Scrapewatch collector',
      version,
      description:
        'Scrapers post events; dashboards read history and the scraper list. Every rejection ' +
        'carries a code from the error catalogue (docs/errors.md); events are described in ' +
        'docs/events.md.',
    },
    components: {
      securitySchemes: {
        ingestToken: { type: 'http', scheme: 'bearer', description: 'SCRAPEWATCH_INGEST_TOKENS' },
        streamToken: { type: 'http', scheme: 'bearer', description: 'SCRAPEWATCH_STREAM_TOKENS' },
      },
      schemas,
    },
    paths: {
      '/v1/metrics': {
        post: {
          operationId: 'postMetrics',
          summary: 'Send events: one, an array, NDJSON or a metrics_batch envelope.',
          security: ingestSecurity,
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: ref('IngestRequest'), examples: examples(nowMs) },
              'application/x-ndjson': {
                schema: { type: 'string', description: 'One JSON event per line.' },
              },
            },
          },
          responses: {
            '202': {
              description: 'Every event is durable (in QuestDB, or in the spool).',
              content: { 'application/json': { schema: ref('IngestAccepted') } },
            },
            ...errorResponses([400, 401, 403, 413, 415, 429, 503]),
          },
        },
      },
      '/v1/history': {
        get: {
          operationId: 'getHistory',
          summary: 'Events of one kind in a time range, oldest first.',
          security: readSecurity,
          parameters: [
            {
              name: 'kind',
              in: 'query',
              required: true,
              schema: { type: 'string', enum: [...EVENT_KINDS] },
            },
            {
              name: 'scraper',
              in: 'query',
              description: 'Scraper names, repeated or comma-separated; absent: every scraper.',
              schema: {
                type: 'array',
                items: { type: 'string', maxLength: LIMITS.maxNameLength, pattern: NAME_PATTERN },
              },
              style: 'form',
              explode: true,
            },
            {
              name: 'from',
              in: 'query',
              description: 'Epoch ms; default: an hour before `to`.',
              schema: EPOCH_MS_PARAMETER,
            },
            {
              name: 'to',
              in: 'query',
              description: 'Epoch ms; default: now.',
              schema: EPOCH_MS_PARAMETER,
            },
            {
              name: 'limit',
              in: 'query',
              description: 'Most events returned (the newest); `truncated` says when it cut.',
              schema: { type: 'integer', minimum: 1, maximum: HISTORY_MAX_LIMIT },
            },
          ],
          responses: {
            '200': {
              description: 'The events.',
              content: { 'application/json': { schema: ref('HistoryResponse') } },
            },
            ...errorResponses([400, 401, 403, 503]),
          },
        },
      },
      '/v1/scrapers': {
        get: {
          operationId: 'getScrapers',
          summary: 'Every scraper seen within retention that the token may read.',
          security: readSecurity,
          responses: {
            '200': {
              description: 'Newest activity first.',
              content: { 'application/json': { schema: ref('ScrapersResponse') } },
            },
            ...errorResponses([401, 503]),
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'getHealth',
          summary: 'Liveness: the process answers.',
          responses: {
            '200': {
              description: 'Alive.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['status'],
                    properties: { status: { const: 'ok' } },
                  },
                },
              },
            },
          },
        },
      },
      '/readyz': {
        get: {
          operationId: 'getReadiness',
          summary: 'Readiness: QuestDB answers and the schema is applied.',
          responses: Object.fromEntries(
            ['200', '503'].map((status) => [
              status,
              {
                description: status === '200' ? 'Ready.' : 'Not ready; `reasons` says why.',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      required: ['ready', 'questdb', 'schemaVersion', 'spooledBytes', 'reasons'],
                      properties: {
                        ready: { type: 'boolean' },
                        questdb: { type: 'boolean' },
                        schemaVersion: { type: ['integer', 'null'] },
                        spooledBytes: { type: 'integer', minimum: 0 },
                        reasons: { type: 'array', items: { type: 'string' } },
                      },
                    },
                  },
                },
              },
            ]),
          ),
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics of the collector.',
          responses: {
            '200': {
              description: 'Prometheus text exposition.',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/v1/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document.',
          responses: {
            '200': {
              description: 'OpenAPI 3.1.',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
    },
  };
}
