export { EVENT_KINDS, ERROR_CLASSES, SCHEDULER_STATUSES, RUN_OUTCOMES, isEventKind } from './kinds';
export type { EventKind, KnownErrorClass, SchedulerStatus, RunOutcome } from './kinds';
export { LIMITS, NAME_PATTERN, ERROR_CLASS_PATTERN, FIELD_NAME_PATTERN } from './limits';
export {
  PageNavigationSchema,
  PageScrapeSchema,
  SchedulerRunSchema,
  ScraperRunSchema,
  channelOf,
} from './events';
export type {
  PageNavigationEvent,
  PageScrapeEvent,
  SchedulerRunEvent,
  ScraperRunEvent,
  MetricEvent,
  AcceptedEvent,
  MetricsBatchEnvelope,
} from './events';
export { ERRORS, ERROR_CODES, ScrapewatchError, isErrorCode } from './errors';
export type { ErrorCode, ErrorDetail, ErrorBody } from './errors';
export { validateEvent, validateEvents, validationError } from './validate';
export type { ValidateOptions, ValidationResult } from './validate';
export { unpackPayload } from './payload';
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
