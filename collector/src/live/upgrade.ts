import type stream from 'node:stream';
import { ERRORS, ScrapewatchError, type ErrorCode } from '@scrapewatch/protocol';

/**
 * Browser origins are compared as scheme://host[:port], case-insensitively; "*" admits any.
 * A request without Origin is not from a browser page and is admitted (tokens still apply).
 */
export function createOriginCheck(
  allowedOrigins: readonly string[],
): (origin: string | undefined) => boolean {
  const allowed = new Set(allowedOrigins.map(normaliseOrigin));
  const any = allowed.has('*');
  return (origin) => origin === undefined || any || allowed.has(normaliseOrigin(origin));
}

function normaliseOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

/** Refuses an upgrade with a plain HTTP answer carrying the JSON error body, then closes. */
export function rejectUpgrade(socket: stream.Duplex, code: ErrorCode): void {
  const status = (ERRORS[code] as { status?: number }).status ?? 400;
  const body = JSON.stringify(new ScrapewatchError(code).toBody());
  const head = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(status === 503 ? ['Retry-After: 5'] : []),
  ];
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
