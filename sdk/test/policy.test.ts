import { classifyError, classifyStatus, parseRetryAfterMs, retryDelayMs } from '@scrapewatch/sdk';

describe('retryDelayMs', () => {
  const policy = { baseRetryDelayMs: 100, maxRetryDelayMs: 1_000 };

  it('draws a full-jitter delay below an exponentially growing, capped ceiling', () => {
    expect(
      [0, 1, 2, 3, 4, 10].map((attempt) => retryDelayMs(attempt, policy, () => 0.999999)),
    ).toEqual([99, 199, 399, 799, 999, 999]);
    expect(retryDelayMs(3, policy, () => 0)).toBe(0);
  });

  it('prefers the server Retry-After, capped by maxRetryDelayMs', () => {
    expect(retryDelayMs(0, policy, () => 0.5, 700)).toBe(700);
    expect(retryDelayMs(0, policy, () => 0.5, 60_000)).toBe(1_000);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3_000);
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });
});

describe('classification', () => {
  it('classifies thrown errors by name, code, cause and browser message', () => {
    const timeout = Object.assign(new Error('page.goto: Timeout 30000ms exceeded.'), {
      name: 'TimeoutError',
    });
    expect(classifyError(timeout)).toBe('timeout');
    expect(classifyError(new Error('net::ERR_TIMED_OUT at https://x.test'))).toBe('timeout');
    expect(classifyError(new Error('net::ERR_CONNECTION_REFUSED at https://x.test'))).toBe(
      'network',
    );
    expect(classifyError(new Error('net::ERR_NAME_NOT_RESOLVED at https://x.test'))).toBe(
      'network',
    );
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyError(refused)).toBe('network');
    expect(classifyError(new SyntaxError('Unexpected end of JSON input'))).toBe('parse');
    expect(classifyError(new Error('selector not found'))).toBe('other');
    expect(classifyError('a string')).toBe('other');
  });

  it('classifies HTTP answers', () => {
    expect(classifyStatus(200, undefined)).toBeUndefined();
    expect(classifyStatus(304, undefined)).toBeUndefined();
    expect(classifyStatus(404, undefined)).toBe('http_4xx');
    expect(classifyStatus(500, undefined)).toBe('http_5xx');
    expect(classifyStatus(403, 'Forbidden')).toBe('blocked');
    expect(classifyStatus(429, undefined)).toBe('blocked');
    expect(classifyStatus(403, '<div class="cf-turnstile">')).toBe('captcha');
    expect(classifyStatus(503, 'Please verify you are a human')).toBe('captcha');
  });
});
