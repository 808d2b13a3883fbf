import {
  MAX_TEMPLATE_CHARS,
  createFingerprinter,
  errorTemplate,
  fingerprintError,
} from '../../src/ingest/fingerprint';

/**
 * Realistic messages as Playwright, Puppeteer, undici and scrapers' own code report them, in the
 * groups an operator expects: one group is one kind of error, whatever the URL, id or number.
 */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  playwrightTimeout: [
    'TimeoutError: page.goto: Timeout 30000ms exceeded.\nCall log:\n  - navigating to "https://shop.example.com/p/1", waiting until "load"\n',
    'TimeoutError: page.goto: Timeout 45000ms exceeded.\nCall log:\n  - navigating to "https://news.example.org/a/2024/05/story-77?ref=home", waiting until "networkidle"\n  - navigated to "https://news.example.org/a/2024/05/story-77"\n',
    'TimeoutError: page.goto: Timeout 30000ms exceeded.\nCall log:\n  - navigating to "https://x.test/", waiting until "load"',
  ],
  puppeteerTimeout: [
    'TimeoutError: Navigation timeout of 30000 ms exceeded\n    at LifecycleWatcher._createTimeoutPromise (/app/node_modules/puppeteer-core/lib/cjs/puppeteer/common/LifecycleWatcher.js:163:16)',
    'TimeoutError: Navigation timeout of 60000 ms exceeded\n    at new Deferred (/srv/node_modules/puppeteer-core/lib/cjs/puppeteer/util/Deferred.js:55:28)',
  ],
  connectionReset: [
    'Error: page.goto: net::ERR_CONNECTION_RESET at https://www.example.com/quote/AAPL',
    'Error: page.goto: net::ERR_CONNECTION_RESET at https://www.example.com/quote/BRK.B?x=1',
    'Error: page.goto: net::ERR_CONNECTION_RESET at http://10.0.3.17:8080/health',
  ],
  nameNotResolved: [
    'Error: net::ERR_NAME_NOT_RESOLVED at https://old-shop.example.net/item/991',
    'Error: net::ERR_NAME_NOT_RESOLVED at https://cdn7.example.io/assets/app.js',
  ],
  http2Protocol: [
    'Error: page.goto: net::ERR_HTTP2_PROTOCOL_ERROR at https://api.example.com/v2/items?page=3',
    'Error: page.goto: net::ERR_HTTP2_PROTOCOL_ERROR at https://api.example.com/v2/items?page=14',
  ],
  selectorWait: [
    "TimeoutError: page.waitForSelector: Timeout 10000ms exceeded.\nCall log:\n  - waiting for locator('.product-card .price') to be visible\n",
    "TimeoutError: page.waitForSelector: Timeout 5000ms exceeded.\nCall log:\n  - waiting for locator('#results > li:nth-child(3)') to be visible\n",
  ],
  puppeteerSelector: [
    'TimeoutError: Waiting for selector `div.listing[data-id="88213"]` failed: Waiting failed: 30000ms exceeded',
    'TimeoutError: Waiting for selector `.price` failed: Waiting failed: 15000ms exceeded',
  ],
  http503WithRequestId: [
    'HTTP 503 Service Unavailable (request id 8f14e45f-ceea-467a-9af0-2b6c1e3a9d11)',
    'HTTP 503 Service Unavailable (request id 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d)',
  ],
  http404: [
    'HTTP 404 Not Found: GET https://shop.example.com/p/123 at 2026-11-30T12:01:02.345Z',
    'HTTP 404 Not Found: GET https://shop.example.com/p/98765 at 2026-11-30T17:45:00Z',
  ],
  sdkStatus: ['HTTP 429 (blocked)', 'HTTP 429 (blocked)'],
  traceId: [
    'upstream error: status=502 trace=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7',
    'upstream error: status=502 trace=a3ce929d0e0e47364bf92f3577b34da6 span=0ba902b700f067aa',
  ],
  jsonParse: [
    'SyntaxError: Unexpected token < in JSON at position 0',
    'SyntaxError: Unexpected token < in JSON at position 1532',
  ],
  sessionExpired: [
    'Error: session abcDEF1234567890xyz expired after 1800 s on worker 3',
    'Error: session Q9w8E7r6T5y4U3i2O1 expired after 900 s on worker 12',
  ],
  memoryAddress: [
    'Error: Protocol error (Runtime.callFunctionOn): Target closed at 0x7ffd5e8c1a20',
    'Error: Protocol error (Runtime.callFunctionOn): Target closed at 0x55d1c0ffee00',
  ],
};

