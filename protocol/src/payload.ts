import { ScrapewatchError } from './errors';

/**
 * Turns a decoded request body into its list of event items: one event, an array of events, or
 * the metrics_batch envelope. Items are not validated here (see validateEvents).
 */
export function unpackPayload(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body !== 'object' || body === null) {
    throw new ScrapewatchError(
      'INVALID_TYPE',
      'The body must be an event, an array of events or a metrics_batch envelope.',
      [{ index: null, path: '', code: 'INVALID_TYPE', message: 'must be an object or an array' }],
    );
  }
  const record = body as Record<string, unknown>;
  if (record['type'] !== 'metrics_batch') return [body];
  return unpackEnvelope(record);
}

// `id`: the client's correlation id on WS /v1/ingest, echoed in its ack.
const ENVELOPE_KEYS = new Set([
  'type',
  'id',
  'scraperSource',
  'count',
  'timestamp',
  'metrics',
  'channel',
  'seq',
]);

function envelopeError(path: string, message: string): ScrapewatchError {
  return new ScrapewatchError('INVALID_ENVELOPE', `metrics_batch ${path}: ${message}`, [
    { index: null, path, code: 'INVALID_ENVELOPE', message },
  ]);
}

function unpackEnvelope(envelope: Record<string, unknown>): unknown[] {
  for (const key of Object.keys(envelope)) {
    if (!ENVELOPE_KEYS.has(key)) {
      const code =
        key === '__proto__' || key === 'constructor' || key === 'prototype'
          ? 'FORBIDDEN_KEY'
          : 'UNKNOWN_FIELD';
      throw new ScrapewatchError(code, `metrics_batch has a field it does not define: "${key}"`, [
        { index: null, path: `/${key}`, code, message: `unknown field "${key}"` },
      ]);
    }
  }
  const id = envelope['id'];
  if (
    id !== undefined &&
    typeof id !== 'string' &&
    !(typeof id === 'number' && Number.isFinite(id))
  ) {
    throw envelopeError('/id', 'must be a string or a number');
  }
  if (typeof id === 'string' && id.length > 128) {
    throw envelopeError('/id', 'must be at most 128 characters');
  }
  const metrics = envelope['metrics'];
  if (!Array.isArray(metrics)) throw envelopeError('/metrics', 'must be an array of events');
  const count = envelope['count'];
  if (count !== undefined && count !== metrics.length) {
    throw envelopeError(
      '/count',
      `is ${JSON.stringify(count)} but metrics holds ${metrics.length} events`,
    );
  }
  const source = envelope['scraperSource'];
  if (source !== undefined && source !== null && typeof source !== 'string') {
    throw envelopeError('/scraperSource', 'must be a string');
  }
  if (typeof source === 'string') {
    // Events of the envelope's scraper may leave scraperSource out; a different one contradicts it.
    for (let index = 0; index < metrics.length; index++) {
      const item: unknown = metrics[index];
      if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
      const event = item as Record<string, unknown>;
      if (event['type'] === 'scheduler_run') continue;
      if (event['scraperSource'] === undefined) event['scraperSource'] = source;
      else if (event['scraperSource'] !== source) {
        throw new ScrapewatchError(
          'INCONSISTENT_FIELDS',
          `event ${index} /scraperSource differs from the envelope's "${source}"`,
          [
            {
              index,
              path: '/scraperSource',
              code: 'INCONSISTENT_FIELDS',
              message: `differs from the envelope's "${source}"`,
            },
          ],
        );
      }
    }
  }
  return metrics;
}
