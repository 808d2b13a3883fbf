import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ScrapewatchError } from '@scrapewatch/protocol';
import { errorBody } from '../http/errors';

/** A 503 refusal without a figure of its own asks the client to come back after this long. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * Refuses a WebSocket upgrade with a plain HTTP answer: the code's HTTP status and the same JSON
 * body as every HTTP error (`{error: {code, message, details}}`); a 503 carries Retry-After.
 */
export function rejectUpgrade(socket: Duplex, error: ScrapewatchError): void {
  const status = error.status ?? 400;
  const body = JSON.stringify(errorBody(error));
  const retryAfterSeconds =
    error.retryAfterSeconds ?? (status === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
  const retryAfter =
    retryAfterSeconds === undefined
      ? ''
      : `Retry-After: ${Math.max(1, Math.ceil(retryAfterSeconds))}\r\n`;
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${retryAfter}\r\n${body}`,
  );
}
