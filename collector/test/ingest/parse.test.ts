import { ScrapewatchError } from '@scrapewatch/protocol';
import {
  bodyFormat,
  decodeUtf8,
  parseJsonPayload,
  parseNdjsonPayload,
} from '../../src/ingest/parse';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ScrapewatchError) return error.code;
    throw error;
  }
  throw new Error('no error');
}

describe('bodyFormat', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/JSON;charset="UTF-8"', 'json'],
    ['application/x-ndjson', 'ndjson'],
    ['application/x-ndjson; charset=utf8', 'ndjson'],
  ])('accepts %s', (header, format) => {
    expect(bodyFormat(header)).toBe(format);
  });

  it.each([
    undefined,
    '',
    'text/plain',
    'application/json; charset=latin1',
    'application/jsonx',
    'multipart/form-data',
  ])('refuses %p with UNSUPPORTED_CONTENT_TYPE', (header) => {
    expect(codeOf(() => bodyFormat(header))).toBe('UNSUPPORTED_CONTENT_TYPE');
  });
});

describe('decodeUtf8', () => {
  it('decodes UTF-8 and refuses malformed bytes', () => {
    expect(decodeUtf8(Buffer.from('{"a":"ü"}'))).toBe('{"a":"ü"}');
    expect(codeOf(() => decodeUtf8(Buffer.from([0x7b, 0xc3, 0x28, 0x7d])))).toBe('INVALID_UTF8');
    expect(codeOf(() => decodeUtf8(Buffer.from([0xed, 0xa0, 0x80])))).toBe('INVALID_UTF8');
  });
});

describe('payload parsing', () => {
  it('keeps an own __proto__ key for the validator to refuse', () => {
    const { items } = parseJsonPayload('{"type":"page_scrape","__proto__":{"x":1}}', 10);
    const item = items[0] as object;
    expect(Object.prototype.hasOwnProperty.call(item, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
  });

  it('names the NDJSON line that is not JSON', () => {
    try {
      parseNdjsonPayload('{"a":1}\n\n{"b":2}\n{nope\n', 10);
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(ScrapewatchError);
      const coded = error as ScrapewatchError;
      expect(coded.code).toBe('INVALID_JSON');
      expect(coded.message).toMatch(/line 4/);
      expect(coded.details).toEqual([expect.objectContaining({ index: 2, path: '' })]);
    }
  });

  it('reads NDJSON with CRLF and blank lines', () => {
    expect(parseNdjsonPayload('{"a":1}\r\n\r\n{"b":2}\r\n', 10).items).toEqual([
      { a: 1 },
      { b: 2 },
    ]);
  });

  it('counts events against the limit, also in NDJSON before reading on', () => {
    expect(codeOf(() => parseJsonPayload('[{},{},{}]', 2))).toBe('TOO_MANY_EVENTS');
    expect(codeOf(() => parseNdjsonPayload('{}\n{}\n{}\nnot json', 2))).toBe('TOO_MANY_EVENTS');
    expect(codeOf(() => parseJsonPayload('[]', 2))).toBe('EMPTY_BATCH');
    expect(codeOf(() => parseJsonPayload('  ', 2))).toBe('EMPTY_BATCH');
    expect(codeOf(() => parseNdjsonPayload('\n\n', 2))).toBe('EMPTY_BATCH');
  });

  it('returns the envelope id', () => {
    const body = { type: 'metrics_batch', id: 'm-1', count: 1, timestamp: 1, metrics: [{}] };
    expect(parseJsonPayload(JSON.stringify(body), 10)).toEqual({ items: [{}], id: 'm-1' });
    expect(codeOf(() => parseJsonPayload(JSON.stringify({ ...body, id: {} }), 10))).toBe(
      'INVALID_ENVELOPE',
    );
  });
});
