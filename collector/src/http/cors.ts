import type { RequestHandler } from 'express';
import { ScrapewatchError } from '@scrapewatch/protocol';
import { createOriginCheck } from '../ws/origin';

/** Browsers may cache a preflight answer this long. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * CORS for the GET APIs. A request without Origin (not a browser) passes untouched; a browser
 * origin outside the allow-list is refused with ORIGIN_NOT_ALLOWED; preflights may send
 * Authorization (tokens never travel in URLs). Origins compare as on the WebSocket endpoints
 * (createOriginCheck: scheme and host case-insensitive).
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const originAllowed = createOriginCheck(allowedOrigins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) {
      next();
      return;
    }
    res.vary('Origin');
    if (!originAllowed(origin)) {
      throw new ScrapewatchError(
        'ORIGIN_NOT_ALLOWED',
        `Origin ${JSON.stringify(origin)} is not in SCRAPEWATCH_ALLOWED_ORIGINS`,
      );
    }
    res.set('Access-Control-Allow-Origin', origin);
    res.set('Access-Control-Expose-Headers', 'Retry-After');
    if (req.method === 'OPTIONS') {
      res.set('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
      res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.set('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_S));
      res.status(204).end();
      return;
    }
    next();
  };
}
