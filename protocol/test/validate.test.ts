import {
  LIMITS,
  unpackPayload,
  validateEvents,
  validationError,
  ScrapewatchError,
  type ErrorDetail,
} from '../src';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const opts = { nowMs: NOW };

const navigation = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'page_navigation',
  scraperSource: 'robinhood',
  url: 'https://robinhood.com/stocks/AAPL',
  navigationDurationMs: 150,
  retryCount: 0,
  success: true,
  error: null,
  recordedAt: NOW - 1_000,
  ...over,
});
const scrape = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'page_scrape',
  scraperSource: 'robinhood',
  url: 'https://robinhood.com/stocks/AAPL',
  scrapeDurationMs: 200,
  itemsExtracted: 5,
  success: true,
  error: null,
  recordedAt: NOW - 1_000,
  ...over,
});
const schedulerRun = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'scheduler_run',
  schedulerName: 'main',
  jobName: 'prices',
  durationMs: 1200,
  success: true,
  scrapersRun: 3,
  error: null,
  scheduledAt: NOW - 10_000,
  startedAt: NOW - 9_000,
  recordedAt: NOW - 1_000,
  ...over,
});

function dropUndefined(item: unknown): unknown {
  if (typeof item !== 'object' || item === null) return item;
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
}

function firstDetail(item: unknown): ErrorDetail {
  const result = validateEvents([item], opts);
  if (result.ok) throw new Error('expected a rejection');
  const detail = result.details[0];
  if (!detail) throw new Error('no detail');
  return detail;
}

describe('blockReason on navigations', () => {
  it('accepts a short token or null, rejects anything else with a coded detail', () => {
    for (const blockReason of ['rate_limited', 'captcha', 'geo_fence', null]) {
      expect(validateEvents([navigation({ blockReason })], opts)).toMatchObject({ ok: true });
    }
    expect(validateEvents([navigation({ blockReason: 'Rate Limited' })], opts)).toEqual({
      ok: false,
      details: [
        expect.objectContaining({ index: 0, path: '/blockReason', code: 'INVALID_FORMAT' }),
      ],
    });
    expect(validateEvents([navigation({ blockReason: 'x'.repeat(65) })], opts)).toEqual({
      ok: false,
      details: [expect.objectContaining({ path: '/blockReason', code: 'TOO_LONG' })],
    });
    // Scrapes have no block reason.
    expect(validateEvents([scrape({ blockReason: 'captcha' })], opts)).toEqual({
      ok: false,
      details: [expect.objectContaining({ path: '/blockReason', code: 'UNKNOWN_FIELD' })],
    });
  });
});

