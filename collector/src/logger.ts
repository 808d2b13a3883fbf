import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

/** The collector's structured logger: JSON lines on stdout, object first, then message. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'scrapewatch-collector' },
    // Tokens travel in these headers; never log them.
    redact: ['req.headers.authorization', 'req.headers["sec-websocket-protocol"]'],
  });
}
