import {
  isErrorCode,
  ScrapewatchError,
  type ErrorCode,
  type ErrorDetail,
} from '@scrapewatch/protocol';
import { parseRetryAfterMs } from './retry';

/** What one POST of a batch came to; the delivery loop decides what to do next from it. */
export type SendOutcome =
  | {
      readonly kind: 'accepted';
      readonly accepted: number;
      readonly durability: string | undefined;
    }
  /** Network error, timeout, 408, 429, 5xx: the same batch may be sent again. */
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly status: number | undefined;
      readonly retryAfterMs: number | undefined;
    }
  /** 413: the collector takes smaller requests; the batch should be split, not dropped. */
  | { readonly kind: 'too_large'; readonly error: ScrapewatchError }
  /** Any other 4xx: sending the same bytes again cannot succeed. */
  | { readonly kind: 'rejected'; readonly status: number; readonly error: ScrapewatchError };

export interface SendRequest {
  /** Full URL of the ingest endpoint. */
  readonly endpoint: string;
  readonly token: string | undefined;
  /** Serialised events, one JSON object each; sent as NDJSON. */
  readonly lines: readonly string[];
  readonly timeoutMs: number;
  /** Aborts the request early (close() past its deadline). */
  readonly signal: AbortSignal;
  readonly nowMs: () => number;
}

const FALLBACK_CODES: Readonly<Record<number, ErrorCode>> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN_SCOPE',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_CONTENT_TYPE',
};

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Reads the collector's coded error body; tolerates anything else a proxy may answer. */
function errorFromBody(status: number, text: string): ScrapewatchError {
  let code: ErrorCode = FALLBACK_CODES[status] ?? 'INVALID_TYPE';
  let message = `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  let details: ErrorDetail[] = [];
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
    };
    const error = body.error;
    if (error && typeof error === 'object') {
      if (isErrorCode(error.code)) code = error.code;
      if (typeof error.message === 'string') message = error.message;
      if (Array.isArray(error.details)) details = error.details as ErrorDetail[];
    }
  } catch {
    // Not JSON: keep the status-derived code and the raw text.
  }
  return new ScrapewatchError(code, message, details);
}

/** The first socket error code in the cause chain (fetch wraps them, sometimes in an AggregateError). */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = errorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return errorCode(cause, depth + 1);
}

function describeFailure(error: unknown, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  const code = errorCode(error);
  if (code) return `network: ${code}`;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof Error && cause.message) return `network: ${cause.message}`;
  return error instanceof Error ? `network: ${error.message}` : 'network';
}

/** POSTs one batch as NDJSON. Never throws: every failure becomes an outcome. */
export async function sendBatch(request: SendRequest): Promise<SendOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  timer.unref();
  const onAbort = (): void => controller.abort();
  request.signal.addEventListener('abort', onAbort, { once: true });
  if (request.signal.aborted) controller.abort();
  try {
    const headers: Record<string, string> = {
      'content-type': 'application/x-ndjson; charset=utf-8',
    };
    if (request.token) headers['authorization'] = `Bearer ${request.token}`;
    const response = await fetch(request.endpoint, {
      method: 'POST',
      headers,
      body: request.lines.join('\n') + '\n',
      signal: controller.signal,
    });
    // Always read the body: it frees the keep-alive connection for the next request.
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) {
      let accepted = request.lines.length;
      let durability: string | undefined;
      try {
        const body = JSON.parse(text) as { accepted?: unknown; durability?: unknown };
        if (typeof body.accepted === 'number') accepted = body.accepted;
        if (typeof body.durability === 'string') durability = body.durability;
      } catch {
        // A 2xx is an acknowledgement whatever its body.
      }
      return { kind: 'accepted', accepted, durability };
    }
    if (isRetryableStatus(response.status)) {
      return {
        kind: 'retry',
        reason: `HTTP ${response.status}`,
        status: response.status,
        retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), request.nowMs()),
      };
    }
    const error = errorFromBody(response.status, text);
    if (response.status === 413) return { kind: 'too_large', error };
    return { kind: 'rejected', status: response.status, error };
  } catch (error) {
    return {
      kind: 'retry',
      reason: describeFailure(error, timedOut),
      status: undefined,
      retryAfterMs: undefined,
    };
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onAbort);
  }
}
