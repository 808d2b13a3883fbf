import type { IncomingMessage } from 'node:http';
import { ScrapewatchError, unpackPayload, type ErrorDetail } from '@scrapewatch/protocol';

export type BodyFormat = 'json' | 'ndjson';

/** What one request or WS message decodes to: its event items, not yet validated. */
export interface ParsedPayload {
  readonly items: unknown[];
  /** The envelope's correlation id, echoed in WS acks. */
  readonly id?: string | number;
}

function requestError(
  code: ScrapewatchError['code'],
  message: string,
  path = '',
): ScrapewatchError {
  const detail: ErrorDetail = { index: null, path, code, message };
  return new ScrapewatchError(code, message, [detail]);
}

/**
 * The body format named by a Content-Type header: application/json or application/x-ndjson, with
 * no charset or charset=utf-8. Anything else is UNSUPPORTED_CONTENT_TYPE.
 */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const unsupported = () =>
    requestError(
      'UNSUPPORTED_CONTENT_TYPE',
      `Content-Type ${JSON.stringify(contentType ?? '')} is not supported: send application/json or application/x-ndjson (charset utf-8)`,
    );
  if (!contentType) throw unsupported();
  const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim());
  const mediaType = type.toLowerCase();
  const format: BodyFormat | undefined =
    mediaType === 'application/json'
      ? 'json'
      : mediaType === 'application/x-ndjson'
        ? 'ndjson'
        : undefined;
  if (!format) throw unsupported();
  for (const parameter of parameters) {
    if (parameter === '') continue;
    const equals = parameter.indexOf('=');
    const name = parameter
      .slice(0, equals === -1 ? undefined : equals)
      .trim()
      .toLowerCase();
    const value =
      equals === -1
        ? ''
        : parameter
            .slice(equals + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    if (name === 'charset' && !/^utf-?8$/i.test(value)) throw unsupported();
  }
  return format;
}

/** The client closed the connection before its body ended: there is nobody left to answer. */
/** The request's connection ended (closed, reset) before its body did: nobody to answer. */
export class ClientGoneError extends Error {
  constructor(cause?: Error) {
    super('the client closed the request before its body ended', { cause });
    this.name = 'ClientGoneError';
  }
}

/** Compressed bodies are not accepted: the limit applies to what is parsed, not to what is sent. */
export function checkContentEncoding(contentEncoding: string | undefined): void {
  if (contentEncoding === undefined || /^\s*identity\s*$/i.test(contentEncoding)) return;
  throw requestError(
    'UNSUPPORTED_CONTENT_TYPE',
    `Content-Encoding ${JSON.stringify(contentEncoding)} is not supported: send the body uncompressed`,
  );
}

/**
 * Reads a request body up to `maxBodyBytes`. A declared Content-Length over the limit is refused
 * before reading; a streamed body is refused as soon as it passes the limit, without reading on.
 */
export function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    requestError('PAYLOAD_TOO_LARGE', `The body is larger than ${maxBodyBytes} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) return Promise.reject(tooLarge());

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBodyBytes) {
        req.pause();
        fail(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, received));
    };
    // A request stream fails only when its connection does ("aborted", ECONNRESET).
    const onError = (error: Error) => fail(new ClientGoneError(error));
    const onClose = () => fail(new ClientGoneError());
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8: a malformed byte sequence is INVALID_UTF8, never a replacement character. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw requestError('INVALID_UTF8', 'The body is not valid UTF-8');
  }
}

function parseJson(text: string, where: string, index: number | null): unknown {
  try {
    // JSON.parse defines `__proto__` as an own data property, so the validator still sees it.
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'not valid JSON';
    const message = `${where} is not valid JSON: ${reason}`;
    throw new ScrapewatchError('INVALID_JSON', message, [
      { index, path: '', code: 'INVALID_JSON', message },
    ]);
  }
}

function checkCount(count: number, maxEvents: number): void {
  if (count === 0) throw requestError('EMPTY_BATCH', 'The request holds no event');
  if (count > maxEvents) throw tooMany(`${count}`, maxEvents);
}

function tooMany(count: string, maxEvents: number): ScrapewatchError {
  return requestError(
    'TOO_MANY_EVENTS',
    `The request holds ${count} events; at most ${maxEvents} are accepted`,
  );
}

/** Decodes one JSON document (the whole body, or one WS message). */
export function parseJsonDocument(text: string): unknown {
  if (text.trim() === '') throw requestError('EMPTY_BATCH', 'The request holds no event');
  return parseJson(text, 'The body', null);
}

/** The correlation id of a metrics_batch envelope, when it has a valid one. */
export function envelopeId(body: unknown): string | number | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const id = record['id'];
  return record['type'] === 'metrics_batch' && (typeof id === 'string' || typeof id === 'number')
    ? id
    : undefined;
}

/** The event items of a decoded document (event, array or envelope), within the count limits. */
export function payloadItems(body: unknown, maxEvents: number): unknown[] {
  const items = unpackPayload(body);
  checkCount(items.length, maxEvents);
  return items;
}

/** One JSON document: an event, an array of events, or a metrics_batch envelope. */
export function parseJsonPayload(text: string, maxEvents: number): ParsedPayload {
  const body = parseJsonDocument(text);
  const items = payloadItems(body, maxEvents);
  const id = envelopeId(body);
  return id === undefined ? { items } : { items, id };
}

/** NDJSON: one event per line; blank lines are skipped; a bad line is named by its number. */
export function parseNdjsonPayload(text: string, maxEvents: number): ParsedPayload {
  const items: unknown[] = [];
  const lines = text.split('\n');
  for (let line = 0; line < lines.length; line++) {
    const content = (lines[line] ?? '').replace(/\r$/, '');
    if (content.trim() === '') continue;
    if (items.length === maxEvents) throw tooMany(`more than ${maxEvents}`, maxEvents);
    items.push(parseJson(content, `NDJSON line ${line + 1}`, items.length));
  }
  checkCount(items.length, maxEvents);
  return { items };
}

export function parsePayload(text: string, format: BodyFormat, maxEvents: number): ParsedPayload {
  return format === 'json'
    ? parseJsonPayload(text, maxEvents)
    : parseNdjsonPayload(text, maxEvents);
}