describe('validateEvents', () => {
  it('accepts the seed format of every kind', () => {
    const result = validateEvents(
      [navigation(), scrape(), schedulerRun({ status: 'success' })],
      opts,
    );
    expect(result.ok).toBe(true);
  });

  it.each([
    ['missing field', navigation({ url: undefined }), 'MISSING_FIELD', '/url'],
    ['missing type', { scraperSource: 'x' }, 'MISSING_FIELD', '/type'],
    ['unknown type', navigation({ type: 'page_click' }), 'UNKNOWN_EVENT_TYPE', '/type'],
    ['wrong type', navigation({ success: 'yes' }), 'INVALID_TYPE', '/success'],
    ['null required number', scrape({ itemsExtracted: null }), 'INVALID_TYPE', '/itemsExtracted'],
    [
      'negative duration',
      navigation({ navigationDurationMs: -1 }),
      'OUT_OF_RANGE',
      '/navigationDurationMs',
    ],
    [
      'non-finite duration',
      navigation({ navigationDurationMs: Infinity }),
      'OUT_OF_RANGE',
      '/navigationDurationMs',
    ],
    ['fractional count', scrape({ itemsExtracted: 1.5 }), 'OUT_OF_RANGE', '/itemsExtracted'],
    ['url too long', navigation({ url: 'x'.repeat(LIMITS.maxUrlLength + 1) }), 'TOO_LONG', '/url'],
    [
      'bad scraper name',
      navigation({ scraperSource: 'has space' }),
      'INVALID_FORMAT',
      '/scraperSource',
    ],
    ['unknown field', navigation({ colour: 'red' }), 'UNKNOWN_FIELD', '/colour'],
    ['constructor key', navigation({ constructor: {} }), 'FORBIDDEN_KEY', '/constructor'],
    [
      'too old',
      navigation({ recordedAt: NOW - LIMITS.defaultMaxPastMs - 1 }),
      'RECORDED_AT_OUT_OF_WINDOW',
      '/recordedAt',
    ],
    [
      'too new',
      navigation({ recordedAt: NOW + LIMITS.defaultMaxFutureMs + 1 }),
      'RECORDED_AT_OUT_OF_WINDOW',
      '/recordedAt',
    ],
    ['bad status', schedulerRun({ status: 'late' }), 'INVALID_FORMAT', '/status'],
    ['no success nor status', schedulerRun({ success: undefined }), 'MISSING_FIELD', '/success'],
    [
      'status contradicts success',
      schedulerRun({ status: 'failed' }),
      'INCONSISTENT_FIELDS',
      '/status',
    ],
    ['not an object', 42, 'INVALID_TYPE', ''],
  ])('rejects %s', (_name, item, code, path) => {
    const clean = dropUndefined(item); // as a decoded body would be
    expect(firstDetail(clean)).toMatchObject({ index: 0, code, path });
  });

  it('rejects lone UTF-16 surrogates in every string field, naming the field and the item', () => {
    // As JSON.parse produces them from the escapes "\ud83d" and "\ude00".
    const high = JSON.parse('"\\ud83d"') as string;
    const low = JSON.parse('"\\ude00"') as string;
    const result = validateEvents(
      [
        navigation({ url: `https://example.com/${high}x`, eventId: 'a' }),
        scrape({ error: `broke ${low}`, success: false, eventId: 'b' }),
        schedulerRun({ runId: `run${low}` }),
        navigation({ success: false, error: `${low}${high}` }),
        // A well-formed pair (an emoji) is fine.
        navigation({ url: `https://example.com/${high}${low}` }),
      ],
      opts,
    );
    expect(result.ok).toBe(false);
    const details = result.ok ? [] : result.details;
    expect(details.map((d) => [d.index, d.path, d.code])).toEqual([
      [0, '/url', 'LONE_SURROGATE'],
      [1, '/error', 'LONE_SURROGATE'],
      [2, '/runId', 'LONE_SURROGATE'],
      [3, '/error', 'LONE_SURROGATE'],
    ]);
    expect(details[0]?.message).toBe('holds a lone UTF-16 surrogate U+D83D at character 20');
    expect(validationError(details).code).toBe('LONE_SURROGATE');
  });

  it('rejects an own __proto__ key as JSON.parse produces it', () => {
    const parsed = JSON.parse(`{"type":"page_navigation","__proto__":{"admin":true}}`) as unknown;
    const result = validateEvents([{ ...navigation(), ...(parsed as object) }], opts);
    expect(result.ok).toBe(false);
    const raw = JSON.parse(
      JSON.stringify(navigation()).replace('{', '{"__proto__":{"x":1},'),
    ) as unknown;
    expect(firstDetail(raw)).toMatchObject({ code: 'FORBIDDEN_KEY', path: '/__proto__' });
  });

  it('names every bad item by index and rejects the batch whole', () => {
    const result = validateEvents(
      [navigation(), navigation({ retryCount: -1 }), scrape({ url: 7 })],
      opts,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details.map((d) => [d.index, d.code])).toEqual([
      [1, 'OUT_OF_RANGE'],
      [2, 'INVALID_TYPE'],
    ]);
    const error = validationError(result.details);
    expect(error).toBeInstanceOf(ScrapewatchError);
    expect(error.code).toBe('OUT_OF_RANGE');
    expect(error.status).toBe(400);
    expect(error.message).toContain('event 1 /retryCount');
    expect(error.toBody().error.details).toHaveLength(2);
  });
});

describe('unpackPayload', () => {
  it('accepts one event, an array and the envelope', () => {
    expect(unpackPayload(navigation())).toHaveLength(1);
    expect(unpackPayload([navigation(), scrape()])).toHaveLength(2);
    const envelope = {
      type: 'metrics_batch',
      scraperSource: 'robinhood',
      count: 2,
      timestamp: NOW,
      metrics: [navigation(), scrape({ scraperSource: undefined })],
    };
    const items = unpackPayload(JSON.parse(JSON.stringify(envelope)));
    expect(items).toHaveLength(2);
    expect((items[1] as Record<string, unknown>)['scraperSource']).toBe('robinhood');
  });

  it.each([
    [
      'count mismatch',
      { type: 'metrics_batch', count: 3, timestamp: NOW, metrics: [navigation()] },
      'INVALID_ENVELOPE',
    ],
    [
      'metrics not an array',
      { type: 'metrics_batch', count: 1, timestamp: NOW, metrics: {} },
      'INVALID_ENVELOPE',
    ],
    ['unknown envelope key', { type: 'metrics_batch', metrics: [], extra: 1 }, 'UNKNOWN_FIELD'],
    [
      'scraper contradicts envelope',
      { type: 'metrics_batch', scraperSource: 'cnbc', metrics: [navigation()] },
      'INCONSISTENT_FIELDS',
    ],
    ['a string body', 'hello', 'INVALID_TYPE'],
  ])('rejects %s', (_name, body, code) => {
    expect(() => unpackPayload(body)).toThrow(expect.objectContaining({ code }));
  });
});
