import type { RequestHandler } from 'express';
import { openApiDocument } from '@scrapewatch/protocol';

export const OPENAPI_PATH = '/v1/openapi.json';

/**
 * GET /v1/openapi.json: the API's OpenAPI 3.1 document, built once (its request examples are
 * recorded at start-up, inside the accepted recordedAt window for the raw retention).
 */
export function openApiRoute(version: string, nowMs: number): RequestHandler {
  const body = JSON.stringify(openApiDocument({ version, nowMs }));
  return (_req, res) => {
    res.type('application/json').send(body);
  };
}
