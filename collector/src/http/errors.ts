import type { Response } from 'express';
import type { Logger } from 'pino';
import { ScrapewatchError, type ErrorDetail } from '@scrapewatch/protocol';

/** Any thrown value as a coded error; what is not one already becomes INTERNAL (and is logged). */
export function asScrapewatchError(error: unknown, logger: Logger): ScrapewatchError {
  if (error instanceof ScrapewatchError) return error;
  logger.error({ err: error }, 'unexpected error');
  return new ScrapewatchError('INTERNAL');
}

/** The HTTP body of a rejection, always with a `details` array (empty for request-level errors). */
export function errorBody(error: ScrapewatchError): {
  error: { code: string; message: string; details: ErrorDetail[] };
} {
  return { error: { code: error.code, message: error.message, details: error.details } };
}

export function sendError(res: Response, error: ScrapewatchError): void {
  if (error.retryAfterSeconds !== undefined) {
    res.set('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  }
  res.status(error.status ?? 500).json(errorBody(error));
}
