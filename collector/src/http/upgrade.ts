import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ScrapewatchError } from '@scrapewatch/protocol';
import { errorBody } from './errors';

/** Refuses a WebSocket upgrade with a plain HTTP answer carrying the coded JSON error. */
export function rejectUpgrade(socket: Duplex, error: ScrapewatchError): void {
  const status = error.status ?? 400;
  const body = JSON.stringify(errorBody(error));
  const retryAfter =
    error.retryAfterSeconds === undefined
      ? ''
      : `Retry-After: ${Math.ceil(error.retryAfterSeconds)}\r\n`;
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
