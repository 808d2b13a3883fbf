import { LIMITS, validateEvents, type ErrorDetail } from '../src';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

const scrape = (fields: unknown, itemsExtracted = 10): Record<string, unknown> => ({
  type: 'page_scrape',
  scraperSource: 'robinhood',
  url: 'https://robinhood.com/stocks/AAPL',
  scrapeDurationMs: 200,
  itemsExtracted,
  success: true,
  error: null,
  recordedAt: NOW - 1_000,
  fields,
});

function details(items: unknown[]): ErrorDetail[] {
  const result = validateEvents(items, { nowMs: NOW });
  return result.ok ? [] : result.details;
}

function manyFields(n: number): Record<string, number> {
  const fields: Record<string, number> = {};
  for (let i = 0; i < n; i += 1) fields[`field_${i}`] = 1;
  return fields;
}

describe('page_scrape field coverage', () => {
  it('accepts counts from 0 to itemsExtracted, any printable name, up to the field limit', () => {
    const ok = [
      scrape({ price: 10, title: 0, 'seller.name': 7, 'Prix TTC': 3, 'a/b~c': 1 }),
      scrape({}),
      scrape({ price: 0 }, 0),
      scrape(manyFields(LIMITS.maxFields)),
      scrape({ ['n'.repeat(LIMITS.maxFieldNameLength)]: 1 }),
    ];
    expect(details(ok)).toEqual([]);
  });

  it.each([
    ['too many fields', scrape(manyFields(LIMITS.maxFields + 1)), 'TOO_MANY_FIELDS', '/fields'],
    ['a negative count', scrape({ price: -1 }), 'OUT_OF_RANGE', '/fields/price'],
    ['a fractional count', scrape({ price: 2.5 }), 'OUT_OF_RANGE', '/fields/price'],
    ['a count as a string', scrape({ price: '3' }), 'INVALID_TYPE', '/fields/price'],
    ['a count above itemsExtracted', scrape({ price: 11 }), 'INCONSISTENT_FIELDS', '/fields/price'],
    [
      'a name with a control character',
      scrape({ 'pri\u0000ce': 1 }),
      'INVALID_FORMAT',
      '/fields/pri\u0000ce',
    ],
    ['a name with a newline', scrape({ 'a\nb': 1 }), 'INVALID_FORMAT', '/fields/a\nb'],
    ['a name with DEL', scrape({ 'a\u007fb': 1 }), 'INVALID_FORMAT', '/fields/a\u007fb'],
    ['an empty name', scrape({ '': 1 }), 'INVALID_FORMAT', '/fields/'],
    [
      'a name too long',
      scrape({ ['n'.repeat(LIMITS.maxFieldNameLength + 1)]: 1 }),
      'TOO_LONG',
      `/fields/${'n'.repeat(LIMITS.maxFieldNameLength + 1)}`,
    ],
    ['fields as an array', scrape([1, 2]), 'INVALID_TYPE', '/fields'],
    ['a special slash name, escaped', scrape({ 'a/b': 11 }), 'INCONSISTENT_FIELDS', '/fields/a~1b'],
  ])('rejects %s, naming the field and the item', (_name, bad, code, path) => {
    const found = details([scrape({ price: 1 }), bad]);
    expect(found).toEqual([expect.objectContaining({ index: 1, code, path })]);
    expect(found[0]?.message.length).toBeGreaterThan(5);
  });

  it('refuses __proto__ as a field name, as JSON.parse produces it', () => {
    const parsed = JSON.parse(
      JSON.stringify(scrape({ price: 1 })).replace('"price":1', '"__proto__":1'),
    ) as unknown;
    expect(details([parsed])).toEqual([
      expect.objectContaining({ index: 0, code: 'FORBIDDEN_KEY', path: '/fields/__proto__' }),
    ]);
  });

  it('reports every bad field of every item', () => {
    const found = details([scrape({ a: -1, b: 99 }), scrape({ c: 1 }), scrape({ 'd\u0001': 1 })]);
    expect(found.map((d) => [d.index, d.path, d.code])).toEqual([
      [0, '/fields/a', 'OUT_OF_RANGE'],
      [2, '/fields/d\u0001', 'INVALID_FORMAT'],
    ]);
  });
});

describe('scraper_run', () => {
  const run = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    type: 'scraper_run',
    scraperSource: 'robinhood',
    runId: 'r-1',
    startedAt: NOW - 60_000,
    recordedAt: NOW - 1_000,
    outcome: 'success',
    pages: 10,
    items: 40,
    errors: 1,
    fields: { price: 40, title: 12 },
    ...over,
  });

  it('accepts a run with its totals and coverage, and every outcome', () => {
    expect(
      details([run(), run({ outcome: 'failed', error: 'boom' }), run({ outcome: 'aborted' })]),
    ).toEqual([]);
  });

  it.each([
    ['a start after its end', run({ startedAt: NOW }), 'INCONSISTENT_FIELDS', '/startedAt'],
    [
      'a run longer than the limit',
      run({ startedAt: NOW - 1_000 - LIMITS.maxRunDurationMs - 1 }),
      'OUT_OF_RANGE',
      '/startedAt',
    ],
    [
      'a field filled on more than its items',
      run({ fields: { price: 41 } }),
      'INCONSISTENT_FIELDS',
      '/fields/price',
    ],
    ['an unknown outcome', run({ outcome: 'partial' }), 'INVALID_FORMAT', '/outcome'],
    ['negative errors', run({ errors: -1 }), 'OUT_OF_RANGE', '/errors'],
    ['an empty runId', run({ runId: '' }), 'INVALID_FORMAT', '/runId'],
  ])('rejects %s', (_name, bad, code, path) => {
    expect(details([bad])).toEqual([expect.objectContaining({ index: 0, code, path })]);
  });
});