const ALL = Object.entries(GROUPS).flatMap(([group, messages]) =>
  messages.map((message) => ({ group, message })),
);

describe('error fingerprints', () => {
  it('covers at least 25 realistic messages', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(25);
  });

  it.each(Object.entries(GROUPS))(
    '%s: every message has the same fingerprint',
    (_group, messages) => {
      const fingerprints = new Set(messages.map((m) => fingerprintError(m).fingerprint));
      expect({ fingerprints: fingerprints.size, templates: messages.map(errorTemplate) }).toEqual({
        fingerprints: 1,
        templates: messages.map(() => errorTemplate(messages[0]!)),
      });
    },
  );

  it('different groups get different fingerprints', () => {
    const byGroup = new Map<string, string>();
    for (const [group, messages] of Object.entries(GROUPS))
      byGroup.set(group, fingerprintError(messages[0]!).fingerprint);
    expect(new Set(byGroup.values()).size).toBe(byGroup.size);
  });

  it('templates read as the error with placeholders', () => {
    expect(errorTemplate(GROUPS.playwrightTimeout![0]!)).toBe(
      'TimeoutError: page.goto: Timeout <n>ms exceeded.',
    );
    expect(errorTemplate(GROUPS.connectionReset![0]!)).toBe(
      'Error: page.goto: net::ERR_CONNECTION_RESET at <url>',
    );
    expect(errorTemplate(GROUPS.http503WithRequestId![0]!)).toBe(
      'HTTP 503 Service Unavailable (request id <uuid>)',
    );
    expect(errorTemplate(GROUPS.http404![0]!)).toBe('HTTP 404 Not Found: GET <url> at <ts>');
    expect(errorTemplate(GROUPS.puppeteerSelector![0]!)).toBe(
      'TimeoutError: Waiting for selector `<str>` failed: Waiting failed: <n>ms exceeded',
    );
    expect(errorTemplate(GROUPS.traceId![0]!)).toBe(
      'upstream error: status=502 trace=<hex> span=<hex>',
    );
    expect(errorTemplate(GROUPS.sessionExpired![0]!)).toBe(
      'Error: session <id> expired after <n> s on worker <n>',
    );
    expect(errorTemplate('connect ECONNREFUSED 127.0.0.1:9222')).toBe(
      'connect ECONNREFUSED <ip>:<n>',
    );
    expect(errorTemplate('at parse (/app/dist/extract.js:120:17)')).toBe(
      'at parse (/app/dist/extract.js:<line>:<col>)',
    );
  });

  it('keeps HTTP statuses apart and keeps digits inside words', () => {
    const status = (code: number) => fingerprintError(`HTTP ${code} (http_5xx)`).fingerprint;
    expect(status(502)).not.toBe(status(503));
    expect(errorTemplate('net::ERR_HTTP2_PROTOCOL_ERROR')).toBe('net::ERR_HTTP2_PROTOCOL_ERROR');
    expect(errorTemplate('status code: 418 from upstream')).toBe('status code: 418 from upstream');
  });

  it('fingerprints are 16 hex characters and templates are bounded', () => {
    const long = `Error: ${'word '.repeat(500)}`;
    const result = fingerprintError(long);
    expect(result.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(result.template.length).toBe(MAX_TEMPLATE_CHARS);
    expect(fingerprintError('')).toEqual({ template: '', fingerprint: expect.any(String) });
  });

  it('the memo is bounded and returns the same answer after it was cleared', () => {
    const fingerprinter = createFingerprinter(2);
    const first = fingerprinter('HTTP 500 at https://a.example/1');
    fingerprinter('b 1');
    fingerprinter('c 2');
    expect(fingerprinter('HTTP 500 at https://a.example/1')).toEqual(first);
  });
});
