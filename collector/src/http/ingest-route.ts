import type { RequestHandler } from 'express';
import { ScrapewatchError } from '@scrapewatch/protocol';
import { bearerToken } from '../auth/tokens';
import type { IngestOptions } from '../config';
import {
  bodyFormat,
  checkContentEncoding,
  decodeUtf8,
  parsePayload,
  readBody,
} from '../ingest/parse';
import type { IngestPipeline } from '../ingest/pipeline';
import type { Authenticator } from './auth';

export interface IngestRouteDeps {
  readonly options: IngestOptions;
  readonly pipeline: IngestPipeline;
  readonly authenticate: Authenticator;
  readonly isClosing: () => boolean;
}

/** Items of the request being handled, for the rejection metrics (set once the body is parsed). */
export const ITEMS_LOCAL = 'ingestItems';

/**
 * POST /v1/metrics: auth -> content type -> body (bounded, strict UTF-8) -> JSON/NDJSON ->
 * pipeline; answers 202 only once the events are durable.
 */
export function ingestRoute(deps: IngestRouteDeps): RequestHandler {
  const { options, pipeline, authenticate, isClosing } = deps;
  return async (req, res) => {
    if (isClosing()) {
      throw new ScrapewatchError('SHUTTING_DOWN', undefined, [], 1);
    }
    const scope = authenticate(bearerToken(req.headers.authorization));
    const format = bodyFormat(req.headers['content-type']);
    checkContentEncoding(req.headers['content-encoding']);
    const bytes = await readBody(req, options.maxBodyBytes);
    const { items } = parsePayload(decodeUtf8(bytes), format, options.maxEventsPerRequest);
    res.locals[ITEMS_LOCAL] = items.length;
    const result = await pipeline.ingest(items, scope, 'http');
    res.status(202).json({ accepted: result.accepted, durability: result.durability });
  };
}
