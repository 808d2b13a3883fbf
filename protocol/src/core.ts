// `@scrapewatch/protocol/core`: the part of the protocol with no dependencies (no TypeBox, no
// ajv), for the Grafana plugin's browser bundle: the event registry, the wire types, the values
// derived from an event, limits, error codes and the stream and history messages.
export {
  EVENT_KINDS,
  ERROR_CLASSES,
  SCHEDULER_STATUSES,
  RUN_OUTCOMES,
  BLOCK_REASONS,
  isEventKind,
} from './kinds';
export type {
  EventKind,
  KnownErrorClass,
  SchedulerStatus,
  RunOutcome,
  KnownBlockReason,
} from './kinds';
export { LIMITS, NAME_PATTERN, ERROR_CLASS_PATTERN, FIELD_NAME_PATTERN } from './limits';
export {
  EVENT_REGISTRY,
  PAGE_NAVIGATION,
  PAGE_SCRAPE,
  SCHEDULER_RUN,
  SCRAPER_RUN,
} from './registry';
export type {
  KindSpec,
  FieldSpec,
  ColumnSpec,
  ColumnType,
  WireType,
  Derivation,
  CoreDerivation,
  CollectorDerivation,
  RollupRole,
} from './registry';
export type {
  WireEvent,
  PageNavigationEvent,
  PageScrapeEvent,
  SchedulerRunEvent,
  ScraperRunEvent,
  MetricEvent,
  AcceptedEvent,
  MetricsBatchEnvelope,
} from './wire-types';
export { wireSchema, wireSchemas } from './json-schema';
export type { JsonSchema, WireSchemaOptions } from './json-schema';
export {
  channelOf,
  domainOf,
  eventSucceeded,
  schedulerStatusOf,
  schedulerSuccessOf,
  worstField,
  DERIVATIONS,
} from './derive';
export type { DerivedValue } from './derive';
export { liveValueOf } from './live-values';
export { ERRORS, ERROR_CODES, ScrapewatchError, isErrorCode } from './errors';
export type { ErrorCode, ErrorDetail, ErrorBody } from './errors';
export {
  WILDCARD_CHANNEL,
  STREAM_PATH,
  INGEST_WS_PATH,
  STREAM_SUBPROTOCOL,
  STREAM_WIRE_VERSION,
  STREAM_WIRE_VERSIONS,
} from './stream';
export type {
  SubscribeMessage,
  UnsubscribeMessage,
  StreamClientMessage,
  SubscribedMessage,
  StreamBatchMessage,
  StreamFrameMessage,
  StreamWireVersion,
  HeartbeatMessage,
  GapMessage,
  StreamErrorMessage,
  StreamServerMessage,
  IngestAck,
} from './stream';
export { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT } from './history';
export type { HistoryQuery, HistoryResponse, ScrapersResponse } from './history';
export {
  LIVE_FIELDS,
  LIVE_AGGREGATES,
  DEFAULT_LIVE_QUERY,
  LIVE_DATASOURCE_UID,
  QUESTDB_DATASOURCE_UID,
  LIVE_PLUGIN_ID,
} from './live-query';
export type { LiveField, LiveAggregate, LiveQueryModel } from './live-query';
