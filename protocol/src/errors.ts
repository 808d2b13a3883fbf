/**
 * Every error code Scrapewatch returns, in one catalogue. HTTP answers carry `status`; a code
 * with `wsClose` closes a WebSocket with that close code (4000-4999 are ours, RFC 6455 §7.4.2).
 * docs/errors.md lists every code; a test keeps the two in step.
 *
 * Body of an HTTP rejection: {"error":{"code","message","details":[{"index","path","code","message"}]}}.
 */
export const ERRORS = Object.freeze({
  // --- request framing -------------------------------------------------------------------
  INVALID_JSON: { status: 400, message: 'The body (or an NDJSON line) is not valid JSON.' },
  INVALID_UTF8: { status: 400, message: 'The body is not valid UTF-8.' },
  UNSUPPORTED_CONTENT_TYPE: {
    status: 415,
    message: 'Send application/json or application/x-ndjson (charset utf-8).',
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The body is larger than the configured limit.' },
  TOO_MANY_EVENTS: {
    status: 413,
    message: 'The request holds more events than the configured limit.',
  },
  EMPTY_BATCH: { status: 400, message: 'The request holds no event.' },
  INVALID_ENVELOPE: { status: 400, message: 'The metrics_batch envelope is malformed.' },
  // --- per-event validation (each also appears as a detail code) -----------------------------
  UNKNOWN_EVENT_TYPE: { status: 400, message: 'The event type is not one of the known kinds.' },
  MISSING_FIELD: { status: 400, message: 'A required field is missing.' },
  INVALID_TYPE: { status: 400, message: 'A field has the wrong type.' },
  OUT_OF_RANGE: {
    status: 400,
    message: 'A number is negative, too large, not finite or not whole.',
  },
  TOO_LONG: { status: 400, message: 'A string is longer than its limit.' },
  INVALID_FORMAT: { status: 400, message: 'A string does not have the required form.' },
  LONE_SURROGATE: {
    status: 400,
    message:
      'A string holds a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair), which has no UTF-8 form.',
  },
  UNKNOWN_FIELD: { status: 400, message: 'The event has a field the wire format does not define.' },
  FORBIDDEN_KEY: {
    status: 400,
    message: 'Keys such as __proto__, constructor and prototype are refused.',
  },
  RECORDED_AT_OUT_OF_WINDOW: {
    status: 400,
    message: 'recordedAt is older than retention or too far in the future.',
  },
  INCONSISTENT_FIELDS: { status: 400, message: 'Two fields of the event contradict each other.' },
  TOO_MANY_FIELDS: {
    status: 400,
    message: 'The event reports coverage for more fields than the limit.',
  },
  // --- auth and limits -------------------------------------------------------------------
  UNAUTHORIZED: { status: 401, wsClose: 4001, message: 'A valid bearer token is required.' },
  FORBIDDEN_SCOPE: {
    status: 403,
    wsClose: 4003,
    message: 'The token may not send or read events of this scraper.',
  },
  ORIGIN_NOT_ALLOWED: {
    status: 403,
    wsClose: 4003,
    message: 'The Origin is not in the allow-list.',
  },
  RATE_LIMITED: {
    status: 429,
    wsClose: 4029,
    message: 'Too many requests; retry after the given delay.',
  },
  // --- availability ----------------------------------------------------------------------
  SPOOL_FULL: {
    status: 503,
    message: 'QuestDB is unreachable and the on-disk spool is full; retry after the given delay.',
  },
  NOT_READY: {
    status: 503,
    message: 'The collector is starting, stopping or cannot reach QuestDB.',
  },
  UNAVAILABLE: {
    status: 503,
    message: 'JetStream did not acknowledge the events; retry after the given delay.',
  },
  HISTORY_UNAVAILABLE: { status: 503, message: 'History could not be read from QuestDB.' },
  SHUTTING_DOWN: { status: 503, wsClose: 1001, message: 'The collector is shutting down.' },
  // --- HTTP routing and queries ----------------------------------------------------------
  NOT_FOUND: { status: 404, message: 'No such endpoint.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'The endpoint does not accept this method.' },
  INVALID_QUERY: { status: 400, message: 'A query parameter is missing or invalid.' },
  // Never answered (the client is gone); logged at debug level and counted in the metrics.
  CLIENT_ABORTED: {
    message: 'The client closed the connection before the request body ended; nothing was kept.',
  },
  INTERNAL: {
    status: 500,
    wsClose: 1011,
    message: 'An unexpected error; the collector logged it.',
  },
  // --- WebSocket (ingest and stream) -----------------------------------------------------
  INVALID_MESSAGE: {
    wsClose: 4400,
    message: 'A client message is not valid JSON or not a known message.',
  },
  MESSAGE_TOO_LARGE: {
    wsClose: 1009,
    message: 'A client message is larger than the inbound limit.',
  },
  SUBPROTOCOL_REQUIRED: {
    status: 400,
    message:
      'A bearer.<token> subprotocol must be offered together with scrapewatch.v1, the one the server echoes.',
  },
  SUBSCRIBE_REQUIRED: {
    wsClose: 4400,
    message: 'The first message on /v1/stream must be subscribe.',
  },
  TOO_MANY_CHANNELS: { wsClose: 4400, message: 'More channels than one subscriber may hold.' },
  TOO_MANY_SUBSCRIBERS: {
    status: 503,
    wsClose: 4503,
    message: 'The collector holds its maximum of subscribers.',
  },
  SLOW_CONSUMER: {
    wsClose: 4008,
    message: 'The subscriber read too slowly; its unsent bytes passed the bound.',
  },
  ABUSE: { wsClose: 4429, message: 'Too many invalid messages; the socket is closed.' },
  TOO_MANY_CONNECTIONS: {
    status: 503,
    wsClose: 4503,
    message: 'The endpoint holds its maximum of connections.',
  },
  HEARTBEAT_TIMEOUT: {
    wsClose: 4408,
    message:
      'The collector sent no heartbeat in time; the stream client closed the socket and reconnects.',
  },
});

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export interface ErrorDetail {
  /** Index of the event in the request (0-based), or null for the request as a whole. */
  index: number | null;
  /** JSON pointer-like path within the event, e.g. "/navigationDurationMs"; "" for the whole item. */
  path: string;
  code: ErrorCode;
  message: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[] };
}

/** An error as a value: code, message, details; `status`/`wsClose` come from the catalogue. */
export class ScrapewatchError extends Error {
  readonly status: number | undefined;
  readonly wsClose: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].message,
    readonly details: ErrorDetail[] = [],
    /** Seconds a client should wait before retrying (Retry-After), when it applies. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ScrapewatchError';
    const entry: { status?: number; wsClose?: number; message: string } = ERRORS[code];
    this.status = entry.status;
    this.wsClose = entry.wsClose;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details.length > 0 ? { details: this.details } : {}),
      },
    };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}
